"""账号管理 services: who may create and change which account, and what each change writes."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from spotcheck.accounts.choices import Role
from spotcheck.accounts.models import User
from spotcheck.accounts.services import (
    generate_initial_password,
    user_create,
    user_deactivate,
    user_reactivate,
    user_twofactor_reset,
    user_unlock,
    user_update,
)
from spotcheck.audit.models import AuditEvent
from spotcheck.testing.personas import LOGIN_BACKEND, PASSWORD, Departments
from spotcheck.twofactor.models import TotpDevice

NEW_PASSWORD = "Xinzhanghao-Mima-2026"


def _audit(event_type: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=event_type).order_by("seq"))


def _lock_password(client: Client, username: str) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": username, "password": "wrong-password"})


def test_a_department_admin_creates_an_inspector_in_its_own_department(
    dept_admin: User, departments: Departments
) -> None:
    # given / when
    user = user_create(
        actor=dept_admin,
        username="market_new",
        password=NEW_PASSWORD,
        display_name="周新",
        role=Role.INSPECTOR,
        department=departments.market,
    )

    # then
    assert (user.role, user.department, user.is_staff) == ("inspector", departments.market, False)
    assert user.check_password(NEW_PASSWORD)
    [event] = AuditEvent.objects.filter(event_type="user.created", target_id=str(user.pk))
    assert event.actor == dept_admin
    assert event.data == {
        "username": "market_new",
        "role": "inspector",
        "department": "晋州市市场监督管理局",
    }


def test_the_parent_departments_admin_creates_accounts_in_the_department_below(
    parent_dept_admin: User, departments: Departments
) -> None:
    # given / when
    user = user_create(
        actor=parent_dept_admin,
        username="market_second_admin",
        password=NEW_PASSWORD,
        display_name="吴副",
        role=Role.DEPT_ADMIN,
        department=departments.market,
    )

    # then
    assert User.objects.get(username="market_second_admin") == user


@pytest.mark.parametrize(
    ("role", "department", "error"),
    [
        ("lead_admin", "market", {"role": ["不能授予高于本人角色的角色（牵头单位管理员）"]}),
        ("auditor", "market", {"role": ["不能授予高于本人角色的角色（审计员）"]}),
        ("inspector", "police", {"department": ["只能选择本部门或下级部门"]}),
        ("inspector", None, {"department": ["只能选择本部门或下级部门"]}),
    ],
    ids=["role-above-own", "auditor", "other-department", "no-department"],
)
def test_a_department_admin_gives_no_role_above_its_own_and_no_department_outside_its_subtree(
    role: str,
    department: str | None,
    error: dict[str, list[str]],
    dept_admin: User,
    departments: Departments,
) -> None:
    # given
    users, audits = User.objects.count(), AuditEvent.objects.count()

    # when
    with pytest.raises(ValidationError) as excinfo:
        user_create(
            actor=dept_admin,
            username="refused",
            password=NEW_PASSWORD,
            display_name="不该建",
            role=role,
            department=getattr(departments, department) if department else None,
        )

    # then
    assert excinfo.value.message_dict == error
    assert (User.objects.count(), AuditEvent.objects.count()) == (users, audits)


def test_an_initial_password_must_pass_the_password_validators(
    dept_admin: User, departments: Departments
) -> None:
    # given
    users, audits = User.objects.count(), AuditEvent.objects.count()

    # when
    with pytest.raises(ValidationError) as excinfo:
        user_create(
            actor=dept_admin,
            username="weak",
            password="12345678",
            display_name="弱口令",
            role=Role.INSPECTOR,
            department=departments.market,
        )

    # then
    assert excinfo.value.message_dict == {
        "password": ["密码太短，至少需要 10 个字符。", "这个密码太常见了。", "密码只包含数字。"]
    }
    assert (User.objects.count(), AuditEvent.objects.count()) == (users, audits)


def test_a_generated_password_is_four_groups_of_four_and_passes_the_validators(
    db: None,
) -> None:
    # given / when
    passwords = {generate_initial_password() for _ in range(20)}

    # then
    assert len(passwords) == 20
    for password in passwords:
        assert re.fullmatch(r"[a-zA-Z2-9]{4}(-[a-zA-Z2-9]{4}){3}", password)
        assert not set(password) & set("01ilIoO")
        validate_password(password, User(username="someone"))


def test_changing_a_role_to_platform_admin_opens_the_maintenance_screens_and_is_audited(
    platform_admin: User, dept_admin: User
) -> None:
    # given / when
    user_update(actor=platform_admin, user=dept_admin, role=Role.PLATFORM_ADMIN, department=None)

    # then
    dept_admin.refresh_from_db()
    assert (dept_admin.role, dept_admin.is_staff, dept_admin.is_superuser) == (
        "platform_admin",
        True,
        True,
    )
    [event] = _audit("user.updated")
    assert event.actor == platform_admin
    assert event.data == {
        "changes": {
            "department": ["晋州市市场监督管理局", ""],
            "role": ["dept_admin", "platform_admin"],
        }
    }


def test_a_department_admin_may_not_move_a_user_out_of_its_subtree(
    dept_admin: User, inspector_user: User, departments: Departments
) -> None:
    # given
    audits = AuditEvent.objects.count()

    # when
    with pytest.raises(ValidationError) as excinfo:
        user_update(actor=dept_admin, user=inspector_user, department=departments.police)

    # then
    assert excinfo.value.message_dict == {"department": ["只能选择本部门或下级部门"]}
    inspector_user.refresh_from_db()
    assert inspector_user.department == departments.market
    assert AuditEvent.objects.count() == audits


def test_a_department_admin_may_not_promote_a_user_above_its_own_role(
    dept_admin: User, inspector_user: User
) -> None:
    # given
    audits = AuditEvent.objects.count()

    # when
    with pytest.raises(ValidationError) as excinfo:
        user_update(actor=dept_admin, user=inspector_user, role=Role.LEAD_ADMIN)

    # then
    assert excinfo.value.message_dict == {"role": ["不能授予高于本人角色的角色（牵头单位管理员）"]}
    assert User.objects.get(pk=inspector_user.pk).role == "inspector"
    assert AuditEvent.objects.count() == audits


def test_nobody_changes_their_own_role(platform_admin: User) -> None:
    # given
    audits = AuditEvent.objects.count()

    # when
    with pytest.raises(PermissionDenied) as excinfo:
        user_update(actor=platform_admin, user=platform_admin, role=Role.AUDITOR)

    # then
    assert str(excinfo.value) == "不能修改自己的角色或所属部门，请联系上级管理员"
    assert User.objects.get(pk=platform_admin.pk).role == "platform_admin"
    assert AuditEvent.objects.count() == audits


def test_an_account_with_a_role_above_the_admins_own_is_out_of_its_hands(
    dept_admin: User, departments: Departments
) -> None:
    # given: a lead office admin who (oddly) sits in the market department
    lead_in_market = user_create(
        actor=None,
        username="odd_lead",
        password=NEW_PASSWORD,
        display_name="错放的牵头管理员",
        role=Role.LEAD_ADMIN,
        department=departments.market,
    )
    audits = AuditEvent.objects.count()

    # when
    with pytest.raises(PermissionDenied) as excinfo:
        user_deactivate(actor=dept_admin, user=lead_in_market)

    # then
    assert str(excinfo.value) == "该账号的角色（牵头单位管理员）高于您的角色，无权管理"
    assert User.objects.get(pk=lead_in_market.pk).is_active is True
    assert AuditEvent.objects.count() == audits


def test_an_account_of_another_department_is_out_of_an_admins_hands(
    other_dept_admin: User, inspector_user: User
) -> None:
    # given
    audits = AuditEvent.objects.count()

    # when
    with pytest.raises(PermissionDenied) as excinfo:
        user_deactivate(actor=other_dept_admin, user=inspector_user)

    # then
    assert str(excinfo.value) == "该账号不属于本部门及下级部门，无权管理"
    assert User.objects.get(pk=inspector_user.pk).is_active is True
    assert AuditEvent.objects.count() == audits


def test_unlocking_lifts_the_password_lockout_and_the_right_password_signs_in_again(
    dept_admin: User, inspector_user: User
) -> None:
    # given
    _lock_password(Client(), "market_inspector")
    locked = Client().post(
        reverse("accounts:login"), {"username": "market_inspector", "password": PASSWORD}
    )
    assert locked.status_code == 429

    # when
    user_unlock(actor=dept_admin, user=inspector_user)

    # then
    response = Client().post(
        reverse("accounts:login"), {"username": "market_inspector", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert AccessAttempt.objects.filter(username="market_inspector").count() == 0
    [event] = _audit("user.unlocked")
    assert event.actor == dept_admin
    # five wrong passwords, and the right one refused during the lockout counts as well
    assert event.data == {
        "password_failures": 6,
        "twofactor_failures": 0,
        "twofactor_locked": False,
    }


def test_unlocking_clears_a_two_step_lock_and_its_count(
    platform_admin: User, dept_admin: User
) -> None:
    # given
    User.objects.filter(pk=dept_admin.pk).update(
        twofactor_failures=10, twofactor_locked_at=timezone.now()
    )

    # when
    user_unlock(actor=platform_admin, user=dept_admin)

    # then
    dept_admin.refresh_from_db()
    assert (dept_admin.twofactor_failures, dept_admin.twofactor_locked_at) == (0, None)
    [event] = _audit("user.unlocked")
    assert event.data == {
        "password_failures": 0,
        "twofactor_failures": 10,
        "twofactor_locked": True,
    }


def test_an_account_that_is_not_locked_is_not_unlocked(
    dept_admin: User, inspector_user: User
) -> None:
    # given: four failures, one short of the lockout
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        Client().post(
            reverse("accounts:login"), {"username": "market_inspector", "password": "wrong"}
        )
    audits = AuditEvent.objects.count()

    # when
    with pytest.raises(ValidationError) as excinfo:
        user_unlock(actor=dept_admin, user=inspector_user)

    # then
    assert excinfo.value.messages == ["该账号未被锁定，无需解锁"]
    assert AccessAttempt.objects.filter(username="market_inspector").count() == 1
    assert AuditEvent.objects.count() == audits


def test_deactivating_ends_the_users_session_at_once(
    dept_admin: User, inspector_user: User
) -> None:
    # given
    session = Client()
    session.force_login(inspector_user, backend=LOGIN_BACKEND)
    assert session.get(reverse("common:home")).status_code == 200

    # when
    user_deactivate(actor=dept_admin, user=inspector_user)

    # then
    assert session.get(reverse("common:home"))["Location"].startswith("/accounts/login/")
    assert User.objects.get(pk=inspector_user.pk).is_active is False
    [event] = _audit("user.deactivated")
    assert (event.actor, event.target_id) == (dept_admin, str(inspector_user.pk))


def test_nobody_deactivates_their_own_account(dept_admin: User) -> None:
    # given
    audits = AuditEvent.objects.count()

    # when
    with pytest.raises(PermissionDenied) as excinfo:
        user_deactivate(actor=dept_admin, user=dept_admin)

    # then
    assert str(excinfo.value) == "不能停用自己的账号"
    assert User.objects.get(pk=dept_admin.pk).is_active is True
    assert AuditEvent.objects.count() == audits


def test_a_reactivated_account_signs_in_again(dept_admin: User, inspector_user: User) -> None:
    # given
    user_deactivate(actor=dept_admin, user=inspector_user)

    # when
    user_reactivate(actor=dept_admin, user=inspector_user)

    # then
    response = Client().post(
        reverse("accounts:login"), {"username": "market_inspector", "password": PASSWORD}
    )
    assert response.status_code == 302
    events = AuditEvent.objects.filter(
        target_type="accounts.user", target_id=str(inspector_user.pk)
    ).order_by("seq")
    assert [e.event_type for e in events] == [
        "user.created",
        "user.deactivated",
        "user.reactivated",
    ]


def test_an_active_account_is_not_reactivated(dept_admin: User, inspector_user: User) -> None:
    # given
    audits = AuditEvent.objects.count()

    # when
    with pytest.raises(ValidationError) as excinfo:
        user_reactivate(actor=dept_admin, user=inspector_user)

    # then
    assert excinfo.value.messages == ["该账号已是启用状态"]
    assert AuditEvent.objects.count() == audits


def test_resetting_an_admins_authenticator_removes_it_and_is_audited(
    parent_dept_admin: User, dept_admin: User
) -> None:
    # given
    TotpDevice.objects.create(
        user=dept_admin, secret="JBSWY3DPEHPK3PXP", confirmed_at=timezone.now()
    )

    # when
    user_twofactor_reset(actor=parent_dept_admin, user=dept_admin)

    # then
    assert TotpDevice.objects.filter(user=dept_admin).count() == 0
    [event] = _audit("accounts.twofactor.reset")
    assert (event.actor, event.target_id) == (parent_dept_admin, str(dept_admin.pk))


@pytest.mark.parametrize("who", ["self", "no-device"])
def test_an_authenticator_reset_is_refused_for_oneself_or_without_one(
    who: str, platform_admin: User, dept_admin: User
) -> None:
    # given
    TotpDevice.objects.create(
        user=platform_admin, secret="JBSWY3DPEHPK3PXP", confirmed_at=timezone.now()
    )
    target = platform_admin if who == "self" else dept_admin
    audits = AuditEvent.objects.count()

    # when
    with pytest.raises((PermissionDenied, ValidationError)) as excinfo:
        user_twofactor_reset(actor=platform_admin, user=target)

    # then
    message = excinfo.value.messages[0] if who == "no-device" else str(excinfo.value)
    assert (
        message
        == {
            "self": "自己的验证器请在“两步验证”页面停用",
            "no-device": "该账号未设置两步验证",
        }[who]
    )
    assert TotpDevice.objects.count() == 1
    assert AuditEvent.objects.count() == audits
