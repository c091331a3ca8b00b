# ruff: noqa: E501  -- one row per URL, one column per persona
"""The two-step settings (administrators only) and the code page (rows of the access matrix).

Nobody in the matrix has an authenticator, so the code page sends everyone on to the
workbench, and confirming or disabling without a pending secret is refused with a message.
"""

from __future__ import annotations

from django.urls import reverse

from spotcheck.testing.access_matrix import (
    DONE,
    LOGIN,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    OK,
    Case,
    Request,
    World,
)
from spotcheck.twofactor.models import TotpDevice


def _devices() -> int:
    return TotpDevice.objects.count()


def _post(name: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return lambda w: Request("post", reverse(name), data, reverse("twofactor:settings"))


ADMINS = (LOGIN, OK, OK, OK, OK, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND)
ADMINS_POST = (LOGIN, DONE, DONE, DONE, DONE, DONE, NOT_FOUND, NOT_FOUND, NOT_FOUND)


def _verify(w: World) -> Request:
    return Request("get", reverse("twofactor:verify"), next_url="/workbench/")


# fmt: off
CASES: dict[str, Case] = {
    "twofactor:settings": Case(lambda w: Request("get", reverse("twofactor:settings")), ADMINS),
    "twofactor:confirm":  Case(_post("twofactor:confirm", {"code": "000000"}), ADMINS_POST, _devices),
    "twofactor:disable":  Case(_post("twofactor:disable", {"code": "000000"}), ADMINS_POST, _devices),
    # starting writes a pending secret: the matrix sends a GET, which the view refuses (405)
    "twofactor:begin":    Case(lambda w: Request("get", reverse("twofactor:begin")), (LOGIN,) + (METHOD_NOT_ALLOWED,) * 8),
    "twofactor:verify":   Case(_verify, (LOGIN, DONE, DONE, DONE, DONE, DONE, DONE, DONE, DONE)),
}
# fmt: on
