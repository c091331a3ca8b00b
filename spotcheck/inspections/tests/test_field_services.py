from __future__ import annotations

import base64
import struct
import zlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.directory.models import Inspector
from spotcheck.inspections.choices import RecordState, ReviewDecision
from spotcheck.inspections.models import (
    DepartmentReview,
    FieldSubmission,
    JointRecord,
    RecordVersion,
)
from spotcheck.inspections.selectors.review import lead_confirm_queue, review_queue_for_user
from spotcheck.inspections.services.entries import record_entries_save
from spotcheck.inspections.services.review import record_lead_confirm
from spotcheck.inspections.services.signing import PartySignoff, record_sign
from spotcheck.inspections.tests.field_setup import Field, build_field, entry, sid, signature
from spotcheck.inspections.tests.field_setup import enter_all as _enter_all
from spotcheck.inspections.tests.field_setup import sign_record as _sign
from spotcheck.testing.personas import Catalogue, Departments, Regions
from spotcheck.workflow.records import record_review


@pytest.fixture
def field(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    catalogue: Catalogue,
    inspector_record: Inspector,
    other_inspector_record: Inspector,
) -> Field:
    return build_field(
        departments, regions, lead_admin, catalogue, inspector_record, other_inspector_record
    )


def _codes(item) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(item.result_codes.values_list("code", flat=True))


def test_an_entry_is_saved_with_its_parents_and_the_record_becomes_entered(
    field: Field, inspector_user: User
) -> None:
    # when
    outcome = record_entries_save(
        actor=inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item, ("B",), findings="年报未公示")],
    )
    # then
    field.market_item.refresh_from_db()
    assert outcome.duplicate is False
    assert outcome.record.state == RecordState.ENTERED
    assert _codes(field.market_item) == ["2", "A", "B"]
    assert field.market_item.findings == "年报未公示"
    assert field.market_item.entered_by == inspector_user


def test_the_same_submission_sent_twice_is_applied_once(field: Field, inspector_user: User) -> None:
    # given
    submission = sid()
    record_entries_save(
        actor=inspector_user,
        record=field.record,
        submission_id=submission,
        entries=[entry(field.market_item, findings="第一次")],
    )
    # when the phone resends it after a newer change reached the server
    record_entries_save(
        actor=inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item, findings="第二次")],
    )
    again = record_entries_save(
        actor=inspector_user,
        record=field.record,
        submission_id=submission,
        entries=[entry(field.market_item, findings="第一次")],
    )
    # then
    field.market_item.refresh_from_db()
    assert again.duplicate is True
    assert field.market_item.findings == "第二次"
    assert FieldSubmission.objects.filter(record=field.record).count() == 2


def test_no_problem_with_a_problem_code_is_refused_and_nothing_is_written(
    field: Field, inspector_user: User
) -> None:
    # when
    with pytest.raises(ValidationError) as err:
        record_entries_save(
            actor=inspector_user,
            record=field.record,
            submission_id=sid(),
            entries=[entry(field.market_item, ("1", "3"))],
        )
    # then
    assert err.value.messages == ["食品经营许可情况：“未发现问题”不能与其他检查结果同时选择"]
    field.market_item.refresh_from_db()
    assert field.market_item.findings == ""
    assert _codes(field.market_item) == []
    assert not FieldSubmission.objects.exists()


def test_follow_up_without_a_sub_reason_is_refused(field: Field, inspector_user: User) -> None:
    with pytest.raises(ValidationError) as err:
        record_entries_save(
            actor=inspector_user,
            record=field.record,
            submission_id=sid(),
            entries=[entry(field.market_item, ("A",))],
        )
    assert err.value.messages == [
        "食品经营许可情况：选择“发现问题待后续处理”时，须选择具体的问题类别"
    ]


def test_another_departments_inspector_cannot_change_this_departments_item(
    field: Field, other_inspector_user: User
) -> None:
    # when the 公安局 inspector sends the 市场监管局 item
    with pytest.raises(PermissionDenied, match="谁检查、谁录入"):
        record_entries_save(
            actor=other_inspector_user,
            record=field.record,
            submission_id=sid(),
            entries=[entry(field.market_item)],
        )
    # then
    field.market_item.refresh_from_db()
    assert field.market_item.findings == ""
    assert not AuditEvent.objects.filter(event_type__startswith="inspections.").exists()


