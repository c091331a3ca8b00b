"""A small fixed-window rate limit on the public look-up pages and the public API.

Anonymous requests under ``PUBLIC_RATE_LIMITED_PATHS`` are counted per client address
in the cache (Redis in production, shared by every web process); beyond
``PUBLIC_RATE_LIMIT`` per ``PUBLIC_RATE_WINDOW_SECONDS`` the answer is 429 with a Chinese
page and ``Retry-After``.  Signed-in officials are not limited.  If the cache is down or
hangs (see ``spotcheck.common.cache``) the request goes through: the limit protects the
portal, it must not take it down.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from spotcheck.common.cache import CacheUnavailable, cache_count

logger = logging.getLogger(__name__)


def _limited(request: HttpRequest) -> bool:
    if request.user.is_authenticated:
        return False
    return request.path.startswith(tuple(settings.PUBLIC_RATE_LIMITED_PATHS))


def _count(client: str, window: int) -> tuple[int, int]:
    """Return (requests so far in this window, seconds until it ends)."""
    now = int(time.time())
    start = now - now % window
    key = f"ratelimit:public:{client}:{start}"
    try:
        return cache_count(key, window + 1), start + window - now
    except CacheUnavailable:  # down, hanging, or failing a moment ago
        logger.warning("public rate limit skipped: cache unavailable")
        return 0, window


def _too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    if request.path.startswith("/api/"):
        message = f"访问过于频繁，请 {retry_after} 秒后再试。"
        return JsonResponse({"detail": message}, status=429)
    body = render_to_string("429.html", {"retry_after": retry_after}, request=request)
    return HttpResponse(body, status=429)


class PublicRateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _limited(request):
            client = request.META.get(settings.PUBLIC_RATE_CLIENT_HEADER) or request.META.get(
                "REMOTE_ADDR", "unknown"
            )
            count, retry_after = _count(client[:64], settings.PUBLIC_RATE_WINDOW_SECONDS)
            if count > settings.PUBLIC_RATE_LIMIT:
                response = _too_many(request, retry_after)
                response["Retry-After"] = str(retry_after)
                return response
        return self.get_response(request)
