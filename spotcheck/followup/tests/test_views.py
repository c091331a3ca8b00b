"""The case pages: who sees them, the action forms, refusals shown on the page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.followup.choices import CaseState, Measure, StepKind
from spotcheck.followup.models import Case, CaseStep
from spotcheck.followup.services import case_record_measure, cases_open_for_record
from spotcheck.followup.tests.factories import Scene
from spotcheck.testing.personas import LOGIN_BACKEND, Departments

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 5, 8, 9, 0, tzinfo=dt.UTC)
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def _frozen() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def case(scene: Scene, lead_admin: User) -> Case:
    (opened,) = cases_open_for_record(actor=lead_admin, record=scene.record)
    return opened


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend=LOGIN_BACKEND)
    return client


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("platform_admin", 200),
        ("lead_admin", 200),
        ("auditor", 200),
        ("dept_admin", 200),
        ("parent_dept_admin", 200),
        ("other_dept_admin", 404),
        ("inspector", 200),  # a member of the record's group
    ],
)
def test_case_page_access_per_role(
    case: Case, persona_client: Callable[[str], Client], persona: str, status: int
) -> None:
    # when
    response = persona_client(persona).get(f"/followup/cases/{case.pk}/")
    # then
    assert response.status_code == status


def test_an_inspector_outside_the_group_does_not_see_the_case(
    case: Case, departments: Departments
) -> None:
    from spotcheck.accounts.tests.factories import UserFactory

    stranger = UserFactory(username="stranger", role="inspector", department=departments.market)
    assert _client(stranger).get(f"/followup/cases/{case.pk}/").status_code == 404
    assert _client(stranger).get("/followup/cases/").context["page"].paginator.count == 0


@pytest.mark.parametrize(
    ("persona", "count"),
    [
        ("lead_admin", 1),
        ("dept_admin", 1),
        ("other_dept_admin", 0),
        ("auditor", 1),
    ],
)
def test_case_list_is_scoped(
    case: Case, persona_client: Callable[[str], Client], persona: str, count: int
) -> None:
    response = persona_client(persona).get("/followup/cases/")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == count


def test_the_receiving_department_sees_a_transferred_case(
    case: Case, dept_admin: User, other_dept_admin: User, departments: Departments
) -> None:
    # given
    _client(dept_admin).post(
        f"/followup/cases/{case.pk}/transfer/",
        {
            "transfer-version": "1",
            "transfer-to_department": departments.police.pk,
            "transfer-reason": "涉及保安服务，属公安机关管辖",
        },
    )
    # when
    response = _client(other_dept_admin).get(f"/followup/cases/{case.pk}/")
    # then
    assert response.status_code == 200
    assert [a for a, _l, _f in response.context["forms"]] == ["accept", "return"]
    assert "已移交晋州市公安局，待接收" in response.content.decode()


def test_case_page_shows_the_finding_and_the_actions_of_the_holder(
    case: Case, dept_admin: User
) -> None:
    response = _client(dept_admin).get(f"/followup/cases/{case.pk}/")
    html = response.content.decode()
    assert "未按规定公示2025年度年报" in html
    assert "企业公示信息情况检查" in html
    assert "发现问题 2026-05-06 起 20 个工作日，截止 2026-06-03" in html
    assert [a for a, _l, _f in response.context["forms"]] == ["measure", "transfer", "close"]


def test_the_auditor_reads_but_has_no_actions(case: Case, auditor: User) -> None:
    response = _client(auditor).get(f"/followup/cases/{case.pk}/")
    assert response.context["forms"] == []


def test_a_measure_with_evidence_is_recorded_through_the_page(case: Case, dept_admin: User) -> None:
    # when
    response = _client(dept_admin).post(
        f"/followup/cases/{case.pk}/measure/",
        {
            "measure-version": "1",
            "measure-measure": Measure.ORDER_CORRECTION,
            "measure-note": "责令7日内补报",
            "measure-files": [SimpleUploadedFile("通知书.pdf", PDF, "application/pdf")],
        },
    )
    # then
    assert response.status_code == 302
    step = CaseStep.objects.get(kind=StepKind.MEASURE)
    evidence = step.evidence.get()
    download = _client(dept_admin).get(f"/followup/cases/{case.pk}/evidence/{evidence.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download["Content-Disposition"]


def test_evidence_of_a_case_outside_scope_is_404(
    case: Case, dept_admin: User, other_dept_admin: User
) -> None:
    case_record_measure(
        actor=dept_admin,
        case=case,
        measure=Measure.ORDER_CORRECTION,
        files=[SimpleUploadedFile("a.pdf", PDF)],
    )
    evidence = CaseStep.objects.get(kind=StepKind.MEASURE).evidence.get()
    url = f"/followup/cases/{case.pk}/evidence/{evidence.pk}/"
    assert _client(other_dept_admin).get(url).status_code == 404


def test_closing_without_a_result_shows_the_error_and_writes_nothing(
    case: Case, dept_admin: User
) -> None:
    # when
    response = _client(dept_admin).post(
        f"/followup/cases/{case.pk}/close/",
        {"close-version": "1", "close-result": "", "close-closed_on": "2026-05-08"},
    )
    # then
    assert response.status_code == 400
    assert "这个字段是必填项。" in response.content.decode()
    case.refresh_from_db()
    assert (case.state, case.version) == (CaseState.OPEN, 1)


def test_closing_without_ticking_the_confirmation_is_refused_and_writes_nothing(
    case: Case, dept_admin: User
) -> None:
    # given
    events = AuditEvent.objects.count()

    # when
    response = _client(dept_admin).post(
        f"/followup/cases/{case.pk}/close/",
        {"close-version": "1", "close-result": "已补报年报", "close-closed_on": "2026-05-08"},
    )

    # then
    assert response.status_code == 400
    assert "请勾选确认后再办结：办结后结果即公开，只能写明理由重新办理" in response.content.decode()
    case.refresh_from_db()
    assert (case.state, case.version) == (CaseState.OPEN, 1)
    assert CaseStep.objects.filter(kind=StepKind.CLOSE).count() == 0
    assert AuditEvent.objects.count() == events


def test_a_transfer_to_the_own_department_shows_the_refusal(
    case: Case, dept_admin: User, departments: Departments
) -> None:
    response = _client(dept_admin).post(
        f"/followup/cases/{case.pk}/transfer/",
        {
            "transfer-version": "1",
            "transfer-to_department": departments.market.pk,
            "transfer-reason": "测试移交本部门",
        },
    )
    assert response.status_code == 400
    assert "不能移交给本部门" in response.content.decode()
    case.refresh_from_db()
    assert (case.state, case.version) == (CaseState.OPEN, 1)


def test_a_double_submitted_close_is_harmless(case: Case, dept_admin: User) -> None:
    # given
    client = _client(dept_admin)
    data = {
        "close-version": "1",
        "close-result": "已补报年报",
        "close-closed_on": "2026-05-08",
        "close-confirmed": "on",
    }
    client.post(f"/followup/cases/{case.pk}/close/", data)

    # when
    response = client.post(f"/followup/cases/{case.pk}/close/", data)

    # then
    assert response.status_code == 400
    assert "本事项已被他人办理（当前状态：已办结）" in response.content.decode()
    assert CaseStep.objects.filter(kind=StepKind.CLOSE).count() == 1


def test_another_department_cannot_post_an_action(case: Case, other_dept_admin: User) -> None:
    response = _client(other_dept_admin).post(
        f"/followup/cases/{case.pk}/close/",
        {"close-version": "1", "close-result": "越权办结", "close-closed_on": "2026-05-08"},
    )
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.state == CaseState.OPEN


def test_a_reader_without_rights_is_refused_on_post(case: Case, auditor: User) -> None:
    response = _client(auditor).post(
        f"/followup/cases/{case.pk}/close/",
        {
            "close-version": "1",
            "close-result": "越权办结",
            "close-closed_on": "2026-05-08",
            "close-confirmed": "on",
        },
    )
    assert response.status_code == 400
    assert "只有部门管理员可以办理后续处置事项" in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.OPEN


def test_case_list_queries_do_not_grow_with_the_cases(
    case: Case, scene: Scene, dept_admin: User, lead_admin: User, catalogue: object
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from spotcheck.followup.tests.factories import set_result
    from spotcheck.inspections.tests.factories import make_record

    # given
    client = _client(dept_admin)
    with CaptureQueriesContext(connection) as one:
        client.get("/followup/cases/")
    for entity in (catalogue.jia, catalogue.yi):  # type: ignore[attr-defined]
        record = make_record(scene.task, entity, scene.record.group, [scene.market_item])
        set_result(record.items.get(), ["8"], "拒不配合", dept_admin)
        cases_open_for_record(actor=lead_admin, record=record)

    # when
    with CaptureQueriesContext(connection) as three:
        response = client.get("/followup/cases/")

    # then
    assert response.context["page"].paginator.count == 3
    assert len(three.captured_queries) == len(one.captured_queries)


def test_the_receiver_finds_its_incoming_transfers(
    case: Case, dept_admin: User, other_dept_admin: User, departments: Departments
) -> None:
    # given
    _client(dept_admin).post(
        f"/followup/cases/{case.pk}/transfer/",
        {
            "transfer-version": "1",
            "transfer-to_department": departments.police.pk,
            "transfer-reason": "涉及保安服务，属公安机关管辖",
        },
    )
    # when
    police = _client(other_dept_admin).get("/followup/cases/?state=incoming")
    market = _client(dept_admin).get("/followup/cases/?state=incoming")
    # then
    assert [c.pk for c in police.context["page"]] == [case.pk]
    assert list(market.context["page"]) == []
