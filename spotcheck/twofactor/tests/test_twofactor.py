"""Optional TOTP second step for administrators."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from spotcheck.accounts.models import User
from spotcheck.accounts.services import user_unlock
from spotcheck.api.services import api_token_issue
from spotcheck.audit.models import AuditEvent
from spotcheck.testing.personas import LOGIN_BACKEND, PASSWORD
from spotcheck.twofactor.models import TotpDevice
from spotcheck.twofactor.services import totp_active, totp_begin, totp_confirm

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 2, 1, 0, 5, tzinfo=dt.UTC)
HOME = reverse("common:home")
VERIFY = reverse("twofactor:verify")


def _code(device: TotpDevice, at: dt.datetime = NOW) -> str:
    return pyotp.TOTP(device.secret).at(at)


def _enrolled(user: User) -> TotpDevice:
    device = totp_begin(actor=user)
    with time_machine.travel(NOW - dt.timedelta(minutes=5), tick=False):
        totp_confirm(actor=user, code=_code(device, NOW - dt.timedelta(minutes=5)))
    device.refresh_from_db()
    return device


def _signed_in(user: User) -> Client:
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


@pytest.fixture(autouse=True)
def _frozen() -> object:
    """Codes depend on the clock: every test runs at NOW unless it moves on itself."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def test_an_admin_enrols_by_typing_the_code_the_app_shows(dept_admin: User) -> None:
    # given
    client = Client()
    client.force_login(dept_admin, backend=LOGIN_BACKEND)
    client.post(reverse("twofactor:begin"))
    device = TotpDevice.objects.get(user=dept_admin)

    # when
    response = client.post(reverse("twofactor:confirm"), {"code": _code(device)})

    # then
    assert response.status_code == 302
    assert totp_active(dept_admin)
    assert list(
        AuditEvent.objects.filter(event_type__startswith="accounts.twofactor")
        .order_by("seq")
        .values_list("event_type", flat=True)
    ) == ["accounts.twofactor.started", "accounts.twofactor.enabled"]
    assert "两步验证已启用" in client.get(reverse("twofactor:settings")).content.decode()


def test_a_wrong_code_does_not_enable_it(dept_admin: User) -> None:
    # given
    client = Client()
    client.force_login(dept_admin, backend=LOGIN_BACKEND)
    client.post(reverse("twofactor:begin"))

    # when
    response = client.post(reverse("twofactor:confirm"), {"code": "12345x"}, follow=True)

    # then
    assert not totp_active(dept_admin)
    assert "验证码不正确" in response.content.decode()


def test_after_the_password_every_page_waits_for_the_code(dept_admin: User) -> None:
    # given
    device = _enrolled(dept_admin)
    client = _signed_in(dept_admin)

    # when
    blocked = client.get(reverse("directory:entity_list"))
    verified = client.post(
        VERIFY, {"code": _code(device), "next": reverse("directory:entity_list")}
    )
    page = client.get(reverse("directory:entity_list"))

    # then
    assert blocked.status_code == 302
    assert blocked["Location"] == f"{VERIFY}?next=/directory/entities/"
    assert verified["Location"] == "/directory/entities/"
    assert page.status_code == 200


def test_a_code_is_accepted_once_only(dept_admin: User) -> None:
    # given
    device = _enrolled(dept_admin)
    first, second = _signed_in(dept_admin), _signed_in(dept_admin)
    first.post(VERIFY, {"code": _code(device)})

    # when
    replay = second.post(VERIFY, {"code": _code(device)})

    # then
    assert replay.status_code == 200
    assert "验证码不正确（还可尝试 4 次）" in replay.content.decode()
    assert second.get(HOME)["Location"] == f"{VERIFY}?next=/workbench/"


def test_a_wrong_code_marks_the_code_box_invalid_and_tied_to_its_error(dept_admin: User) -> None:
    # given
    _enrolled(dept_admin)
    client = _signed_in(dept_admin)

    # when
    response = client.post(VERIFY, {"code": "000000"})

    # then
    html = response.content.decode()
    attrs = response.context["form"].fields["code"].widget.attrs
    assert attrs["aria-invalid"] == "true"
    assert attrs["aria-describedby"] == "id_code-error"
    assert attrs["class"] == "form-control is-invalid"
    assert '<div class="invalid-feedback d-block" id="id_code-error"' in html
    assert client.get(HOME)["Location"] == f"{VERIFY}?next=/workbench/"


