"""Writes: publishing approved results, corrections, the publication deadline, the outbox.

Hook for the review workflow
----------------------------
When a joint record is approved (state ``approved``), the approval chain calls, inside
its transaction::

    published = publish_on_approval(actor=reviewer, record=record)
    transaction.on_commit(partial(outbox_enqueue, outbox_message_ids(published)))

It publishes every department's results on the record at once ("谁检查、谁录入、
谁公开": each department's rows become that department's notice), completes the
20-working-day publication deadline and writes one outbox message per notice for
国家企业信用信息公示系统.  Calling it again for the same record does nothing, so an
approval that is replayed never publishes twice.  A result that was already published
changes only through ``result_correct`` with a reason.

Services here never hand work to the queue: whoever calls a service that writes or
re-queues outbox messages (``publish_on_approval``, ``result_correct``,
``outbox_resend``, a delivery attempt that must be retried) schedules
``spotcheck.publicity.tasks.outbox_enqueue`` after the commit (ADR 0006).
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from spotcheck.access.gates import access_platform_for_administering
from spotcheck.accounts.models import Department, User
from spotcheck.accounts.selectors import writable_department_ids
from spotcheck.audit import events
from spotcheck.audit.services import audit_record
from spotcheck.catalogue.models import ResultCode
from spotcheck.core.errors import DomainError
from spotcheck.deadlines.choices import DeadlineKind, DeadlineState
from spotcheck.deadlines.models import Deadline
from spotcheck.deadlines.services import deadline_complete, deadline_open
from spotcheck.inspections.choices import RecordState
from spotcheck.inspections.models import JointRecord, RecordItem
from spotcheck.publicity import gsxt
from spotcheck.publicity.choices import OutboxKind, OutboxState
from spotcheck.publicity.models import OutboxMessage, ResultPublication
from spotcheck.publicity.privacy import scrub
from spotcheck.publicity.results import check_combination, describe

PUBLICATION_WORKING_DAYS = 20
_RECORD_TARGET = JointRecord._meta.label_lower


class NotApproved(DomainError):
    """Only an approved record is published."""


# ---------------------------------------------------------------- publication deadline


def check_completed_on(record: JointRecord, department: Department) -> dt.date | None:
    """The day a department finished checking: its last item entered, or None."""
    items = record.items.filter(department=department)
    if items.filter(entered_at__isnull=True).exists():
        return None
    last = items.aggregate(last=Max("entered_at"))["last"]
    return timezone.localdate(last) if last else None


def _publication_deadline(record: JointRecord, department: Department) -> Deadline | None:
    return (
        Deadline.objects.filter(
            kind=DeadlineKind.ENTER_RESULTS,
            target_type=_RECORD_TARGET,
            target_id=str(record.pk),
            department=department,
        )
        .order_by("id")
        .first()
    )


@transaction.atomic
def publication_deadline_open(
    *, actor: User | None, record: JointRecord, department: Department, check_ended_on: dt.date
) -> Deadline:
    """Start the 20-working-day limit to publish a department's results; idempotent."""
    existing = _publication_deadline(record, department)
    if existing is not None:
        return existing
    return deadline_open(
        actor=actor,
        kind=DeadlineKind.ENTER_RESULTS,
        title=f"公示抽查结果：{record.entity.name}（{record.number}）",
        department=department,
        start_event="检查完成",
        start_date=check_ended_on,
        working_days=PUBLICATION_WORKING_DAYS,
        target=record,
        target_url=f"/publicity/results/record/{record.pk}/",
    )


def _record_departments(record: JointRecord) -> list[Department]:
    ids = record.items.values_list("department", flat=True).distinct()
    return list(Department.objects.filter(pk__in=ids).order_by("path"))


def publication_deadlines_sweep(*, today: dt.date) -> int:
    """Open the publication deadline of every checked record that has none yet.

    The check of a department ends when all its items on the record are entered; a
    department that has not entered by the end of the task's check window (检查日期至)
    is counted from that day, so a result that is never entered still falls overdue.
    """
    opened = 0
    records = (
        JointRecord.objects.filter(task__window_start__lte=today)
        .exclude(state=RecordState.APPROVED)
        .select_related("task", "entity")
    )
    for record in records.iterator():
        for department in _record_departments(record):
            if _publication_deadline(record, department) is not None:
                continue
            ended = check_completed_on(record, department)
            if ended is None and record.task.window_end < today:
                ended = record.task.window_end
            if ended is None:
                continue
            publication_deadline_open(
                actor=None, record=record, department=department, check_ended_on=ended
            )
            opened += 1
    return opened


