"""Every URL of the platform, as every persona, gives exactly the declared outcome.

The rows live beside each app in ``spotcheck/<app>/tests/access.py``; see
``spotcheck.testing.access_matrix`` and docs/access.md.  A URL that no app declares fails
``test_every_url_pattern_has_a_declared_row``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from spotcheck.audit.models import AuditEvent
from spotcheck.testing.access_matrix import (
    ADMIN_LOGIN,
    DONE,
    LOGIN,
    ROLES,
    World,
    build_world,
    declared_cases,
    routed_url_names,
)
from spotcheck.testing.personas import LOGIN_BACKEND, PERSONAS, kept_for_the_module

CASES = declared_cases()


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the module; each test's own writes are rolled back."""
    with kept_for_the_module(django_db_blocker):
        yield build_world()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_each_persona_gets_exactly_the_declared_access(
    case: str, role: str, world: World, db: None, client: Client
) -> None:
    # given
    row = CASES[case]
    expected = row.outcomes[ROLES.index(role)]
    request = row.request(world)
    token = world.app.get("api", {}).get("tokens", {}).get(role) if "api:" in case else None
    if token is not None:
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {token}"
    elif role != "anonymous":
        client.force_login(world.users[role], backend=LOGIN_BACKEND)
    audit_before = AuditEvent.objects.count()
    written_before = row.written() if row.written else None

    # when
    if request.json:
        response = getattr(client, request.method)(
            request.url, json.dumps(request.data), content_type="application/json"
        )
    else:
        response = getattr(client, request.method)(
            request.url, request.data, headers=request.headers or None
        )

    # then
    got = f"{response.status_code} {response.get('Location', '')}"
    if expected.isdigit():  # OK, NOT_FOUND, UNAUTHORISED, FORBIDDEN, METHOD_NOT_ALLOWED
        assert response.status_code == int(expected), got
    elif expected == LOGIN:
        assert response.status_code == 302, got
        assert response["Location"] == f"/accounts/login/?next={quote(request.url)}", got
    elif expected == ADMIN_LOGIN:
        assert response.status_code == 302, got
        assert response["Location"].startswith("/maintenance/login/?next="), got
    else:
        assert expected == DONE
        assert response.status_code == 302, got
        assert response["Location"] == request.next_url, got
    if role != "anonymous":  # behind a login nothing stays in the browser's cache
        assert "no-store" in response.get("Cache-Control", "").split(", "), got
    if expected != DONE and request.method == "post":
        assert AuditEvent.objects.count() == audit_before
        if row.written:
            assert row.written() == written_before


def test_every_url_pattern_has_a_declared_row() -> None:
    # given
    declared = {case.partition(" ")[0] for case in CASES}

    # when
    routed = routed_url_names()

    # then
    assert routed - declared == set(), "declare these URLs in spotcheck/<app>/tests/access.py"
    assert declared - routed == set(), "these declared URLs no longer exist"


def test_the_matrix_has_one_column_per_shared_persona() -> None:
    # given / when / then
    assert sorted(ROLES) == sorted(PERSONAS)
    assert len(ROLES) == len(PERSONAS)
