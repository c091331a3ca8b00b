"""After the password, an administrator with an authenticator must give a code."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from spotcheck.twofactor.services import totp_active, totp_eligible

SESSION_KEY = "twofactor_passed_for"


def passed(request: HttpRequest) -> bool:
    return request.session.get(SESSION_KEY) == request.user.pk


class TwoFactorMiddleware:
    """Send a signed-in user whose second step is pending to the code page.

    Only the code page, logout and static files stay reachable until then; API calls
    with a token carry no session and are not affected.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not passed(request) and _has_device(user):
            verify = reverse("twofactor:verify")
            allowed = (verify, reverse("accounts:logout"), f"/{settings.STATIC_URL.lstrip('/')}")
            if not request.path.startswith(allowed):
                return HttpResponseRedirect(f"{verify}?next={quote(request.get_full_path())}")
        return self.get_response(request)


def _has_device(user: object) -> bool:
    # only administrators can enrol: nobody else pays the device query
    return totp_eligible(user) and totp_active(user)  # type: ignore[arg-type]