# ---------------------------------------------------------------- publishing


def _inspectors(record: JointRecord, department: Department) -> list[dict[str, str]]:
    if record.group_id is None:
        return []
    members = record.group.members.filter(department=department).select_related("inspector")
    return [
        {"name": m.inspector.name, "certificate_no": m.inspector.certificate_no} for m in members
    ]


def _item_rows(items: Sequence[RecordItem], table: dict[str, ResultCode]) -> list[dict[str, Any]]:
    rows = []
    for row in items:
        codes = [c.code for c in sorted(row.result_codes.all(), key=lambda c: c.sort)]
        rows.append(
            {
                "id": row.pk,
                "code": row.item.code,
                "name": row.item.name,
                "codes": codes,
                "result": describe(codes, table)[1],
            }
        )
    return rows


def _summarise(
    rows: list[dict[str, Any]], table: dict[str, ResultCode]
) -> tuple[str, list[str], str]:
    codes = list(dict.fromkeys(c for row in rows for c in row["codes"]))
    key, text = describe(codes, table)
    return key, codes, text


def _new_version(values: dict[str, Any]) -> ResultPublication:
    publication = ResultPublication(**values)
    publication.full_clean(exclude=["supersedes"])
    publication.save()
    if publication.task.is_practice:
        return publication  # practice results never reach the exchange
    body = gsxt.message(publication)
    OutboxMessage.objects.create(
        publication=publication,
        kind=OutboxKind.CORRECT if publication.corrected else OutboxKind.PUBLISH,
        idempotency_key=body["idempotencyKey"],
        payload=body,
        next_attempt_at=publication.published_at,
    )
    return publication


def _finish_deadline(
    actor: User | None, record: JointRecord, department: Department, checked_on: dt.date
) -> Deadline:
    deadline = publication_deadline_open(
        actor=actor, record=record, department=department, check_ended_on=checked_on
    )
    if deadline.state != DeadlineState.DONE:
        deadline = deadline_complete(actor=actor, deadline=deadline)
    return deadline


def _lock_approved(record: JointRecord) -> JointRecord:
    """The record, locked, with what its notices copy; refused unless it is approved."""
    record = (
        JointRecord.objects.select_for_update(of=("self",))
        .select_related("task__plan", "entity", "group")
        .get(pk=record.pk)
    )
    if record.state != RecordState.APPROVED:
        raise NotApproved("只有审核通过的检查记录才能公示")
    return record


def _result_table() -> dict[str, ResultCode]:
    return {c.code: c for c in ResultCode.objects.all()}


def _department_items(record: JointRecord, department: Department) -> list[RecordItem]:
    return list(
        record.items.filter(department=department)
        .select_related("item", "entered_by")
        .prefetch_related("result_codes")
        .order_by("item__code")
    )


def _last_entered(items: Sequence[RecordItem]) -> RecordItem | None:
    """The item entered last (its time is the day the department finished checking)."""
    entered = [i for i in items if i.entered_at is not None]
    return max(entered, key=lambda i: i.entered_at) if entered else None  # type: ignore[arg-type,return-value]


def _first_version_values(
    record: JointRecord,
    department: Department,
    items: Sequence[RecordItem],
    last: RecordItem | None,
    summary: tuple[list[dict[str, Any]], str, list[str], str],
) -> dict[str, Any]:
    """The notice of one department as first published: what it copies from the record."""
    rows, key, codes, text = summary
    task = record.task
    return {
        "record": record,
        "department": department,
        "entity": record.entity,
        "task": task,
        "plan_number": task.plan.number,
        "plan_name": task.plan.name,
        "task_number": task.number,
        "task_name": task.name,
        "task_type": task.get_task_type_display(),
        "authority": department.name,
        "entity_name": record.entity.name,
        "entity_code": record.entity.code,
        "result_key": key,
        "result_codes": codes,
        "result_text": text[:500],
        "remarks": scrub("；".join(i.notes.strip() for i in items if i.notes.strip())),
        "items": rows,
        "inspectors": _inspectors(record, department),
        "entered_by": last.entered_by if last else None,
        "entered_at": last.entered_at if last else None,
    }


