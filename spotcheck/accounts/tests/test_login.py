"""Signing in: argon2 hashes, Chinese errors, and the per-account lockout (django-axes)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.test import Client
from django.urls import reverse

from config.settings import base
from spotcheck.accounts.hashers import Argon2idHasher
from spotcheck.accounts.models import User
from spotcheck.testing.personas import PASSWORD

LOGIN = reverse("accounts:login")


def _login(client: Client, username: str, password: str) -> Any:
    return client.post(LOGIN, {"username": username, "password": password})


def _signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def test_argon2id_with_owasp_parameters_is_the_first_password_hasher_outside_the_tests() -> None:
    # given / when
    first = base.PASSWORD_HASHERS[0]
    hasher = Argon2idHasher()

    # then: argon2id, at least OWASP's minimum (19 MiB, 2 passes, 1 lane)
    assert first == "spotcheck.accounts.hashers.Argon2idHasher"
    assert "$argon2id$v=19$m=19456,t=2,p=1$" in hasher.encode("口令", hasher.salt())
    assert (hasher.memory_cost, hasher.time_cost, hasher.parallelism) == (19_456, 2, 1)


def test_a_password_hashed_with_djangos_argon2_defaults_is_rehashed_at_sign_in(
    client: Client, dept_admin: User, settings: Any
) -> None:
    # given: the production hashers and a hash made with Django's heavier defaults
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS
    dept_admin.password = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    dept_admin.save(update_fields=["password"])
    assert "m=102400" in dept_admin.password

    # when
    response = _login(client, "market_admin", PASSWORD)

    # then: signed in, and the stored hash now has the platform's parameters
    assert response.status_code == 302
    dept_admin.refresh_from_db()
    assert dept_admin.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_the_lockout_is_per_account_after_the_configured_number_of_failures() -> None:
    # given / when / then: the test settings do not weaken the production lockout
    assert settings.AXES_FAILURE_LIMIT == base.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username"]


def test_the_correct_password_signs_in_and_lands_on_the_workbench(
    client: Client, dept_admin: User
) -> None:
    # given / when
    response = _login(client, "market_admin", PASSWORD)

    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("common:home")
    assert _signed_in_user_id(client) == str(dept_admin.pk)


def test_an_inspector_signs_in_and_lands_on_the_field_records(
    client: Client, inspector_user: User
) -> None:
    # given / when
    response = _login(client, "market_inspector", PASSWORD)

    # then: 现场检查, not the 工作台
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:field_home")
    assert _signed_in_user_id(client) == str(inspector_user.pk)


def test_an_inspector_with_a_next_page_goes_there(client: Client, inspector_user: User) -> None:
    # given
    wanted = reverse("directory:inspector_list")

    # when
    response = client.post(
        f"{LOGIN}?next={wanted}", {"username": "market_inspector", "password": PASSWORD}
    )

    # then
    assert response.status_code == 302
    assert response["Location"] == wanted


def test_a_signed_in_inspector_opening_the_login_page_is_sent_to_the_field_records(
    client: Client, inspector_user: User
) -> None:
    # given
    client.force_login(inspector_user)

    # when
    response = client.get(LOGIN)

    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("inspections:field_home")


def test_a_wrong_password_shows_a_chinese_error(client: Client, dept_admin: User) -> None:
    # given / when
    response = _login(client, "market_admin", "wrong-password")

    # then
    assert response.status_code == 200
    assert (
        '<div class="alert alert-danger" role="alert" id="login-error" data-testid="login-error">'
        "用户名或密码不正确。连续多次失败后账号将被暂时锁定。</div>"
    ) in response.content.decode()
    assert _signed_in_user_id(client) is None


def test_a_wrong_password_marks_both_fields_invalid_and_tied_to_the_message(
    client: Client, dept_admin: User
) -> None:
    # given / when
    response = _login(client, "market_admin", "wrong-password")

    # then: screen readers announce the fields as invalid and read the alert with them
    content = response.content.decode()
    assert content.count(' id="login-error"') == 1
    for name in ("username", "password"):
        widget = response.context["form"].fields[name].widget
        assert widget.attrs["aria-invalid"] == "true"
        assert widget.attrs["aria-describedby"] == "login-error"
        assert "is-invalid" in widget.attrs["class"].split()
    for input_id in ("id_username", "id_password"):
        assert re.search(
            '<input [^>]*aria-invalid="true" aria-describedby="login-error"'
            rf'[^>]* id="{input_id}">',
            content,
        )


def test_an_empty_login_form_ties_each_field_to_its_own_error(client: Client, db: None) -> None:
    # given / when
    response = client.post(LOGIN, {"username": "", "password": ""})

    # then: no form-level alert, so nothing points at it
    form = response.context["form"]
    assert form.fields["username"].widget.attrs["aria-describedby"] == "id_username-error"
    assert form.fields["password"].widget.attrs["aria-describedby"] == "id_password-error"
    assert ' id="login-error"' not in response.content.decode()


def test_an_empty_login_form_shows_chinese_field_errors(client: Client, db: None) -> None:
    # given / when
    response = client.post(LOGIN, {"username": "", "password": ""})

    # then
    assert response.context["form"].errors == {
        "username": ["这个字段是必填项。"],
        "password": ["这个字段是必填项。"],
    }
    assert 'data-testid="error-username">这个字段是必填项。</div>' in response.content.decode()


def test_the_login_page_is_in_chinese(client: Client, db: None) -> None:
    # given / when
    response = client.get(LOGIN)

    # then
    content = response.content.decode()
    assert response.status_code == 200
    assert "<title>登录 · spotcheck</title>" in content
    assert '<label class="form-label" for="id_username">用户名' in content
    assert '<label class="form-label" for="id_password">密码' in content


def test_after_the_failure_limit_even_the_correct_password_is_refused(
    client: Client, dept_admin: User
) -> None:
    # given
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "market_admin", "wrong-password")

    # when
    response = _login(client, "market_admin", PASSWORD)

    # then
    assert response.status_code == 429
    assert "登录失败次数过多，账号已暂时锁定" in response.content.decode()
    assert _signed_in_user_id(client) is None


def test_one_failure_below_the_limit_the_correct_password_still_signs_in(
    client: Client, dept_admin: User
) -> None:
    # given
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "market_admin", "wrong-password")

    # when
    response = _login(client, "market_admin", PASSWORD)

    # then
    assert response.status_code == 302
    assert _signed_in_user_id(client) == str(dept_admin.pk)
    assert AccessAttempt.objects.filter(username="market_admin").count() == 0  # reset on success


def test_a_locked_account_does_not_lock_a_colleague_behind_the_same_address(
    client: Client, dept_admin: User, other_dept_admin: User
) -> None:
    # given
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "market_admin", "wrong-password")

    # when
    response = _login(Client(), "police_admin", PASSWORD)

    # then
    assert response.status_code == 302
    assert response["Location"] == reverse("common:home")


@pytest.mark.parametrize("attempt", [1, 2])
def test_lockouts_do_not_carry_over_between_tests(
    attempt: int, client: Client, dept_admin: User
) -> None:
    # given: each run of this test locks the account; the other run must start clean
    assert AccessAttempt.objects.count() == 0
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "market_admin", "wrong-password")

    # when
    response = _login(client, "market_admin", PASSWORD)

    # then
    assert response.status_code == 429
