"""账号管理 pages: the list, creating an account, and the confirmed or refused actions."""

from __future__ import annotations

import re

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.testing.personas import LOGIN_BACKEND, Departments
from spotcheck.twofactor.models import TotpDevice

USERS = reverse("accounts:user_list")


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user, backend=LOGIN_BACKEND)
    return client


def _rows(content: str) -> list[str]:
    """Return the login names in the list, in order."""
    return re.findall(r'<td class="d-none d-md-table-cell code">([^<]+)</td>', content)


def test_a_department_admin_lists_the_accounts_of_its_own_department_with_their_state(
    dept_admin: User,
    inspector_user: User,
    other_inspector_user: User,
    parent_dept_admin: User,
    platform_admin: User,
) -> None:
    # given: the inspector is locked out by wrong passwords
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(
            reverse("accounts:login"), {"username": "market_inspector", "password": "wrong"}
        )

    # when
    response = _as(dept_admin).get(USERS)

    # then
    content = response.content.decode()
    assert _rows(content) == ["market_admin", "market_inspector"]
    assert content.count('data-testid="locked-badge">密码锁定</span>') == 1
    assert '<p class="text-secondary small" data-testid="result-count">共 2 个账号</p>' in content


def test_the_platform_admin_finds_the_locked_accounts_among_all(
    platform_admin: User, dept_admin: User, inspector_user: User, auditor: User
) -> None:
    # given
    User.objects.filter(pk=dept_admin.pk).update(
        twofactor_failures=10, twofactor_locked_at=timezone.now()
    )

    # when
    everyone = _as(platform_admin).get(USERS).content.decode()
    locked = _as(platform_admin).get(USERS, {"status": "locked"}).content.decode()
    searched = _as(platform_admin).get(USERS, {"q": "李检"}).content.decode()

    # then
    assert sorted(_rows(everyone)) == ["admin", "auditor", "market_admin", "market_inspector"]
    assert _rows(locked) == ["market_admin"]
    assert 'data-testid="locked-badge">验证码锁定</span>' in locked
    assert _rows(searched) == ["market_inspector"]


def test_inspectors_and_auditors_have_no_account_pages_nor_menu_entry(
    inspector_user: User, auditor: User, dept_admin: User
) -> None:
    # given / when
    statuses = [_as(u).get(USERS).status_code for u in (inspector_user, auditor)]
    menus = [
        "账号管理</a>" in _as(u).get(reverse("common:home")).content.decode()
        for u in (inspector_user, auditor, dept_admin)
    ]

    # then
    assert statuses == [404, 404]
    assert menus == [False, False, True]


def test_an_account_created_with_a_generated_password_shows_it_once_and_it_signs_in(
    dept_admin: User, departments: Departments
) -> None:
    # given
    data = {
        "username": "market_zhou",
        "display_name": "周新",
        "phone": "",
        "role": "inspector",
        "department": departments.market.pk,
        "password": "",
        "password_again": "",
    }

    # when
    response = _as(dept_admin).post(reverse("accounts:user_create"), data)

    # then
    content = response.content.decode()
    assert response.status_code == 200
    password = re.search(r'data-testid="initial-password">([^<]+)</dd>', content).group(1)  # type: ignore[union-attr]
    assert "初始密码只显示这一次" in content
    user = User.objects.get(username="market_zhou")
    assert user.check_password(password)
    assert password not in str(AuditEvent.objects.filter(event_type="user.created").values())
    signed_in = Client().post(
        reverse("accounts:login"), {"username": "market_zhou", "password": password}
    )
    assert signed_in.status_code == 302


def test_a_refused_creation_shows_the_reasons_in_chinese_and_creates_nothing(
    dept_admin: User, departments: Departments
) -> None:
    # given
    users = User.objects.count()
    data = {
        "username": "market_zhou",
        "display_name": "周新",
        "role": "inspector",
        "department": departments.police.pk,
        "password": "Zhou-Xin-2026-mima",
        "password_again": "Zhou-Xin-2026-mima",
    }

    # when
    response = _as(dept_admin).post(reverse("accounts:user_create"), data)

    # then
    assert response.status_code == 200
    assert response.context["form"].errors == {"department": ["只能选择本部门或下级部门"]}
    assert "本次未保存任何数据" in response.content.decode()
    assert User.objects.count() == users


def test_a_deactivation_without_its_confirmation_writes_nothing(
    dept_admin: User, inspector_user: User
) -> None:
    # given
    url = reverse("accounts:user_deactivate", args=[inspector_user.pk])
    audits = AuditEvent.objects.count()

    # when
    page = _as(dept_admin).get(url)
    unconfirmed = _as(dept_admin).post(url, {})

    # then
    assert "确认停用</button>" in page.content.decode()
    assert unconfirmed.status_code == 200
    assert "未执行：请在本页确认后再提交" in unconfirmed.content.decode()
    assert User.objects.get(pk=inspector_user.pk).is_active is True
    assert AuditEvent.objects.count() == audits


def test_a_confirmed_deactivation_stops_the_account(dept_admin: User, inspector_user: User) -> None:
    # given
    url = reverse("accounts:user_deactivate", args=[inspector_user.pk])

    # when
    response = _as(dept_admin).post(url, {"confirm": "1"}, follow=True)

    # then
    assert "已停用该账号" in response.content.decode()
    assert User.objects.get(pk=inspector_user.pk).is_active is False


def test_a_refused_action_is_explained_on_the_account_page(
    dept_admin: User, inspector_user: User
) -> None:
    # given
    audits = AuditEvent.objects.count()

    # when
    response = _as(dept_admin).post(
        reverse("accounts:user_unlock", args=[inspector_user.pk]), follow=True
    )

    # then
    assert response.redirect_chain == [
        (reverse("accounts:user_detail", args=[inspector_user.pk]), 302)
    ]
    assert "未执行：该账号未被锁定，无需解锁" in response.content.decode()
    assert AuditEvent.objects.count() == audits


def test_an_authenticator_is_removed_only_after_its_confirmation(
    platform_admin: User, dept_admin: User
) -> None:
    # given
    TotpDevice.objects.create(
        user=dept_admin, secret="JBSWY3DPEHPK3PXP", confirmed_at=timezone.now()
    )
    url = reverse("accounts:user_twofactor_reset", args=[dept_admin.pk])
    client = _as(platform_admin)

    # when
    detail = client.get(reverse("accounts:user_detail", args=[dept_admin.pk])).content.decode()
    unconfirmed = client.post(url, {})
    still_there = TotpDevice.objects.filter(user=dept_admin).count()
    confirmed = client.post(url, {"confirm": "1"}, follow=True)

    # then
    assert f'href="{url}">移除验证器…</a>' in detail
    assert "未执行：请在本页确认后再提交" in unconfirmed.content.decode()
    assert still_there == 1
    assert "已移除该账号的验证器" in confirmed.content.decode()
    assert TotpDevice.objects.filter(user=dept_admin).count() == 0


def test_the_edit_page_offers_only_the_roles_and_departments_the_admin_may_give(
    dept_admin: User, inspector_user: User
) -> None:
    # given / when
    form = (
        _as(dept_admin).get(reverse("accounts:user_edit", args=[inspector_user.pk])).context["form"]
    )

    # then
    assert [c[0] for c in form.fields["role"].choices] == ["dept_admin", "inspector"]
    assert [d.name for d in form.fields["department"].queryset] == ["晋州市市场监督管理局"]
