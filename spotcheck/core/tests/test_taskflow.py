from __future__ import annotations

import pytest

from spotcheck.core import taskflow
from spotcheck.core.taskflow import IllegalTransition, next_states, transition_for


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
        transition_for(taskflow.DRAFT, taskflow.PUBLISHED, "dept_admin")


def test_closed_is_final() -> None:
    assert next_states(taskflow.CLOSED, "platform_admin") == []


def test_only_the_system_or_lead_confirms() -> None:
    assert next_states(taskflow.CONFIRMING, "system") == [taskflow.CONFIRMED]
    assert next_states(taskflow.CONFIRMING, "inspector") == []


def test_announcing_needs_the_announcement_step() -> None:
    with pytest.raises(IllegalTransition, match="“已公告”须通过“抽取公告”操作完成"):
        transition_for(taskflow.PUBLISHED, taskflow.ANNOUNCED, "lead_admin")

    done = transition_for(taskflow.PUBLISHED, taskflow.ANNOUNCED, "lead_admin", step="announce")
    assert done.target == taskflow.ANNOUNCED


def test_a_step_cannot_make_a_plain_move() -> None:
    with pytest.raises(IllegalTransition, match="不是“随机抽取”操作的结果"):
        transition_for(taskflow.DRAFT, taskflow.PUBLISHED, "lead_admin", step="draw")


def test_plain_moves_from_published_exclude_the_announcement() -> None:
    assert next_states(taskflow.PUBLISHED, "lead_admin") == [taskflow.DRAFT]