def _publish_department(
    actor: User | None,
    record: JointRecord,
    department: Department,
    table: dict[str, ResultCode],
    now: dt.datetime,
) -> ResultPublication:
    """Publish one department's results: the notice, its deadline done, the audit record."""
    items = _department_items(record, department)
    last = _last_entered(items)
    checked_on = (
        timezone.localdate(last.entered_at) if last and last.entered_at else timezone.localdate(now)
    )
    rows = _item_rows(items, table)
    key, codes, text = _summarise(rows, table)
    if not codes:
        raise ValidationError(f"{department.name}的检查事项尚未录入检查结果，不能公示")
    deadline = _finish_deadline(actor, record, department, checked_on)
    values = _first_version_values(record, department, items, last, (rows, key, codes, text))
    values.update(
        {
            "checked_on": checked_on,
            "published_by": actor if getattr(actor, "pk", None) else None,
            "published_at": now,
            "due_date": deadline.due_date,
        }
    )
    publication = _new_version(values)
    audit_record(
        actor=actor,
        event_type=events.RESULT_PUBLISHED,
        target=publication,
        data={
            "record": record.number,
            "department": department.name,
            "result": codes,
            "due_date": deadline.due_date.isoformat(),
            "late": publication.published_late,
        },
    )
    return publication


@transaction.atomic
def result_publish(*, actor: User | None, record: JointRecord) -> list[ResultPublication]:
    """Publish each department's results on an approved record; already published: no-op.

    The outbox messages it writes are handed to the queue by the caller, after the
    commit: ``outbox_message_ids`` of the returned publications (see the module doc).
    """
    record = _lock_approved(record)
    table = _result_table()
    now = timezone.now()
    published = []
    for department in _record_departments(record):
        if ResultPublication.objects.filter(
            record=record, department=department, is_current=True
        ).exists():
            continue
        published.append(_publish_department(actor, record, department, table, now))
    return published


def publish_on_approval(*, actor: User | None, record: JointRecord) -> list[ResultPublication]:
    """The review workflow's hook: an approved record publishes itself (see the module doc)."""
    return result_publish(actor=actor, record=record)


def _require_publisher(actor: User, publication: ResultPublication) -> None:
    writable = writable_department_ids(actor)
    if writable is not None and publication.department_id not in writable:
        raise PermissionDenied("只有公示该结果的部门才能更正")


def _checked_reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) < 5:
        raise ValidationError({"reason": "请填写更正理由（至少5个字）"})
    return reason


def _corrected_rows(
    items: list[dict[str, Any]],
    item_codes: Mapping[int, Sequence[str]] | None,
    table: dict[str, ResultCode],
) -> list[dict[str, Any]]:
    """The published item rows with the new result codes of the items asked to change."""
    rows = [dict(row) for row in items]
    for row in rows:
        if item_codes is None or row["id"] not in item_codes:
            continue
        codes = [c for c in dict.fromkeys(item_codes[row["id"]]) if c]
        unknown = [c for c in codes if c not in table]
        if unknown:
            raise ValidationError({"result_codes": f"未知的检查结果代码：{'、'.join(unknown)}"})
        check_combination(
            sorted((table[c] for c in codes), key=lambda c: c.sort), field="result_codes"
        )
        row["codes"] = sorted(codes, key=lambda c: table[c].sort)
        row["result"] = describe(row["codes"], table)[1]
    return rows


def _next_version_values(current: ResultPublication, changes: dict[str, Any]) -> dict[str, Any]:
    """The current version's fields with ``changes``: the next, current version."""
    values = {
        f.name: getattr(current, f.name)
        for f in ResultPublication._meta.concrete_fields
        if f.name not in ("id",)
    }
    values.update(
        {"version": current.version + 1, "is_current": True, "supersedes": current, **changes}
    )
    return values


