"""The 检查结果告知书: issued when a joint record is approved, told to the enterprise.

Hook for the review workflow
----------------------------
When the review makes a record 已通过, the approval step (``workflow.records``) calls,
inside its transaction and after opening the follow-up cases::

    notice = result_notice_issue(actor=reviewer, record=record)
    if notice is not None and not notice.is_practice:
        transaction.on_commit(partial(result_notice_notify, notice_id=notice.pk), robust=True)

``result_notice_issue`` keeps the notice (``ResultNotice``: the approved record version and
the follow-up announced); ``result_notice_notify`` runs after the commit and tells the
enterprise's registered phone that the notice is ready (``spotcheck.common.messaging``),
auditing the send. A practice task's notice is marked 演练 and sends nothing.

The PDF is rendered from ``result_notice_context``, which reads only the notice and its
frozen record version: the same notice prints the same way every time.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import OrderedDict
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from spotcheck.accounts.models import User
from spotcheck.audit import events
from spotcheck.audit.services import audit_record
from spotcheck.catalogue.models import ResultCode
from spotcheck.common.messaging import MessageError, Sent, masked, send_message
from spotcheck.directory.models import Entity
from spotcheck.followup.models import Case
from spotcheck.inspections.models import JointRecord, RecordVersion
from spotcheck.inspections.selectors.records import joint_record_get_for_user
from spotcheck.publicity.models import ResultNotice
from spotcheck.publicity.results import describe

logger = logging.getLogger(__name__)

MESSAGE_PURPOSE = "result_notice"


# ---------------------------------------------------------------- issuing


def _approved_version(record: JointRecord) -> RecordVersion | None:
    """The frozen copy of the record as approved: its current version."""
    return (
        RecordVersion.objects.filter(record=record, number__lte=record.version)
        .order_by("-number")
        .first()
    )


def _item_results(record: JointRecord) -> dict[str, str]:
    """Each item's result in words, as the public notice words it (“发现问题待后续处理（…）”)."""
    table = {c.code: c for c in ResultCode.objects.all()}
    return {
        str(row.pk): describe([c.code for c in row.result_codes.all()], table)[1]
        for row in record.items.prefetch_related("result_codes")
    }


def _follow_ups(record: JointRecord) -> list[dict[str, Any]]:
    """The follow-up the approval opened, as the enterprise is told it."""
    cases = (
        Case.objects.filter(record=record)
        .select_related("department", "item", "deadline")
        .order_by("number")
    )
    return [
        {
            "item_id": case.record_item_id,
            "department": case.department.name,
            "item": case.item.name,
            "due_date": case.deadline.due_date.isoformat() if case.deadline else "",
        }
        for case in cases
    ]


@transaction.atomic
def result_notice_issue(*, actor: User | None, record: JointRecord) -> ResultNotice | None:
    """Issue the record's 检查结果告知书 (once; again returns the first).

    Call it when the record has become 已通过, after its follow-up cases are open. A record
    without a signed version (never the case through the field work) gets none.
    """
    existing = ResultNotice.objects.filter(record=record).first()
    if existing is not None:
        return existing
    record = JointRecord.objects.select_related("task").get(pk=record.pk)
    version = _approved_version(record)
    if version is None:
        logger.warning("record %s approved without a signed version: no result notice", record)
        return None
    notice = ResultNotice(
        record=record,
        record_version=version,
        follow_ups=_follow_ups(record),
        item_results=_item_results(record),
        is_practice=record.task.is_practice,
        issued_at=timezone.now(),
        issued_by=actor if getattr(actor, "pk", None) else None,
    )
    notice.full_clean()
    notice.save()
    audit_record(
        actor=actor,
        event_type=events.RESULT_NOTICE_ISSUED,
        target=notice,
        data={
            "record": record.number,
            "record_version": version.number,
            "follow_ups": len(notice.follow_ups),
            "is_practice": notice.is_practice,
        },
    )
    return notice


# ---------------------------------------------------------------- telling the enterprise


def registered_phone(entity: Entity) -> str:
    """The enterprise's registered phone: its liaison's, else its legal representative's."""
    return (entity.liaison_phone or entity.legal_rep_phone or "").strip()


