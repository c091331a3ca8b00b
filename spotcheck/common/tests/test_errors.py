"""Errors are answered in Chinese, as pages for people and as JSON for the API; a NUL
character is refused before it reaches the database; nothing behind a login is cached.

The pages are checked with DEBUG off, as `make run` and production serve them: no
technical page, no list of the URL patterns.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from spotcheck.accounts.models import User
from spotcheck.api.services import api_token_issue
from spotcheck.audit.models import AuditEvent
from spotcheck.common.errors import _JSON_NUL
from spotcheck.directory.models import Avoidance, Entity, Inspector
from spotcheck.testing.personas import LOGIN_BACKEND, PASSWORD, Catalogue

ERROR_URLS = "spotcheck.common.tests.error_urls"
# what Django's technical pages say; none may reach a visitor
TECHNICAL = ("URLconf", "urlpatterns", "Traceback", "DEBUG = True", "Django tried these")
NUL_REFUSED = "请求中含有不允许的空字符（\\0），未作处理。请删除后重试。"


def _as(user: User, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(user, backend=LOGIN_BACKEND)
    return client


def _with_token(user: User) -> Client:
    _token, key = api_token_issue(actor=None, user=user, name="错误页测试")
    return Client(headers={"Authorization": f"Token {key}"})


def _no_technical_page(body: str) -> None:
    for marker in TECHNICAL:
        assert marker not in body
    assert "/api/v1/" not in body  # no URL pattern is listed
    assert "maintenance/" not in body


# --- the pages ---------------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(DEBUG=False, ROOT_URLCONF=ERROR_URLS)
@pytest.mark.parametrize(
    ("how", "status", "heading"),
    [
        ("unknown_url", 404, "页面不存在或您无权查看"),
        ("foreign_host", 400, "请求无效"),
        ("forbidden", 403, "您无权执行此操作"),
        ("bug", 500, "服务暂时不可用"),
        ("csrf", 403, "页面已过期，本次提交未生效"),
    ],
)
def test_each_error_page_is_chinese_with_a_way_home_and_no_technical_detail(
    how: str, status: int, heading: str, dept_admin: User
) -> None:
    # given
    client = Client(raise_request_exception=False, enforce_csrf_checks=(how == "csrf"))
    requests = {
        "unknown_url": lambda: client.get("/public/no-such-page/"),
        "foreign_host": lambda: client.get("/public/", headers={"host": "evil.example"}),
        "forbidden": lambda: client.get("/test-errors/forbidden/"),
        "bug": lambda: client.get("/test-errors/fail/"),
        "csrf": lambda: client.post(reverse("accounts:login"), {"username": "x", "password": "y"}),
    }

    # when
    response = requests[how]()

    # then
    body = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert '<html lang="zh-CN">' in body
    assert f'<h1 class="h3">{heading}' in body
    assert '<a href="/">返回首页</a>' in body
    assert "bootstrap.min.css" in body  # styled like the site
    _no_technical_page(body)


@pytest.mark.django_db
@override_settings(DEBUG=False, ROOT_URLCONF=ERROR_URLS)
def test_the_api_answers_an_unknown_url_and_a_bug_in_chinese_json() -> None:
    # given
    client = Client(raise_request_exception=False)

    # when
    missing = client.get("/api/v1/no-such-endpoint/")
    bug = client.get("/api/v1/test-errors/fail/")

    # then
    assert (missing.status_code, missing.json()) == (
        404,
        {"detail": "未找到。请检查链接是否正确。"},
    )
    assert (bug.status_code, bug.json()) == (
        500,
        {"detail": "系统暂时无法完成您的请求，本次提交没有保存。请稍后重试。"},
    )


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_an_api_body_over_2_5_mib_is_refused_in_chinese_json_and_writes_nothing(
    dept_admin: User,
) -> None:
    # given: the default limit, 2.5 MiB, and a body just over it
    body = json.dumps({"entities": [{"uscc": "9" * 18, "name": "长" * 900_000}]})
    assert len(body.encode()) > 2_621_440
    client = _with_token(dept_admin)
    count, audit = Entity.objects.count(), AuditEvent.objects.count()

    # when
    response = client.post(reverse("api:entity_sync"), body, content_type="application/json")

    # then
    assert response.status_code == 400
    assert response.json() == {
        "detail": "提交的内容过大，超过平台允许的上限，未作处理。请减少内容后分批提交。"
    }
    assert (Entity.objects.count(), AuditEvent.objects.count()) == (count, audit)


@pytest.mark.django_db
def test_an_api_write_without_the_csrf_token_is_refused_in_chinese(dept_admin: User) -> None:
    # given: a session, not a token, and no CSRF token
    client = _as(dept_admin, enforce_csrf_checks=True)

    # when
    response = client.post(reverse("api:entity_sync"), "{}", content_type="application/json")

    # then
    assert response.status_code == 403
    assert response.json() == {
        "detail": "页面已过期或来源无法验证，本次提交未生效。请刷新页面后重新提交。"
    }


# --- NUL characters ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/public/lookup/?q=abc%00",
        "/public/lookup/?q%00=abc",
        "/public/results/?page=1%00",
    ],
)
def test_a_nul_in_a_query_of_a_page_is_refused_with_a_chinese_400(url: str) -> None:
    # given / when
    response = Client().get(url)

    # then
    assert response.status_code == 400
    assert NUL_REFUSED in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/public/api/results/?uscc=abc%00", "/public/api/results/?result=abc%00"]
)
def test_a_nul_in_a_query_of_the_open_data_api_is_refused_in_json(url: str) -> None:
    # given / when
    response = Client().get(url)

    # then
    assert response.status_code == 400
    assert response.json() == {"detail": NUL_REFUSED}


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["multipart", "urlencoded"])
def test_a_nul_in_a_form_field_is_refused_and_writes_nothing(
    encoding: str, dept_admin: User, inspector_record: Inspector, catalogue: Catalogue
) -> None:
    # given
    url = reverse("directory:avoidance_add", args=[inspector_record.pk])
    data = {"entity_code": catalogue.jia.uscc, "reason_type": "other", "reason": "亲属\x00关系"}
    audit_before = AuditEvent.objects.count()

    # when
    if encoding == "multipart":
        response = _as(dept_admin).post(url, data)
    else:
        response = _as(dept_admin).post(
            url, urlencode(data), content_type="application/x-www-form-urlencoded"
        )

    # then
    assert response.status_code == 400
    assert NUL_REFUSED in response.content.decode()
    assert Avoidance.objects.count() == 0
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.django_db
def test_a_nul_in_the_login_form_is_refused_before_any_look_up() -> None:
    # given / when
    response = Client().post(
        reverse("accounts:login"), {"username": "admin\x00", "password": "whatever-1"}
    )

    # then
    assert response.status_code == 400
    assert NUL_REFUSED in response.content.decode()


@pytest.mark.django_db
def test_a_nul_in_an_api_json_body_is_refused_in_json_and_writes_nothing(
    dept_admin: User, catalogue: Catalogue
) -> None:
    # given
    body = json.dumps({"entities": [{"uscc": catalogue.jia.uscc, "name": "甲\x00公司"}]})
    assert "\\u0000" in body
    client = _with_token(dept_admin)
    audit_before = AuditEvent.objects.count()

    # when
    response = client.post(reverse("api:entity_sync"), body, content_type="application/json")

    # then
    assert response.status_code == 400
    assert response.json() == {"detail": NUL_REFUSED}
    catalogue.jia.refresh_from_db()
    assert catalogue.jia.name != "甲\x00公司"
    assert AuditEvent.objects.count() == audit_before


@pytest.mark.django_db
def test_a_nul_in_a_cookie_is_refused() -> None:
    # given: "\000" inside a quoted cookie value is read as a NUL
    client = Client(headers={"cookie": 'sessionid="abcdefgh\\000ijk"'})

    # when
    response = client.get("/public/")

    # then
    assert response.status_code == 400
    assert NUL_REFUSED in response.content.decode()


@pytest.mark.parametrize(
    ("body", "has_nul"),
    [
        (rb'{"a": "x\u0000"}', True),
        (rb'{"a": "x\\\u0000"}', True),  # an escaped backslash, then a NUL
        (rb'{"a": "x\\u0000"}', False),  # the six characters \u0000, no NUL
        (rb'{"a": "x\u00001"}', True),
        (rb'{"a": "x\u0001"}', False),
    ],
)
def test_a_json_nul_is_told_from_an_escaped_backslash(body: bytes, has_nul: bool) -> None:
    # given / when
    found = _JSON_NUL.search(body) is not None

    # then
    assert found == has_nul
    assert ("\x00" in "".join(json.loads(body).values())) == has_nul


# --- browser caches ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_public_portal_keeps_no_store_off_for_anonymous_visitors() -> None:
    # given / when
    response = Client().get(reverse("publicity:home"))

    # then
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_a_public_page_seen_signed_in_is_not_stored(dept_admin: User) -> None:
    # given / when
    response = _as(dept_admin).get(reverse("publicity:home"))

    # then
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"].split(", ")


@pytest.mark.django_db
def test_the_answer_that_signs_in_is_not_stored(dept_admin: User) -> None:
    # given / when
    response = Client().post(
        reverse("accounts:login"), {"username": dept_admin.username, "password": PASSWORD}
    )

    # then
    assert response.status_code == 302
    assert "sessionid" in response.cookies
    assert "no-store" in response["Cache-Control"].split(", ")
