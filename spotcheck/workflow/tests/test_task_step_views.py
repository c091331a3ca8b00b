"""The task's steps on the task page: buttons for the lead office, greyed steps with what is
missing, one confirmation before each step, refusals in Chinese, and no bare state moves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.test import Client

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.audit.tests.text import visible_text
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.tests.factories import make_task
from spotcheck.catalogue.tests.factories import make_item
from spotcheck.inspections.models import JointRecord
from spotcheck.testing.personas import Departments, Regions
from spotcheck.workflow.tests.step_factories import Joint

AFTER_WINDOW = dt.datetime(2026, 8, 3, 2, 0, tzinfo=dt.UTC)


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


def _state(task: Task) -> str:
    return Task.objects.values_list("state", flat=True).get(pk=task.pk)


def _step_url(task: Task, step: str) -> str:
    return f"/tasks/{task.pk}/steps/{step}/"


@time_machine.travel(AFTER_WINDOW, tick=False)
def test_the_draft_page_offers_publishing_with_a_reason_and_no_bare_moves(
    draft: Task, persona_client: Callable[[str], Client]
) -> None:
    page = persona_client("lead_admin").get(f"/tasks/{draft.pk}/").content.decode()

    text = visible_text(page)
    assert "办理环节" in text
    assert "发布理由（检查时间已过，必填）" in text
    assert "检查时间已于2026年7月30日结束" in text
    assert f'action="{_step_url(draft, "publish")}"' in page
    assert "变为" not in page


def test_a_blocked_step_is_greyed_with_what_is_missing(
    joint: Joint, persona_client: Callable[[str], Client]
) -> None:
    JointRecord.objects.filter(pk=joint.yi.pk).update(group=None)

    page = persona_client("lead_admin").get(f"/tasks/{joint.task.pk}/").content.decode()

    assert 'data-step="start_checking"' in page
    assert "暂不能“开始检查”，还须：" in page
    assert f"{joint.yi.number}（{joint.yi.entity.name}）" in page
    assert f'action="{_step_url(joint.task, "start_checking")}"' not in page
    assert "变为" not in page


@pytest.mark.parametrize("persona", ["dept_admin", "auditor"])
def test_who_does_not_organise_the_task_sees_no_steps(
    joint: Joint, persona_client: Callable[[str], Client], persona: str
) -> None:
    page = persona_client(persona).get(f"/tasks/{joint.task.pk}/").content.decode()

    assert "办理环节" not in page


def test_a_step_asks_first_and_says_what_it_does(
    joint: Joint, persona_client: Callable[[str], Client]
) -> None:
    events = AuditEvent.objects.count()

    response = persona_client("lead_admin").post(_step_url(joint.task, "start_checking"))

    text = visible_text(response.content.decode())
    assert response.status_code == 200
    assert "确认开始检查" in text
    assert "各检查组按一企一表开始现场检查" in text
    assert "此操作执行后不能撤销" in text
    assert _state(joint.task) == TaskState.MATCHED
    assert AuditEvent.objects.count() == events


def test_the_confirmed_step_moves_the_task(
    joint: Joint, persona_client: Callable[[str], Client]
) -> None:
    response = persona_client("lead_admin").post(
        _step_url(joint.task, "start_checking"), {"confirmed": "1"}, follow=True
    )

    assert "已开始检查，任务现为“检查中”" in visible_text(response.content.decode())
    assert _state(joint.task) == TaskState.CHECKING


def test_a_blocked_step_is_refused_in_chinese_before_any_confirmation(
    joint: Joint, persona_client: Callable[[str], Client]
) -> None:
    JointRecord.objects.filter(pk=joint.yi.pk).update(group=None)

    response = persona_client("lead_admin").post(
        _step_url(joint.task, "start_checking"), follow=True
    )

    text = visible_text(response.content.decode())
    assert "现在不能“开始检查”，还须：以下记录表没有检查组" in text
    assert "确认开始检查" not in text
    assert _state(joint.task) == TaskState.MATCHED


@time_machine.travel(AFTER_WINDOW, tick=False)
def test_publishing_after_the_window_without_a_reason_is_refused(
    draft: Task, persona_client: Callable[[str], Client]
) -> None:
    response = persona_client("lead_admin").post(
        _step_url(draft, "publish"), {"confirmed": "1"}, follow=True
    )

    assert "须写明理由（至少4个字）" in visible_text(response.content.decode())
    assert _state(draft) == TaskState.DRAFT


@time_machine.travel(AFTER_WINDOW, tick=False)
def test_publishing_after_the_window_confirms_the_reason_and_records_it(
    draft: Task, persona_client: Callable[[str], Client]
) -> None:
    client = persona_client("lead_admin")

    asked = client.post(_step_url(draft, "publish"), {"late_reason": "市政府批准延期实施"})
    text = visible_text(asked.content.decode())
    assert "确认发布任务" in text
    assert "发布理由 市政府批准延期实施" in text
    assert "检查时间已于2026年7月30日结束；发布理由记入审计日志" in text
    assert "此操作记入审计日志" in text  # 撤回为草稿 undoes it

    done = client.post(
        _step_url(draft, "publish"),
        {"late_reason": "市政府批准延期实施", "confirmed": "1"},
        follow=True,
    )

    assert _state(draft) == TaskState.PUBLISHED
    assert "草稿 → 已发布（检查时间已过，发布理由：市政府批准延期实施）" in visible_text(
        done.content.decode()
    )


def test_an_unknown_step_or_an_outsider_gets_nothing(
    joint: Joint, persona_client: Callable[[str], Client]
) -> None:
    lead = persona_client("lead_admin")
    assert lead.post(_step_url(joint.task, "change_state"), {"confirmed": "1"}).status_code == 404
    assert lead.post(_step_url(joint.task, "dispose"), {"confirmed": "1"}).status_code == 404
    assert lead.get(_step_url(joint.task, "start_checking")).status_code == 405
    dept = persona_client("dept_admin")
    assert dept.post(_step_url(joint.task, "start_checking"), {"confirmed": "1"}).status_code == 404
    assert _state(joint.task) == TaskState.MATCHED


def test_the_old_bare_move_is_gone(joint: Joint, persona_client: Callable[[str], Client]) -> None:
    response = persona_client("lead_admin").post(
        f"/tasks/{joint.task.pk}/transition/", {"to": "checking", "confirmed": "1"}
    )

    assert response.status_code == 404
    assert _state(joint.task) == TaskState.MATCHED
