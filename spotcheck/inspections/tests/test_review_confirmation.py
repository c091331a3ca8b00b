"""审核通过 that publishes the results (公示) asks first and says so; returning does not."""

from __future__ import annotations

import pytest
from django.test import Client

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.catalogue.tests.factories import ensure_result_codes
from spotcheck.directory.models import Inspector
from spotcheck.inspections.choices import RecordState, ReviewDecision
from spotcheck.inspections.models import DepartmentReview, JointRecord
from spotcheck.inspections.services.entries import record_entries_save
from spotcheck.inspections.services.signing import PartySignoff, record_sign
from spotcheck.inspections.tests.field_setup import Field, build_field, entry, sid, signature
from spotcheck.publicity.models import ResultPublication
from spotcheck.testing.personas import LOGIN_BACKEND, Catalogue, Departments, Regions
from spotcheck.workflow.records import record_review


@pytest.fixture
def signed(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    catalogue: Catalogue,
    inspector_record: Inspector,
    other_inspector_record: Inspector,
    inspector_user: User,
    other_inspector_user: User,
) -> Field:
    """A joint record of the market and the police, entered and signed: 待审核."""
    ensure_result_codes()
    field = build_field(
        departments, regions, lead_admin, catalogue, inspector_record, other_inspector_record
    )
    for row, by in ((field.market_item, inspector_user), (field.police_item, other_inspector_user)):
        record_entries_save(
            actor=by, record=field.record, submission_id=sid(), entries=[entry(row)]
        )
    record_sign(
        actor=inspector_user,
        record=field.record,
        submission_id=sid(),
        party=PartySignoff(name="张三", role="legal_rep", signature=signature()),
        member_signatures={m.pk: signature() for m in field.group.members.all()},
    )
    return field


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend=LOGIN_BACKEND)
    return client


def _url(record: JointRecord) -> str:
    return f"/field/records/{record.pk}/review/"


def test_the_last_approval_asks_first_says_it_publishes_and_writes_nothing(
    signed: Field, dept_admin: User, other_dept_admin: User
) -> None:
    # given: the market approved; the police's approval is the last one
    record_review(actor=dept_admin, record=signed.record, decision=ReviewDecision.APPROVED)
    events = AuditEvent.objects.count()

    # when
    response = _client(other_dept_admin).post(_url(signed.record), {"decision": "approved"})

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "确认审核通过并公示" in page
    assert "这是最后一个部门的审核：记录表即定稿，检查结果立即在公示平台公开（一公开）" in page
    signed.record.refresh_from_db()
    assert signed.record.state == RecordState.SUBMITTED
    assert DepartmentReview.objects.count() == 1
    assert ResultPublication.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_the_confirmed_last_approval_publishes(
    signed: Field, dept_admin: User, other_dept_admin: User
) -> None:
    # given
    record_review(actor=dept_admin, record=signed.record, decision=ReviewDecision.APPROVED)

    # when
    _client(other_dept_admin).post(_url(signed.record), {"decision": "approved", "confirmed": "1"})

    # then
    signed.record.refresh_from_db()
    assert signed.record.state == RecordState.APPROVED
    assert ResultPublication.objects.count() == 2


def test_an_approval_that_is_not_the_last_says_the_results_wait_for_the_others(
    signed: Field, dept_admin: User
) -> None:
    # when
    page = _client(dept_admin).post(_url(signed.record), {"decision": "approved"}).content.decode()

    # then
    assert "其他部门审核通过后，检查结果将在公示平台公开" in page
    assert DepartmentReview.objects.count() == 0
