"""Enrol, confirm, check and remove an administrator's authenticator (pyotp, ADR 0012)."""

from __future__ import annotations

import pyotp
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from spotcheck.access.gates import access_twofactor_for_enrolling
from spotcheck.accounts.models import User
from spotcheck.audit import events
from spotcheck.audit.services import audit_record
from spotcheck.twofactor.models import TotpDevice

_STEP = 30


def totp_eligible(user: User) -> bool:
    """Tell whether the user may (and, once enrolled, must) use a second factor."""
    return access_twofactor_for_enrolling(user)


def totp_active(user: User) -> bool:
    """Tell whether the user must give a code after the password."""
    device = getattr(user, "totp_device", None)
    return device is not None and device.confirmed_at is not None


def provisioning_uri(device: TotpDevice) -> str:
    """The otpauth:// URI an authenticator app reads (typed in or scanned)."""
    return pyotp.TOTP(device.secret).provisioning_uri(
        name=device.user.username, issuer_name=settings.TWO_FACTOR_ISSUER
    )


def _matching_step(device: TotpDevice, code: str) -> int | None:
    """Return the time step the code belongs to (now, or one step either side), if any."""
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(device.secret)
    now = timezone.now()
    current = int(now.timestamp()) // _STEP
    for step in (current, current - 1, current + 1):
        if totp.at(step * _STEP) == code and step > device.last_step:
            return step
    return None


@transaction.atomic
def totp_begin(*, actor: User) -> TotpDevice:
    """Give the admin a new, unconfirmed secret (replacing an unconfirmed one)."""
    if not totp_eligible(actor):
        raise PermissionDenied("只有管理员可以启用两步验证")
    if totp_active(actor):
        raise ValidationError("两步验证已启用；如需更换验证器，请先停用")
    TotpDevice.objects.filter(user=actor).delete()
    device = TotpDevice(user=actor, secret=pyotp.random_base32())
    device.full_clean()
    device.save()
    audit_record(actor=actor, event_type=events.TWOFACTOR_STARTED, target=actor)
    return device


@transaction.atomic
def totp_confirm(*, actor: User, code: str) -> TotpDevice:
    """Turn two-step sign-in on once the app shows a matching code."""
    device = TotpDevice.objects.select_for_update().filter(user=actor).first()
    if device is None or device.confirmed_at is not None:
        raise ValidationError("请先生成新的密钥")
    step = _matching_step(device, code)
    if step is None:
        raise ValidationError({"code": "验证码不正确，请核对手机时间后重试"})
    device.confirmed_at = timezone.now()
    device.last_step = step
    device.save(update_fields=["confirmed_at", "last_step"])
    audit_record(actor=actor, event_type=events.TWOFACTOR_ENABLED, target=actor)
    return device


@transaction.atomic
def totp_check(*, actor: User, code: str) -> bool:
    """Check a sign-in code; a code is accepted once only (replay is refused).

    Every wrong code counts against the account, across sign-ins; the
    ``TWO_FACTOR_FAILURE_LIMIT``-th in a row locks it (``User.twofactor_locked_at``) and
    a locked account's codes are not checked at all.  A right code sets the count back
    to 0.  ``actor`` is updated in memory, so the caller sees the lock at once.
    """
    device = TotpDevice.objects.select_for_update().filter(user=actor).first()
    if device is None or device.confirmed_at is None:
        return False
    account = User.objects.select_for_update().get(pk=actor.pk)
    if account.twofactor_locked:
        _copy_lock(account, actor)
        return False
    step = _matching_step(device, code)
    if step is None:
        account.twofactor_failures += 1
        audit_record(
            actor=actor,
            event_type=events.TWOFACTOR_FAILED,
            target=actor,
            data={"failures": account.twofactor_failures},
        )
        if account.twofactor_failures >= settings.TWO_FACTOR_FAILURE_LIMIT:
            account.twofactor_locked_at = timezone.now()
            audit_record(
                actor=actor,
                event_type=events.TWOFACTOR_LOCKED,
                target=actor,
                data={"failures": account.twofactor_failures},
            )
        account.save(update_fields=["twofactor_failures", "twofactor_locked_at"])
        _copy_lock(account, actor)
        return False
    device.last_step = step
    device.save(update_fields=["last_step"])
    if account.twofactor_failures:
        account.twofactor_failures = 0
        account.save(update_fields=["twofactor_failures"])
        _copy_lock(account, actor)
    audit_record(actor=actor, event_type=events.TWOFACTOR_PASSED, target=actor)
    return True


def _copy_lock(account: User, user: User) -> None:
    user.twofactor_failures = account.twofactor_failures
    user.twofactor_locked_at = account.twofactor_locked_at


@transaction.atomic
def totp_disable(*, actor: User, code: str) -> None:
    """Turn two-step sign-in off; needs a current code from the app."""
    if not totp_check(actor=actor, code=code):
        raise ValidationError({"code": "验证码不正确"})
    TotpDevice.objects.filter(user=actor).delete()
    audit_record(actor=actor, event_type=events.TWOFACTOR_DISABLED, target=actor)


@transaction.atomic
def totp_reset(*, actor: User | None, user: User) -> bool:
    """Remove a user's authenticator (lost phone, leaked database); tell whether one existed."""
    removed, _ = TotpDevice.objects.filter(user=user).delete()
    if removed:
        audit_record(actor=actor, event_type=events.TWOFACTOR_RESET, target=user)
    return bool(removed)