def test_signing_freezes_the_record_and_keeps_version_one(
    field: Field, inspector_user: User, other_inspector_user: User
) -> None:
    # given
    _enter_all(field, inspector_user, other_inspector_user)
    # when
    _sign(field, inspector_user)
    # then
    record = JointRecord.objects.get(pk=field.record.pk)
    assert record.state == RecordState.SUBMITTED
    assert record.is_frozen is True
    assert record.signatures.count() == 2
    version = RecordVersion.objects.get(record=record)
    assert (version.number, version.kind) == (1, "signed")
    assert [i["findings"] for i in version.snapshot["items"]] == [
        "证照齐全，台账完整",
        "未按规定备案",
    ]


def test_signing_before_every_item_is_entered_is_refused(
    field: Field, inspector_user: User
) -> None:
    # given only the 市场监管局 item
    record_entries_save(
        actor=inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item)],
    )
    # when
    with pytest.raises(ValidationError) as err:
        _sign(field, inspector_user)
    # then
    assert err.value.messages == [
        "以下事项尚未录入完整（主要检查情况和检查结果）：保安服务许可情况"
    ]
    assert JointRecord.objects.get(pk=field.record.pk).signed_at is None


def test_a_signature_of_zero_strokes_is_refused(
    field: Field, inspector_user: User, other_inspector_user: User
) -> None:
    # given
    _enter_all(field, inspector_user, other_inspector_user)
    members = {m.pk: signature() for m in field.group.members.all()}
    # when
    with pytest.raises(ValidationError) as err:
        record_sign(
            actor=inspector_user,
            record=field.record,
            submission_id=sid(),
            party=PartySignoff(name="张三", role="legal_rep", signature=signature(blank=True)),
            member_signatures=members,
        )
    # then
    assert err.value.message_dict == {"party_signature": ["检查对象签名为空，请在签字框内签字"]}
    record = JointRecord.objects.get(pk=field.record.pk)
    assert (record.signed_at, record.state) == (None, RecordState.ENTERED)
    assert record.signatures.count() == 0


def test_a_refusal_needs_its_reason_and_a_witness(
    field: Field, inspector_user: User, other_inspector_user: User
) -> None:
    _enter_all(field, inspector_user, other_inspector_user)
    members = {m.pk: signature() for m in field.group.members.all()}
    with pytest.raises(ValidationError) as err:
        record_sign(
            actor=inspector_user,
            record=field.record,
            submission_id=sid(),
            party=PartySignoff(refused=True),
            member_signatures=members,
        )
    assert err.value.message_dict == {
        "refusal_reason": ["拒绝签字的，须如实记录拒签情况"],
        "witness_name": ["拒绝签字的，须有见证人在场并登记姓名"],
        "witness_signature": ["见证人签名为空，请在签字框内签字"],
    }


def test_a_refusal_with_a_witness_is_recorded(
    field: Field, inspector_user: User, other_inspector_user: User
) -> None:
    _enter_all(field, inspector_user, other_inspector_user)
    members = {m.pk: signature() for m in field.group.members.all()}
    record_sign(
        actor=inspector_user,
        record=field.record,
        submission_id=sid(),
        party=PartySignoff(
            refused=True,
            refusal_reason="负责人称不认可检查结论，拒绝签字",
            witness_name="赵六",
            witness_id="130183199001011234",
            witness_signature=signature(),
        ),
        member_signatures=members,
    )
    record = JointRecord.objects.get(pk=field.record.pk)
    assert (record.party_refused, record.witness_name, record.state) == (
        True,
        "赵六",
        RecordState.SUBMITTED,
    )
    # the witness's ID number is stored masked
    assert record.witness_id_masked == "1301**********1234"


