"""退回并替补: a declared reason and a written note, a confirmation first, one row at a
time, truthful states and counts, and a warning when a stratum falls short."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task
from spotcheck.directory.models import Entity
from spotcheck.draws.ceremony import draw_reveal
from spotcheck.draws.choices import AttemptStatus, ObjectState
from spotcheck.draws.dispatch import department_claim, department_confirm, drawn_object_replace
from spotcheck.draws.matching import grouping_start
from spotcheck.draws.models import DrawnObject
from spotcheck.draws.selectors import (
    dispatched_objects,
    grouping_overview,
    replacement_counts,
    stratum_shortfalls,
)
from spotcheck.draws.storage import stored_selection
from spotcheck.draws.tests.factories import announced as _announced
from spotcheck.draws.tests.factories import drawn as _drawn
from spotcheck.testing.personas import LOGIN_BACKEND


def _stratum_c() -> tuple[str, str]:
    """The draw of the ``dispatched`` fixture (conftest.py) gives stratum C (10 entities at 10 %)
    one drawn entity and one reserve: (drawn, reserve)."""
    attempt = DrawnObject.objects.first().attempt  # type: ignore[union-attr]
    rows = [(kind, e) for stratum, kind, e in stored_selection(attempt) if stratum == "C"]
    assert [kind for kind, _e in rows] == ["selected", "reserve"]
    return rows[0][1], rows[1][1]


def _object(code: str) -> DrawnObject:
    return DrawnObject.objects.get(entity_code=code)


def _name(code: str) -> str:
    return Entity.objects.get(uscc=code).name


def _send_back(actor: User, code: str) -> DrawnObject | None:
    return drawn_object_replace(
        actor=actor,
        obj=_object(code),
        reason="cancelled",
        note="营业执照已于2026年1月注销",
        expected_state="pending",
    )


def _confirm_both(subject: Task, lead_admin: User, dept_admin: User) -> None:
    department_confirm(actor=dept_admin, task=subject)
    department_confirm(actor=lead_admin, task=subject)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user, backend=LOGIN_BACKEND)
    return client


def _url(subject: Task, code: str) -> str:
    return f"/tasks/{subject.pk}/objects/{_object(code).pk}/replace/"


# ---------------------------------------------------------------- the service


@pytest.mark.parametrize("note", ["", "   "])
def test_a_send_back_without_a_written_note_is_refused_and_nothing_is_written(
    dispatched: Task,  # noqa: F811
    dept_admin: User,
    note: str,
) -> None:
    drawn, reserve = _stratum_c()
    # given
    events = AuditEvent.objects.count()

    # when
    with pytest.raises(ValidationError) as refused:
        drawn_object_replace(
            actor=dept_admin,
            obj=_object(drawn),
            reason="cancelled",
            note=note,
            expected_state="pending",
        )

    # then
    assert refused.value.message_dict == {
        "note": ["请填写情况说明：写明核实的情况和依据（如注销日期、实地核查结果）"]
    }
    assert _object(drawn).state == ObjectState.PENDING
    assert DrawnObject.objects.count() == 5
    assert AuditEvent.objects.count() == events


def test_a_reason_the_announcement_did_not_declare_is_refused_with_the_declared_ones(
    dispatched: Task,  # noqa: F811
    dept_admin: User,
) -> None:
    drawn, reserve = _stratum_c()
    # given
    events = AuditEvent.objects.count()

    # when
    with pytest.raises(ValidationError) as refused:
        drawn_object_replace(
            actor=dept_admin,
            obj=_object(drawn),
            reason="",
            note="营业执照已注销",
            expected_state="pending",
        )

    # then
    assert refused.value.message_dict == {
        "reason": ["请选择退回理由：须为抽取公告声明的理由（已注销、已迁出、查无此户）"]
    }
    assert DrawnObject.objects.count() == 5
    assert AuditEvent.objects.count() == events


def test_a_second_send_back_of_the_same_row_is_refused_and_names_its_successor(
    dispatched: Task,  # noqa: F811
    dept_admin: User,
) -> None:
    drawn, reserve = _stratum_c()
    # given: the row was sent back once (a double click posts it twice)
    _send_back(dept_admin, drawn)
    events = AuditEvent.objects.count()

    # when
    with pytest.raises(ValidationError) as refused:
        _send_back(dept_admin, drawn)

    # then
    assert refused.value.messages == [
        f"{drawn} 已退回，由 {reserve} 替补，本次未退回。页面上的名单已过期，请刷新后核对"
    ]
    assert DrawnObject.objects.count() == 6
    assert _object(reserve).state == ObjectState.PENDING
    assert AuditEvent.objects.count() == events


def test_a_row_whose_state_differs_from_the_page_is_refused(
    dispatched: Task,  # noqa: F811
    dept_admin: User,
) -> None:
    drawn, reserve = _stratum_c()
    # given
    events = AuditEvent.objects.count()

    # when: the page showed another state than the row has now
    with pytest.raises(ValidationError, match="页面上的名单已过期"):
        drawn_object_replace(
            actor=dept_admin,
            obj=_object(drawn),
            reason="cancelled",
            note="营业执照已注销",
            expected_state="replaced",
        )

    # then
    assert _object(drawn).state == ObjectState.PENDING
    assert AuditEvent.objects.count() == events


def test_a_send_back_once_the_reserve_is_used_up_reads_withdrawn_without_successor(
    dispatched: Task,  # noqa: F811
    dept_admin: User,
) -> None:
    drawn, reserve = _stratum_c()
    # given: C's only reserve came in, then it was sent back too
    successor = _send_back(dept_admin, drawn)

    # when
    none = _send_back(dept_admin, reserve)

    # then
    assert successor is not None
    assert successor.entity_code == reserve
    assert none is None
    status = {r["object"].entity_code: r["status"] for r in dispatched_objects(dispatched)}
    assert status[drawn] == f"已退回（已替补为 {_name(reserve)}（{reserve}））"
    assert status[reserve] == "已退回（备选名单已用完，未替补）"
    assert replacement_counts(_object(drawn).attempt) == {"replaced": 1, "unreplaced": 1}


def test_a_replacement_waiting_for_confirmation_reads_as_one(
    dispatched: Task,  # noqa: F811
    dept_admin: User,
) -> None:
    drawn, reserve = _stratum_c()
    # when
    _send_back(dept_admin, drawn)

    # then
    status = {r["object"].entity_code: r["status"] for r in dispatched_objects(dispatched)}
    assert status[reserve] == f"替补对象（替 {drawn}）· 待确认"


def test_a_stratum_left_short_is_named_with_its_shortfall_and_floor(
    dispatched: Task,  # noqa: F811
    dept_admin: User,
) -> None:
    drawn, reserve = _stratum_c()
    # given
    attempt = _object(drawn).attempt
    assert stratum_shortfalls(attempt) == []

    # when
    _send_back(dept_admin, drawn)
    _send_back(dept_admin, reserve)

    # then
    assert stratum_shortfalls(attempt) == [
        "C类：抽取 1 户，现有 0 户，少 1 户（备选名单已用完）；"
        "低于该类最低抽查比例 10%要求的 1 户，差 1 户"
    ]


def test_the_task_counts_only_actual_replacements(
    dispatched: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
) -> None:
    drawn, reserve = _stratum_c()
    # given: one send-back replaced, one left without a successor
    _send_back(dept_admin, drawn)
    _send_back(dept_admin, reserve)
    _confirm_both(dispatched, lead_admin, dept_admin)
    grouping_start(actor=lead_admin, task=dispatched)
    dispatched.refresh_from_db()

    # when
    overview = grouping_overview(dispatched, lead_admin)

    # then
    assert overview is not None
    assert overview["replacements"] == {"replaced": 1, "unreplaced": 1}


# ---------------------------------------------------------------- the pages


def test_the_first_post_shows_the_incoming_reserve_entity_and_writes_nothing(
    dispatched: Task,  # noqa: F811
    dept_admin: User,
) -> None:
    drawn, reserve = _stratum_c()
    # given
    events = AuditEvent.objects.count()
    data = {"reason": "cancelled", "note": "营业执照已注销", "state": "pending"}

    # when
    response = _client(dept_admin).post(_url(dispatched, drawn), data)

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert "确认退回并替补" in page
    assert f"由 {_name(reserve)}（{reserve}） 替补：它是C类备选名单第1位" in page
    assert '<input type="hidden" name="note" value="营业执照已注销">' in page
    assert _object(drawn).state == ObjectState.PENDING
    assert DrawnObject.objects.count() == 5
    assert AuditEvent.objects.count() == events


def test_the_confirmation_says_when_no_reserve_is_left_and_the_stratum_falls_short(
    dispatched: Task,  # noqa: F811
    dept_admin: User,
) -> None:
    drawn, reserve = _stratum_c()
    # given
    _send_back(dept_admin, drawn)
    data = {"reason": "not_found", "note": "实地核查查无此户", "state": "pending"}

    # when
    page = _client(dept_admin).post(_url(dispatched, reserve), data).content.decode()

    # then
    assert "C类备选名单已用完，没有对象替补" in page
    assert "退回后C类只剩 0 户，少于抽取的 1 户；不足的数量不会自动补齐" in page
    assert _object(reserve).state == ObjectState.PENDING


def test_the_confirmed_post_sends_back_and_the_page_warns_of_the_short_stratum(
    dispatched: Task,  # noqa: F811
    dept_admin: User,
) -> None:
    drawn, reserve = _stratum_c()
    # given
    _send_back(dept_admin, drawn)
    data = {"reason": "not_found", "note": "实地核查查无此户", "state": "pending", "confirmed": "1"}

    # when
    response = _client(dept_admin).post(_url(dispatched, reserve), data, follow=True)

    # then
    page = response.content.decode()
    assert f"已退回 {reserve}；C类备选名单已用完，未替补，该类少于抽取数量" in page
    assert 'data-testid="shortfalls"' in page
    assert "C类：抽取 1 户，现有 0 户，少 1 户" in page
    assert _object(reserve).state == ObjectState.REPLACED
    task_page = _client(dept_admin).get(f"/tasks/{dispatched.pk}/").content.decode()
    assert "C类：抽取 1 户，现有 0 户，少 1 户" in task_page
    assert f"退回 {reserve}（备选名单已用完，未替补）" in task_page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "cancelled", "note": "", "state": "pending"}, "请填写情况说明"),
        ({"reason": "", "note": "营业执照已注销", "state": "pending"}, "请选择退回理由"),
        ({"reason": "cancelled", "note": "营业执照已注销", "state": ""}, "页面上的名单已过期"),
    ],
)
def test_the_form_refuses_a_missing_reason_note_or_state_even_when_confirmed(
    dispatched: Task,  # noqa: F811
    dept_admin: User,
    data: dict[str, str],
    message: str,
) -> None:
    drawn, reserve = _stratum_c()
    # given
    events = AuditEvent.objects.count()

    # when
    response = _client(dept_admin).post(
        _url(dispatched, drawn), {**data, "confirmed": "1"}, follow=True
    )

    # then
    assert message in response.content.decode()
    assert _object(drawn).state == ObjectState.PENDING
    assert DrawnObject.objects.count() == 5
    assert AuditEvent.objects.count() == events


# ---------------------------------------------------------------- other irreversible steps


def test_dispatch_without_confirmation_asks_and_does_not_dispatch(
    task: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
) -> None:
    # given
    _drawn(task, lead_admin, dept_admin)

    # when
    response = _client(lead_admin).post(f"/tasks/{task.pk}/draw/dispatch/")

    # then
    task.refresh_from_db()
    page = response.content.decode()
    assert "确认派发抽取名单" in page
    assert "把本次抽取的 5 户检查对象派发给 2 个参与部门" in page
    assert task.state == TaskState.DRAWN
    assert DrawnObject.objects.count() == 0


def test_run_without_confirmation_asks_and_does_not_draw(
    task: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
) -> None:
    # given
    attempt, s1, s2 = _announced(task, lead_admin, dept_admin)
    draw_reveal(actor=lead_admin, attempt=attempt, secret=s1)
    draw_reveal(actor=dept_admin, attempt=attempt, secret=s2)

    # when
    response = _client(lead_admin).post(f"/tasks/{task.pk}/draw/run/")

    # then
    attempt.refresh_from_db()
    assert "确认执行抽取" in response.content.decode()
    assert attempt.status == AttemptStatus.ANNOUNCED
    assert attempt.result == ""


def test_match_without_confirmation_asks_and_does_not_match(
    dispatched: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
) -> None:
    # given
    _confirm_both(dispatched, lead_admin, dept_admin)
    grouping_start(actor=lead_admin, task=dispatched)
    department_claim(actor=lead_admin, task=dispatched)
    department_claim(actor=dept_admin, task=dispatched)

    # when
    response = _client(lead_admin).post(f"/tasks/{dispatched.pk}/grouping/match/")

    # then
    dispatched.refresh_from_db()
    assert "确认随机匹配" in response.content.decode()
    assert dispatched.state == TaskState.GROUPING
    assert dispatched.records.count() == 0


def test_confirming_the_list_without_confirmation_asks_and_confirms_nothing(
    dispatched: Task,  # noqa: F811
    dept_admin: User,
) -> None:
    # when
    response = _client(dept_admin).post(f"/tasks/{dispatched.pk}/objects/confirm/")

    # then
    page = response.content.decode()
    assert "确认晋州市市场监督管理局的派发名单" in page
    assert "晋州市市场监督管理局的比对确认时限完成，确认不能撤回" in page
    assert dispatched.participants.filter(confirmed_at__isnull=False).count() == 0
