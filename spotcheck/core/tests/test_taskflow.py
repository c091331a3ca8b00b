from __future__ import annotations

import pytest

from spotcheck.core import taskflow
from spotcheck.core.taskflow import IllegalTransition, RedrawRefused, transition_for


def test_every_state_has_a_label_and_is_reachable_from_draft() -> None:
    reachable = {taskflow.DRAFT}
    frontier = [taskflow.DRAFT]
    while frontier:
        state = frontier.pop()
        for t in taskflow.TRANSITIONS:
            if t.source == state and t.target not in reachable:
                reachable.add(t.target)
                frontier.append(t.target)

    assert reachable == set(taskflow.STATE_LABELS)


def test_the_three_time_limits_of_the_plan() -> None:
    limits = {
        (t.source, t.target): t.deadline_days for t in taskflow.TRANSITIONS if t.deadline_days
    }

    assert limits == {
        (taskflow.DISPATCHED, taskflow.CONFIRMING): 2,
        (taskflow.CHECKING, taskflow.ENTERING): 20,
        (taskflow.PUBLICISED, taskflow.DISPOSING): 20,
    }


def test_skipping_a_step_is_refused_in_chinese() -> None:
    with pytest.raises(IllegalTransition, match="任务状态不能从“草稿”变为“已抽取”"):
        transition_for(taskflow.DRAFT, taskflow.DRAWN, "lead_admin")


def test_department_admin_cannot_publish_a_task() -> None:
    with pytest.raises(IllegalTransition, match="当前角色无权"):
        transition_for(taskflow.DRAFT, taskflow.PUBLISHED, "dept_admin", step="publish")


def test_closed_is_final() -> None:
    assert [t for t in taskflow.TRANSITIONS if t.source == taskflow.CLOSED] == []


def test_only_the_system_or_lead_confirms() -> None:
    done = transition_for(taskflow.CONFIRMING, taskflow.CONFIRMED, "system", step="confirm")
    assert done.target == taskflow.CONFIRMED
    with pytest.raises(IllegalTransition, match="当前角色无权"):
        transition_for(taskflow.CONFIRMING, taskflow.CONFIRMED, "inspector", step="confirm")


def test_every_move_belongs_to_a_named_step_with_a_chinese_label() -> None:
    assert [t for t in taskflow.TRANSITIONS if not t.step] == []
    assert {t.step for t in taskflow.TRANSITIONS} == set(taskflow.STEP_LABELS)


def test_a_plain_move_is_refused_and_names_the_step() -> None:
    with pytest.raises(IllegalTransition, match="“已发布”须通过“发布任务”操作完成"):
        transition_for(taskflow.DRAFT, taskflow.PUBLISHED, "lead_admin")
    with pytest.raises(IllegalTransition, match="“已办结”须通过“办结”操作完成"):
        transition_for(taskflow.DISPOSING, taskflow.CLOSED, "lead_admin")


def test_the_move_into_disposal_is_the_systems_only() -> None:
    with pytest.raises(IllegalTransition, match="当前角色无权"):
        transition_for(taskflow.PUBLICISED, taskflow.DISPOSING, "lead_admin", step="dispose")
    done = transition_for(taskflow.PUBLICISED, taskflow.DISPOSING, "system", step="dispose")
    assert done.deadline_days == 20


def test_a_step_knows_its_move_from_each_state() -> None:
    assert taskflow.step_sources("close") == {taskflow.PUBLICISED, taskflow.DISPOSING}
    close = taskflow.step_transition(taskflow.DISPOSING, "close")
    assert close is not None
    assert close.target == taskflow.CLOSED
    assert taskflow.step_transition(taskflow.DRAFT, "close") is None


def test_announcing_needs_the_announcement_step() -> None:
    with pytest.raises(IllegalTransition, match="“已公告”须通过“抽取公告”操作完成"):
        transition_for(taskflow.PUBLISHED, taskflow.ANNOUNCED, "lead_admin")

    done = transition_for(taskflow.PUBLISHED, taskflow.ANNOUNCED, "lead_admin", step="announce")
    assert done.target == taskflow.ANNOUNCED


