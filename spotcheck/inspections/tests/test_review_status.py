"""Each department's review on a joint record, and the re-signature a reviewer asks for."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.directory.models import Inspector
from spotcheck.inspections.choices import RecordState, ReviewDecision
from spotcheck.inspections.models import FieldSubmission, JointRecord, RecordVersion
from spotcheck.inspections.selectors.review import (
    current_returns,
    resignature_outstanding,
    review_status,
)
from spotcheck.inspections.services.entries import record_entries_save
from spotcheck.inspections.services.signing import PartySignoff, record_party_resign
from spotcheck.inspections.tests.field_setup import Field, build_field, entry, sid, signature
from spotcheck.inspections.tests.field_setup import enter_all as _enter_all
from spotcheck.inspections.tests.field_setup import sign_record as _sign
from spotcheck.testing.personas import Catalogue, Departments, Regions
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
    field = build_field(
        departments, regions, lead_admin, catalogue, inspector_record, other_inspector_record
    )
    _enter_all(field, inspector_user, other_inspector_user)
    _sign(field, inspector_user)
    return field


def _fresh(field: Field) -> JointRecord:
    return JointRecord.objects.get(pk=field.record.pk)


def _statuses(record: JointRecord) -> list[tuple[str, str, str]]:
    return [
        (s.department.name, s.label, s.review.reviewed_by.username if s.review else "")
        for s in review_status(record)
    ]


def test_after_one_department_approves_the_record_lists_who_must_still_approve(
    signed: Field, dept_admin: User
) -> None:
    # given a record signed with items of 市场监管局 and 公安局
    # when 市场监管局 approves
    record_review(actor=dept_admin, record=signed.record, decision=ReviewDecision.APPROVED)

    # then the record waits for 公安局 only, and says so department by department
    record = _fresh(signed)
    assert record.state == RecordState.SUBMITTED
    assert _statuses(record) == [
        ("晋州市市场监督管理局", "已通过", dept_admin.username),
        ("晋州市公安局", "待审核", ""),
    ]


def test_a_return_is_shown_with_its_comment_and_the_other_department_waits(
    signed: Field, other_dept_admin: User
) -> None:
    # given / when 公安局 returns the record
    record_review(
        actor=other_dept_admin,
        record=signed.record,
        decision=ReviewDecision.RETURNED,
        comment="签字人身份不清，请核实",
    )

    # then
    record = _fresh(signed)
    assert _statuses(record) == [
        ("晋州市市场监督管理局", "待更正后审核", ""),
        ("晋州市公安局", "已退回", other_dept_admin.username),
    ]
    assert [(r.department.name, r.comment) for r in current_returns(record)] == [
        ("晋州市公安局", "签字人身份不清，请核实")
    ]


def test_only_a_return_may_ask_for_a_new_signature(signed: Field, dept_admin: User) -> None:
    # given / when an approval asking for a new signature
    with pytest.raises(ValidationError) as err:
        record_review(
            actor=dept_admin,
            record=signed.record,
            decision=ReviewDecision.APPROVED,
            resign_required=True,
        )

    # then it is refused and nothing is written
    assert err.value.message_dict == {"resign_required": ["只有退回时才能要求检查对象重新签字"]}
    assert not signed.record.reviews.exists()


@pytest.fixture
def returned_for_signature(signed: Field, other_dept_admin: User) -> Field:
    record_review(
        actor=other_dept_admin,
        record=signed.record,
        decision=ReviewDecision.RETURNED,
        comment="签字人身份不清，请检查对象法定代表人重新签字",
        resign_required=True,
    )
    return signed


def _correct(field: Field, actor: User) -> None:
    record_entries_save(
        actor=actor,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.police_item, ("A", "G"), findings="未按规定备案，已当场指出")],
        correction_reason="按审核意见重新签字并补充检查情况",
    )


def test_a_correction_is_refused_until_the_enterprise_signs_again(
    returned_for_signature: Field, other_inspector_user: User
) -> None:
    # given a record returned by 公安局 asking for the enterprise's signature again
    before = (
        AuditEvent.objects.count(),
        RecordVersion.objects.count(),
        FieldSubmission.objects.count(),
    )

    # when the inspector submits the correction without it
    with pytest.raises(ValidationError) as err:
        _correct(returned_for_signature, other_inspector_user)

    # then it is refused in Chinese and nothing is written
    assert err.value.messages == [
        "晋州市公安局退回时要求检查对象重新签字：请先请检查对象重新签字"
        "（或记录拒签情况和见证人），再提交更正、重新送审"
    ]
    record = _fresh(returned_for_signature)
    assert (record.state, record.version, record.review_round) == (RecordState.RETURNED, 1, 1)
    assert record.items.get(pk=returned_for_signature.police_item.pk).findings == "未按规定备案"
    assert (
        AuditEvent.objects.count(),
        RecordVersion.objects.count(),
        FieldSubmission.objects.count(),
    ) == before


def test_after_the_enterprise_signs_again_the_correction_resubmits(
    returned_for_signature: Field, other_inspector_user: User
) -> None:
    # given the enterprise's legal representative signs again
    record_party_resign(
        actor=other_inspector_user,
        record=returned_for_signature.record,
        party=PartySignoff(name="李四", role="legal_rep", signature=signature()),
    )
    assert resignature_outstanding(_fresh(returned_for_signature)) == []

    # when the inspector submits the correction
    _correct(returned_for_signature, other_inspector_user)

    # then the record is back in review with the new signer on the corrected version
    record = _fresh(returned_for_signature)
    assert (record.state, record.version, record.review_round) == (RecordState.SUBMITTED, 2, 2)
    assert record.party_name == "李四"
    version = RecordVersion.objects.get(record=record, number=2)
    assert version.snapshot["party"]["name"] == "李四"
    assert RecordVersion.objects.get(record=record, number=1).snapshot["party"]["name"] == "张三"
    assert AuditEvent.objects.filter(event_type="inspections.record.party_resigned").count() == 1


def test_a_recorded_refusal_to_sign_again_also_lets_the_correction_through(
    returned_for_signature: Field, other_inspector_user: User
) -> None:
    # given the enterprise refuses to sign again, before a witness
    record_party_resign(
        actor=other_inspector_user,
        record=returned_for_signature.record,
        party=PartySignoff(
            refused=True,
            refusal_reason="法定代表人拒绝再次签字",
            witness_name="王五",
            witness_id="130183199001011234",
            witness_signature=signature(),
        ),
    )

    # when
    _correct(returned_for_signature, other_inspector_user)

    # then
    record = _fresh(returned_for_signature)
    assert record.state == RecordState.SUBMITTED
    assert (record.party_refused, record.witness_name, record.party_name) == (True, "王五", "")
    assert record.witness_id_masked == "1301**********1234"


def test_a_blank_new_signature_is_refused_and_nothing_is_written(
    returned_for_signature: Field, other_inspector_user: User
) -> None:
    # given
    before = AuditEvent.objects.count()

    # when
    with pytest.raises(ValidationError) as err:
        record_party_resign(
            actor=other_inspector_user,
            record=returned_for_signature.record,
            party=PartySignoff(name="李四", role="legal_rep", signature=signature(blank=True)),
        )

    # then
    assert list(err.value.message_dict) == ["party_signature"]
    record = _fresh(returned_for_signature)
    assert (record.party_name, record.party_signed_at == record.signed_at) == ("张三", True)
    assert AuditEvent.objects.count() == before


def test_a_new_signature_is_refused_when_the_return_did_not_ask_for_one(
    signed: Field, other_dept_admin: User, other_inspector_user: User
) -> None:
    # given a plain return
    record_review(
        actor=other_dept_admin,
        record=signed.record,
        decision=ReviewDecision.RETURNED,
        comment="请补充检查情况",
    )
    before = AuditEvent.objects.count()

    # when
    with pytest.raises(ValidationError) as err:
        record_party_resign(
            actor=other_inspector_user,
            record=signed.record,
            party=PartySignoff(name="李四", role="legal_rep", signature=signature()),
        )

    # then
    assert err.value.messages == ["审核退回时没有要求检查对象重新签字，无需重新签字"]
    assert _fresh(signed).party_name == "张三"
    assert AuditEvent.objects.count() == before
