"""Error answers in Chinese: the pages for people, JSON for the integration API.

Django calls ``bad_request``, ``permission_denied``, ``page_not_found`` and
``server_error`` (``handler400`` … ``handler500`` in ``config/urls.py``) when DEBUG is off,
and ``csrf_failure`` (``CSRF_FAILURE_VIEW``) when a form comes back without its token.
A request to ``/api/`` or ``/public/api/`` gets ``{"detail": "…"}``, as every other refusal
of the API.
``NulByteMiddleware`` refuses a NUL character anywhere in the URL, query, form, JSON body
or cookies with the same 400, before it can reach the database (PostgreSQL cannot store
one and would answer 500).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers, patch_vary_headers

# the integration API and the public open-data API
API_PREFIXES = ("/api/", "/public/api/")

BAD_REQUEST = "请求无效，无法处理。请检查链接或填写的内容后重试。"
TOO_BIG = "提交的内容过大，超过平台允许的上限，未作处理。请减少内容后分批提交。"
TOO_MANY_FIELDS = "提交的字段或文件过多，未作处理。请分批提交。"
NUL_CHARACTER = "请求中含有不允许的空字符（\\0），未作处理。请删除后重试。"
FORBIDDEN = "您无权执行此操作。"
NOT_FOUND = "未找到。请检查链接是否正确。"
SERVER_ERROR = "系统暂时无法完成您的请求，本次提交没有保存。请稍后重试。"
CSRF_FAILED = "页面已过期或来源无法验证，本次提交未生效。请刷新页面后重新提交。"


def wants_json(request: HttpRequest) -> bool:
    """The integration API, and the field pages' own fetch calls, read JSON errors."""
    if request.path.startswith(API_PREFIXES):
        return True
    accept = request.META.get("HTTP_ACCEPT", "")
    return request.content_type == "application/json" or (
        "application/json" in accept and "text/html" not in accept
    )


def _json(detail: str, status: int) -> JsonResponse:
    return JsonResponse(
        {"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _bad_request_detail(exception: Exception | None) -> str:
    if isinstance(exception, RequestDataTooBig):
        return TOO_BIG
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        return TOO_MANY_FIELDS
    return BAD_REQUEST


def refuse_bad_request(request: HttpRequest, detail: str) -> HttpResponse:
    """A 400 saying ``detail``: JSON for the API, the site's page otherwise.

    The page is rendered without the request: a request refused as malformed (a foreign
    Host header, an unreadable body) must not be read again by the context processors.
    """
    if wants_json(request):
        return _json(detail, 400)
    return HttpResponse(render_to_string("400.html", {"detail": detail}), status=400)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return refuse_bad_request(request, _bad_request_detail(exception))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if wants_json(request):
        return _json(FORBIDDEN, 403)
    return HttpResponse(render_to_string("403.html", request=request), status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if wants_json(request):
        return _json(NOT_FOUND, 404)
    return HttpResponse(render_to_string("404.html", request=request), status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if wants_json(request):
        return _json(SERVER_ERROR, 500)
    return HttpResponse(render_to_string("500.html"), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if wants_json(request):
        return _json(CSRF_FAILED, 403)
    return HttpResponse(render_to_string("403_csrf.html", request=request), status=403)


# --------------------------------------------------------------------------- NUL characters

# ``\u0000`` in a JSON string is a NUL; ``\\u0000`` (an escaped backslash) is not.
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    if any("\x00" in v for v in request.COOKIES.values()):
        return True
    for data in (request.GET, request.POST):
        for key, values in data.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return True
    if request.content_type == "application/json" and request.method not in ("GET", "HEAD"):
        return b"\x00" in request.body or _JSON_NUL.search(request.body) is not None
    return False


class NulByteMiddleware:
    """Refuse a NUL character in the URL, the query, a form field, a JSON body or a cookie."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            refused = _has_nul(request)
        except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent) as exc:
            return refuse_bad_request(request, _bad_request_detail(exc))
        except MultiPartParserError:
            return refuse_bad_request(request, BAD_REQUEST)
        if refused:
            return refuse_bad_request(request, NUL_CHARACTER)
        return self.get_response(request)


# --------------------------------------------------------------------------- browser caches


class PrivateNoStoreMiddleware:
    """``Cache-Control: no-store`` on every answer that belongs to one person.

    That is any answer to a signed-in user (a session, or an API token: DRF puts the
    token's user on the request), any answer to a request carrying ``Authorization``, and
    any answer that sets a cookie. After logout nothing private stays in the browser's
    cache: record pages, exports, PDFs, photos, API replies. Anonymous visitors of the
    public portal keep their pages cacheable (spotcheck/publicity/page_cache.py).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            (user is not None and user.is_authenticated)
            or "HTTP_AUTHORIZATION" in request.META
            or response.cookies
        ):
            add_never_cache_headers(response)
            patch_vary_headers(response, ["Cookie"])
        return response
