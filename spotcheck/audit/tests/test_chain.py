"""The audit trail is a hash chain the database will not let anyone rewrite."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction
from django.test import override_settings

from spotcheck.accounts.models import User
from spotcheck.audit import triggers
from spotcheck.audit.chain import (
    GENESIS_HASH,
    ChainEntry,
    canonical_bytes,
    chain_algorithm,
    entry_hash,
)
from spotcheck.audit.models import AuditEvent
from spotcheck.audit.services import audit_record

GOLDEN = ChainEntry(
    seq=7,
    time=dt.datetime(2026, 3, 2, 9, 30, 0, 120, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    actor_id=3,
    actor_label="市场监管局管理员",
    action="directory.entity.updated",
    target_type="directory.entity",
    target_id="42",
    target_label="晋州市甲食品有限公司",
    data={"changes": {"risk_class": ["A", "C"]}, "ratio": 2.0},
    prev="ab" * 32,
    alg="sm3",
)


def _write(count: int, actor: User | None = None) -> list[AuditEvent]:
    with transaction.atomic():
        return [
            audit_record(actor=actor, event_type="test.written", data={"n": n, "名称": "甲"})
            for n in range(count)
        ]


def _verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def test_the_canonical_form_is_sorted_compact_utf8_json_with_utc_microseconds() -> None:
    # given / when
    text = canonical_bytes(GOLDEN).decode("utf-8")

    # then
    assert text == (
        '{"action":"directory.entity.updated","actor_id":3,"actor_label":"市场监管局管理员",'
        '"alg":"sm3","data":{"changes":{"risk_class":["A","C"]},"ratio":2},'
        f'"prev":"{"ab" * 32}","seq":7,"target_id":"42","target_label":"晋州市甲食品有限公司",'
        '"target_type":"directory.entity","time":"2026-03-02T01:30:00.000120Z","v":1}'
    )


def test_the_entry_hash_is_the_digest_of_the_canonical_form_under_its_algorithm() -> None:
    # given
    expected = hashlib.new("sm3", canonical_bytes(GOLDEN)).hexdigest()

    # when / then
    assert entry_hash(GOLDEN) == expected
    assert len(expected) == 64


def test_new_entries_are_hashed_with_sm3_where_hashlib_offers_it() -> None:
    # given / when / then
    assert chain_algorithm() == ("sm3" if "sm3" in hashlib.algorithms_available else "sha256")


@pytest.mark.django_db
def test_each_entry_names_the_hash_of_the_entry_before_it(dept_admin: User) -> None:
    # given: the fixtures already wrote the departments' and the user's entries
    before = AuditEvent.objects.order_by("-seq").first()
    assert before is not None

    # when
    first, second, third = _write(3, actor=dept_admin)

    # then
    assert [first.seq, second.seq, third.seq] == [before.seq + 1, before.seq + 2, before.seq + 3]
    assert first.prev_hash == before.entry_hash
    assert second.prev_hash == first.entry_hash
    assert third.prev_hash == second.entry_hash
    stored = AuditEvent.objects.get(pk=second.pk)
    assert entry_hash(stored.chain_entry()) == stored.entry_hash
    assert stored.actor_id == dept_admin.pk
    assert stored.hash_algorithm == chain_algorithm()


@pytest.mark.django_db
def test_dates_and_whole_floats_in_the_data_still_verify_after_the_round_trip() -> None:
    # given
    with transaction.atomic():
        audit_record(
            actor=None,
            event_type="test.types",
            data={"on": dt.date(2026, 3, 2), "ratio": 1.0, "big": 1e20, "half": 0.5},
        )

    # when
    output = _verify()

    # then
    data = AuditEvent.objects.get().data
    assert (data["on"], data["ratio"], data["big"], data["half"]) == ("2026-03-02", 1, 1e20, 0.5)
    assert output.startswith("审计链完整：共 1 条")


@pytest.mark.django_db
def test_the_database_refuses_to_update_an_audit_entry() -> None:
    # given
    (event,) = _write(1)

    # when
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(data={"n": 99})

    # then
    assert AuditEvent.objects.get(pk=event.pk).data == {"n": 0, "名称": "甲"}


@pytest.mark.django_db
def test_the_database_refuses_to_delete_an_audit_entry() -> None:
    # given
    (event,) = _write(1)

    # when
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()

    # then
    assert AuditEvent.objects.filter(pk=event.pk).count() == 1


@pytest.mark.django_db
def test_postgresql_refuses_to_truncate_the_audit_table() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE exists on PostgreSQL only")
    # given
    _write(1)

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks in the way

        # when
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute(f"TRUNCATE {triggers.TABLE} CASCADE")

    # then
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
def test_the_migration_installs_the_append_only_triggers() -> None:
    # given / when
    names = triggers.installed(connection)

    # then
    if connection.vendor == "postgresql":
        assert names == {"audit_auditevent_no_update_delete", "audit_auditevent_no_truncate"}
    else:
        assert names == {"audit_auditevent_no_update", "audit_auditevent_no_delete"}


@pytest.mark.django_db
def test_audit_verify_reports_an_intact_chain_with_its_last_hash() -> None:
    # given
    events = _write(4)

    # when
    output = _verify()

    # then
    assert output == f"审计链完整：共 4 条；末条 4:{events[-1].entry_hash}（{chain_algorithm()}）\n"


@pytest.mark.django_db
def test_audit_verify_exits_1_naming_the_entry_whose_content_was_changed() -> None:
    # given: someone with the database owner's rights drops the trigger and edits entry 2
    events = _write(4)
    with triggers.lifted(connection):
        AuditEvent.objects.filter(pk=events[1].pk).update(data={"n": 1, "名称": "乙"})

    # when
    with pytest.raises(CommandError) as refused:
        _verify()

    # then
    assert refused.value.returncode == 1
    assert str(refused.value) == (
        f"审计链在第 2 条（记录编号 {events[1].pk}）处断开：内容与哈希不符（本条被改动）"
    )
    assert triggers.installed(connection) == triggers.installed(connections["default"])
    assert len(triggers.installed(connection)) == 2


@pytest.mark.django_db
def test_audit_verify_names_the_entry_after_a_deleted_one() -> None:
    # given
    events = _write(3)
    with triggers.lifted(connection):
        AuditEvent.objects.filter(pk=events[1].pk).delete()

    # when
    with pytest.raises(CommandError) as refused:
        _verify()

    # then
    assert refused.value.returncode == 1
    assert str(refused.value) == (
        f"审计链在第 3 条（记录编号 {events[2].pk}）处断开：序号应为 2，实为 3"
    )


@pytest.mark.django_db
def test_audit_verify_catches_a_rehashed_entry_through_the_next_ones_link() -> None:
    # given: entry 1 is edited and its own hash recomputed, but entry 2 still names the old one
    events = _write(2)
    forged = AuditEvent.objects.get(pk=events[0].pk)
    forged.data = {"n": 5}
    with triggers.lifted(connection):
        AuditEvent.objects.filter(pk=forged.pk).update(
            data=forged.data, entry_hash=entry_hash(forged.chain_entry())
        )

    # when
    with pytest.raises(CommandError) as refused:
        _verify()

    # then
    assert str(refused.value) == (
        f"审计链在第 2 条（记录编号 {events[1].pk}）处断开：前一条哈希不符（前一条被改动或删除）"
    )


@pytest.mark.django_db
def test_an_anchor_catches_entries_cut_from_the_end_of_the_chain() -> None:
    # given: the head 3:<hash> was written down; then entry 3 is removed
    events = _write(3)
    anchor = f"3:{events[2].entry_hash}"
    with triggers.lifted(connection):
        AuditEvent.objects.filter(pk=events[2].pk).delete()

    # when
    with pytest.raises(CommandError) as refused:
        call_command("audit_verify", anchor=[anchor])

    # then
    assert refused.value.returncode == 1
    assert str(refused.value) == "审计链与锚点不符：第 3 条不存在（末尾记录被删除）"


@pytest.mark.django_db
def test_audit_verify_of_an_empty_chain_succeeds() -> None:
    # given / when / then
    assert _verify() == "审计链为空。\n"


def test_the_first_entry_of_a_chain_names_sixty_four_zeros() -> None:
    # given / when / then
    assert GENESIS_HASH == "0" * 64


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_audit_table_and_puts_the_triggers_back() -> None:
    # given
    _write(2)

    # when
    call_command("flush", interactive=False, verbosity=0)

    # then
    assert AuditEvent.objects.count() == 0
    assert len(triggers.installed(connection)) == 2


@pytest.mark.django_db
def test_flush_is_refused_in_production() -> None:
    # given
    _write(1)

    # when
    with override_settings(PRODUCTION=True), pytest.raises(CommandError, match="审计日志只能追加"):
        call_command("flush", interactive=False, verbosity=0)

    # then
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_on_postgresql_form_one_unbroken_chain() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every write transaction already")
    # given
    barrier = threading.Barrier(6)
    failures: list[BaseException] = []

    def append_many() -> None:
        try:
            barrier.wait()
            for n in range(10):
                with transaction.atomic():
                    audit_record(actor=None, event_type="test.concurrent", data={"n": n})
        except BaseException as error:  # reported below
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append_many) for _ in range(6)]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then
    assert failures == []
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, 61)
    )
    assert _verify().startswith("审计链完整：共 60 条")
