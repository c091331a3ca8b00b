"""The lockout page says how long the account stays locked, in Chinese words."""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from django.urls import reverse

from spotcheck.accounts.models import User
from spotcheck.testing.personas import PASSWORD


def test_the_lockout_page_gives_the_wait_in_minutes(client: Client, dept_admin: User) -> None:
    # given: LOGIN_COOLOFF_MINUTES is 30 (the default)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "market_admin", "password": "x"})

    # when
    response = client.post(
        reverse("accounts:login"), {"username": "market_admin", "password": PASSWORD}
    )

    # then
    page = response.content.decode()
    assert response.status_code == 429
    assert "连续多次密码错误后将暂停登录 30 分钟。" in page
    assert "0:30:00" not in page
