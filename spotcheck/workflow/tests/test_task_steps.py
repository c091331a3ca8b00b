"""The task's named steps as services: refused with the blockers named and nothing written,
taken when clear, with the audit record and the time limits they start and end."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.tests.factories import make_task
from spotcheck.catalogue.models import InspectionItem
from spotcheck.catalogue.tests.factories import make_item
from spotcheck.deadlines.choices import DeadlineKind, DeadlineState
from spotcheck.deadlines.models import Deadline
from spotcheck.draws.ceremony import draw_abandon, draw_prepare
from spotcheck.draws.tests.factories import NOW, announced
from spotcheck.followup.models import Case
from spotcheck.followup.services import (
    case_accept_transfer,
    case_close,
    case_transfer,
    cases_open_for_record,
)
from spotcheck.inspections.choices import RecordState
from spotcheck.inspections.models import GroupMember, JointRecord
from spotcheck.publicity.services import result_publish
from spotcheck.testing.personas import Departments, Regions
from spotcheck.workflow.task_steps import (
    StepBlocked,
    task_close,
    task_finish_checking,
    task_publicise,
    task_publish,
    task_start_checking,
    task_withdraw,
)
from spotcheck.workflow.tests.step_factories import Joint, enter, settle

TRANSITIONED = "campaigns.task.transitioned"


def _moves(task: Task) -> list[tuple[str, str, str]]:
    return [
        (e.data["from"], e.data["to"], e.data.get("step", ""))
        for e in AuditEvent.objects.filter(
            event_type=TRANSITIONED, target_id=str(task.pk)
        ).order_by("id")
    ]


def _state(task: Task) -> str:
    return Task.objects.values_list("state", flat=True).get(pk=task.pk)


# ------------------------------------------------------------------------ 发布任务


@pytest.fixture
def draft(departments: Departments, regions: Regions, lead_admin: User) -> Task:
    items = [make_item(departments.lead_office, "JR-01"), make_item(departments.market, "SJ-01")]
    return make_task(
        departments,
        regions,
        lead_admin,
        [(departments.lead_office, items[:1]), (departments.market, items[1:])],
        state=TaskState.DRAFT,
    )


@time_machine.travel(dt.datetime(2026, 4, 1, 2, 0, tzinfo=dt.UTC), tick=False)
def test_a_complete_draft_within_its_window_is_published(draft: Task, lead_admin: User) -> None:
    moved = task_publish(actor=lead_admin, task=draft)

    assert moved.state == TaskState.PUBLISHED
    assert _moves(draft) == [("draft", "published", "发布任务")]


@time_machine.travel(dt.datetime(2026, 8, 3, 2, 0, tzinfo=dt.UTC), tick=False)
def test_a_draft_whose_window_is_over_needs_a_reason_that_goes_into_the_audit(
    draft: Task, lead_admin: User
) -> None:
    with pytest.raises(StepBlocked) as refused:
        task_publish(actor=lead_admin, task=draft)

    assert refused.value.blockers == [
        "检查时间已于2026年7月30日结束：如确需发布，须写明理由（至少4个字），理由记入审计日志"
    ]
    assert _state(draft) == TaskState.DRAFT
    assert _moves(draft) == []

    task_publish(actor=lead_admin, task=draft, late_reason="市政府批准延期实施")

    event = AuditEvent.objects.get(event_type=TRANSITIONED, target_id=str(draft.pk))
    assert event.data["reason"] == "市政府批准延期实施"
    assert event.data["note"] == "检查时间已过，发布理由：市政府批准延期实施"
    assert _state(draft) == TaskState.PUBLISHED


@time_machine.travel(dt.datetime(2026, 4, 1, 2, 0, tzinfo=dt.UTC), tick=False)
def test_a_draft_with_a_stopped_item_is_refused_naming_it(
    draft: Task, lead_admin: User, departments: Departments
) -> None:
    InspectionItem.objects.filter(code="SJ-01").update(is_active=False)

    with pytest.raises(StepBlocked, match="以下抽查事项已停用，须修改任务后再发布"):
        task_publish(actor=lead_admin, task=draft)

    assert _state(draft) == TaskState.DRAFT


def test_only_the_lead_office_publishes(draft: Task, dept_admin: User) -> None:
    with pytest.raises(PermissionDenied, match="只有牵头单位管理员可以“发布任务”"):
        task_publish(actor=dept_admin, task=draft, late_reason="按计划组织实施")

    assert _state(draft) == TaskState.DRAFT


# ------------------------------------------------------------------------ 撤回为草稿


def test_a_published_task_goes_back_to_draft(task: Task, lead_admin: User) -> None:
    moved = task_withdraw(actor=lead_admin, task=task)

    assert moved.state == TaskState.DRAFT
    assert _moves(task)[-1] == ("published", "draft", "撤回为草稿")


def test_a_draw_being_prepared_keeps_the_task_published(
    task: Task, lead_admin: User, dept_admin: User
) -> None:
    draw_prepare(actor=lead_admin, task=task, officials=[lead_admin, dept_admin])

    with pytest.raises(StepBlocked) as refused:
        task_withdraw(actor=lead_admin, task=task)

    assert refused.value.blockers == [
        "本任务有正在准备或待批准的抽取（第1次），须先放弃该次抽取或撤回其申请"
    ]
    assert _state(task) == TaskState.PUBLISHED


def test_a_task_whose_draw_was_announced_never_goes_back_to_draft(
    task: Task, lead_admin: User, dept_admin: User
) -> None:
    with time_machine.travel(NOW, tick=False):
        attempt, _, _ = announced(task, lead_admin, dept_admin)
        draw_abandon(actor=lead_admin, attempt=attempt, reason="承诺人因公出差无法公布秘密值")
    assert _state(task) == TaskState.PUBLISHED

    with pytest.raises(StepBlocked, match="本任务已公告过抽取（第1次）"):
        task_withdraw(actor=lead_admin, task=task)

    assert _state(task) == TaskState.PUBLISHED


# ------------------------------------------------------------------------ 开始检查


def test_a_matched_task_with_complete_groups_starts_checking(
    joint: Joint, lead_admin: User
) -> None:
    assert task_start_checking(actor=lead_admin, task=joint.task).state == TaskState.CHECKING
    assert _moves(joint.task) == [("matched", "checking", "开始检查")]


def test_a_record_without_a_group_and_a_group_of_one_are_named(
    joint: Joint, lead_admin: User
) -> None:
    JointRecord.objects.filter(pk=joint.yi.pk).update(group=None)
    GroupMember.objects.filter(group=joint.jia.group, is_leader=False).delete()

    with pytest.raises(StepBlocked) as refused:
        task_start_checking(actor=lead_admin, task=joint.task)

    assert refused.value.blockers == [
        f"以下记录表没有检查组（随机匹配时未能配齐检查人员）：{joint.yi.number}"
        f"（{joint.yi.entity.name}），须由有关部门补派执法检查人员",
        "以下检查组不足2名执法检查人员（执法人员不得少于两人）：第1组（1人）",
        f"以下记录表的检查组中没有相应部门的执法检查人员：{joint.jia.number}"
        f"（{joint.jia.entity.name}）缺晋州市公安局",
    ]
    assert _state(joint.task) == TaskState.MATCHED
    assert _moves(joint.task) == []


# ------------------------------------------------------------------------ 结束现场检查


def test_unsigned_records_keep_the_task_checking(joint: Joint, lead_admin: User) -> None:
    Task.objects.filter(pk=joint.task.pk).update(state=TaskState.CHECKING)
    settle(joint.jia, RecordState.SUBMITTED)

    with pytest.raises(StepBlocked) as refused:
        task_finish_checking(actor=lead_admin, task=joint.task)

    assert refused.value.blockers == [
        f"以下1份记录表尚未完成现场检查并签字确认：{joint.yi.number}（{joint.yi.entity.name}）"
    ]
    assert not Deadline.objects.filter(target_type="campaigns.task").exists()


def test_finishing_the_checks_starts_the_twenty_working_days(
    joint: Joint, lead_admin: User
) -> None:
    Task.objects.filter(pk=joint.task.pk).update(state=TaskState.CHECKING)
    settle(joint.jia, RecordState.SUBMITTED)
    settle(joint.yi, RecordState.RETURNED)

    moved = task_finish_checking(actor=lead_admin, task=joint.task)

    assert moved.state == TaskState.ENTERING
    limit = Deadline.objects.get(
        kind=DeadlineKind.ENTER_RESULTS, target_type="campaigns.task", target_id=str(joint.task.pk)
    )
    assert limit.state == DeadlineState.OPEN
    assert limit.department.name == "晋州市人民政府办公室"


# ------------------------------------------------------------------------ 结果公示


def _publish(record: JointRecord, codes: list[str], by: User) -> JointRecord:
    enter(record, codes, by)
    record = settle(record)
    result_publish(actor=None, record=record)
    return record


def test_a_record_not_published_by_every_department_blocks_publicising(
    joint: Joint, lead_admin: User, inspector_user: User
) -> None:
    Task.objects.filter(pk=joint.task.pk).update(state=TaskState.ENTERING)
    _publish(joint.jia, ["1"], inspector_user)
    settle(joint.yi, RecordState.SUBMITTED)

    with pytest.raises(StepBlocked) as refused:
        task_publicise(actor=lead_admin, task=joint.task)

    assert refused.value.blockers == [
        f"以下1份记录表尚未审核通过：{joint.yi.number}（{joint.yi.entity.name}）待审核"
    ]
    assert _state(joint.task) == TaskState.ENTERING


def test_publicising_ends_the_results_limit_and_stops_without_cases(
    joint: Joint, lead_admin: User, inspector_user: User
) -> None:
    Task.objects.filter(pk=joint.task.pk).update(state=TaskState.CHECKING)
    settle(joint.jia, RecordState.SUBMITTED)
    settle(joint.yi, RecordState.SUBMITTED)
    task_finish_checking(actor=lead_admin, task=joint.task)
    _publish(joint.jia, ["1"], inspector_user)
    _publish(joint.yi, ["F"], inspector_user)

    moved = task_publicise(actor=lead_admin, task=joint.task)

    assert moved.state == TaskState.PUBLICISED
    limit = Deadline.objects.get(
        kind=DeadlineKind.ENTER_RESULTS, target_type="campaigns.task", target_id=str(joint.task.pk)
    )
    assert limit.state == DeadlineState.DONE
    assert _moves(joint.task)[-1] == ("entering", "publicised", "结果公示")


def test_publicising_with_an_open_case_goes_on_into_disposal(
    joint: Joint, lead_admin: User, inspector_user: User
) -> None:
    Task.objects.filter(pk=joint.task.pk).update(state=TaskState.ENTERING)
    cases_open_for_record(actor=None, record=_publish(joint.jia, ["A", "2", "6"], inspector_user))
    _publish(joint.yi, ["1"], inspector_user)

    moved = task_publicise(actor=lead_admin, task=joint.task)

    assert moved.state == TaskState.DISPOSING
    assert _moves(joint.task)[-2:] == [
        ("entering", "publicised", "结果公示"),
        ("publicised", "disposing", "转入后续处置"),
    ]
    assert Deadline.objects.filter(
        kind=DeadlineKind.DISPOSAL,
        target_type="campaigns.task",
        target_id=str(joint.task.pk),
        state=DeadlineState.OPEN,
    ).exists()


# ------------------------------------------------------------------------ 办结


@pytest.fixture
def disposing(joint: Joint, inspector_user: User) -> list[Case]:
    Task.objects.filter(pk=joint.task.pk).update(state=TaskState.PUBLICISED)
    cases = cases_open_for_record(
        actor=None, record=_publish(joint.jia, ["A", "2", "B", "3"], inspector_user)
    )
    _publish(joint.yi, ["1"], inspector_user)
    return cases


def test_open_and_pending_cases_block_closing_by_name(
    joint: Joint, disposing: list[Case], lead_admin: User, dept_admin: User
) -> None:
    # given 甲's market case passed to the lead office, not yet accepted; the police case open
    by_department = {c.department.name: c for c in disposing}
    market = by_department["晋州市市场监督管理局"]
    police = by_department["晋州市公安局"]
    case_transfer(
        actor=dept_admin,
        case=market,
        to_department=joint.task.lead_department,
        reason="属地方金融监管职责",
    )

    # when / then
    with pytest.raises(StepBlocked) as refused:
        task_close(actor=lead_admin, task=joint.task)

    entity = joint.jia.entity.name
    assert refused.value.blockers == [
        f"以下后续处置事项已移交，尚待接收：{market.number}（{entity}，"
        "晋州市市场监督管理局移交晋州市人民政府办公室）",
        f"以下后续处置事项尚未办结或移交：{police.number}（{entity}，晋州市公安局办理中）",
    ]
    assert _state(joint.task) == TaskState.PUBLICISED


def test_a_task_closes_when_cases_are_closed_or_taken_over(
    joint: Joint,
    disposing: list[Case],
    lead_admin: User,
    dept_admin: User,
    other_dept_admin: User,
    departments: Departments,
) -> None:
    by_department = {c.department.name: c for c in disposing}
    market = by_department["晋州市市场监督管理局"]
    police = by_department["晋州市公安局"]
    case_close(actor=dept_admin, case=market, result="已责令改正", closed_on=timezone.localdate())
    case_transfer(
        actor=other_dept_admin, case=police, to_department=departments.market, reason="属食品监管"
    )
    police.refresh_from_db()
    case_accept_transfer(actor=dept_admin, case=police)

    moved = task_close(actor=lead_admin, task=joint.task)

    assert moved.state == TaskState.CLOSED
    assert _moves(joint.task)[-1] == ("publicised", "closed", "办结")
