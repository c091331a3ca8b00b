"""The platform's URLs plus three that fail on purpose (tests of the error pages only)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as platform_urlpatterns


def refuse(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


urlpatterns = [
    path("test-errors/forbidden/", refuse),
    path("test-errors/fail/", fail),
    path("api/v1/test-errors/fail/", fail),
    *platform_urlpatterns,
]