def test_a_change_to_a_signed_record_without_a_reason_is_refused(
    field: Field, inspector_user: User, other_inspector_user: User
) -> None:
    # given
    _enter_all(field, inspector_user, other_inspector_user)
    _sign(field, inspector_user)
    # when
    with pytest.raises(ValidationError) as err:
        record_entries_save(
            actor=inspector_user,
            record=field.record,
            submission_id=sid(),
            entries=[entry(field.market_item, findings="改过的")],
        )
    # then
    assert err.value.messages == ["记录表已签字确认并冻结，修改须作为更正提交，并填写更正理由"]
    field.market_item.refresh_from_db()
    assert field.market_item.findings == "证照齐全，台账完整"
    assert RecordVersion.objects.filter(record=field.record).count() == 1


def test_a_second_signature_of_a_frozen_record_is_refused(
    field: Field, inspector_user: User, other_inspector_user: User
) -> None:
    _enter_all(field, inspector_user, other_inspector_user)
    _sign(field, inspector_user)
    with pytest.raises(ValidationError, match="不能重复签字"):
        _sign(field, other_inspector_user)
    assert JointRecord.objects.get(pk=field.record.pk).signatures.count() == 2


def test_return_correction_and_approval_keep_both_versions(
    field: Field,
    inspector_user: User,
    other_inspector_user: User,
    dept_admin: User,
    other_dept_admin: User,
    lead_admin: User,
) -> None:
    # given a signed record
    _enter_all(field, inspector_user, other_inspector_user)
    _sign(field, inspector_user)
    # when 市场监管局 returns it, the inspector corrects, both departments approve
    record_review(
        actor=dept_admin,
        record=field.record,
        decision=ReviewDecision.RETURNED,
        comment="请写明检查了哪些台账",
    )
    assert JointRecord.objects.get(pk=field.record.pk).state == RecordState.RETURNED
    record_entries_save(
        actor=inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item, findings="查验进货台账、从业人员健康证")],
        correction_reason="按审核意见补充检查情况",
    )
    resubmitted = JointRecord.objects.get(pk=field.record.pk)
    record_review(actor=dept_admin, record=resubmitted, decision=ReviewDecision.APPROVED)
    record_review(actor=other_dept_admin, record=resubmitted, decision=ReviewDecision.APPROVED)
    record_lead_confirm(actor=lead_admin, record=resubmitted)
    # then
    record = JointRecord.objects.get(pk=field.record.pk)
    assert (record.state, record.version, record.review_round) == (RecordState.APPROVED, 2, 2)
    assert record.lead_confirmed_by == lead_admin
    versions = list(RecordVersion.objects.filter(record=record).order_by("number"))
    assert [(v.number, v.kind, v.reason) for v in versions] == [
        (1, "signed", ""),
        (2, "correction", "按审核意见补充检查情况"),
    ]
    assert versions[0].snapshot["items"][0]["findings"] == "证照齐全，台账完整"
    assert versions[1].snapshot["items"][0]["findings"] == "查验进货台账、从业人员健康证"


def test_returning_needs_a_comment(
    field: Field, inspector_user: User, other_inspector_user: User, dept_admin: User
) -> None:
    _enter_all(field, inspector_user, other_inspector_user)
    _sign(field, inspector_user)
    with pytest.raises(ValidationError) as err:
        record_review(actor=dept_admin, record=field.record, decision=ReviewDecision.RETURNED)
    assert err.value.message_dict == {"comment": ["退回须写明审核意见，告知检查人员如何修改"]}
    assert not DepartmentReview.objects.exists()


def test_an_approved_record_is_final(
    field: Field,
    inspector_user: User,
    other_inspector_user: User,
    dept_admin: User,
    other_dept_admin: User,
) -> None:
    _enter_all(field, inspector_user, other_inspector_user)
    _sign(field, inspector_user)
    record_review(actor=dept_admin, record=field.record, decision=ReviewDecision.APPROVED)
    record_review(actor=other_dept_admin, record=field.record, decision=ReviewDecision.APPROVED)
    with pytest.raises(ValidationError, match="已审核通过，不能再修改"):
        record_entries_save(
            actor=inspector_user,
            record=field.record,
            submission_id=sid(),
            entries=[entry(field.market_item, findings="改")],
            correction_reason="笔误",
        )


def test_the_lead_cannot_confirm_before_every_department_approved(
    field: Field,
    inspector_user: User,
    other_inspector_user: User,
    dept_admin: User,
    lead_admin: User,
) -> None:
    _enter_all(field, inspector_user, other_inspector_user)
    _sign(field, inspector_user)
    record_review(actor=dept_admin, record=field.record, decision=ReviewDecision.APPROVED)
    with pytest.raises(ValidationError, match="各部门审核通过后"):
        record_lead_confirm(actor=lead_admin, record=field.record)
    assert JointRecord.objects.get(pk=field.record.pk).lead_confirmed_at is None


def test_an_inspector_of_another_group_cannot_enter(field: Field, inspector_user: User) -> None:
    with pytest.raises(PermissionDenied, match="不是本记录表检查组的成员"):
        record_entries_save(
            actor=inspector_user,
            record=field.other_record,
            submission_id=sid(),
            entries=[entry(field.other_record.items.get())],
        )
    assert not FieldSubmission.objects.exists()


def test_each_department_reviews_only_its_own_items(
    field: Field,
    inspector_user: User,
    other_inspector_user: User,
    dept_admin: User,
    other_dept_admin: User,
) -> None:
    # given
    _enter_all(field, inspector_user, other_inspector_user)
    _sign(field, inspector_user)
    # when 公安局 approves
    rows = record_review(
        actor=other_dept_admin, record=field.record, decision=ReviewDecision.APPROVED
    )
    # then only its department is decided, the record still waits for 市场监管局
    assert [r.department.name for r in rows] == ["晋州市公安局"]
    assert [r.pk for r in review_queue_for_user(dept_admin)] == [field.record.pk]
    assert review_queue_for_user(other_dept_admin) == []
    assert JointRecord.objects.get(pk=field.record.pk).state == RecordState.SUBMITTED


def test_a_department_without_items_on_the_record_cannot_review(
    field: Field, inspector_user: User, other_inspector_user: User, lead_admin: User
) -> None:
    _enter_all(field, inspector_user, other_inspector_user)
    _sign(field, inspector_user)
    with pytest.raises(PermissionDenied, match="没有需要您所在部门审核的事项"):
        record_review(actor=lead_admin, record=field.record, decision=ReviewDecision.APPROVED)
    assert not DepartmentReview.objects.exists()


def test_the_lead_office_sees_approved_records_to_confirm(
    field: Field,
    inspector_user: User,
    other_inspector_user: User,
    dept_admin: User,
    other_dept_admin: User,
    lead_admin: User,
) -> None:
    _enter_all(field, inspector_user, other_inspector_user)
    _sign(field, inspector_user)
    record_review(actor=dept_admin, record=field.record, decision=ReviewDecision.APPROVED)
    record_review(actor=other_dept_admin, record=field.record, decision=ReviewDecision.APPROVED)
    assert [r.pk for r in lead_confirm_queue(lead_admin)] == [field.record.pk]
    assert lead_confirm_queue(dept_admin) == []
    with pytest.raises(PermissionDenied, match="只有牵头部门可以确认"):
        record_lead_confirm(actor=dept_admin, record=field.record)


def test_approval_publishes_the_results_and_opens_a_case_for_each_finding(
    field: Field,
    inspector_user: User,
    other_inspector_user: User,
    dept_admin: User,
    other_dept_admin: User,
) -> None:
    # given a signed record: 市场监管局 found nothing, 公安局 found 违反公安部门相关规定
    from spotcheck.followup.models import Case
    from spotcheck.publicity.models import ResultPublication

    _enter_all(field, inspector_user, other_inspector_user)
    _sign(field, inspector_user)
    # when the first department approves, nothing is final yet
    record_review(actor=dept_admin, record=field.record, decision=ReviewDecision.APPROVED)
    assert not ResultPublication.objects.exists()
    assert not Case.objects.exists()
    # when the second department approves, the record is approved
    record = JointRecord.objects.get(pk=field.record.pk)
    record_review(actor=other_dept_admin, record=record, decision=ReviewDecision.APPROVED)
    # then each department's results are published and the finding has its case
    published = ResultPublication.objects.filter(record=field.record, is_current=True)
    assert sorted(p.department.name for p in published) == ["晋州市公安局", "晋州市市场监督管理局"]
    cases = list(Case.objects.filter(record=field.record))
    assert [c.record_item_id for c in cases] == [field.police_item.pk]