def test_five_wrong_codes_sign_the_user_out(dept_admin: User) -> None:
    # given
    _enrolled(dept_admin)
    client = _signed_in(dept_admin)

    # when
    responses = [client.post(VERIFY, {"code": "000000"}) for _ in range(5)]

    # then
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 302]
    assert responses[-1]["Location"] == reverse("accounts:login")
    assert client.get(HOME)["Location"].startswith("/accounts/login/")
    assert AuditEvent.objects.filter(event_type="accounts.twofactor.failed").count() == 5


def test_the_code_page_does_not_send_users_to_another_site(dept_admin: User) -> None:
    # given
    device = _enrolled(dept_admin)
    client = _signed_in(dept_admin)

    # when
    response = client.post(VERIFY, {"code": _code(device), "next": "https://evil.example/"})

    # then
    assert response["Location"] == "/workbench/"


def test_an_api_token_is_not_held_up_by_the_second_step(dept_admin: User) -> None:
    # given
    _enrolled(dept_admin)
    _token, key = api_token_issue(actor=None, user=dept_admin, name="业务系统")

    # when
    response = Client(headers={"Authorization": f"Token {key}"}).get(reverse("api:task_list"))

    # then
    assert response.status_code == 200


def test_inspectors_and_auditors_have_no_second_step_page(
    inspector_user: User, auditor: User
) -> None:
    # given / when
    statuses = []
    for user in (inspector_user, auditor):
        client = Client()
        client.force_login(user, backend=LOGIN_BACKEND)
        statuses.append(client.get(reverse("twofactor:settings")).status_code)
        statuses.append(client.post(reverse("twofactor:begin")).status_code)

    # then
    assert statuses == [404, 404, 404, 404]
    assert TotpDevice.objects.count() == 0


def test_disabling_needs_a_current_code(dept_admin: User) -> None:
    # given
    device = _enrolled(dept_admin)
    client = Client()
    client.force_login(dept_admin, backend=LOGIN_BACKEND)
    client.post(VERIFY, {"code": _code(device)})

    # when
    with time_machine.travel(NOW + dt.timedelta(seconds=30), tick=False):
        refused = client.post(reverse("twofactor:disable"), {"code": "000000"}, follow=True)
        still_on = totp_active(dept_admin)
        client.post(
            reverse("twofactor:disable"), {"code": _code(device, NOW + dt.timedelta(seconds=30))}
        )

    # then
    assert "验证码不正确，两步验证未停用" in refused.content.decode()
    assert still_on is True
    assert TotpDevice.objects.filter(user=dept_admin).count() == 0


def test_the_reset_command_removes_a_lost_authenticator(dept_admin: User, capsys: object) -> None:
    # given
    from django.core.management import call_command

    _enrolled(dept_admin)

    # when
    call_command("twofactor_reset", "market_admin")

    # then
    assert not totp_active(User.objects.get(pk=dept_admin.pk))
    assert AuditEvent.objects.filter(event_type="accounts.twofactor.reset").count() == 1
    assert _signed_in(dept_admin).get(HOME).status_code == 200


# --------------------------------------------------------------------------- lockout

LOGIN = reverse("accounts:login")
LOCKED = (
    "账号已锁定：两步验证码连续错误 10 次。"
    "请联系平台管理员或晋州市市场监督管理局的管理员在“账号管理”中解锁。"
)


