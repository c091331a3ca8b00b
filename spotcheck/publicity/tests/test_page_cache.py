from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from spotcheck.accounts.models import User
from spotcheck.publicity.models import OutboxMessage, ResultPublication
from spotcheck.publicity.services import publish_on_approval
from spotcheck.publicity.tests.factories import World
from spotcheck.testing.personas import LOGIN_BACKEND

RESULTS = reverse("publicity:results")


@pytest.fixture
def cached(settings: Any) -> None:
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60


@pytest.fixture
def shown(approved: World, lead_admin: User) -> str:
    """Publish the approved record; return what its row shows (the entity's code)."""
    publish_on_approval(actor=lead_admin, record=approved.record)
    assert approved.entity.uscc
    return approved.entity.uscc


def _queries(client: Client, url: str) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content


def test_a_visitor_without_cookies_gets_the_cached_page_without_a_query(
    cached: None, shown: str
) -> None:
    # given: one visitor has seen the results notice
    first, page = _queries(Client(), RESULTS)

    # when: another visitor asks for it
    second, again = _queries(Client(), RESULTS)

    # then
    assert first > 0
    assert second == 0
    assert again == page
    assert shown in again.decode()


def test_the_query_string_is_part_of_the_key(cached: None, shown: str) -> None:
    _queries(Client(), RESULTS)

    _, page = _queries(Client(), f"{RESULTS}?result=-")

    # an unknown result filter lists nothing: not the cached unfiltered page
    assert shown not in page.decode()


def test_a_new_result_reaches_visitors_once_the_cached_page_expires(
    cached: None, shown: str
) -> None:
    # given: the page is cached; then the publication disappears from the database
    _queries(Client(), RESULTS)
    OutboxMessage.objects.all().delete()
    ResultPublication.objects.all().delete()

    # when / then: still cached ...
    assert shown in Client().get(RESULTS).content.decode()
    # ... and rendered afresh once the entry is gone (as after PUBLIC_PAGE_CACHE_SECONDS)
    from django.core.cache import cache

    cache.clear()
    assert shown not in Client().get(RESULTS).content.decode()


def test_a_signed_in_official_always_gets_a_fresh_page_with_their_own_menu(
    cached: None, shown: str, dept_admin: User
) -> None:
    # given: the anonymous page is cached
    _queries(Client(), RESULTS)
    client = Client()
    client.force_login(dept_admin, backend=LOGIN_BACKEND)

    # when
    count, page = _queries(client, RESULTS)

    # then
    assert count > 0
    assert str(dept_admin) in page.decode()


def test_a_visitor_with_any_cookie_is_not_served_from_the_cache(cached: None, shown: str) -> None:
    _queries(Client(), RESULTS)
    client = Client()
    client.cookies["csrftoken"] = "x" * 32

    count, _ = _queries(client, RESULTS)

    assert count > 0


def test_without_the_setting_every_page_is_rendered(shown: str, settings: Any) -> None:
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    _queries(Client(), RESULTS)

    count, _ = _queries(Client(), RESULTS)

    assert count > 0


def test_a_failing_cache_only_costs_the_rendering(cached: None, shown: str) -> None:
    # given: a cache that refuses every call
    from spotcheck.common import cache as platform_cache

    broken = mock.Mock(side_effect=ConnectionError("redis down"))
    with (
        mock.patch.object(platform_cache.cache, "get", broken),
        mock.patch.object(platform_cache.cache, "set", broken),
    ):
        # when
        response = Client().get(RESULTS)

    # then
    platform_cache.resume()
    assert response.status_code == 200
    assert shown in response.content.decode()


def test_a_missing_page_is_not_cached(cached: None, db: None) -> None:
    url = reverse("publicity:result_detail", args=[999999])
    assert Client().get(url).status_code == 404

    with CaptureQueriesContext(connection) as captured:
        assert Client().get(url).status_code == 404

    assert len(captured.captured_queries) > 0


def test_a_page_that_hands_out_a_csrf_token_is_never_cached(cached: None, db: None) -> None:
    # given: a public view whose page carries a form with the visitor's CSRF token
    from django.middleware.csrf import get_token
    from django.test import RequestFactory

    from spotcheck.publicity.page_cache import public_page

    rendered: list[str] = []

    @public_page
    def form_page(request: Any) -> HttpResponse:
        rendered.append(get_token(request))
        return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{rendered[-1]}">')

    # when: two visitors without cookies ask for it
    first = form_page(RequestFactory().get("/public/form/"))
    second = form_page(RequestFactory().get("/public/form/"))

    # then: each got a page rendered for them, with a token of their own
    assert len(rendered) == 2
    assert rendered[0] != rendered[1]
    assert first.content != second.content
