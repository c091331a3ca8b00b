"""Whole-page caching of the public portal for visitors without cookies.

The portal's pages are the same for every anonymous visitor, and in a busy week they are
most of the platform's traffic. A page answered 200 to a request that carries no cookie
(so no session: nobody is signed in, and no CSRF token was handed out) is kept in the
cache for ``PUBLIC_PAGE_CACHE_SECONDS`` under its full path and query; the next such
request gets it without touching the database. Anyone with a cookie — every official,
and every visitor who has used a form — gets a fresh page. A published or corrected result
therefore reaches anonymous visitors within that many seconds (60 by default; 0 turns the
cache off). The cache is an aid only: when it fails, pages are rendered as usual
(``spotcheck.common.cache``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from spotcheck.common.cache import cache_get, cache_set

View = Callable[..., HttpResponse]


def _key(request: HttpRequest) -> str:
    path = request.get_full_path().encode("utf-8")
    return "publicity:page:" + hashlib.sha256(path).hexdigest()


def public_page(view: View) -> View:
    """Serve ``view`` from the cache to requests without cookies (see the module)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        seconds = settings.PUBLIC_PAGE_CACHE_SECONDS
        if not seconds or request.method != "GET" or request.COOKIES:
            return view(request, *args, **kwargs)
        key = _key(request)
        cached = cache_get(key)
        if cached is not None:
            content, content_type = cached
            response = HttpResponse(content, content_type=content_type)
            patch_vary_headers(response, ["Cookie"])
            return response
        response = view(request, *args, **kwargs)
        # a page that handed out a CSRF token (its cookie is set later, by the middleware)
        # belongs to this visitor alone
        personal = bool(response.cookies) or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        if response.status_code == 200 and not response.streaming and not personal:
            cache_set(key, (response.content, response["Content-Type"]), seconds)
        return response

    return wrapper
