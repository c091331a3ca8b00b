"""Redraw (重新抽取) of a drawn task before matching: request, approval, refusal, and the
superseded attempt that stays visible and verifiable (docs/domain/redraw.md)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection

from spotcheck.accounts.models import User
from spotcheck.accounts.tests.factories import UserFactory
from spotcheck.audit.models import AuditEvent
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task, TaskDepartment
from spotcheck.core.draw import new_secret
from spotcheck.deadlines.services import calendar_load_bundled
from spotcheck.directory.models import Inspector
from spotcheck.directory.services import inspector_update
from spotcheck.draws.ceremony import (
    draw_abandon,
    draw_announce,
    draw_commit,
    draw_prepare,
    draw_reveal,
    draw_run,
)
from spotcheck.draws.choices import AttemptStatus, ObjectState
from spotcheck.draws.dispatch import department_claim
from spotcheck.draws.matching import grouping_start
from spotcheck.draws.models import DepartmentClaim, DrawAttempt, DrawnObject
from spotcheck.draws.outcomes import draw_bundle_files, draw_verify_stored
from spotcheck.draws.redraws import draw_redraw_approve, draw_redraw_refuse
from spotcheck.draws.tests.factories import LEAD, MARKET, NOW
from spotcheck.draws.tests.factories import confirm_all as _confirm_all
from spotcheck.draws.tests.factories import drawn as _drawn
from spotcheck.inspections.models import JointRecord
from spotcheck.testing.personas import Departments
from spotcheck.workflow.matching import task_match

ROOT = Path(__file__).resolve().parents[3]
REASON = "市场监管局执法人员名录有误：4人休假记录错误，冻结的人员库无可抽取人员"


def _request(subject: Task, lead_admin: User, dept_admin: User, approver: User) -> DrawAttempt:
    return draw_prepare(
        actor=lead_admin,
        task=subject,
        officials=[lead_admin, dept_admin],
        redraw_reason=REASON,
        approved_by=approver,
    )


def _run(attempt: DrawAttempt, lead_admin: User, dept_admin: User) -> DrawAttempt:
    """Commit, announce, reveal and draw an approved attempt, as the first one was."""
    s1, s2 = new_secret(), new_secret()
    draw_commit(actor=lead_admin, attempt=attempt, secret=s1)
    draw_commit(actor=dept_admin, attempt=attempt, secret=s2)
    draw_announce(actor=lead_admin, attempt=attempt)
    draw_reveal(actor=lead_admin, attempt=attempt, secret=s1)
    draw_reveal(actor=dept_admin, attempt=attempt, secret=s2)
    return draw_run(actor=lead_admin, attempt=attempt)


def _events(kind: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=kind).order_by("seq"))


# ---------------------------------------------------------------- request


def test_a_redraw_request_needs_a_written_reason(
    grouping: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
    auditor: User,
) -> None:
    # when
    with pytest.raises(ValidationError) as exc:
        draw_prepare(
            actor=lead_admin,
            task=grouping,
            officials=[lead_admin, dept_admin],
            redraw_reason="  ",
            approved_by=auditor,
        )

    # then
    assert exc.value.message_dict == {"redraw_reason": ["重新抽取须写明理由"]}
    assert grouping.draw_attempts.count() == 1
    assert _events("draw.redraw.requested") == []


def test_the_requester_and_his_own_role_cannot_approve(
    grouping: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
    departments: Departments,
) -> None:
    # given: a second admin of the lead office, the same role as the requester
    colleague = UserFactory(username="lead2", role="lead_admin", department=departments.lead_office)

    # when / then
    for approver in (lead_admin, colleague):
        with pytest.raises(ValidationError) as exc:
            _request(grouping, lead_admin, dept_admin, approver)
        assert exc.value.message_dict == {"approved_by": ["重新抽取须由另一角色的官员批准"]}
    assert grouping.draw_attempts.count() == 1


def test_only_the_named_approver_decides_and_only_while_of_another_role(
    grouping: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
    auditor: User,
    platform_admin: User,
) -> None:
    # given
    request = _request(grouping, lead_admin, dept_admin, auditor)

    # when: the requester, and a platform admin not named, try to approve
    for actor in (lead_admin, platform_admin):
        with pytest.raises(PermissionDenied, match="只有申请中指定的批准人（审计员）"):
            draw_redraw_approve(actor=actor, attempt=request)
    # and the named official has meanwhile become a lead office admin
    User.objects.filter(pk=auditor.pk).update(role="lead_admin")
    auditor.refresh_from_db()
    with pytest.raises(ValidationError, match="重新抽取须由另一角色的官员批准"):
        draw_redraw_approve(actor=auditor, attempt=request)

    # then
    request.refresh_from_db()
    grouping.refresh_from_db()
    assert request.status == AttemptStatus.REQUESTED
    assert grouping.state == TaskState.GROUPING
    assert grouping.draw_attempts.get(number=1).status == AttemptStatus.DRAWN
    assert _events("draw.redraw.approved") == []


def test_only_the_lead_office_asks_for_a_redraw(
    grouping: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
    auditor: User,
) -> None:
    with pytest.raises(PermissionDenied):
        _request(grouping, dept_admin, lead_admin, auditor)

    assert grouping.draw_attempts.count() == 1


def test_a_second_request_while_one_is_pending_is_refused(
    grouping: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
    auditor: User,
) -> None:
    _request(grouping, lead_admin, dept_admin, auditor)

    with pytest.raises(ValidationError, match="第2次抽取（重新抽取申请）正待审计员批准"):
        _request(grouping, lead_admin, dept_admin, auditor)

    assert grouping.draw_attempts.count() == 2
    assert len(_events("draw.redraw.requested")) == 1


def test_a_redraw_before_every_department_confirmed_is_refused(
    task: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
    auditor: User,
) -> None:
    # given: drawn, not yet dispatched
    _drawn(task, lead_admin, dept_admin)

    with pytest.raises(ValidationError, match="任务处于“已抽取”，不能申请重新抽取"):
        _request(task, lead_admin, dept_admin, auditor)

    assert task.draw_attempts.count() == 1


# ---------------------------------------------------------------- approval


def test_an_approval_supersedes_the_drawn_attempt_and_keeps_what_was_done(
    grouping: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
    auditor: User,
) -> None:
    # given: the lead office has claimed; the dispatched list had one replacement
    department_claim(actor=lead_admin, task=grouping)
    first = grouping.draw_attempts.get(number=1)
    objects_before = list(
        DrawnObject.objects.filter(attempt=first).values_list("entity_code", "state")
    )
    confirmed_at = {
        p.department.name: p.confirmed_at.isoformat()
        for p in TaskDepartment.objects.filter(task=grouping).select_related("department")
        if p.confirmed_at
    }
    request = _request(grouping, lead_admin, dept_admin, auditor)

    # when
    approved = draw_redraw_approve(actor=auditor, attempt=request)

    # then: the task is back where a new announcement is made
    grouping.refresh_from_db()
    first.refresh_from_db()
    assert grouping.state == TaskState.PUBLISHED
    assert (approved.status, approved.supersedes) == (AttemptStatus.COMMITTING, first)
    assert approved.approved_at is not None
    # the superseded attempt keeps its objects, replacement, claim and confirmations
    assert first.status == AttemptStatus.SUPERSEDED
    assert first.superseded_at is not None
    assert first.superseding() == approved
    assert (
        list(DrawnObject.objects.filter(attempt=first).values_list("entity_code", "state"))
        == objects_before
    )
    assert ObjectState.REPLACED in {s for _, s in objects_before}
    assert list(first.claims.values_list("department__name", flat=True)) == [LEAD]
    assert {c["department"]: c["confirmed_at"] for c in first.confirmations} == confirmed_at
    assert set(confirmed_at) == {LEAD, MARKET}
    # every department confirms the next dispatched list afresh
    assert not TaskDepartment.objects.filter(task=grouping, confirmed_at__isnull=False).exists()
    # the timeline: request, approval, and the move back
    (requested,) = _events("draw.redraw.requested")
    assert requested.data["redraw_reason"] == REASON
    assert requested.data["supersedes"] == 1
    (approval,) = _events("draw.redraw.approved")
    assert approval.actor == auditor
    assert (approval.data["superseded"], approval.data["claims"]) == (1, [LEAD])
    move = (
        AuditEvent.objects.filter(event_type="campaigns.task.transitioned").order_by("seq").last()
    )
    assert move is not None
    assert (move.data["from"], move.data["to"], move.actor) == ("grouping", "published", None)
    assert move.data["note"] == "经批准重新抽取，第1次抽取作废"
    assert requested.seq < approval.seq < move.seq


def test_the_superseded_attempt_still_verifies(
    grouping: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
    auditor: User,
    tmp_path: Path,
) -> None:
    # given
    draw_redraw_approve(actor=auditor, attempt=_request(grouping, lead_admin, dept_admin, auditor))
    first = grouping.draw_attempts.get(number=1)

    # when
    files = draw_bundle_files(first)
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    done = subprocess.run(  # noqa: S603 - our own script on our own files
        [sys.executable, "-I", str(ROOT / "tools" / "verify_draw.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    out = io.StringIO()
    call_command("draw_verify", grouping.number, "--attempt", "1", stdout=out)

    # then
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(files["manifest.json"])["version"] == "DRAW-v1.1"
    assert len(files["replacements.tsv"].decode().splitlines()) == 1
    assert draw_verify_stored(first) == []
    assert out.getvalue().strip() == f"复核一致：第1次抽取，种子 {first.seed}"


def test_a_double_click_on_approve_approves_once(
    confirmed: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
    auditor: User,
) -> None:
    # given: asked for while 已确认, before grouping started
    request = _request(confirmed, lead_admin, dept_admin, auditor)
    draw_redraw_approve(actor=auditor, attempt=request)

    # when
    with pytest.raises(ValidationError, match="第2次抽取的重新抽取申请已经批准，不会重复处理"):
        draw_redraw_approve(actor=auditor, attempt=request)

    # then
    assert len(_events("draw.redraw.approved")) == 1
    moves = AuditEvent.objects.filter(event_type="campaigns.task.transitioned").order_by("seq")
    assert [(m.data["from"], m.data["to"]) for m in moves if m.data["to"] == "published"] == [
        ("draft", "published"),
        ("confirmed", "published"),
    ]
    assert list(confirmed.draw_attempts.values_list("number", "status")) == [
        (1, AttemptStatus.SUPERSEDED),
        (2, AttemptStatus.COMMITTING),
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_simultaneous_approvals_approve_once_on_postgresql(
    task: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
    auditor: User,
) -> None:
    # given
    calendar_load_bundled(actor=None)
    with time_machine.travel(NOW, tick=False):
        _drawn(task, lead_admin, dept_admin)
        _confirm_all(task, lead_admin, dept_admin)
    grouping_start(actor=lead_admin, task=task)
    request = _request(task, lead_admin, dept_admin, auditor)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def click() -> None:
        barrier.wait()
        try:
            draw_redraw_approve(actor=auditor, attempt=request)
            outcomes.append("approved")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # then
    assert sorted(outcomes) == ["approved", "第2次抽取的重新抽取申请已经批准，不会重复处理"]
    assert AuditEvent.objects.filter(event_type="draw.redraw.approved").count() == 1
    task.refresh_from_db()
    assert task.state == TaskState.PUBLISHED


# ---------------------------------------------------------------- refusal and withdrawal


def test_a_refusal_needs_a_reason_is_kept_and_changes_nothing_else(
    grouping: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
    auditor: User,
) -> None:
    # given
    department_claim(actor=lead_admin, task=grouping)
    request = _request(grouping, lead_admin, dept_admin, auditor)
    with pytest.raises(ValidationError) as exc:
        draw_redraw_refuse(actor=auditor, attempt=request, reason="")
    assert exc.value.message_dict == {"reason": ["不批准须写明理由"]}

    # when
    draw_redraw_refuse(actor=auditor, attempt=request, reason="人员名录可先行更正后认领")

    # then
    request.refresh_from_db()
    grouping.refresh_from_db()
    assert (request.status, request.refused_reason) == (
        AttemptStatus.REFUSED,
        "人员名录可先行更正后认领",
    )
    assert grouping.state == TaskState.GROUPING
    assert grouping.draw_attempts.get(number=1).status == AttemptStatus.DRAWN
    assert DepartmentClaim.objects.count() == 1
    assert TaskDepartment.objects.filter(task=grouping, confirmed_at__isnull=True).count() == 0
    (refusal,) = _events("draw.redraw.refused")
    assert refusal.data == {"attempt": 2, "reason": "人员名录可先行更正后认领"}
    # a later request is a new, third attempt: the refused one stays in the record
    third = _request(grouping, lead_admin, dept_admin, auditor)
    assert third.number == 3


def test_the_lead_office_may_withdraw_a_pending_request(
    grouping: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
    auditor: User,
) -> None:
    # given
    request = _request(grouping, lead_admin, dept_admin, auditor)

    # when
    draw_abandon(actor=lead_admin, attempt=request, reason="名录核实无误，撤回")

    # then
    request.refresh_from_db()
    grouping.refresh_from_db()
    assert (request.status, request.abandoned_reason) == (
        AttemptStatus.ABANDONED,
        "名录核实无误，撤回",
    )
    assert grouping.state == TaskState.GROUPING
    with pytest.raises(ValidationError, match="已由牵头单位撤回"):
        draw_redraw_approve(actor=auditor, attempt=request)


# ---------------------------------------------------------------- matching


def test_matching_waits_while_a_redraw_request_is_pending(
    claimed: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
    auditor: User,
) -> None:
    # given
    request = _request(claimed, lead_admin, dept_admin, auditor)

    # when / then
    with pytest.raises(ValidationError, match="有待审计员批准的重新抽取申请"):
        task_match(actor=lead_admin, task=claimed)
    assert JointRecord.objects.count() == 0
    draw_redraw_refuse(actor=auditor, attempt=request, reason="不必重新抽取")
    task_match(actor=lead_admin, task=claimed)
    assert JointRecord.objects.count() == 5


def test_a_redraw_after_matching_is_refused_with_the_reason(
    claimed: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
    auditor: User,
) -> None:
    # given
    task_match(actor=lead_admin, task=claimed)

    # when / then
    with pytest.raises(ValidationError) as exc:
        _request(claimed, lead_admin, dept_admin, auditor)
    assert exc.value.messages == [
        "任务已“已匹配”，不能重新抽取：随机匹配时已按本次抽取结果生成一企一表并分配检查组，"
        "重新抽取会使这些记录失去依据。重新抽取只能在随机匹配之前（“已确认”或“编组中”）申请。"
    ]
    assert claimed.draw_attempts.count() == 1
    assert _events("draw.redraw.requested") == []


# ---------------------------------------------------------------- the way out of a stuck task


def test_a_department_without_drawable_inspectors_gets_out_through_an_approved_redraw(
    task: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
    auditor: User,
    departments: Departments,
) -> None:
    # given: every market inspector was wrongly recorded on leave when the pool was frozen
    Inspector.objects.filter(department=departments.market).update(status="leave")
    calendar_load_bundled(actor=None)
    with time_machine.travel(NOW, tick=False):
        _drawn(task, lead_admin, dept_admin)
        _confirm_all(task, lead_admin, dept_admin)
    grouping_start(actor=lead_admin, task=task)
    department_claim(actor=lead_admin, task=task)
    with pytest.raises(ValidationError) as exc:
        department_claim(actor=dept_admin, task=task)
    assert "须由牵头单位在任务页面点击“申请重新抽取”" in exc.value.messages[0]

    # when: the directory is corrected, and the redraw is asked for and approved
    for inspector in Inspector.objects.filter(department=departments.market):
        inspector_update(actor=dept_admin, inspector=inspector, values={"status": "on_duty"})
    second = draw_redraw_approve(
        actor=auditor, attempt=_request(task, lead_admin, dept_admin, auditor)
    )
    # and the normal flow runs again on a new announcement
    with time_machine.travel(NOW, tick=False):
        _run(second, lead_admin, dept_admin)
        _confirm_all(task, lead_admin, dept_admin, replace=False)
    grouping_start(actor=lead_admin, task=task)
    department_claim(actor=lead_admin, task=task)
    claim = department_claim(actor=dept_admin, task=task)
    final = task_match(actor=lead_admin, task=task)

    # then
    task.refresh_from_db()
    assert task.state == TaskState.MATCHED
    assert len(claim.certificates) == 4
    assert claim.attempt == second
    assert JointRecord.objects.filter(task=task).count() == len(final.entities) == 5
    assert list(task.draw_attempts.values_list("number", "status")) == [
        (1, AttemptStatus.SUPERSEDED),
        (2, AttemptStatus.DRAWN),
    ]
    first = task.draw_attempts.get(number=1)
    second.refresh_from_db()
    ann1 = json.loads(first.announcement)
    ann2 = json.loads(second.announcement)
    assert ann1["pool"]["root"] != ann2["pool"]["root"]  # the corrected pool was frozen
    assert first.claims.count() == 1
    assert draw_verify_stored(first) == []
    out = io.StringIO()
    call_command("draw_verify", task.number, stdout=out)
    assert out.getvalue().startswith("复核一致：第2次抽取")
