from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from spotcheck.accounts.models import User
from spotcheck.audit import events
from spotcheck.audit.models import AuditEvent
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.tests.factories import make_task
from spotcheck.inspections.choices import MergeOutcome, RecordState
from spotcheck.inspections.models import JointRecord, VisitMerge
from spotcheck.inspections.selectors.merging import (
    merge_proposals,
    merge_proposals_for_user,
    visits_saved_for_user,
)
from spotcheck.inspections.services.merging import visit_merge_accept, visit_merge_refuse
from spotcheck.inspections.tests.factories import Matched, make_record
from spotcheck.testing.personas import JIA, LOGIN_BACKEND, Catalogue, Departments, Regions

SECOND = "晋州市市场监管局抽查〔2026〕3号"


@pytest.fixture
def second(
    matched: Matched,
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    catalogue: Catalogue,
) -> JointRecord:
    """甲 drawn again by a second task checking from May to June (inside 10号's window)."""
    task = make_task(
        departments,
        regions,
        lead_admin,
        [
            (departments.lead_office, [matched.lead_item]),
            (departments.market, [matched.market_item]),
        ],
        number=SECOND,
    )
    Task.objects.filter(pk=task.pk).update(
        window_start=dt.date(2026, 5, 1), window_end=dt.date(2026, 6, 30)
    )
    task.refresh_from_db()
    return make_record(task, catalogue.jia, None, [matched.market_item])


def _merge_events() -> list[str]:
    return list(
        AuditEvent.objects.filter(event_type__startswith="inspections.visit").values_list(
            "event_type", flat=True
        )
    )


def test_an_enterprise_drawn_by_two_overlapping_tasks_is_proposed_once(
    matched: Matched, second: JointRecord
) -> None:
    # when
    proposals = merge_proposals()

    # then
    assert [(p.record.pk, p.into.pk) for p in proposals] == [(second.pk, matched.jia.pk)]
    assert (proposals[0].overlap_start, proposals[0].overlap_end) == (
        dt.date(2026, 5, 1),
        dt.date(2026, 6, 30),
    )


def test_no_proposal_when_the_windows_do_not_overlap(matched: Matched, second: JointRecord) -> None:
    # given
    Task.objects.filter(pk=second.task_id).update(
        window_start=dt.date(2026, 8, 1), window_end=dt.date(2026, 9, 30)
    )

    # when / then
    assert merge_proposals() == []


def test_no_proposal_once_a_visit_has_been_entered(matched: Matched, second: JointRecord) -> None:
    # given
    JointRecord.objects.filter(pk=matched.jia.pk).update(state=RecordState.ENTERED)

    # when / then
    assert merge_proposals() == []


def test_accepting_folds_the_later_visit_and_counts_a_visit_saved(
    matched: Matched, second: JointRecord, lead_admin: User
) -> None:
    # when
    decision = visit_merge_accept(
        actor=lead_admin, record=second, into=matched.jia, reason="同一时段，同一检查组"
    )

    # then
    second.refresh_from_db()
    assert second.merged_into_id == matched.jia.pk
    assert (decision.outcome, decision.decided_by, decision.reason) == (
        MergeOutcome.ACCEPTED,
        lead_admin,
        "同一时段，同一检查组",
    )
    assert _merge_events() == [events.VISIT_MERGED]
    assert visits_saved_for_user(lead_admin) == 1
    assert merge_proposals() == []


def test_a_second_accept_is_refused_and_writes_nothing(
    matched: Matched, second: JointRecord, lead_admin: User
) -> None:
    # given
    visit_merge_accept(actor=lead_admin, record=second, into=matched.jia)

    # when
    with pytest.raises(ValidationError) as error:
        visit_merge_accept(actor=lead_admin, record=second, into=matched.jia)

    # then
    assert error.value.messages == [f"记录表 {second.number} 已合并检查，无需重复操作"]
    assert VisitMerge.objects.count() == 1
    assert _merge_events() == [events.VISIT_MERGED]


def test_refusing_needs_a_reason(matched: Matched, second: JointRecord, lead_admin: User) -> None:
    # when
    with pytest.raises(ValidationError) as error:
        visit_merge_refuse(actor=lead_admin, record=second, into=matched.jia, reason="  ")

    # then
    assert error.value.message_dict == {"reason": ["不合并检查须写明理由"]}
    assert VisitMerge.objects.count() == 0
    assert _merge_events() == []


