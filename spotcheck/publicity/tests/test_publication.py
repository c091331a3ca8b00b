"""Publishing approved results, the 20-working-day limit and corrections (更正)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.deadlines.choices import DeadlineState
from spotcheck.deadlines.models import Deadline
from spotcheck.deadlines.services import deadlines_remind
from spotcheck.publicity.models import OutboxMessage, ResultPublication
from spotcheck.publicity.services import (
    NotApproved,
    publication_deadlines_sweep,
    publish_on_approval,
    result_correct,
)
from spotcheck.publicity.tests.factories import World, approve
from spotcheck.testing.personas import LOGIN_BACKEND, Departments

ON_TIME = dt.datetime(2026, 4, 20, 9, 0, tzinfo=dt.UTC)
LATE = dt.datetime(2026, 6, 15, 9, 0, tzinfo=dt.UTC)


def test_an_approved_record_publishes_one_notice_per_department_with_who_entered_it(
    approved: World, lead_admin: User, inspector_user: User, other_inspector_user: User
) -> None:
    # given
    record = approved.record

    # when
    with time_machine.travel(ON_TIME, tick=False):
        published = publish_on_approval(actor=lead_admin, record=record)

    # then
    by_dept = {p.authority: p for p in published}
    assert sorted(by_dept) == ["晋州市公安局", "晋州市市场监督管理局"]
    market, police = by_dept["晋州市市场监督管理局"], by_dept["晋州市公安局"]
    assert (market.result_key, market.result_text) == ("1", "未发现问题")
    assert (police.result_key, police.result_text) == (
        "A",
        "发现问题待后续处理（违反公安部门相关规定）",
    )
    assert market.entered_by == inspector_user
    assert police.entered_by == other_inspector_user
    assert police.published_by == lead_admin
    assert police.checked_on == dt.date(2026, 4, 14)
    assert market.checked_on == dt.date(2026, 4, 13)
    assert police.task_number == "晋州市政府办抽查〔2026〕10号"
    assert police.entity_code == approved.entity.uscc
    assert police.inspectors == [{"name": "王检查", "certificate_no": "JZGA0001"}]
    assert police.remarks == "已责令整改，负责人电话［已隐去］"
    assert [(p.version, p.is_current) for p in published] == [(1, True), (1, True)]
    assert OutboxMessage.objects.filter(publication__in=published).count() == 2
    assert AuditEvent.objects.filter(event_type="publicity.result.published").count() == 2


def test_publication_completes_the_20_working_day_limit_on_time(
    approved: World, lead_admin: User
) -> None:
    # given
    with time_machine.travel(ON_TIME, tick=False):
        # when
        published = publish_on_approval(actor=lead_admin, record=approved.record)

    # then
    deadlines = Deadline.objects.filter(target_id=str(approved.record.pk)).order_by("start_date")
    assert [(d.start_date, d.state, d.completed_late) for d in deadlines] == [
        (dt.date(2026, 4, 13), DeadlineState.DONE, False),
        (dt.date(2026, 4, 14), DeadlineState.DONE, False),
    ]
    # 20 working days after 13 and 14 April 2026: 1–5 May off, Saturday 9 May worked
    assert {p.due_date for p in published} == {dt.date(2026, 5, 13), dt.date(2026, 5, 14)}
    assert not any(p.published_late for p in published)


def test_a_result_published_after_the_limit_is_marked_late(
    approved: World, lead_admin: User
) -> None:
    # given: the nightly sweep opened the limits, the reminder job turned them overdue
    with time_machine.travel(dt.datetime(2026, 4, 15, 1, tzinfo=dt.UTC), tick=False):
        JointRecordState = approved.record.__class__
        JointRecordState.objects.filter(pk=approved.record.pk).update(state="submitted")
        assert publication_deadlines_sweep(today=dt.date(2026, 4, 15)) == 2
    deadlines_remind(today=dt.date(2026, 6, 1))
    assert set(
        Deadline.objects.filter(target_id=str(approved.record.pk)).values_list("state", flat=True)
    ) == {DeadlineState.OVERDUE}
    JointRecordState.objects.filter(pk=approved.record.pk).update(state="approved")

    # when
    with time_machine.travel(LATE, tick=False):
        published = publish_on_approval(actor=lead_admin, record=approved.record)

    # then
    assert all(p.published_late for p in published)
    assert list(
        Deadline.objects.filter(target_id=str(approved.record.pk)).values_list(
            "state", "completed_late"
        )
    ) == [(DeadlineState.DONE, True), (DeadlineState.DONE, True)]


def test_an_unentered_department_falls_overdue_from_the_end_of_the_check_window(
    world: World, departments: Departments, lead_admin: User
) -> None:
    # given: the police have not entered their row; the task's window ends 30 July
    world.record.items.filter(department=departments.police).update(entered_at=None)

    # when
    opened_during = publication_deadlines_sweep(today=dt.date(2026, 7, 1))
    opened_after = publication_deadlines_sweep(today=dt.date(2026, 8, 1))
    deadlines_remind(today=dt.date(2026, 9, 1))

    # then
    assert (opened_during, opened_after) == (1, 1)
    police = Deadline.objects.get(department=departments.police, target_id=str(world.record.pk))
    assert (police.start_date, police.state) == (dt.date(2026, 7, 30), DeadlineState.OVERDUE)


def test_the_record_page_shows_an_overdue_limit(
    world: World, departments: Departments, lead_admin: User
) -> None:
    # given
    publication_deadlines_sweep(today=dt.date(2026, 4, 15))
    deadlines_remind(today=dt.date(2026, 6, 1))
    client = Client()
    client.force_login(lead_admin, backend=LOGIN_BACKEND)

    # when
    html = client.get(f"/publicity/results/record/{world.record.pk}/").content.decode()

    # then
    assert html.count('data-testid="deadline-overdue"') == 2
    assert "尚未公示" in html


def test_publishing_again_publishes_nothing_more(approved: World, lead_admin: User) -> None:
    # given
    publish_on_approval(actor=lead_admin, record=approved.record)
    events = AuditEvent.objects.count()

    # when
    again = publish_on_approval(actor=lead_admin, record=approved.record)

    # then
    assert again == []
    assert ResultPublication.objects.count() == 2
    assert OutboxMessage.objects.count() == 2
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("state", ["pending", "entered", "submitted", "returned"])
def test_a_record_that_is_not_approved_is_not_published(
    world: World, lead_admin: User, state: str
) -> None:
    # given
    world.record.__class__.objects.filter(pk=world.record.pk).update(state=state)
    events = AuditEvent.objects.count()

    # when
    with pytest.raises(NotApproved, match="只有审核通过的检查记录才能公示"):
        publish_on_approval(actor=lead_admin, record=world.record)

    # then
    assert ResultPublication.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    assert AuditEvent.objects.count() == events


def _published(approved: World, lead_admin: User, departments: Departments) -> ResultPublication:
    with time_machine.travel(ON_TIME, tick=False):
        publish_on_approval(actor=lead_admin, record=approved.record)
    return ResultPublication.objects.get(department=departments.police)


def test_a_correction_needs_a_reason_and_writes_nothing_without_one(
    approved: World, lead_admin: User, other_dept_admin: User, departments: Departments
) -> None:
    # given
    police = _published(approved, lead_admin, departments)
    events = AuditEvent.objects.count()
    row_id = police.items[0]["id"]

    # when
    with pytest.raises(ValidationError) as refused:
        result_correct(
            actor=other_dept_admin, publication=police, reason="  ", item_codes={row_id: ["E"]}
        )

    # then
    assert refused.value.message_dict == {"reason": ["请填写更正理由（至少5个字）"]}
    assert ResultPublication.objects.count() == 2
    assert OutboxMessage.objects.count() == 2
    assert AuditEvent.objects.count() == events


def test_a_correction_adds_the_next_version_and_keeps_the_previous_one(
    approved: World, lead_admin: User, other_dept_admin: User, departments: Departments
) -> None:
    # given
    police = _published(approved, lead_admin, departments)
    row_id = police.items[0]["id"]

    # when
    with time_machine.travel(dt.datetime(2026, 5, 6, 2, tzinfo=dt.UTC), tick=False):
        corrected = result_correct(
            actor=other_dept_admin,
            publication=police,
            reason="整改已于检查当日完成，原结果录入有误",
            item_codes={row_id: ["E"]},
        )

    # then
    police.refresh_from_db()
    assert (police.version, police.is_current) == (1, False)
    assert (corrected.version, corrected.is_current, corrected.corrected) == (2, True, True)
    assert corrected.supersedes == police
    assert corrected.result_text == "发现问题经责令已改正"
    assert corrected.published_by == other_dept_admin
    assert corrected.entered_by == police.entered_by
    assert corrected.outbox_message.kind == "correct"
    assert corrected.outbox_message.payload["supersedes"] == police.outbox_message.idempotency_key
    assert AuditEvent.objects.filter(event_type="publicity.result.corrected").count() == 1


def test_only_the_publishing_department_may_correct(
    approved: World, lead_admin: User, dept_admin: User, departments: Departments
) -> None:
    # given: dept_admin is the market's, the notice is the police's
    police = _published(approved, lead_admin, departments)

    # when
    with pytest.raises(PermissionDenied):
        result_correct(
            actor=dept_admin,
            publication=police,
            reason="理由足够长的更正",
            item_codes=None,
            remarks="改",
        )

    # then
    assert ResultPublication.objects.count() == 2


def test_a_correction_refuses_a_forbidden_combination_of_results(
    approved: World, lead_admin: User, other_dept_admin: User, departments: Departments
) -> None:
    # given
    police = _published(approved, lead_admin, departments)
    row_id = police.items[0]["id"]

    # when
    with pytest.raises(ValidationError) as refused:
        result_correct(
            actor=other_dept_admin,
            publication=police,
            reason="更正检查结果的理由",
            item_codes={row_id: ["1", "E"]},
        )

    # then
    assert refused.value.message_dict == {
        "result_codes": ["“未发现问题”不能与其他检查结果同时选择"]
    }
    assert ResultPublication.objects.filter(is_current=True).count() == 2


def test_the_portal_shows_the_current_version_marked_corrected_with_its_date(
    approved: World, lead_admin: User, other_dept_admin: User, departments: Departments
) -> None:
    # given
    police = _published(approved, lead_admin, departments)
    with time_machine.travel(dt.datetime(2026, 5, 6, 2, tzinfo=dt.UTC), tick=False):
        corrected = result_correct(
            actor=other_dept_admin,
            publication=police,
            reason="整改已于检查当日完成",
            item_codes={police.items[0]["id"]: ["E"]},
        )
    client = Client()

    # when
    old = client.get(f"/public/results/{police.pk}/")
    html = client.get(f"/public/results/{corrected.pk}/").content.decode()
    listing = client.get("/public/results/").content.decode()

    # then
    assert old.status_code == 302
    assert old["Location"] == f"/public/results/{corrected.pk}/"
    assert "已更正（2026-05-06）" in html
    assert "整改已于检查当日完成" in html
    assert "发现问题经责令已改正" in html
    assert "违反公安部门相关规定" not in html
    assert listing.count('data-testid="result-row"') == 2
    assert "违反公安部门相关规定" not in listing


def test_the_correction_form_publishes_a_new_version(
    approved: World, lead_admin: User, other_dept_admin: User, departments: Departments
) -> None:
    # given
    police = _published(approved, lead_admin, departments)
    client = Client()
    client.force_login(other_dept_admin, backend=LOGIN_BACKEND)
    row = police.items[0]["id"]

    # when
    empty = client.post(f"/publicity/results/{police.pk}/correct/", {f"item_{row}": ["E"]})
    done = client.post(
        f"/publicity/results/{police.pk}/correct/",
        {f"item_{row}": ["E"], "reason": "整改已于检查当日完成", "remarks": ""},
    )

    # then
    assert empty.status_code == 200
    assert 'data-testid="error-reason"' in empty.content.decode()
    assert done.status_code == 302
    assert done["Location"] == f"/publicity/results/record/{approved.record.pk}/"
    assert (
        ResultPublication.objects.get(is_current=True, department=departments.police).version == 2
    )


def test_the_record_page_shows_a_publication_made_after_its_limit_as_late(
    approved: World, lead_admin: User
) -> None:
    # given: nobody ran the nightly jobs; the limit is opened and closed at publication
    with time_machine.travel(LATE, tick=False):
        publish_on_approval(actor=lead_admin, record=approved.record)
    client = Client()
    client.force_login(lead_admin, backend=LOGIN_BACKEND)

    # when
    html = client.get(f"/publicity/results/record/{approved.record.pk}/").content.decode()

    # then
    assert html.count("超期后公示") == 2
    assert "按时公示" not in html
    assert 'data-testid="entered-by"' in html


def test_the_correction_form_is_not_found_for_other_departments_and_auditors(
    approved: World,
    lead_admin: User,
    dept_admin: User,
    auditor: User,
    departments: Departments,
) -> None:
    # given: the police's notice; dept_admin is the market's
    police = _published(approved, lead_admin, departments)
    statuses = []

    # when
    for user in (dept_admin, auditor):
        client = Client()
        client.force_login(user, backend=LOGIN_BACKEND)
        statuses.append(client.get(f"/publicity/results/{police.pk}/correct/").status_code)

    # then
    assert statuses == [404, 404]


def test_a_department_with_no_member_in_the_group_publishes_without_inspector_names(
    world: World, lead_admin: User, departments: Departments
) -> None:
    # given: the group has no 公安局 member (a specialist was sent instead)
    world.record.group.members.filter(department=departments.police).delete()
    approve(world.record)

    # when
    published = publish_on_approval(actor=lead_admin, record=world.record)

    # then
    assert {p.authority: p.inspectors for p in published} == {
        "晋州市市场监督管理局": [{"name": "李检查", "certificate_no": "JZSC0001"}],
        "晋州市公安局": [],
    }
