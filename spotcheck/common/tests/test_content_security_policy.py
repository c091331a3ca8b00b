"""Every page the platform admin can open runs under the strict CSP: no inline script.

The pages are the access matrix's (every declared URL whose platform-admin outcome is 200),
so a new page is checked as soon as its app declares it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from spotcheck.testing.access_matrix import OK, ROLES, World, build_world, declared_cases
from spotcheck.testing.personas import LOGIN_BACKEND, kept_for_the_module

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)
HANDLER_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
CASES = declared_cases()
PAGES = sorted(
    name
    for name, case in CASES.items()
    if case.outcomes[ROLES.index("platform_admin")] == OK and not name.startswith("admin:")
)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with kept_for_the_module(django_db_blocker):
        yield build_world()


@pytest.mark.parametrize("name", PAGES)
def test_no_page_has_inline_script_style_or_event_handlers(
    name: str, world: World, db: None
) -> None:
    # given
    request = CASES[name].request(world)
    if request.method != "get":
        return  # a POST endpoint (the API's sync) renders no page
    client = Client()
    client.force_login(world.users["platform_admin"], backend=LOGIN_BACKEND)

    # when
    response = getattr(client, request.method)(request.url, request.data)

    # then
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    if not response["Content-Type"].startswith("text/html"):
        return
    html = response.content.decode()
    assert INLINE_SCRIPT.findall(html) == []
    assert STYLE_ATTRIBUTE.findall(html) == []
    assert HANDLER_ATTRIBUTE.findall(html) == []
    assert "javascript:" not in html


@pytest.mark.django_db
def test_the_policy_allows_scripts_only_from_the_site_itself(client: Client) -> None:
    # given / when
    policy = client.get(reverse("publicity:home"))["Content-Security-Policy"]

    # then
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"].split()[0] == "'self'"
    assert all(
        source == "'self'" or source.startswith("'nonce-")
        for source in directives["script-src"].split()
    )
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'self'"