def test_a_refusal_is_recorded_and_the_proposal_does_not_come_back(
    matched: Matched, second: JointRecord, lead_admin: User
) -> None:
    # when
    visit_merge_refuse(
        actor=lead_admin, record=second, into=matched.jia, reason="检查内容需不同专业人员"
    )

    # then
    second.refresh_from_db()
    assert second.merged_into_id is None
    assert list(VisitMerge.objects.values_list("outcome", "reason")) == [
        (MergeOutcome.REFUSED, "检查内容需不同专业人员")
    ]
    assert _merge_events() == [events.VISIT_MERGE_REFUSED]
    assert merge_proposals() == []
    assert visits_saved_for_user(lead_admin) == 0


def test_a_department_admin_sees_the_proposal_but_may_not_decide(
    matched: Matched, second: JointRecord, dept_admin: User
) -> None:
    # when
    visible = merge_proposals_for_user(dept_admin)
    with pytest.raises(PermissionDenied):
        visit_merge_accept(actor=dept_admin, record=second, into=matched.jia)

    # then
    assert [p.record.pk for p in visible] == [second.pk]
    second.refresh_from_db()
    assert second.merged_into_id is None
    assert VisitMerge.objects.count() == 0


def test_records_of_two_different_enterprises_are_not_merged(
    matched: Matched, second: JointRecord, lead_admin: User
) -> None:
    # when
    with pytest.raises(ValidationError) as error:
        visit_merge_accept(actor=lead_admin, record=second, into=matched.yi)

    # then
    assert error.value.messages == ["两份记录表的检查对象不同，不能合并检查"]
    assert VisitMerge.objects.count() == 0


def test_merge_page_lists_the_proposal_and_accepts_it(
    matched: Matched, second: JointRecord, lead_admin: User
) -> None:
    # given
    client = Client()
    client.force_login(lead_admin, backend=LOGIN_BACKEND)
    url = reverse("inspections:merge_decide", args=[second.pk, matched.jia.pk])

    # when
    before = client.get(reverse("inspections:merge_list"))
    first = client.post(url, {"decision": "accept"}, follow=True)
    again = client.post(url, {"decision": "accept"}, follow=True)

    # then
    assert before.content.decode().count('data-testid="proposal"') == 1
    assert JIA in before.content.decode()
    assert "节省上门检查 1 次" in first.content.decode()
    assert "已合并检查，无需重复操作" in again.content.decode()
    assert VisitMerge.objects.count() == 1
    detail = client.get(reverse("inspections:record_detail", args=[matched.jia.pk]))
    assert f"{second.number}</a>（{SECOND}）" in detail.content.decode()


@pytest.mark.parametrize("persona", ["dept_admin", "auditor", "inspector_user"])
def test_only_the_lead_office_may_post_a_decision(
    request: pytest.FixtureRequest, matched: Matched, second: JointRecord, persona: str
) -> None:
    # given
    client = Client()
    client.force_login(request.getfixturevalue(persona), backend=LOGIN_BACKEND)

    # when
    response = client.post(
        reverse("inspections:merge_decide", args=[second.pk, matched.jia.pk]),
        {"decision": "accept"},
    )

    # then
    assert response.status_code == 404
    assert VisitMerge.objects.count() == 0
    second.refresh_from_db()
    assert second.merged_into_id is None


def test_inspectors_have_no_merge_page(persona_client, matched: Matched) -> None:
    # when
    response = persona_client("inspector").get(reverse("inspections:merge_list"))

    # then
    assert response.status_code == 404


def test_two_lead_admins_accepting_at_once_merge_once(
    transactional_db: None, matched: Matched, second: JointRecord, lead_admin: User
) -> None:
    # given: two requests racing on the same proposal (PostgreSQL row locks)
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept() -> None:
        barrier.wait()
        try:
            visit_merge_accept(actor=lead_admin, record=second, into=matched.jia)
            outcomes.append("merged")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=accept) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # then
    assert sorted(outcomes) == ["merged", f"记录表 {second.number} 已合并检查，无需重复操作"]
    assert VisitMerge.objects.count() == 1
    assert _merge_events() == [events.VISIT_MERGED]