def result_notice_message(notice: ResultNotice) -> str:
    """The short message: the enterprise's name and the task number, nothing personal."""
    task = notice.record.task
    lead = task.lead_department
    return (
        f"【{lead.short_name or lead.name}】{notice.record.entity.name}："
        f"贵单位在“双随机、一公开”联合抽查（{task.number}）中的检查结果已审核确定，"
        "检查结果告知书已生成，检查部门将向贵单位送达。"
        "对检查结果有异议的，可向作出该检查结果的部门申请更正。"
    )


def _audit_send(notice: ResultNotice, event_type: str, data: dict[str, Any]) -> None:
    with transaction.atomic():
        audit_record(actor=None, event_type=event_type, target=notice, data=data)


def result_notice_notify(*, notice_id: int) -> Sent | None:
    """Tell the enterprise that its notice is ready; audit the send.

    Runs after the commit of the approval (``transaction.on_commit``), never inside it:
    the message leaves only once the approval is final. Practice tasks send nothing.
    """
    notice = ResultNotice.objects.select_related(
        "record__entity", "record__task__lead_department"
    ).get(pk=notice_id)
    if notice.is_practice:
        return None
    phone = registered_phone(notice.record.entity)
    if not phone:
        _audit_send(notice, events.RESULT_NOTICE_MESSAGE_SKIPPED, {"record": notice.record.number})
        return None
    base = {"record": notice.record.number, "phone": masked(phone)}
    try:
        sent = send_message(
            to_phone=phone, text=result_notice_message(notice), purpose=MESSAGE_PURPOSE
        )
    except MessageError as error:
        _audit_send(notice, events.RESULT_NOTICE_MESSAGE_FAILED, {**base, "error": str(error)})
        return None
    _audit_send(
        notice,
        events.RESULT_NOTICE_MESSAGE_SENT,
        {**base, "channel": sent.backend, "message_id": sent.message.id},
    )
    return sent


# ---------------------------------------------------------------- reading and printing


def result_notice_get_for_user(user: User, record_id: int) -> ResultNotice:
    """The notice of a record the user may read (404 if none, or if the record is not theirs)."""
    record = joint_record_get_for_user(user, record_id)
    notice = (
        ResultNotice.objects.select_related("record_version", "record__task")
        .filter(record=record)
        .first()
    )
    if notice is None:
        raise Http404
    return notice


def _cn_date(value: dt.date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def _date_of(text: str) -> dt.date | None:
    """The day of a snapshot's "YYYY-MM-DD[ HH:MM]" text."""
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _sections(notice: ResultNotice, snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """The items by department, each with its findings, result and follow-up."""
    by_item = {f["item_id"]: f for f in notice.follow_ups}
    sections: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
    for item in snapshot.get("items", []):
        follow_up = by_item.get(item.get("id"))
        sections.setdefault(item["department"], []).append(
            {
                "name": item["name"],
                "findings": item.get("findings") or "未记录",
                "result": notice.item_results.get(str(item.get("id")), ""),
                "follow_up": follow_up,
                "due_text": _cn_date(_date_of(follow_up["due_date"])) if follow_up else "",
            }
        )
    return [{"department": name, "items": rows} for name, rows in sections.items()]


def result_notice_context(notice: ResultNotice) -> dict[str, Any]:
    """What the 检查结果告知书 says, from the notice and its frozen record version only."""
    snapshot = notice.record_version.snapshot
    checked = _date_of(snapshot.get("ended_at", "")) or _date_of(snapshot.get("planned_on", ""))
    return {
        "notice": notice,
        "practice": notice.is_practice,
        "number": snapshot["number"],
        "task": snapshot["task"],
        "lead_department": snapshot["lead_department"],
        "entity": snapshot["entity"],
        "members": snapshot.get("members", []),
        "checked_text": _cn_date(checked),
        "sections": _sections(notice, snapshot),
        "follow_ups": notice.follow_ups,
        "issued_text": _cn_date(timezone.localdate(notice.issued_at)),
        "version": notice.record_version.number,
    }
