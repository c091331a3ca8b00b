"""Write audit records; called by every other context's services."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from spotcheck.audit.chain import GENESIS_HASH, ChainEntry, chain_algorithm, entry_hash
from spotcheck.audit.models import AuditEvent

# pg_advisory_xact_lock key of the chain's tail: the bytes of "auditlog" as an integer.
CHAIN_LOCK_KEY = 0x6175646974_6C6F67


def _lock_the_chain_tail() -> None:
    """Serialise appends until the caller's transaction ends.

    PostgreSQL: a transaction-level advisory lock, released at commit or rollback; the
    next appender then reads the committed tail (READ COMMITTED reads afresh per
    statement).  SQLite: the write transaction already holds the database's only write
    lock (``transaction_mode=IMMEDIATE``), so nothing more is needed.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


def audit_record(
    *,
    actor: Any,
    event_type: str,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit record to the chain; must run inside the caller's transaction.

    ``data`` carries the change itself (``after`` snapshots, ``changes`` as
    ``{field: [before, after]}`` from :func:`model_diff`, counts); it must be JSON.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the write's transaction")
    actor_obj = actor if getattr(actor, "pk", None) else None
    # The stored JSON is exactly what the hash covers: dates and decimals become strings.
    clean_data = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder))
    _lock_the_chain_tail()
    tail = AuditEvent.objects.order_by("-seq").values("seq", "entry_hash").first()
    entry = ChainEntry(
        seq=tail["seq"] + 1 if tail else 1,
        time=timezone.now(),
        actor_id=actor_obj.pk if actor_obj is not None else None,
        actor_label=str(actor)[:150] if actor is not None else "系统",
        action=event_type,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:255] if target is not None else "",
        data=clean_data,
        prev=tail["entry_hash"] if tail else GENESIS_HASH,
        alg=chain_algorithm(),
    )
    return AuditEvent.objects.create(
        seq=entry.seq,
        created_at=entry.time,
        actor=actor_obj,
        actor_label=entry.actor_label,
        event_type=entry.action,
        target_type=entry.target_type,
        target_id=entry.target_id,
        target_label=entry.target_label,
        data=clean_data,
        hash_algorithm=entry.alg,
        prev_hash=entry.prev,
        entry_hash=entry_hash(entry),
    )


def model_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Return {field: [old, new]} for the fields whose value changed."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }
