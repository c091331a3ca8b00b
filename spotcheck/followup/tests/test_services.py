"""Opening, handling, transferring, closing and reopening follow-up cases."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.campaigns.models import Task
from spotcheck.deadlines.choices import DeadlineKind, DeadlineState
from spotcheck.deadlines.models import Deadline
from spotcheck.followup.choices import CaseState, Measure, StepKind
from spotcheck.followup.models import Case, CaseEvidence, CaseStep
from spotcheck.followup.selectors import public_disposals_for_entity
from spotcheck.followup.services import (
    case_accept_transfer,
    case_close,
    case_record_measure,
    case_reopen,
    case_return_transfer,
    case_transfer,
    cases_open_for_record,
)
from spotcheck.followup.tests.factories import Scene, set_result
from spotcheck.testing.personas import Departments

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 5, 8, 9, 0, tzinfo=dt.UTC)  # Friday 8 May 2026
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf(name: str = "责令改正通知书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def case(scene: Scene, lead_admin: User) -> Case:
    with time_machine.travel(TODAY, tick=False):
        (opened,) = cases_open_for_record(actor=lead_admin, record=scene.record)
    return opened


# ---------------------------------------------------------------- opening


@time_machine.travel(TODAY, tick=False)
def test_a_case_opens_for_the_item_that_needs_follow_up_only(
    scene: Scene, lead_admin: User, departments: Departments
) -> None:
    # when
    opened = cases_open_for_record(actor=lead_admin, record=scene.record)

    # then
    assert len(opened) == 1
    case = opened[0]
    assert case.number == f"{scene.record.number}-SJ-01"
    assert case.task == scene.task
    assert case.entity == scene.record.entity
    assert case.item == scene.market_item
    assert case.record_item == scene.market_row
    assert case.findings == "未按规定公示2025年度年报"
    assert sorted(c.code for c in case.result_codes.all()) == ["2", "A", "B"]
    assert case.found_on == dt.date(2026, 5, 6)
    assert case.department == departments.market
    assert case.state == CaseState.OPEN
    assert case.holders == [departments.market.pk]
    deadline = case.deadline
    assert deadline is not None
    assert deadline.kind == DeadlineKind.DISPOSAL
    assert deadline.department == departments.market
    assert deadline.start_date == dt.date(2026, 5, 6)
    # 20 working days after Wed 6 May, weekdays only (no calendar year loaded): Wed 3 June
    assert deadline.due_date == dt.date(2026, 6, 3)
    assert [s.kind for s in case.steps.all()] == [StepKind.OPENED]
    assert AuditEvent.objects.filter(event_type="followup.case.opened").count() == 1


@time_machine.travel(TODAY, tick=False)
def test_opening_twice_opens_nothing_new(scene: Scene, lead_admin: User) -> None:
    # given
    cases_open_for_record(actor=lead_admin, record=scene.record)

    # when
    again = cases_open_for_record(actor=lead_admin, record=scene.record)

    # then
    assert again == []
    assert Case.objects.count() == 1
    assert Deadline.objects.filter(kind=DeadlineKind.DISPOSAL).count() == 1


@pytest.mark.parametrize(
    ("codes", "opens"),
    [
        (["8"], True),  # 不配合检查情节严重
        (["A", "2", "6"], True),  # 通过登记的住所无法联系
        (["A", "3"], True),
        (["E"], False),  # 发现问题经责令已改正
        (["F"], False),
        (["9"], False),
    ],
)
@time_machine.travel(TODAY, tick=False)
def test_codes_flagged_for_follow_up_open_a_case(
    scene: Scene, lead_admin: User, other_inspector_user: User, codes: list[str], opens: bool
) -> None:
    # given
    set_result(scene.police_row, codes, "情况", other_inspector_user)

    # when
    opened = cases_open_for_record(actor=lead_admin, record=scene.record)

    # then
    assert sorted(c.item.code for c in opened) == (["GA-01", "SJ-01"] if opens else ["SJ-01"])


# ---------------------------------------------------------------- measures and evidence


@time_machine.travel(TODAY, tick=False)
def test_a_measure_is_recorded_with_its_evidence(case: Case, dept_admin: User) -> None:
    # when
    case = case_record_measure(
        actor=dept_admin,
        case=case,
        measure=Measure.ORDER_CORRECTION,
        note="责令7日内补报年报",
        files=[_pdf()],
        version=1,
    )

    # then
    step = case.steps.get(kind=StepKind.MEASURE)
    assert step.actor == dept_admin
    assert step.measure == Measure.ORDER_CORRECTION
    assert step.note == "责令7日内补报年报"
    evidence = step.evidence.get()
    assert evidence.name == "责令改正通知书.pdf"
    assert evidence.content_type == "application/pdf"
    assert evidence.size == len(PDF)
    assert evidence.path.startswith(f"followup/{case.pk}/")
    assert evidence.path.endswith(".pdf")
    with default_storage.open(evidence.path, "rb") as handle:
        assert handle.read() == PDF
    assert case.version == 2


@time_machine.travel(TODAY, tick=False)
def test_a_file_that_only_pretends_to_be_a_pdf_is_refused(case: Case, dept_admin: User) -> None:
    # given
    fake = SimpleUploadedFile("通知书.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")

    # when
    with pytest.raises(ValidationError) as exc:
        case_record_measure(
            actor=dept_admin, case=case, measure=Measure.ORDER_CORRECTION, files=[fake]
        )

    # then
    assert exc.value.messages == [
        "“通知书.pdf”不是 PDF、JPEG 或 PNG 文件（按文件内容识别），未上传"
    ]
    assert CaseStep.objects.filter(kind=StepKind.MEASURE).count() == 0
    assert CaseEvidence.objects.count() == 0
    case.refresh_from_db()
    assert case.version == 1


@time_machine.travel(TODAY, tick=False)
def test_another_department_may_not_act_on_the_case(
    case: Case, other_dept_admin: User, inspector_user: User
) -> None:
    for actor in (other_dept_admin, inspector_user):
        with pytest.raises(PermissionDenied):
            case_record_measure(actor=actor, case=case, measure=Measure.FILE_CASE)
    assert CaseStep.objects.filter(kind=StepKind.MEASURE).count() == 0


@time_machine.travel(TODAY, tick=False)
def test_the_parent_department_may_act_for_its_subordinate(
    case: Case, parent_dept_admin: User
) -> None:
    case = case_record_measure(actor=parent_dept_admin, case=case, measure=Measure.FILE_CASE)
    assert case.steps.filter(kind=StepKind.MEASURE).count() == 1


@time_machine.travel(TODAY, tick=False)
def test_a_stale_page_is_refused(case: Case, dept_admin: User) -> None:
    # given: someone else has already acted (version 1 → 2)
    case_record_measure(actor=dept_admin, case=case, measure=Measure.ORDER_CORRECTION)

    # when
    with pytest.raises(ValidationError) as exc:
        case_close(actor=dept_admin, case=case, result="已改正", closed_on=TODAY.date(), version=1)

    # then
    assert exc.value.messages == [
        "本事项已被他人办理（当前状态：处置中），请刷新页面查看最新情况后再操作"
    ]
    case.refresh_from_db()
    assert case.state == CaseState.OPEN


# ---------------------------------------------------------------- transfers


@time_machine.travel(TODAY, tick=False)
def test_transfer_to_the_same_department_is_refused(
    case: Case, dept_admin: User, departments: Departments
) -> None:
    with pytest.raises(ValidationError) as exc:
        case_transfer(
            actor=dept_admin, case=case, to_department=departments.market, reason="不属于本部门"
        )
    assert exc.value.messages == ["不能移交给本部门"]
    case.refresh_from_db()
    assert (case.state, case.transfer_to, case.version) == (CaseState.OPEN, None, 1)
    assert not CaseStep.objects.filter(kind=StepKind.TRANSFER).exists()


@time_machine.travel(TODAY, tick=False)
def test_transfer_waits_for_the_receiver_and_the_sender_clock_keeps_running(
    case: Case, dept_admin: User, departments: Departments
) -> None:
    # when
    case = case_transfer(
        actor=dept_admin,
        case=case,
        to_department=departments.police,
        reason="涉及保安服务，属公安机关管辖",
    )

    # then
    assert case.state == CaseState.TRANSFERRING
    assert case.department == departments.market
    assert case.transfer_to == departments.police
    assert case.deadline is not None
    assert case.deadline.state == DeadlineState.OPEN
    assert case.deadline.department == departments.market
    step = case.steps.get(kind=StepKind.TRANSFER)
    assert (step.department, step.to_department) == (departments.market, departments.police)


def test_accepting_a_transfer_starts_the_receiver_clock(
    case: Case, dept_admin: User, other_dept_admin: User, departments: Departments
) -> None:
    # given
    with time_machine.travel(TODAY, tick=False):
        case_transfer(
            actor=dept_admin, case=case, to_department=departments.police, reason="属公安管辖"
        )
    first = Deadline.objects.get(pk=case.deadline_id)

    # when: accepted on Monday 11 May
    with time_machine.travel(dt.datetime(2026, 5, 11, 9, 0, tzinfo=dt.UTC), tick=False):
        case = case_accept_transfer(actor=other_dept_admin, case=case, note="已接收")

    # then
    first.refresh_from_db()
    assert first.state == DeadlineState.DONE
    assert case.state == CaseState.OPEN
    assert case.department == departments.police
    assert case.transfer_to is None
    assert case.holders == [departments.market.pk, departments.police.pk]
    assert case.deadline is not None
    assert case.deadline.department == departments.police
    assert case.deadline.start_date == dt.date(2026, 5, 11)
    assert case.deadline.due_date == dt.date(2026, 6, 8)
    assert case.deadline.state == DeadlineState.OPEN


@time_machine.travel(TODAY, tick=False)
def test_only_the_receiver_accepts_or_returns(
    case: Case, dept_admin: User, departments: Departments
) -> None:
    case_transfer(
        actor=dept_admin, case=case, to_department=departments.police, reason="属公安管辖"
    )
    with pytest.raises(PermissionDenied):
        case_accept_transfer(actor=dept_admin, case=case)
    case.refresh_from_db()
    assert case.state == CaseState.TRANSFERRING


@time_machine.travel(TODAY, tick=False)
def test_a_return_needs_a_reason_and_gives_the_case_back(
    case: Case, dept_admin: User, other_dept_admin: User, departments: Departments
) -> None:
    # given
    case_transfer(
        actor=dept_admin, case=case, to_department=departments.police, reason="属公安管辖"
    )

    # when: no reason
    with pytest.raises(ValidationError) as exc:
        case_return_transfer(actor=other_dept_admin, case=case, reason=" ")

    # then
    assert exc.value.messages == ["退回须写明理由（至少4个字）"]
    case.refresh_from_db()
    assert case.state == CaseState.TRANSFERRING

    # when: with a reason
    case = case_return_transfer(
        actor=other_dept_admin, case=case, reason="年报未公示属市场监管部门职责"
    )

    # then
    assert case.state == CaseState.OPEN
    assert case.department == departments.market
    assert case.transfer_to is None
    assert case.holders == [departments.market.pk]
    step = case.steps.get(kind=StepKind.RETURN)
    assert (step.department, step.to_department) == (departments.police, departments.market)
    assert step.note == "年报未公示属市场监管部门职责"


@time_machine.travel(TODAY, tick=False)
def test_a_transfer_back_to_the_sender_is_a_cycle(
    case: Case, dept_admin: User, other_dept_admin: User, departments: Departments
) -> None:
    # given: market → police, accepted
    case_transfer(
        actor=dept_admin, case=case, to_department=departments.police, reason="属公安管辖"
    )
    case_accept_transfer(actor=other_dept_admin, case=case)

    # when: police → market
    with pytest.raises(ValidationError) as exc:
        case_transfer(
            actor=other_dept_admin, case=case, to_department=departments.market, reason="还给你们"
        )

    # then
    assert exc.value.messages == ["该部门已办理过本事项并已移交出去，再移交回去会形成循环移交"]
    case.refresh_from_db()
    assert (case.state, case.department) == (CaseState.OPEN, departments.police)
    assert CaseStep.objects.filter(kind=StepKind.TRANSFER).count() == 1


# ---------------------------------------------------------------- closure and reopening


@time_machine.travel(TODAY, tick=False)
def test_closing_without_a_result_is_refused(case: Case, dept_admin: User) -> None:
    with pytest.raises(ValidationError) as exc:
        case_close(actor=dept_admin, case=case, result="  ", closed_on=TODAY.date())
    assert exc.value.messages == ["办结须填写处置结果"]
    case.refresh_from_db()
    assert (case.state, case.disposal_result, case.closed_on) == (CaseState.OPEN, "", None)
    assert case.deadline is not None
    assert case.deadline.state == DeadlineState.OPEN


@time_machine.travel(TODAY, tick=False)
def test_closing_after_a_public_measure_makes_the_result_public(
    case: Case, dept_admin: User
) -> None:
    # given
    case_record_measure(actor=dept_admin, case=case, measure=Measure.ABNORMAL_LIST, note="")

    # when
    case = case_close(
        actor=dept_admin,
        case=case,
        result="已列入经营异常名录",
        closed_on=dt.date(2026, 5, 7),
        files=[_pdf("列入决定书.pdf")],
    )

    # then
    assert case.state == CaseState.CLOSED
    assert case.is_public is True
    assert case.closed_by == dept_admin
    assert case.deadline is not None
    assert case.deadline.state == DeadlineState.DONE
    assert case.deadline.completed_late is False
    (disposal,) = public_disposals_for_entity(case.entity)
    assert disposal.task_number == case.task.number
    assert disposal.item_name == "企业公示信息情况检查"
    assert disposal.department == "晋州市市场监督管理局"
    assert disposal.measures == ("列入经营异常名录",)
    assert disposal.result == "已列入经营异常名录"
    assert disposal.closed_on == dt.date(2026, 5, 7)


@time_machine.travel(TODAY, tick=False)
def test_the_portal_look_up_shows_a_public_disposal(case: Case, dept_admin: User) -> None:
    # given a case closed after 列入经营异常名录
    case_record_measure(actor=dept_admin, case=case, measure=Measure.ABNORMAL_LIST, note="")
    case_close(actor=dept_admin, case=case, result="已列入经营异常名录", closed_on=TODAY.date())

    # when anyone looks the enterprise up by its code
    page = Client().get(reverse("publicity:lookup"), {"q": case.entity.uscc})

    # then
    html = page.content.decode()
    assert html.count('data-testid="lookup-disposal"') == 1
    assert "后续处置结果" in html
    assert "已列入经营异常名录" in html


@time_machine.travel(TODAY, tick=False)
def test_a_practice_tasks_disposal_stays_off_the_portal(case: Case, dept_admin: User) -> None:
    # given a case of a practice task (演练任务) closed after 列入经营异常名录
    Task.objects.filter(pk=case.task_id).update(is_practice=True)
    case_record_measure(actor=dept_admin, case=case, measure=Measure.ABNORMAL_LIST, note="")
    case_close(actor=dept_admin, case=case, result="已列入经营异常名录", closed_on=TODAY.date())

    # when anyone looks the enterprise up by its code
    html = Client().get(reverse("publicity:lookup"), {"q": case.entity.uscc}).content.decode()

    # then the enterprise is found, its practice disposal is not shown
    assert case.entity.name in html
    assert 'data-testid="lookup-disposal"' not in html
    assert "已列入经营异常名录" not in html


@time_machine.travel(TODAY, tick=False)
def test_a_correction_only_stays_off_the_public_record(case: Case, dept_admin: User) -> None:
    case_record_measure(actor=dept_admin, case=case, measure=Measure.ORDER_CORRECTION)
    case = case_close(actor=dept_admin, case=case, result="已补报", closed_on=TODAY.date())
    assert case.is_public is False
    assert public_disposals_for_entity(case.entity) == []


@time_machine.travel(TODAY, tick=False)
def test_a_closed_case_reopens_only_with_a_reason(case: Case, dept_admin: User) -> None:
    # given
    case_record_measure(actor=dept_admin, case=case, measure=Measure.FILE_CASE)
    case_close(actor=dept_admin, case=case, result="罚款五千元", closed_on=TODAY.date())

    # when: no reason
    with pytest.raises(ValidationError) as exc:
        case_reopen(actor=dept_admin, case=case, reason="")

    # then
    assert exc.value.messages == ["重新办理须写明理由（至少4个字）"]
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    assert len(public_disposals_for_entity(case.entity)) == 1

    # when: with a reason
    case = case_reopen(actor=dept_admin, case=case, reason="行政复议撤销了处罚决定")

    # then
    assert case.state == CaseState.OPEN
    assert (case.disposal_result, case.closed_on, case.is_public) == ("", None, False)
    assert public_disposals_for_entity(case.entity) == []
    assert case.deadline is not None
    assert case.deadline.start_date == dt.date(2026, 5, 8)
    assert case.deadline.state == DeadlineState.OPEN
    assert Deadline.objects.filter(kind=DeadlineKind.DISPOSAL).count() == 2
    assert list(case.steps.values_list("kind", flat=True)) == [
        StepKind.OPENED,
        StepKind.MEASURE,
        StepKind.CLOSE,
        StepKind.REOPEN,
    ]


@time_machine.travel(TODAY, tick=False)
def test_closing_a_closed_case_again_is_refused(case: Case, dept_admin: User) -> None:
    case_close(actor=dept_admin, case=case, result="已补报", closed_on=TODAY.date())
    with pytest.raises(ValidationError) as exc:
        case_close(actor=dept_admin, case=case, result="再次办结", closed_on=TODAY.date())
    assert exc.value.messages == ["处置事项当前为“已办结”，不能“办结”"]
    case.refresh_from_db()
    assert case.disposal_result == "已补报"