def _wrong(device: TotpDevice) -> str:
    """Return a code that is wrong now (not the code of this step or the ones beside it)."""
    right = {_code(device, NOW + dt.timedelta(seconds=s)) for s in (-30, 0, 30)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


def test_twenty_wrong_codes_over_four_sign_ins_end_with_the_account_locked(
    dept_admin: User,
) -> None:
    # given
    wrong = _wrong(_enrolled(dept_admin))
    seen = []

    # when: four sign-ins with the right password, five wrong codes after each
    for _ in range(4):
        client = Client()
        login = client.post(LOGIN, {"username": "market_admin", "password": PASSWORD})
        codes = [client.post(VERIFY, {"code": wrong}) for _ in range(5)]
        seen.append((login.status_code, [r.status_code for r in codes], codes[-1]["Location"]))

    # then: the tenth wrong code in a row locks the account; later sign-ins are refused
    anonymous = f"{LOGIN}?next={VERIFY}"
    assert seen == [
        (302, [200, 200, 200, 200, 302], LOGIN),
        (302, [200, 200, 200, 200, 302], LOGIN),
        (200, [302, 302, 302, 302, 302], anonymous),
        (200, [302, 302, 302, 302, 302], anonymous),
    ]
    dept_admin.refresh_from_db()
    assert dept_admin.twofactor_failures == 10
    assert dept_admin.twofactor_locked_at == NOW
    assert AuditEvent.objects.filter(event_type="accounts.twofactor.failed").count() == 10
    [locked] = AuditEvent.objects.filter(event_type="accounts.twofactor.locked")
    assert locked.data == {"failures": 10}


def test_a_locked_user_is_told_whom_to_ask_even_with_the_right_password(
    dept_admin: User,
) -> None:
    # given
    _enrolled(dept_admin)
    User.objects.filter(pk=dept_admin.pk).update(twofactor_failures=10, twofactor_locked_at=NOW)

    # when
    response = Client().post(LOGIN, {"username": "market_admin", "password": PASSWORD})

    # then
    assert response.status_code == 200
    assert (
        '<div class="alert alert-danger" role="alert" id="login-error" '
        f'data-testid="login-error">{LOCKED}</div>'
    ) in response.content.decode()
    assert response.wsgi_request.user.is_authenticated is False


def test_the_tenth_wrong_code_signs_out_with_the_lock_message(dept_admin: User) -> None:
    # given: nine wrong codes over two earlier sign-ins
    device = _enrolled(dept_admin)
    User.objects.filter(pk=dept_admin.pk).update(twofactor_failures=9)
    client = _signed_in(dept_admin)

    # when
    response = client.post(VERIFY, {"code": _wrong(device)}, follow=True)

    # then
    assert response.redirect_chain == [(LOGIN, 302)]
    assert f'<div class="alert alert-danger" role="alert">{LOCKED}</div>' in (
        response.content.decode()
    )
    assert client.get(HOME)["Location"].startswith(LOGIN)


def test_a_locked_account_has_even_its_right_code_refused(dept_admin: User) -> None:
    # given: a second sign-in waits at the code page while wrong codes lock the account
    device = _enrolled(dept_admin)
    waiting = _signed_in(dept_admin)
    User.objects.filter(pk=dept_admin.pk).update(twofactor_failures=10, twofactor_locked_at=NOW)
    audits = AuditEvent.objects.count()

    # when
    response = waiting.post(VERIFY, {"code": _code(device)})

    # then
    assert response["Location"] == LOGIN
    assert waiting.get(HOME)["Location"].startswith(LOGIN)
    assert TotpDevice.objects.get(pk=device.pk).last_step == device.last_step
    assert AuditEvent.objects.count() == audits


def test_the_code_page_warns_before_the_account_is_locked(dept_admin: User) -> None:
    # given: five wrong codes at an earlier sign-in
    device = _enrolled(dept_admin)
    User.objects.filter(pk=dept_admin.pk).update(twofactor_failures=5)
    client = _signed_in(dept_admin)

    # when
    response = client.post(VERIFY, {"code": _wrong(device)})

    # then
    assert "验证码不正确（再错 4 次账号将被锁定）" in response.content.decode()


def test_a_right_code_sets_the_count_of_wrong_codes_back_to_zero(dept_admin: User) -> None:
    # given
    device = _enrolled(dept_admin)
    client = _signed_in(dept_admin)
    for _ in range(4):
        client.post(VERIFY, {"code": _wrong(device)})
    assert User.objects.get(pk=dept_admin.pk).twofactor_failures == 4

    # when
    response = client.post(VERIFY, {"code": _code(device)})

    # then
    assert response["Location"] == HOME
    assert User.objects.get(pk=dept_admin.pk).twofactor_failures == 0


def test_after_an_administrators_unlock_the_right_code_signs_in(
    dept_admin: User, platform_admin: User
) -> None:
    # given
    device = _enrolled(dept_admin)
    User.objects.filter(pk=dept_admin.pk).update(twofactor_failures=10, twofactor_locked_at=NOW)

    # when
    user_unlock(actor=platform_admin, user=dept_admin)

    # then
    client = _signed_in(dept_admin)
    assert client.post(VERIFY, {"code": _code(device)})["Location"] == HOME
    assert client.get(HOME).status_code == 200
