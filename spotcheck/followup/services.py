"""Writes of follow-up cases: opening, measures, transfers, closure, reopening, escalation.

Every service locks the case row (``SELECT … FOR UPDATE``), checks the version the
official saw and the state the rules allow, and only then writes the step, the audit
record and the time limit, all in one transaction.  Of two officials acting on the
same case at the same moment, the second waits for the lock and is then refused.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from spotcheck.access.gates import access_department_for_administering
from spotcheck.access.roles import Role
from spotcheck.accounts.models import Department, User
from spotcheck.accounts.selectors import writable_department_ids
from spotcheck.audit import events
from spotcheck.audit.services import audit_record
from spotcheck.core import followup as rules
from spotcheck.deadlines.choices import DeadlineKind, DeadlineState, NotificationKind
from spotcheck.deadlines.models import Deadline, Notification
from spotcheck.deadlines.services import deadline_complete, deadline_open
from spotcheck.followup.choices import CaseState, StepKind
from spotcheck.followup.evidence import MAX_FILES_PER_STEP, CheckedFile, Upload, check_upload
from spotcheck.followup.models import Case, CaseEvidence, CaseStep
from spotcheck.inspections.models import JointRecord, RecordItem

# ---------------------------------------------------------------- shared steps


def _refuse(exc: rules.CaseRuleError) -> ValidationError:
    return ValidationError(str(exc))


def _require_department(actor: User, department: Department) -> None:
    """Only an admin of the department (or above it), or the platform admin, acts for it."""
    if not access_department_for_administering(actor):
        raise PermissionDenied("只有部门管理员可以办理后续处置事项")
    allowed = writable_department_ids(actor)
    if allowed is not None and department.pk not in allowed:
        raise PermissionDenied(f"只有{department.name}可以办理这一步")


def _lock(case: Case, version: int | None) -> Case:
    locked = (
        Case.objects.select_for_update(of=("self",))
        .select_related("department", "transfer_to", "task", "entity", "item")
        .get(pk=case.pk)
    )
    if version is not None and locked.version != version:
        raise ValidationError(
            "本事项已被他人办理（当前状态："
            f"{locked.get_state_display()}），请刷新页面查看最新情况后再操作"
        )
    return locked


def _move(case: Case, action: str) -> None:
    try:
        case.state = rules.move(case.state, action)
    except rules.CaseRuleError as exc:
        raise _refuse(exc) from None


def _check_files(files: Sequence[Upload]) -> list[CheckedFile]:
    if len(files) > MAX_FILES_PER_STEP:
        raise ValidationError(f"每一步最多上传{MAX_FILES_PER_STEP}个证据文件")
    return [check_upload(f) for f in files]


def _step(
    case: Case,
    *,
    kind: str,
    actor: User | None,
    department: Department,
    note: str = "",
    measure: str = "",
    to_department: Department | None = None,
    files: Sequence[CheckedFile] = (),
) -> CaseStep:
    step = CaseStep(
        case=case,
        kind=kind,
        actor=actor,
        department=department,
        note=note,
        measure=measure,
        to_department=to_department,
    )
    step.full_clean()
    step.save()
    for checked in files:
        path = f"followup/{case.pk}/{uuid.uuid4().hex}{checked.extension}"
        evidence = CaseEvidence(
            step=step,
            name=checked.name,
            content_type=checked.content_type,
            size=len(checked.data),
            sha256=checked.sha256,
            path=path,
        )
        evidence.full_clean()
        evidence.save()
        # written inside the transaction: a failed write undoes the step
        default_storage.save(path, ContentFile(checked.data))
    return step


def _save(case: Case, fields: list[str]) -> None:
    case.version += 1
    case.full_clean()
    case.save(update_fields=[*fields, "version", "updated_at"])


def _open_deadline(case: Case, *, actor: User | None, start_event: str, start: dt.date) -> Deadline:
    return deadline_open(
        actor=actor,
        kind=DeadlineKind.DISPOSAL,
        title=f"{case.entity.name}：{case.item.name}后续处置"[:200],
        department=case.department,
        start_event=start_event,
        start_date=start,
        working_days=rules.DISPOSAL_WORKING_DAYS,
        target=case,
        target_url=f"/followup/cases/{case.pk}/",
    )


def _complete_deadline(case: Case, *, actor: User | None) -> None:
    if case.deadline_id is None:
        return
    deadline = Deadline.objects.get(pk=case.deadline_id)
    if deadline.state in (DeadlineState.OPEN, DeadlineState.OVERDUE):
        deadline_complete(actor=actor, deadline=deadline)


def _audit(case: Case, actor: User | None, event: str, **data: object) -> None:
    audit_record(
        actor=actor,
        event_type=event,
        target=case,
        data={"state": case.state, "department": case.department.name, **data},
    )


# ---------------------------------------------------------------- opening


def _needs_follow_up(item: RecordItem) -> bool:
    return any(code.needs_follow_up for code in item.result_codes.all())


@transaction.atomic
def cases_open_for_record(*, actor: User | None, record: JointRecord) -> list[Case]:
    """Open a case for every item of ``record`` whose result needs follow-up.

    Call it when a joint record's results become final (the review approves the record).
    Idempotent: an item that already has a case keeps it, so calling again after a
    re-review opens only the cases of items that newly need follow-up.  Returns the
    cases opened by this call.  The 20-working-day disposal limit runs from the day the
    problem was found: the day the item's result was entered, else today.
    """
    record = (
        JointRecord.objects.select_for_update().select_related("task", "entity").get(pk=record.pk)
    )
    items = (
        RecordItem.objects.filter(record=record, case__isnull=True)
        .select_related("department", "item")
        .prefetch_related("result_codes")
        .order_by("department__path", "item__code")
    )
    opened = []
    for item in items:
        if not _needs_follow_up(item):
            continue
        found_on = timezone.localdate(item.entered_at) if item.entered_at else timezone.localdate()
        case = Case(
            number=f"{record.number}-{item.item.code}",
            task=record.task,
            record=record,
            record_item=item,
            entity=record.entity,
            item=item.item,
            findings=item.findings,
            found_on=found_on,
            origin_department=item.department,
            department=item.department,
            holders=[item.department_id],
        )
        case.full_clean()
        case.save()
        codes = [c for c in item.result_codes.all()]
        case.result_codes.set(codes)
        case.deadline = _open_deadline(case, actor=actor, start_event="发现问题", start=found_on)
        case.save(update_fields=["deadline"])
        _step(case, kind=StepKind.OPENED, actor=actor, department=item.department)
        _audit(
            case,
            actor,
            events.CASE_OPENED,
            record=record.number,
            codes=sorted(c.code for c in codes),
            found_on=found_on.isoformat(),
            due_date=case.deadline.due_date.isoformat(),
        )
        opened.append(case)
    return opened


# ---------------------------------------------------------------- handling


@transaction.atomic
def case_record_measure(
    *,
    actor: User,
    case: Case,
    measure: str,
    note: str = "",
    files: Sequence[Upload] = (),
    version: int | None = None,
) -> Case:
    """Record a measure the holding department took (责令改正, 立案查处 …) with evidence."""
    case = _lock(case, version)
    _require_department(actor, case.department)
    _move(case, rules.MEASURE)
    try:
        rules.check_measure(measure, note)
    except rules.CaseRuleError as exc:
        raise _refuse(exc) from None
    checked = _check_files(files)
    _save(case, ["state"])
    _step(
        case,
        kind=StepKind.MEASURE,
        actor=actor,
        department=case.department,
        measure=measure,
        note=note.strip(),
        files=checked,
    )
    _audit(case, actor, events.CASE_MEASURE_RECORDED, measure=measure, files=len(checked))
    return case


@transaction.atomic
def case_transfer(
    *,
    actor: User,
    case: Case,
    to_department: Department,
    reason: str,
    files: Sequence[Upload] = (),
    version: int | None = None,
) -> Case:
    """Hand the case to the competent department; it stays with the sender until accepted."""
    case = _lock(case, version)
    _require_department(actor, case.department)
    _move(case, rules.TRANSFER)
    try:
        rules.check_transfer(
            holder=case.department_id, target=to_department.pk, holders=case.holders
        )
        text = rules.check_reason(reason, "移交")
    except rules.CaseRuleError as exc:
        raise _refuse(exc) from None
    if not to_department.is_active:
        raise ValidationError(f"{to_department.name}已停用，不能移交")
    checked = _check_files(files)
    case.transfer_to = to_department
    _save(case, ["state", "transfer_to"])
    _step(
        case,
        kind=StepKind.TRANSFER,
        actor=actor,
        department=case.department,
        note=text,
        to_department=to_department,
        files=checked,
    )
    _audit(case, actor, events.CASE_TRANSFERRED, to=to_department.name, reason=text)
    return case


@transaction.atomic
def case_accept_transfer(
    *, actor: User, case: Case, note: str = "", version: int | None = None
) -> Case:
    """The receiving department takes the case over; its own 20 working days start today."""
    case = _lock(case, version)
    receiver = case.transfer_to
    if receiver is None:
        raise ValidationError("本事项没有待接收的移交")
    _require_department(actor, receiver)
    _move(case, rules.ACCEPT)
    sender = case.department
    _complete_deadline(case, actor=actor)
    case.department = receiver
    case.transfer_to = None
    case.holders = [*case.holders, receiver.pk]
    today = timezone.localdate()
    case.deadline = _open_deadline(case, actor=actor, start_event="接收移交", start=today)
    _save(case, ["state", "department", "transfer_to", "holders", "deadline"])
    _step(case, kind=StepKind.ACCEPT, actor=actor, department=receiver, note=note.strip())
    _audit(
        case,
        actor,
        events.CASE_TRANSFER_ACCEPTED,
        sender=sender.name,
        due_date=case.deadline.due_date.isoformat(),
    )
    return case


@transaction.atomic
def case_return_transfer(
    *, actor: User, case: Case, reason: str, version: int | None = None
) -> Case:
    """The receiving department refuses the transfer with a reason; the sender keeps it."""
    case = _lock(case, version)
    receiver = case.transfer_to
    if receiver is None:
        raise ValidationError("本事项没有待接收的移交")
    _require_department(actor, receiver)
    _move(case, rules.RETURN)
    try:
        text = rules.check_reason(reason, "退回")
    except rules.CaseRuleError as exc:
        raise _refuse(exc) from None
    case.transfer_to = None
    _save(case, ["state", "transfer_to"])
    _step(
        case,
        kind=StepKind.RETURN,
        actor=actor,
        department=receiver,
        note=text,
        to_department=case.department,
    )
    _audit(case, actor, events.CASE_TRANSFER_RETURNED, by=receiver.name, reason=text)
    return case


@transaction.atomic
def case_close(
    *,
    actor: User,
    case: Case,
    result: str,
    closed_on: dt.date | None,
    files: Sequence[Upload] = (),
    version: int | None = None,
) -> Case:
    """Close the case with its disposal result and date; public measures make it public."""
    case = _lock(case, version)
    _require_department(actor, case.department)
    _move(case, rules.CLOSE)
    try:
        rules.check_closure(
            result=result, closed_on=closed_on, found_on=case.found_on, today=timezone.localdate()
        )
    except rules.CaseRuleError as exc:
        raise _refuse(exc) from None
    checked = _check_files(files)
    measures = list(case.steps.filter(kind=StepKind.MEASURE).values_list("measure", flat=True))
    _complete_deadline(case, actor=actor)
    case.disposal_result = result.strip()
    case.closed_on = closed_on
    case.is_public = rules.must_be_public(measures)
    case.closed_at = timezone.now()
    case.closed_by = actor
    _save(case, ["state", "disposal_result", "closed_on", "is_public", "closed_at", "closed_by"])
    _step(
        case,
        kind=StepKind.CLOSE,
        actor=actor,
        department=case.department,
        note=case.disposal_result,
        files=checked,
    )
    _audit(
        case,
        actor,
        events.CASE_CLOSED,
        closed_on=closed_on.isoformat() if closed_on else None,
        public=case.is_public,
    )
    return case


@transaction.atomic
def case_reopen(*, actor: User, case: Case, reason: str, version: int | None = None) -> Case:
    """Reopen a closed case, with a reason; a new 20-working-day limit starts today."""
    case = _lock(case, version)
    _require_department(actor, case.department)
    _move(case, rules.REOPEN)
    try:
        text = rules.check_reason(reason, "重新办理")
    except rules.CaseRuleError as exc:
        raise _refuse(exc) from None
    previous = {"result": case.disposal_result, "closed_on": str(case.closed_on)}
    case.disposal_result = ""
    case.closed_on = None
    case.is_public = False
    case.closed_at = None
    case.closed_by = None
    case.deadline = _open_deadline(
        case, actor=actor, start_event="重新办理", start=timezone.localdate()
    )
    _save(
        case,
        [
            "state",
            "disposal_result",
            "closed_on",
            "is_public",
            "closed_at",
            "closed_by",
            "deadline",
        ],
    )
    _step(case, kind=StepKind.REOPEN, actor=actor, department=case.department, note=text)
    _audit(case, actor, events.CASE_REOPENED, reason=text, previous=previous)
    return case


# ---------------------------------------------------------------- escalation


def _admins_above(department: Department) -> list[User]:
    """Admins of the departments above ``department`` (its path, without itself)."""
    ancestor_ids = [int(p) for p in department.path.strip("/").split("/")[:-1] if p]
    return list(
        User.objects.filter(is_active=True, role=Role.DEPT_ADMIN, department_id__in=ancestor_ids)
    )


def _lead_admins(case: Case) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, role=Role.LEAD_ADMIN, department_id=case.task.lead_department_id
        )
    )


@transaction.atomic
def cases_escalate(*, today: dt.date) -> int:
    """Tell the task's lead office and the parent departments about overdue cases.

    Runs after ``deadlines_remind`` (which marks deadlines overdue and already warns the
    department and every lead office admin); adds the parent departments' admins and
    the lead department of the task.  Idempotent: each person hears once per limit.
    Returns the number of notifications sent.
    """
    sent = 0
    overdue = (
        Case.objects.exclude(state=CaseState.CLOSED)
        .filter(deadline__state=DeadlineState.OVERDUE)
        .select_related("department", "task", "entity", "item", "deadline")
    )
    for case in overdue:
        deadline = case.deadline
        if deadline is None:  # filtered on its state; keeps the type checker informed
            continue
        recipients = {u.pk: u for u in _admins_above(case.department) + _lead_admins(case)}
        message = (
            f"后续处置超期督办：{case.department.name}办理的“{case.entity.name}"
            f"·{case.item.name}”已超过截止日期{deadline.due_date:%Y年%m月%d日}"
        )[:255]
        before = Notification.objects.filter(
            deadline=deadline, kind=NotificationKind.ESCALATED
        ).count()
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient=user,
                    deadline=deadline,
                    kind=NotificationKind.ESCALATED,
                    message=message,
                )
                for user in recipients.values()
            ],
            ignore_conflicts=True,
        )
        new = (
            Notification.objects.filter(deadline=deadline, kind=NotificationKind.ESCALATED).count()
            - before
        )
        if new:
            audit_record(
                actor=None,
                event_type=events.CASE_ESCALATED,
                target=case,
                data={"noticed_on": today.isoformat(), "notified": new},
            )
        sent += new
    return sent
