"""The redraw on the task, draw and public pages: request, decide, and the kept attempt."""

from __future__ import annotations

import re

from django.test import Client

from spotcheck.accounts.models import User
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task
from spotcheck.draws.choices import AttemptStatus
from spotcheck.draws.forms import prepare_form
from spotcheck.testing.personas import LOGIN_BACKEND
from spotcheck.workflow.matching import task_match

REASON = "市场监管局执法人员在岗状态录入错误"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend=LOGIN_BACKEND)
    return client


def _ask(lead: Client, subject: Task, lead_admin: User, dept_admin: User, approver: User) -> str:
    response = lead.post(
        f"/tasks/{subject.pk}/draw/prepare/",
        {
            "officials": [lead_admin.pk, dept_admin.pk],
            "redraw_reason": REASON,
            "approved_by": approver.pk,
            "back": "task",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"/tasks/{subject.pk}/"
    return response.content.decode()


def test_the_lead_office_asks_on_the_task_page_and_the_named_auditor_approves_there(
    grouping: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
    auditor: User,
) -> None:
    # given
    lead, market, audit = _client(lead_admin), _client(dept_admin), _client(auditor)
    url = f"/tasks/{grouping.pk}/"
    assert 'data-testid="redraw-open"' in lead.get(url).content.decode()
    assert 'data-testid="redraw"' not in market.get(url).content.decode()

    # when the lead office asks
    page = _ask(lead, grouping, lead_admin, dept_admin, auditor)

    # then it waits for the auditor, who alone sees the buttons
    assert "已提交重新抽取申请（第2次抽取），待审计员批准" in page
    assert "待审计员登录后在任务页面或随机抽取页面批准或不批准" in page
    assert 'data-testid="redraw-withdraw"' in page
    assert 'data-testid="redraw-approve"' not in page
    assert REASON in page
    assert 'data-testid="redraw-approve"' in audit.get(url).content.decode()

    # when the market admin tries to approve, then the auditor approves
    refused = market.post(
        f"/tasks/{grouping.pk}/draw/redraw/approve/", {"back": "task"}, follow=True
    )
    assert "只有申请中指定的批准人（审计员）可以批准或不批准" in refused.content.decode()
    grouping.refresh_from_db()
    assert grouping.state == TaskState.GROUPING
    done = audit.post(f"/tasks/{grouping.pk}/draw/redraw/approve/", {"back": "task"}, follow=True)

    # then the task page shows the request, the approval and the superseded attempt
    page = done.content.decode()
    assert "已批准重新抽取：第1次抽取作废并保留，任务回到“已发布”" in page
    timeline = page[page.index('data-testid="timeline"') :]
    request_at = timeline.index(
        f"申请重新抽取（第2次抽取）：{REASON}；指定批准人 审计员；批准后第1次抽取作废"
    )
    approval_at = timeline.index("批准重新抽取（第2次抽取）：第1次抽取作废并保留")
    move_at = timeline.index("编组中 → 已发布（经批准重新抽取，第1次抽取作废）")
    assert request_at < approval_at < move_at
    attempts = page[page.index('data-testid="attempts"') :]
    assert "已作废（经批准重新抽取）" in attempts
    assert "经批准作废，由第2次抽取重新抽取" in attempts
    assert f'href="/tasks/{grouping.pk}/draw/1/bundle.zip"' in attempts
    assert 'data-testid="task-state">已发布<' in page
    # the officials of the approved attempt now commit on the draw page
    draw_page = lead.get(f"/tasks/{grouping.pk}/draw/").content.decode()
    assert f"重新抽取理由：{REASON}（批准人：审计员，" in draw_page
    assert 'data-testid="commit"' in draw_page
    bundle = lead.get(f"/tasks/{grouping.pk}/draw/1/bundle.zip")
    assert bundle.status_code == 200
    assert bundle["Content-Type"] == "application/zip"
    assert lead.get(f"/tasks/{grouping.pk}/draw/2/bundle.zip").status_code == 404


def test_the_public_page_keeps_the_superseded_attempt_and_its_bundle(
    grouping: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
    auditor: User,
    client: Client,
) -> None:
    # given
    _ask(_client(lead_admin), grouping, lead_admin, dept_admin, auditor)
    _client(auditor).post(f"/tasks/{grouping.pk}/draw/redraw/approve/")
    first = grouping.draw_attempts.get(number=1)

    # when
    page = client.get(f"/public/tasks/{grouping.pk}/").content.decode()
    bundle = client.get(f"/public/tasks/{grouping.pk}/draws/1/bundle.zip")

    # then
    assert "第1次抽取 · 已作废（经批准重新抽取）" in page
    assert re.search(rf"本次抽取作废（理由：{REASON}；批准：审计员）", page)
    assert first.seed in page
    assert f'href="/public/tasks/{grouping.pk}/draws/1/bundle.zip"' in page
    assert bundle.status_code == 200
    assert bundle["Content-Type"] == "application/zip"
    # the approved attempt is not announced yet: nothing to download, nothing public
    assert client.get(f"/public/tasks/{grouping.pk}/draws/2/bundle.zip").status_code == 404
    assert client.get(f"/public/tasks/{grouping.pk}/bundle.zip").status_code == 404
    api = client.get(f"/api/v1/public/tasks/{grouping.pk}/draws/").json()
    assert [(a["number"], a["status"]) for a in api["attempts"]] == [(1, "superseded")]
    assert api["attempts"][0]["superseded_at"] is not None
    assert api["objects"] == []  # the current list is the next attempt's, not dispatched yet


def test_a_refusal_on_the_page_needs_a_reason_and_stays_in_the_record(
    confirmed: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
    auditor: User,
) -> None:
    # given
    _ask(_client(lead_admin), confirmed, lead_admin, dept_admin, auditor)
    audit = _client(auditor)
    url = f"/tasks/{confirmed.pk}/draw/redraw/refuse/"

    # when
    empty = audit.post(url, {"reason": " ", "back": "task"}, follow=True).content.decode()
    done = audit.post(url, {"reason": "名录可先更正", "back": "task"}, follow=True)

    # then
    assert "不批准须写明理由" in empty
    page = done.content.decode()
    assert "已决定不批准重新抽取" in page
    assert "不批准理由：名录可先更正" in page
    assert "不批准重新抽取（第2次抽取）：名录可先更正" in page
    assert 'data-testid="redraw-open"' not in page  # the auditor does not organise
    confirmed.refresh_from_db()
    assert confirmed.state == TaskState.CONFIRMED
    assert list(confirmed.draw_attempts.values_list("status", flat=True)) == [
        AttemptStatus.DRAWN,
        AttemptStatus.REFUSED,
    ]
    lead_page = _client(lead_admin).get(f"/tasks/{confirmed.pk}/").content.decode()
    assert 'data-testid="redraw-open"' in lead_page  # and may ask again


def test_the_lead_office_withdraws_its_request_on_the_task_page(
    grouping: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
    auditor: User,
) -> None:
    lead = _client(lead_admin)
    _ask(lead, grouping, lead_admin, dept_admin, auditor)

    asked = lead.post(
        f"/tasks/{grouping.pk}/draw/abandon/", {"reason": "核实无误", "back": "task"}
    ).content.decode()
    assert grouping.draw_attempts.get(number=2).status == AttemptStatus.REQUESTED
    assert "确认撤回重新抽取申请" in asked
    assert "撤回第2次抽取的申请：批准人不能再批准，申请和理由保留在抽取记录中" in asked

    page = lead.post(
        f"/tasks/{grouping.pk}/draw/abandon/",
        {"reason": "核实无误", "back": "task", "confirmed": "1"},
        follow=True,
    ).content.decode()

    assert "已撤回重新抽取申请；记录保留" in page
    assert "撤回理由：核实无误" in page
    assert grouping.draw_attempts.get(number=2).status == AttemptStatus.ABANDONED


def test_the_approvers_offered_are_officials_of_another_role_who_see_the_task(
    grouping: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
    auditor: User,
    platform_admin: User,
    other_dept_admin: User,
    inspector_user: User,
) -> None:
    form = prepare_form(grouping, lead_admin)

    offered = set(form.fields["approved_by"].queryset)

    # 公安局 takes no part in this task; inspectors and the requester's own role never approve
    assert offered == {dept_admin, auditor, platform_admin}
    assert form.fields["redraw_reason"].required
    assert form.fields["approved_by"].required


def test_no_redraw_is_offered_after_matching(
    claimed: Task,  # noqa: F811
    lead_admin: User,
) -> None:
    task_match(actor=lead_admin, task=claimed)

    page = _client(lead_admin).get(f"/tasks/{claimed.pk}/").content.decode()

    assert 'data-testid="redraw"' not in page
    assert "申请重新抽取" not in page