@transaction.atomic
def result_correct(
    *,
    actor: User,
    publication: ResultPublication,
    reason: str,
    item_codes: Mapping[int, Sequence[str]] | None = None,
    remarks: str | None = None,
) -> ResultPublication:
    """Correct (更正) a published result: a new current version, the old one kept.

    The caller hands the new version's outbox message to the queue after the commit
    (``outbox_message_ids([corrected])``, see the module doc).
    """
    current = ResultPublication.objects.select_for_update().get(pk=publication.pk)
    _require_publisher(actor, current)
    if not current.is_current:
        raise ValidationError("该版本已被更正，请在现行版本上更正")
    reason = _checked_reason(reason)
    table = _result_table()
    rows = _corrected_rows(current.items, item_codes, table)
    key, codes, text = _summarise(rows, table)
    new_remarks = current.remarks if remarks is None else scrub(remarks.strip())
    if rows == current.items and new_remarks == current.remarks:
        raise ValidationError("更正内容与现行版本相同，无需更正")
    ResultPublication.objects.filter(pk=current.pk).update(is_current=False)
    corrected = _new_version(
        _next_version_values(
            current,
            {
                "result_key": key,
                "result_codes": codes,
                "result_text": text[:500],
                "remarks": new_remarks,
                "items": rows,
                "published_by": actor,
                "published_at": timezone.now(),
                "correction_reason": reason,
            },
        )
    )
    audit_record(
        actor=actor,
        event_type=events.RESULT_CORRECTED,
        target=corrected,
        data={
            "reason": reason,
            "from_version": current.version,
            "before": {"result": current.result_codes, "remarks": current.remarks},
            "after": {"result": codes, "remarks": new_remarks},
        },
    )
    return corrected


# ---------------------------------------------------------------- outbox delivery


def outbox_configured() -> bool:
    """Whether a receiving address is set; without one, messages wait and nothing is sent."""
    return bool(getattr(settings, "GSXT_OUTBOX_URL", ""))


def backoff_seconds(attempts: int) -> int:
    """Wait before the next attempt: base × 2^(n-1), at most 6 hours."""
    base = int(getattr(settings, "GSXT_OUTBOX_BACKOFF_SECONDS", 60))
    return int(min(base * 2 ** max(attempts - 1, 0), 6 * 3600))


@dataclass(frozen=True)
class Response:
    status: int | None
    error: str


def _post(url: str, body: bytes, key: str) -> Response:
    if not url.startswith(("http://", "https://")):
        return Response(None, f"接收地址须以 http:// 或 https:// 开头：{url}")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": key,
            "User-Agent": "spotcheck-outbox/1",
        },
    )
    token = getattr(settings, "GSXT_OUTBOX_TOKEN", "")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    timeout = float(getattr(settings, "GSXT_OUTBOX_TIMEOUT", 10))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - as above
            return Response(response.status, "")
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode("utf-8", "replace")
        return Response(exc.code, f"HTTP {exc.code} {exc.reason}: {detail}".strip())
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Response(None, f"连接失败或超时：{reason}")


def _permanent(status: int | None) -> bool:
    """A refusal that a retry cannot cure (the message itself is wrong)."""
    return status is not None and 400 <= status < 500 and status not in (408, 409, 425, 429)


def _claim(message_id: int, now: dt.datetime) -> OutboxMessage | None:
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update()
            .filter(pk=message_id, publication__task__is_practice=False)
            .first()
        )
        if message is None:
            return None
        due = message.state == OutboxState.PENDING and message.next_attempt_at <= now
        stale = (
            message.state == OutboxState.SENDING
            and message.locked_until is not None
            and message.locked_until <= now
        )
        if not (due or stale):
            return None
        timeout = float(getattr(settings, "GSXT_OUTBOX_TIMEOUT", 10))
        message.state = OutboxState.SENDING
        message.attempts += 1
        message.locked_until = now + dt.timedelta(seconds=timeout * 2 + 30)
        message.save(update_fields=["state", "attempts", "locked_until", "updated_at"])
    return message


@dataclass(frozen=True)
class Attempt:
    """What one delivery attempt did: delivered / retry / dead / skipped.

    ``retry_at`` is set when the message must be tried again (outcome ``retry``): the
    caller hands it back to the queue for that time, after the commit.
    """

    message_id: int
    outcome: str
    retry_at: dt.datetime | None = None