def test_a_submission_id_is_a_repeat_only_for_its_own_user_and_record(
    field: Field, inspector_user: User, other_inspector_user: User
) -> None:
    # given 李检查's submission
    submission = sid()
    record_entries_save(
        actor=inspector_user,
        record=field.record,
        submission_id=submission,
        entries=[entry(field.market_item)],
    )
    # when 王检查 sends his item under the same id
    with pytest.raises(ValidationError) as err:
        record_entries_save(
            actor=other_inspector_user,
            record=field.record,
            submission_id=submission,
            entries=[entry(field.police_item, findings="备案齐全")],
        )
    # then it is refused, not answered as a repeat, and nothing is written
    assert err.value.message_dict == {
        "submission_id": ["提交编号已用于另一次提交，请为每次提交生成新的编号"]
    }
    field.police_item.refresh_from_db()
    assert field.police_item.findings == ""
    assert FieldSubmission.objects.count() == 1


def test_a_signature_claiming_a_huge_image_is_refused_not_a_server_error(
    field: Field, inspector_user: User, other_inspector_user: User
) -> None:
    # given: a PNG whose header claims 20000 × 20000 pixels (Pillow's decompression bomb)
    _enter_all(field, inspector_user, other_inspector_user)
    members = {m.pk: signature() for m in field.group.members.all()}
    header = struct.pack(">IIBBBBB", 20000, 20000, 8, 0, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + b"".join(
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        for kind, data in ((b"IHDR", header), (b"IDAT", zlib.compress(b"\x00")), (b"IEND", b""))
    )
    bomb = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    # when
    with pytest.raises(ValidationError) as err:
        record_sign(
            actor=inspector_user,
            record=field.record,
            submission_id=sid(),
            party=PartySignoff(name="张三", role="legal_rep", signature=bomb),
            member_signatures=members,
        )
    # then
    assert err.value.message_dict == {"party_signature": ["检查对象签名数据无效，请重新签字"]}
    assert JointRecord.objects.get(pk=field.record.pk).signed_at is None


def test_who_has_nothing_to_review_is_refused_before_the_state_is_looked_at(
    field: Field, inspector_user: User
) -> None:
    # given: the record is not submitted yet
    # when / then
    with pytest.raises(PermissionDenied, match="没有需要您所在部门审核的事项"):
        record_review(actor=inspector_user, record=field.record, decision=ReviewDecision.APPROVED)
    assert not DepartmentReview.objects.exists()


def test_the_id_of_an_entries_submission_does_not_sign_the_record(
    field: Field, inspector_user: User, other_inspector_user: User
) -> None:
    # given: the last entries went in under an id
    record_entries_save(
        actor=other_inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.police_item, ("A", "G"), findings="未按规定备案")],
    )
    submission = sid()
    record_entries_save(
        actor=inspector_user,
        record=field.record,
        submission_id=submission,
        entries=[entry(field.market_item)],
    )
    # when the client sends the signatures under the same id
    with pytest.raises(ValidationError) as err:
        record_sign(
            actor=inspector_user,
            record=field.record,
            submission_id=submission,
            party=PartySignoff(name="张三", role="legal_rep", signature=signature()),
            member_signatures={m.pk: signature() for m in field.group.members.all()},
        )
    # then it is refused, not taken for a repeat of a signing that never happened
    assert err.value.message_dict == {
        "submission_id": ["提交编号已用于另一次提交，请为每次提交生成新的编号"]
    }
    assert JointRecord.objects.get(pk=field.record.pk).signed_at is None
