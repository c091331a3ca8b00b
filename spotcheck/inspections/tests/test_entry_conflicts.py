"""Two inspectors of one department on one record: no entry is overwritten unknowingly.

李检查 (``inspector_user``) and 赵检查 (``second_market_inspector``) both enter 市场监管局's
items SJ-01 (``market_item``) and SJ-02 on the record; 王检查 enters 公安局's item.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.directory.models import Inspector
from spotcheck.inspections.models import EntryConflict, RecordItem, RecordVersion
from spotcheck.inspections.selectors.conflicts import conflicts_of
from spotcheck.inspections.services.entries import entry_conflict_settle, record_entries_save
from spotcheck.inspections.services.signing import PartySignoff, record_sign
from spotcheck.inspections.tests.field_setup import (
    Field,
    build_field,
    entry,
    second_market_inspector,
    sid,
    signature,
)
from spotcheck.testing.personas import LOGIN_BACKEND, Catalogue, Departments, Regions

pytestmark = pytest.mark.django_db

X = "消防通道堵塞，已责令整改"
Y = "未发现问题，证照齐全"


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


@pytest.fixture
def zhao(field: Field, departments: Departments) -> User:
    return second_market_inspector(field, departments)


def _codes(item: RecordItem) -> list[str]:
    return sorted(item.result_codes.values_list("code", flat=True))


def _second(field: Field) -> RecordItem:
    return field.record.items.get(item__code="SJ-02")


def _sign(field: Field, actor: User) -> None:
    record_sign(
        actor=actor,
        record=field.record,
        submission_id=sid(),
        party=PartySignoff(name="张三", role="legal_rep", signature=signature()),
        member_signatures={m.pk: signature() for m in field.group.members.all()},
    )


def test_a_write_on_a_version_someone_else_changed_is_kept_as_a_conflict_not_applied(
    field: Field, inspector_user: User, zhao: User
) -> None:
    # given: both saw version 0; 李 synced X first
    record_entries_save(
        actor=inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item, ("A", "B"), base=0, findings=X)],
    )

    # when: 赵 syncs Y on version 0
    outcome = record_entries_save(
        actor=zhao,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item, ("1",), base=0, findings=Y)],
    )

    # then: X stays, Y is a conflict beside it, and the answer says so with both sides
    field.market_item.refresh_from_db()
    assert (field.market_item.findings, field.market_item.version) == (X, 1)
    assert field.market_item.entered_by == inspector_user
    assert _codes(field.market_item) == ["2", "A", "B"]
    conflict = EntryConflict.objects.get()
    assert (conflict.findings, conflict.codes, conflict.written_by) == (Y, ["1"], zhao)
    assert (conflict.base_version, conflict.current_version, conflict.is_open) == (0, 1, True)
    assert outcome.items == (
        {"item": field.market_item.pk, "result": "conflict", "conflict": conflict.pk, "version": 1},
    )
    [view] = conflicts_of(field.record)
    assert (view["now"]["findings"], view["now"]["entered_by"]) == (X, "李检查")
    assert (view["incoming"]["findings"], view["incoming"]["written_by"]) == (Y, "赵检查")
    assert AuditEvent.objects.filter(event_type="inspections.record.entry_conflict").count() == 1


def test_two_inspectors_filling_different_items_do_not_blank_each_other(
    field: Field, inspector_user: User, zhao: User
) -> None:
    # given: 李 fills SJ-01
    record_entries_save(
        actor=inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item, ("A", "B"), base=0, findings=X)],
    )

    # when: 赵, whose page was opened before, sends only SJ-02
    record_entries_save(
        actor=zhao,
        record=field.record,
        submission_id=sid(),
        entries=[entry(_second(field), ("1",), base=0, findings=Y)],
    )

    # then: both items keep their author's entry
    field.market_item.refresh_from_db()
    second = _second(field)
    assert (field.market_item.findings, field.market_item.entered_by) == (X, inspector_user)
    assert (second.findings, second.entered_by, second.version) == (Y, zhao, 1)
    assert not EntryConflict.objects.exists()


def test_resending_an_unchanged_item_does_not_take_over_its_author(
    field: Field, inspector_user: User, zhao: User
) -> None:
    # given: 李 entered SJ-01
    record_entries_save(
        actor=inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item, ("A", "B"), base=0, findings=X)],
    )

    # when: 赵 sends the very same content on an old base
    record_entries_save(
        actor=zhao,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item, ("B", "A"), base=0, findings=X)],
    )

    # then: nothing changed, no conflict
    field.market_item.refresh_from_db()
    assert (field.market_item.entered_by, field.market_item.version) == (inspector_user, 1)
    assert not EntryConflict.objects.exists()


def test_a_write_without_a_version_cannot_replace_another_inspectors_entry(
    field: Field, inspector_user: User, zhao: User
) -> None:
    # given
    record_entries_save(
        actor=inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item, ("A", "B"), findings=X)],
    )

    # when: an older client sends no base
    record_entries_save(
        actor=zhao,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item, ("1",), findings=Y)],
    )

    # then
    field.market_item.refresh_from_db()
    assert field.market_item.findings == X
    assert EntryConflict.objects.get().base_version == -1


def test_a_replayed_conflicting_submission_answers_the_same_and_stores_nothing_more(
    field: Field, inspector_user: User, zhao: User
) -> None:
    # given
    record_entries_save(
        actor=inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item, ("A", "B"), base=0, findings=X)],
    )
    submission = sid()
    first = record_entries_save(
        actor=zhao,
        record=field.record,
        submission_id=submission,
        entries=[entry(field.market_item, ("1",), base=0, findings=Y)],
    )

    # when
    again = record_entries_save(
        actor=zhao,
        record=field.record,
        submission_id=submission,
        entries=[entry(field.market_item, ("1",), base=0, findings=Y)],
    )

    # then
    assert again.duplicate is True
    assert again.items == first.items
    assert EntryConflict.objects.count() == 1


def test_a_record_with_an_unsettled_conflict_cannot_be_signed(
    field: Field, inspector_user: User, other_inspector_user: User, zhao: User
) -> None:
    # given: every item entered, and a conflict on SJ-01
    record_entries_save(
        actor=inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item, ("A", "B"), base=0, findings=X)],
    )
    record_entries_save(
        actor=zhao,
        record=field.record,
        submission_id=sid(),
        entries=[
            entry(field.market_item, ("1",), base=0, findings=Y),
            entry(_second(field), ("1",), base=0, findings=Y),
        ],
    )
    record_entries_save(
        actor=other_inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.police_item, ("1",), base=0)],
    )

    # when / then
    with pytest.raises(
        ValidationError, match="有未处理的录入冲突，处理后才能签字确认：食品经营许可情况"
    ):
        _sign(field, inspector_user)
    field.record.refresh_from_db()
    assert field.record.signed_at is None
    assert not field.record.signatures.exists()


@pytest.mark.parametrize(
    ("choice", "findings", "codes", "kept", "settlement"),
    [
        ("current", "", (), X, "kept_current"),
        ("draft", "", (), Y, "kept_draft"),
        ("merge", X + "；" + Y, ("A", "B"), X + "；" + Y, "merged"),
    ],
)
def test_a_conflict_is_settled_by_keeping_either_side_or_merging(
    field: Field,
    inspector_user: User,
    zhao: User,
    choice: str,
    findings: str,
    codes: tuple[str, ...],
    kept: str,
    settlement: str,
) -> None:
    # given
    record_entries_save(
        actor=inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item, ("A", "B"), base=0, findings=X)],
    )
    record_entries_save(
        actor=zhao,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item, ("1",), base=0, findings=Y)],
    )
    conflict = EntryConflict.objects.get()

    # when
    entry_conflict_settle(
        actor=zhao, conflict=conflict, choice=choice, findings=findings, codes=codes
    )

    # then
    field.market_item.refresh_from_db()
    conflict.refresh_from_db()
    assert field.market_item.findings == kept
    assert (conflict.settlement, conflict.settled_by, conflict.is_open) == (settlement, zhao, False)
    assert conflict.settled_version == field.market_item.version
    [view] = conflicts_of(field.record)
    assert view["current"]["findings"] == X  # what 李 had, as it was at the conflict
    assert (
        AuditEvent.objects.filter(event_type="inspections.record.entry_conflict_settled").count()
        == 1
    )


def test_a_conflict_is_settled_only_by_its_departments_inspectors_and_only_once(
    field: Field, inspector_user: User, other_inspector_user: User, zhao: User
) -> None:
    # given
    record_entries_save(
        actor=inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item, ("A", "B"), base=0, findings=X)],
    )
    record_entries_save(
        actor=zhao,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item, ("1",), base=0, findings=Y)],
    )
    conflict = EntryConflict.objects.get()

    # when / then: the police inspector may not; a second settlement is refused
    with pytest.raises(PermissionDenied, match="只有本事项所属部门的检查人员可以处理该冲突"):
        entry_conflict_settle(actor=other_inspector_user, conflict=conflict, choice="draft")
    entry_conflict_settle(actor=inspector_user, conflict=conflict, choice="current")
    with pytest.raises(ValidationError, match="该冲突已处理"):
        entry_conflict_settle(actor=zhao, conflict=conflict, choice="draft")
    field.market_item.refresh_from_db()
    assert field.market_item.findings == X
    assert conflict.__class__.objects.get().settled_by == inspector_user


def test_a_correction_from_a_stale_draft_is_kept_beside_the_signed_text_not_applied(
    field: Field, inspector_user: User, other_inspector_user: User, zhao: User
) -> None:
    # given: 李 entered both market items and the record was signed
    record_entries_save(
        actor=inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[
            entry(field.market_item, ("A", "B"), base=0, findings=X),
            entry(_second(field), ("1",), base=0),
        ],
    )
    record_entries_save(
        actor=other_inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.police_item, ("1",), base=0)],
    )
    _sign(field, inspector_user)

    # when: 赵, with a draft made on version 0, submits it as a correction
    outcome = record_entries_save(
        actor=zhao,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item, ("1",), base=0, findings=Y)],
        correction_reason="补充检查情况",
    )

    # then: the signed text stays, no new version, the draft is a proposal beside it
    field.market_item.refresh_from_db()
    field.record.refresh_from_db()
    assert field.market_item.findings == X
    assert (field.record.version, field.record.review_round) == (1, 1)
    assert RecordVersion.objects.filter(record=field.record).count() == 1
    assert outcome.conflicts == [EntryConflict.objects.get(correction=True).pk]

    # and: adopting it is a correction of the current version, with a reason
    conflict = EntryConflict.objects.get()
    with pytest.raises(ValidationError, match="更正理由"):
        entry_conflict_settle(actor=zhao, conflict=conflict, choice="draft")
    entry_conflict_settle(
        actor=zhao, conflict=conflict, choice="draft", correction_reason="补充检查情况"
    )
    field.market_item.refresh_from_db()
    field.record.refresh_from_db()
    assert (field.market_item.findings, field.record.version) == (Y, 2)
    assert RecordVersion.objects.get(record=field.record, number=2).reason == "补充检查情况"


# --------------------------------------------------------------------------- pages


def _conflict(field: Field, inspector_user: User, zhao: User) -> EntryConflict:
    record_entries_save(
        actor=inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item, ("A", "B"), base=0, findings=X)],
    )
    record_entries_save(
        actor=zhao,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item, ("1",), base=0, findings=Y)],
    )
    return EntryConflict.objects.get()


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend=LOGIN_BACKEND)
    return client


def test_the_phone_endpoint_answers_a_stale_write_with_409_and_both_texts(
    field: Field, inspector_user: User, zhao: User
) -> None:
    # given
    record_entries_save(
        actor=inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item, ("A", "B"), base=0, findings=X)],
    )
    body = {
        "submission_id": str(sid()),
        "items": [{"id": field.market_item.pk, "version": 0, "findings": Y, "codes": ["1"]}],
    }

    # when
    response = _client(zhao).post(
        reverse("inspections:field_sync", args=[field.record.pk]),
        json.dumps(body),
        content_type="application/json",
    )

    # then
    assert response.status_code == 409
    answer = response.json()
    assert (answer["ok"], answer["conflict"]) == (False, True)
    assert answer["conflicts"][0]["now"]["findings"] == X
    assert answer["conflicts"][0]["incoming"]["findings"] == Y
    field.market_item.refresh_from_db()
    assert field.market_item.findings == X


def test_the_fill_page_settles_a_conflict_and_the_record_page_tells_how(
    field: Field, inspector_user: User, zhao: User
) -> None:
    # given
    conflict = _conflict(field, inspector_user, zhao)
    fill = _client(zhao).get(reverse("inspections:field_fill", args=[field.record.pk]))
    assert f'data-testid="conflict-panel-{field.market_item.pk}"' in fill.content.decode()

    # when 赵 keeps the entry on the server
    response = _client(zhao).post(
        reverse("inspections:field_conflict_settle", args=[field.record.pk, conflict.pk]),
        {"choice": "current"},
    )

    # then
    assert response.status_code == 302
    conflict.refresh_from_db()
    assert (conflict.settlement, conflict.settled_by) == ("kept_current", zhao)
    page = _client(inspector_user).get(reverse("inspections:field_record", args=[field.record.pk]))
    text = page.content.decode()
    assert "已处理" in text
    assert "赵检查" in text
    assert "保留了服务器上的内容" in text


def test_settling_another_departments_conflict_is_refused_with_a_message_and_writes_nothing(
    field: Field, inspector_user: User, other_inspector_user: User, zhao: User
) -> None:
    # given
    conflict = _conflict(field, inspector_user, zhao)

    # when 王检查 (公安局) tries
    response = _client(other_inspector_user).post(
        reverse("inspections:field_conflict_settle", args=[field.record.pk, conflict.pk]),
        {"choice": "draft"},
        follow=True,
    )

    # then
    assert "只有本事项所属部门的检查人员可以处理该冲突" in response.content.decode()
    conflict.refresh_from_db()
    field.market_item.refresh_from_db()
    assert (conflict.is_open, field.market_item.findings) == (True, X)


def test_the_review_list_marks_a_submitted_record_with_an_open_conflict(
    field: Field, inspector_user: User, other_inspector_user: User, zhao: User, dept_admin: User
) -> None:
    # given: a signed record, and 赵's stale correction kept as a conflict
    record_entries_save(
        actor=inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[
            entry(field.market_item, ("A", "B"), base=0, findings=X),
            entry(_second(field), ("1",), base=0),
        ],
    )
    record_entries_save(
        actor=other_inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.police_item, ("1",), base=0)],
    )
    _sign(field, inspector_user)
    home = _client(dept_admin).get("/field/").content.decode()
    assert 'data-testid="review-conflict"' not in home
    record_entries_save(
        actor=zhao,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item, ("1",), base=0, findings=Y)],
        correction_reason="补充",
    )

    # when
    home = _client(dept_admin).get("/field/").content.decode()

    # then
    assert 'data-testid="review-conflict"' in home
    assert "有未处理的录入冲突" in home


def _signed(field: Field, inspector_user: User, other_inspector_user: User) -> None:
    record_entries_save(
        actor=inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[
            entry(field.market_item, ("A", "B"), base=0, findings=X),
            entry(_second(field), ("1",), base=0),
        ],
    )
    record_entries_save(
        actor=other_inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.police_item, ("1",), base=0)],
    )
    _sign(field, inspector_user)


def test_a_correction_whose_items_all_conflict_changes_no_time_of_the_signed_record(
    field: Field, inspector_user: User, other_inspector_user: User, zhao: User
) -> None:
    # given: a signed record, and 赵's stale draft that will conflict
    _signed(field, inspector_user, other_inspector_user)
    field.record.refresh_from_db()
    started = field.record.started_at

    # when: the draft comes with the same times as the record
    record_entries_save(
        actor=zhao,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item, ("1",), base=0, findings=Y)],
        started_at=started,
        correction_reason="补充检查情况",
    )

    # then: no version, no new round, the times as they were
    field.record.refresh_from_db()
    assert (field.record.version, field.record.review_round) == (1, 1)
    assert field.record.started_at == started
    assert RecordVersion.objects.filter(record=field.record).count() == 1


def test_new_times_on_a_signed_record_are_a_correction_with_its_own_version(
    field: Field, inspector_user: User, other_inspector_user: User, zhao: User
) -> None:
    # given
    _signed(field, inspector_user, other_inspector_user)
    field.record.refresh_from_db()
    earlier = field.record.ended_at or timezone.now()
    new_end = earlier.replace(microsecond=0) - dt.timedelta(minutes=30)

    # when: only the end time is corrected
    record_entries_save(
        actor=inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[],
        ended_at=new_end,
        correction_reason="结束时间记错",
    )

    # then: a correction like any other: a version kept and a new review round
    field.record.refresh_from_db()
    assert field.record.ended_at == new_end
    assert (field.record.version, field.record.review_round) == (2, 2)
    assert RecordVersion.objects.filter(record=field.record).count() == 2


def test_a_write_without_a_version_never_overwrites_a_colleagues_entry_at_version_0(
    field: Field, inspector_user: User, zhao: User
) -> None:
    # given: 李's entry made before versions existed (still at version 0)
    record_entries_save(
        actor=inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item, ("A", "B"), base=0, findings=X)],
    )
    RecordItem.objects.filter(pk=field.market_item.pk).update(version=0)

    # when: 赵's old phone draft arrives without a version
    record_entries_save(
        actor=zhao,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item, ("1",), base=None, findings=Y)],
    )

    # then: X stays and Y waits beside it
    field.market_item.refresh_from_db()
    assert field.market_item.findings == X
    assert EntryConflict.objects.get().findings == Y


def test_replacing_the_current_entry_without_the_script_asks_first(
    field: Field, inspector_user: User, zhao: User
) -> None:
    # given: an open conflict on 李's entry
    record_entries_save(
        actor=inspector_user,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item, ("A", "B"), base=0, findings=X)],
    )
    record_entries_save(
        actor=zhao,
        record=field.record,
        submission_id=sid(),
        entries=[entry(field.market_item, ("1",), base=0, findings=Y)],
    )
    conflict = EntryConflict.objects.get()
    client = Client()
    client.force_login(zhao, backend=LOGIN_BACKEND)
    url = reverse("inspections:field_conflict_settle", args=[field.record.pk, conflict.pk])

    # when: the form is sent without the browser's confirmation
    response = client.post(url, {"choice": "draft"})

    # then: the confirmation page, and nothing settled
    assert response.status_code == 200
    assert "确认替换服务器上的内容" in response.content.decode()
    conflict.refresh_from_db()
    field.market_item.refresh_from_db()
    assert (conflict.is_open, field.market_item.findings) == (True, X)
