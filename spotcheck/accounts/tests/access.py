# ruff: noqa: E501  -- one row per URL, one column per persona
"""Login, logout and 账号管理, for every persona (rows of the access matrix, docs/access.md).

账号管理 is for administrators, over the accounts of their own subtree: the platform admin
every account, the lead office and department admins their own departments' and those
below.  The rows act on two accounts of 晋州市市场监督管理局: a deputy admin locked out
(password and two-step codes) with an authenticator, and an inspector who was stopped.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from spotcheck.accounts.choices import Role
from spotcheck.accounts.models import User
from spotcheck.accounts.services import user_deactivate
from spotcheck.accounts.tests.factories import UserFactory
from spotcheck.testing.access_matrix import DONE, LOGIN, NOT_FOUND, OK, Case, Request, World
from spotcheck.twofactor.models import TotpDevice

NF = NOT_FOUND


def build(w: World) -> SimpleNamespace:
    market = w.departments.market
    deputy = UserFactory(
        username="market_deputy", display_name="副局长", role=Role.DEPT_ADMIN, department=market
    )
    TotpDevice.objects.create(user=deputy, secret="JBSWY3DPEHPK3PXP", confirmed_at=timezone.now())
    AccessAttempt.objects.create(
        username=deputy.username,
        ip_address="10.0.0.1",
        user_agent="matrix",
        failures_since_start=5,
        get_data="",
        post_data="",
        http_accept="*/*",
        path_info="/accounts/login/",
    )
    User.objects.filter(pk=deputy.pk).update(
        twofactor_failures=10, twofactor_locked_at=timezone.now()
    )
    retired = UserFactory(
        username="market_retired", display_name="退休", role=Role.INSPECTOR, department=market
    )
    user_deactivate(actor=None, user=retired)
    return SimpleNamespace(deputy=deputy, retired=retired)


def _on(name: str, who: str = "deputy", method: str = "get", data: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
    def request(w: World) -> Request:
        account = getattr(w.app["accounts"], who)
        detail = reverse("accounts:user_detail", args=[account.pk])
        return Request(method, reverse(name, args=[account.pk]), data or {}, next_url=detail)

    return request


def _edit(w: World) -> dict[str, Any]:
    return {
        "display_name": "常务副局长",
        "phone": "",
        "role": "dept_admin",
        "department": w.departments.market.pk,
    }


def _weak_password(w: World) -> Request:
    data = {
        "username": "newcomer",
        "display_name": "新同事",
        "role": "inspector",
        "department": w.departments.market.pk,
        "password": "12345678",
        "password_again": "12345678",
    }
    return Request("post", reverse("accounts:user_create"), data)


def _users() -> int:
    return User.objects.count()


def _active() -> int:
    return User.objects.filter(is_active=True).count()


MANAGERS = (LOGIN, OK, OK, OK, OK, OK, NF, NF, NF)
# the market deputy and the stopped inspector: the platform, the market admin and the admin above it
OWN = (LOGIN, OK, NF, OK, NF, OK, NF, NF, NF)
OWN_DONE = (LOGIN, DONE, NF, DONE, NF, DONE, NF, NF, NF)

# fmt: off
CASES: dict[str, Case] = {
    #                                                                                                          anonymous platform lead  dept  other parent insp  other auditor
    # a signed-in user on the login page is sent on to ``next`` (where each role lands without one: test_login.py)
    "accounts:login":  Case(lambda w: Request("get", reverse("accounts:login") + "?next=" + reverse("common:home"), next_url=reverse("common:home")),     (OK,   DONE, DONE, DONE, DONE, DONE, DONE, DONE, DONE)),
    "accounts:logout": Case(lambda w: Request("post", reverse("accounts:logout"), next_url=reverse("publicity:home")), (DONE, DONE, DONE, DONE, DONE, DONE, DONE, DONE, DONE)),
    "accounts:user_list":   Case(lambda w: Request("get", reverse("accounts:user_list")), MANAGERS),
    "accounts:user_create": Case(lambda w: Request("get", reverse("accounts:user_create")), MANAGERS),
    # a password the validators refuse: the form comes back (200), nothing is created
    "accounts:user_create weak-password": Case(_weak_password, MANAGERS, _users),
    "accounts:user_detail own":  Case(_on("accounts:user_detail"), OWN),
    "accounts:user_edit own":    Case(_on("accounts:user_edit"), OWN),
    "accounts:user_edit renamed": Case(lambda w: _on("accounts:user_edit", method="post", data=_edit(w))(w), OWN_DONE),
    "accounts:user_unlock own":  Case(_on("accounts:user_unlock", method="post"), OWN_DONE, lambda: AccessAttempt.objects.count()),
    # the two confirmation pages, then their confirmed POST
    "accounts:user_twofactor_reset own":       Case(_on("accounts:user_twofactor_reset"), OWN),
    "accounts:user_twofactor_reset confirmed": Case(_on("accounts:user_twofactor_reset", method="post", data={"confirm": "1"}), OWN_DONE, lambda: TotpDevice.objects.count()),
    "accounts:user_deactivate own":            Case(_on("accounts:user_deactivate"), OWN),
    "accounts:user_deactivate confirmed":      Case(_on("accounts:user_deactivate", method="post", data={"confirm": "1"}), OWN_DONE, _active),
    "accounts:user_reactivate retired":        Case(_on("accounts:user_reactivate", who="retired", method="post"), OWN_DONE, _active),
}
# fmt: on
