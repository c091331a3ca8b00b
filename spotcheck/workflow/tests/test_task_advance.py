"""The moves an event completes: the review that approves and publishes a task's last record
moves the task on in the same transaction, as the system, as far as the guards allow."""

from __future__ import annotations

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task
from spotcheck.deadlines.choices import DeadlineKind, DeadlineState
from spotcheck.deadlines.models import Deadline
from spotcheck.inspections.choices import ReviewDecision
from spotcheck.inspections.models import JointRecord
from spotcheck.inspections.services.entries import ItemEntry, record_entries_save
from spotcheck.inspections.services.signing import PartySignoff, record_sign
from spotcheck.inspections.tests.field_setup import signature
from spotcheck.workflow.records import record_review
from spotcheck.workflow.tests.step_factories import Joint, sid


def _fill(record: JointRecord, user: User, department: str, codes: tuple[str, ...]) -> None:
    rows = record.items.filter(department__name=department)
    entries = [
        ItemEntry(item_id=r.pk, findings="现场核查", codes=codes, notes="", base_version=None)
        for r in rows
    ]
    record_entries_save(actor=user, record=record, submission_id=sid(), entries=entries)


def _sign(record: JointRecord, user: User) -> None:
    record_sign(
        actor=user,
        record=record,
        submission_id=sid(),
        party=PartySignoff(name="张三", role="legal_rep", signature=signature()),
        member_signatures={m.pk: signature() for m in record.group.members.all()},  # type: ignore[union-attr]
    )


def _checked(
    joint: Joint, market: User, police: User, police_codes: tuple[str, ...] = ("1",)
) -> None:
    """Both records entered and signed on site: 乙 by the market, 甲 by both."""
    _fill(joint.yi, market, "晋州市市场监督管理局", ("1",))
    _sign(joint.yi, market)
    _fill(joint.jia, market, "晋州市市场监督管理局", ("1",))
    _fill(joint.jia, police, "晋州市公安局", police_codes)
    _sign(joint.jia, market)


def _system_moves(task: Task) -> list[tuple[str, str]]:
    return [
        (e.data["from"], e.data["to"])
        for e in AuditEvent.objects.filter(
            event_type="campaigns.task.transitioned", target_id=str(task.pk), actor=None
        ).order_by("id")
    ]


def _state(task: Task) -> str:
    return Task.objects.values_list("state", flat=True).get(pk=task.pk)


def test_the_last_approval_ends_the_checks_and_publicises_the_results(
    joint: Joint,
    inspector_user: User,
    other_inspector_user: User,
    dept_admin: User,
    other_dept_admin: User,
) -> None:
    # given a task being checked, both records signed
    Task.objects.filter(pk=joint.task.pk).update(state=TaskState.CHECKING)
    _checked(joint, inspector_user, other_inspector_user)

    # when 乙 is approved, and 甲 by the market only, the task waits
    record_review(actor=dept_admin, record=joint.yi, decision=ReviewDecision.APPROVED)
    record_review(actor=dept_admin, record=joint.jia, decision=ReviewDecision.APPROVED)
    assert _state(joint.task) == TaskState.ENTERING  # every record is signed: checks over

    # when the police approves 甲, the last result is published
    record_review(actor=other_dept_admin, record=joint.jia, decision=ReviewDecision.APPROVED)

    # then the task is publicised, by the system, with its results limit done
    assert _state(joint.task) == TaskState.PUBLICISED
    assert _system_moves(joint.task) == [("checking", "entering"), ("entering", "publicised")]
    limit = Deadline.objects.get(kind=DeadlineKind.ENTER_RESULTS, target_type="campaigns.task")
    assert limit.state == DeadlineState.DONE


def test_a_problem_found_takes_the_publicised_task_into_disposal(
    joint: Joint,
    inspector_user: User,
    other_inspector_user: User,
    dept_admin: User,
    other_dept_admin: User,
) -> None:
    Task.objects.filter(pk=joint.task.pk).update(state=TaskState.ENTERING)
    _checked(joint, inspector_user, other_inspector_user, police_codes=("A", "G"))
    record_review(actor=dept_admin, record=joint.yi, decision=ReviewDecision.APPROVED)
    record_review(actor=dept_admin, record=joint.jia, decision=ReviewDecision.APPROVED)

    record_review(actor=other_dept_admin, record=joint.jia, decision=ReviewDecision.APPROVED)

    assert _state(joint.task) == TaskState.DISPOSING
    assert _system_moves(joint.task) == [("entering", "publicised"), ("publicised", "disposing")]


def test_an_approval_before_the_last_record_is_signed_moves_nothing(
    joint: Joint, inspector_user: User, dept_admin: User
) -> None:
    Task.objects.filter(pk=joint.task.pk).update(state=TaskState.CHECKING)
    _fill(joint.yi, inspector_user, "晋州市市场监督管理局", ("1",))
    _sign(joint.yi, inspector_user)

    record_review(actor=dept_admin, record=joint.yi, decision=ReviewDecision.APPROVED)

    assert _state(joint.task) == TaskState.CHECKING
    assert _system_moves(joint.task) == []


def test_a_task_whose_checks_the_lead_office_has_not_started_is_not_moved(
    joint: Joint,
    inspector_user: User,
    other_inspector_user: User,
    dept_admin: User,
    other_dept_admin: User,
) -> None:
    # given the task still 已匹配 (开始检查 is the lead office's own step)
    _checked(joint, inspector_user, other_inspector_user)
    record_review(actor=dept_admin, record=joint.yi, decision=ReviewDecision.APPROVED)
    record_review(actor=dept_admin, record=joint.jia, decision=ReviewDecision.APPROVED)

    record_review(actor=other_dept_admin, record=joint.jia, decision=ReviewDecision.APPROVED)

    assert _state(joint.task) == TaskState.MATCHED