def test_a_step_cannot_make_a_plain_move() -> None:
    with pytest.raises(IllegalTransition, match="不是“随机抽取”操作的结果"):
        transition_for(taskflow.DRAFT, taskflow.PUBLISHED, "lead_admin", step="draw")


def test_the_steps_from_published_are_withdrawing_and_announcing() -> None:
    steps = {t.step for t in taskflow.TRANSITIONS if t.source == taskflow.PUBLISHED}
    assert steps == {"withdraw", "announce"}


def test_an_approved_redraw_takes_a_drawn_task_back_to_published_before_matching() -> None:
    assert taskflow.redraw_sources() == {taskflow.CONFIRMED, taskflow.GROUPING}
    for source in (taskflow.CONFIRMED, taskflow.GROUPING):
        done = transition_for(source, taskflow.PUBLISHED, "system", step="redraw")
        assert (done.source, done.target) == (source, taskflow.PUBLISHED)


def test_the_redraw_move_is_never_a_plain_move_nor_a_persons_move() -> None:
    with pytest.raises(IllegalTransition, match="“已发布”须通过“批准重新抽取”操作完成"):
        transition_for(taskflow.GROUPING, taskflow.PUBLISHED, "lead_admin")
    with pytest.raises(IllegalTransition, match="当前角色无权"):
        transition_for(taskflow.GROUPING, taskflow.PUBLISHED, "lead_admin", step="redraw")
    with pytest.raises(IllegalTransition, match="任务状态不能从“已匹配”变为“已发布”"):
        transition_for(taskflow.MATCHED, taskflow.PUBLISHED, "system", step="redraw")
    assert taskflow.step_transition(taskflow.GROUPING, "redraw") is not None
    assert "lead_admin" not in taskflow.step_transition(taskflow.GROUPING, "redraw").actors  # type: ignore[union-attr]


@pytest.mark.parametrize("state", [taskflow.CONFIRMED, taskflow.GROUPING])
def test_a_redraw_may_be_asked_for_while_confirmed_or_grouping(state: str) -> None:
    taskflow.check_redraw_state(state)  # no error


@pytest.mark.parametrize(
    "state",
    [taskflow.MATCHED, taskflow.CHECKING, taskflow.ENTERING, taskflow.PUBLICISED, taskflow.CLOSED],
)
def test_a_redraw_after_matching_is_refused_with_the_reason(state: str) -> None:
    label = taskflow.STATE_LABELS[state]
    with pytest.raises(RedrawRefused, match=f"任务已“{label}”，不能重新抽取：.*一企一表"):
        taskflow.check_redraw_state(state)


@pytest.mark.parametrize("state", [taskflow.DRAWN, taskflow.DISPATCHED, taskflow.CONFIRMING])
def test_a_redraw_before_every_department_confirmed_is_refused(state: str) -> None:
    with pytest.raises(RedrawRefused, match="须待各部门确认派发名单"):
        taskflow.check_redraw_state(state)


@pytest.mark.parametrize(
    ("approver", "role", "message"),
    [
        ("lead", "platform_admin", "另一角色"),  # the requester approving himself
        ("lead2", "lead_admin", "另一角色"),  # a colleague of the same role
        ("insp", "inspector", "执法检查人员不能批准"),
    ],
)
def test_a_redraw_approver_must_be_another_official_of_another_role(
    approver: str, role: str, message: str
) -> None:
    with pytest.raises(RedrawRefused, match=message):
        taskflow.check_redraw_approval(
            requester="lead", requester_role="lead_admin", approver=approver, approver_role=role
        )


@pytest.mark.parametrize("role", ["platform_admin", "dept_admin", "auditor"])
def test_an_official_of_another_role_may_approve_a_redraw(role: str) -> None:
    taskflow.check_redraw_approval(
        requester="lead", requester_role="lead_admin", approver="other", approver_role=role
    )