def outbox_attempt(*, message_id: int, now: dt.datetime | None = None) -> Attempt:
    """Send one due message once and say what came of it.

    The claim (pending → sending, with a lease) is committed before the request, so
    two workers never send the same message at once, and a worker killed mid-request
    leaves a lease that expires: the next sweep sends it again with the same
    idempotency key, which the receiver recognises.
    """
    now = now or timezone.now()
    url = getattr(settings, "GSXT_OUTBOX_URL", "")
    if not url:
        return Attempt(message_id, "skipped")
    message = _claim(message_id, now)
    if message is None:
        return Attempt(message_id, "skipped")
    body = json.dumps(message.payload, ensure_ascii=False, sort_keys=True).encode()
    response = _post(url, body, message.idempotency_key)
    return _record_outcome(message, response, now)


def outbox_deliver(*, message_id: int, now: dt.datetime | None = None) -> str:
    """Send one due message once; returns delivered / retry / dead / skipped."""
    return outbox_attempt(message_id=message_id, now=now).outcome


@transaction.atomic
def _record_outcome(claimed: OutboxMessage, response: Response, now: dt.datetime) -> Attempt:
    message = OutboxMessage.objects.select_for_update().get(pk=claimed.pk)
    if message.state != OutboxState.SENDING or message.attempts != claimed.attempts:
        return Attempt(message.pk, "skipped")  # a later claim took over after our lease ran out
    message.last_status = response.status
    message.locked_until = None
    max_attempts = int(getattr(settings, "GSXT_OUTBOX_MAX_ATTEMPTS", 8))
    # 409: the receiver already holds this idempotency key, i.e. an earlier try arrived
    if response.status is not None and (200 <= response.status < 300 or response.status == 409):
        message.state = OutboxState.DELIVERED
        message.delivered_at = now
        message.last_error = ""
        outcome = "delivered"
    elif _permanent(response.status) or message.attempts >= max_attempts:
        message.state = OutboxState.DEAD
        message.last_error = response.error or f"HTTP {response.status}"
        outcome = "dead"
    else:
        message.state = OutboxState.PENDING
        message.last_error = response.error or f"HTTP {response.status}"
        message.next_attempt_at = now + dt.timedelta(seconds=backoff_seconds(message.attempts))
        outcome = "retry"
    message.save()
    if outcome == "dead":
        audit_record(
            actor=None,
            event_type=events.OUTBOX_DEAD,
            target=message,
            data={"attempts": message.attempts, "error": message.last_error[:500]},
        )
    if outcome == "retry":
        return Attempt(message.pk, outcome, retry_at=message.next_attempt_at)
    return Attempt(message.pk, outcome)


def outbox_attempts_due(*, now: dt.datetime | None = None, limit: int = 500) -> Iterator[Attempt]:
    """Send every message that is due (or whose sender died), yielding each attempt.

    Each attempt is committed before it is yielded, so the caller may hand a message to
    be retried back to the queue at once; the cron/restart path.
    """
    now = now or timezone.now()
    if not outbox_configured():
        return
    due = (
        OutboxMessage.objects.filter(state=OutboxState.PENDING, next_attempt_at__lte=now)
        | OutboxMessage.objects.filter(state=OutboxState.SENDING, locked_until__lte=now)
    ).filter(publication__task__is_practice=False)
    for message_id in due.order_by("id").values_list("pk", flat=True)[:limit]:
        yield outbox_attempt(message_id=message_id, now=now)


def outbox_deliver_due(*, now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Send every message that is due; returns how many were delivered / retry / dead / skipped.

    Messages to be retried are left for the next sweep (``outbox_attempts_due`` yields
    them, for a caller that hands them to the queue).
    """
    counts = {"delivered": 0, "retry": 0, "dead": 0, "skipped": 0}
    for attempt in outbox_attempts_due(now=now, limit=limit):
        counts[attempt.outcome] += 1
    return counts


@transaction.atomic
def outbox_resend(*, actor: User, message: OutboxMessage) -> OutboxMessage:
    """Put a dead message back in the queue (platform admin, from the dead-letter list).

    The caller hands the message to the queue after the commit (see the module doc).
    """
    if not access_platform_for_administering(actor):
        raise PermissionDenied("只有平台管理员可以重新发送")
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if not message.can_move_to(OutboxState.PENDING) or message.state != OutboxState.DEAD:
        raise ValidationError("只有发送失败的消息可以重新发送")
    message.state = OutboxState.PENDING
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.resent_count += 1
    message.save()
    audit_record(
        actor=actor,
        event_type=events.OUTBOX_RESENT,
        target=message,
        data={"last_error": message.last_error[:500], "resent": message.resent_count},
    )
    return message
