# ruff: noqa: E501  -- the access table below is one row per URL, one column per persona
"""Who may open which page: one table, every URL, every persona.

The rules come from ``spotcheck.accounts.selectors``:

* anonymous visitors are sent to the login page (except the public pages);
* platform admins, auditors and the lead office read everything;
* a department admin reads and writes their department's subtree only, so the
  石家庄 parent department admin also sees 晋州市市场监督管理局's records;
* inspectors see no entities and only their own inspector record;
* auditors and inspectors never get a create or edit page;
* the lead office writes only its own subtree.

A record outside the user's scope answers 404, never 403, so its existence is not revealed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.common.testing import (
    LOGIN_BACKEND,
    PERSONAS,
    kept_for_the_module,
    make_departments,
    make_inspector_record,
    make_regions,
    make_user,
)
from spotcheck.directory.models import Avoidance, Entity, Inspector
from spotcheck.directory.tests.factories import AvoidanceFactory, EntityFactory
from spotcheck.imports.models import ImportJob

OK = "200"
LOGIN = "302 → login"
NOT_FOUND = "404"
DONE = "302 → next page"  # a successful POST, or a signed-in user sent on from the login page

# the columns of ACCESS, left to right
ROLES = (
    "anonymous",
    "platform_admin",
    "lead_admin",
    "dept_admin",
    "other_dept_admin",
    "parent_dept_admin",
    "inspector",
    "other_inspector",
    "auditor",
)

# "own" records belong to 晋州市市场监督管理局 (dept_admin's department, under parent_dept_admin);
# "other" records belong to 晋州市公安局 (other_dept_admin's department).
# fmt: off
ACCESS: dict[str, tuple[str, ...]] = {
    #                                  anonymous  platform   lead       dept       other dept parent     inspector  other insp auditor
    "publicity:home":                 (OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK),
    "publicity:items":                (OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK),
    "publicity:plans":                (OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK),
    "publicity:tasks":                (OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK),
    # a task page is public once the task leaves 草稿; the bundle exists only after the draw
    "publicity:task_detail":          (NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "publicity:task_bundle":          (NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    # published results, the enterprise look-up and open data: public, no login
    "publicity:results":              (OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK),
    "publicity:result_detail":        (NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "publicity:lookup":               (OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK),
    "publicity:open_data":            (OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK),
    "publicity:open_data_file":       (OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK),
    "publicity:open_data_api":        (OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK),
    # a record's publication page and the correction form: signed in, the record in scope (none here)
    "publicity:record_results":       (LOGIN,     NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "publicity:correct":              (LOGIN,     NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    # the outbox to the national credit publicity system and its dead letters: platform admin only
    "publicity:outbox":               (LOGIN,     OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "publicity:outbox_export":        (LOGIN,     OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "publicity:outbox_resend":        (LOGIN,     NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "accounts:login":                 (OK,        DONE,      DONE,      DONE,      DONE,      DONE,      DONE,      DONE,      DONE),
    "accounts:logout":                (DONE,      DONE,      DONE,      DONE,      DONE,      DONE,      DONE,      DONE,      DONE),
    "common:home":                    (LOGIN,     OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK),
    "directory:entity_list":          (LOGIN,     OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK),
    "directory:entity_create":        (LOGIN,     OK,        OK,        OK,        OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "directory:entity_detail own":    (LOGIN,     OK,        OK,        OK,        NOT_FOUND, OK,        NOT_FOUND, NOT_FOUND, OK),
    "directory:entity_detail other":  (LOGIN,     OK,        OK,        NOT_FOUND, OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, OK),
    "directory:entity_edit own":      (LOGIN,     OK,        NOT_FOUND, OK,        NOT_FOUND, OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "directory:entity_edit other":    (LOGIN,     OK,        NOT_FOUND, NOT_FOUND, OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "directory:inspector_list":       (LOGIN,     OK,        OK,        OK,        OK,        OK,        OK,        OK,        OK),
    "directory:inspector_create":     (LOGIN,     OK,        OK,        OK,        OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "directory:inspector_detail own": (LOGIN,     OK,        OK,        OK,        NOT_FOUND, OK,        OK,        NOT_FOUND, OK),
    "directory:inspector_detail other":(LOGIN,    OK,        OK,        NOT_FOUND, OK,        NOT_FOUND, NOT_FOUND, OK,        OK),
    "directory:inspector_edit own":   (LOGIN,     OK,        NOT_FOUND, OK,        NOT_FOUND, OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "directory:inspector_edit other": (LOGIN,     OK,        NOT_FOUND, NOT_FOUND, OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "directory:avoidance_add own":    (LOGIN,     DONE,      NOT_FOUND, DONE,      NOT_FOUND, DONE,      NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "directory:avoidance_add other":  (LOGIN,     DONE,      NOT_FOUND, NOT_FOUND, DONE,      NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "directory:avoidance_remove own": (LOGIN,     DONE,      NOT_FOUND, DONE,      NOT_FOUND, DONE,      NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "directory:avoidance_remove other":(LOGIN,    DONE,      NOT_FOUND, NOT_FOUND, DONE,      NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    # directory imports: whoever may change records may import; a job is seen by its uploader and platform admins
    "directory:import_upload":        (LOGIN,     OK,        OK,        OK,        OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "directory:import_template":      (LOGIN,     OK,        OK,        OK,        OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "directory:import_job own":       (LOGIN,     OK,        NOT_FOUND, OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "directory:import_job_status own":(LOGIN,     OK,        NOT_FOUND, OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "directory:import_job_errors own":(LOGIN,     OK,        NOT_FOUND, OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
}
# fmt: on

COVERED_NAMESPACES = ("directory", "common", "publicity", "accounts")
PERSONA_FIXTURES = [(p, f) for p, f in PERSONAS.items() if f is not None]


@dataclass(frozen=True)
class World:
    """Every persona, and one record of each kind in each of the two departments."""

    users: dict[str, User]
    own_entity: Entity
    other_entity: Entity
    own_inspector: Inspector
    other_inspector: Inspector
    own_avoidance: Avoidance
    other_avoidance: Avoidance
    own_import: ImportJob


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    data: dict[str, Any]
    next_url: str  # where a DONE outcome redirects to


def _build_world() -> World:
    departments = make_departments(make_regions())
    users = {persona: make_user(fixture, departments) for persona, fixture in PERSONA_FIXTURES}
    own_inspector = make_inspector_record(users["inspector"], departments)
    other_inspector = make_inspector_record(users["other_inspector"], departments)
    own_entity = EntityFactory(
        name="晋州市甲食品有限公司", supervising_departments=[departments.market]
    )
    other_entity = EntityFactory(
        name="晋州市乙保安服务有限公司", supervising_departments=[departments.police]
    )
    admin = users["platform_admin"]
    own_import = ImportJob.objects.create(
        kind="entities", original_name="名录.csv", created_by=users["dept_admin"]
    )
    own_import.errors_file.save("errors.csv", ContentFile(b"\xef\xbb\xbf"))
    return World(
        users=users,
        own_entity=own_entity,
        other_entity=other_entity,
        own_inspector=own_inspector,
        other_inspector=other_inspector,
        # each inspector already avoids the *other* department's entity
        own_avoidance=AvoidanceFactory(
            inspector=own_inspector, entity=other_entity, declared_by=admin
        ),
        other_avoidance=AvoidanceFactory(
            inspector=other_inspector, entity=own_entity, declared_by=admin
        ),
        own_import=own_import,
    )


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the module (180 tests); each test's own writes are rolled back."""
    with kept_for_the_module(django_db_blocker):
        yield _build_world()


def _request(case: str, w: World) -> Request:
    name, _, which = case.partition(" ")
    entity = w.own_entity if which == "own" else w.other_entity
    inspector = w.own_inspector if which == "own" else w.other_inspector
    avoidance = w.own_avoidance if which == "own" else w.other_avoidance
    inspector_page = reverse("directory:inspector_detail", args=[inspector.pk])
    builders: dict[str, Callable[[], Request]] = {
        "publicity:home": lambda: Request("get", reverse(name), {}, ""),
        "publicity:items": lambda: Request("get", reverse(name), {}, ""),
        "publicity:plans": lambda: Request("get", reverse(name), {}, ""),
        "publicity:tasks": lambda: Request("get", reverse(name), {}, ""),
        # the matrix has no tasks: an unknown task is 404 for everyone, signed in or not
        "publicity:task_detail": lambda: Request("get", reverse(name, args=[999999]), {}, ""),
        "publicity:task_bundle": lambda: Request("get", reverse(name, args=[999999]), {}, ""),
        "publicity:results": lambda: Request("get", reverse(name), {}, ""),
        "publicity:result_detail": lambda: Request("get", reverse(name, args=[999999]), {}, ""),
        "publicity:lookup": lambda: Request("get", reverse(name), {"q": "晋州市甲食品"}, ""),
        "publicity:open_data": lambda: Request("get", reverse(name), {}, ""),
        "publicity:open_data_file": lambda: Request(
            "get", reverse(name, args=[2026, "json"]), {}, ""
        ),
        "publicity:open_data_api": lambda: Request("get", reverse(name), {}, ""),
        "publicity:record_results": lambda: Request("get", reverse(name, args=[999999]), {}, ""),
        "publicity:correct": lambda: Request("get", reverse(name, args=[999999]), {}, ""),
        "publicity:outbox": lambda: Request("get", reverse(name), {}, ""),
        "publicity:outbox_export": lambda: Request("get", reverse(name, args=["csv"]), {}, ""),
        "publicity:outbox_resend": lambda: Request("post", reverse(name, args=[999999]), {}, ""),
        "accounts:login": lambda: Request("get", reverse(name), {}, reverse("common:home")),
        "accounts:logout": lambda: Request("post", reverse(name), {}, reverse("publicity:home")),
        "common:home": lambda: Request("get", reverse(name), {}, ""),
        "directory:entity_list": lambda: Request("get", reverse(name), {}, ""),
        "directory:entity_create": lambda: Request("get", reverse(name), {}, ""),
        "directory:entity_detail": lambda: Request("get", reverse(name, args=[entity.pk]), {}, ""),
        "directory:entity_edit": lambda: Request("get", reverse(name, args=[entity.pk]), {}, ""),
        "directory:inspector_list": lambda: Request("get", reverse(name), {}, ""),
        "directory:inspector_create": lambda: Request("get", reverse(name), {}, ""),
        "directory:inspector_detail": lambda: Request("get", inspector_page, {}, ""),
        "directory:inspector_edit": lambda: Request(
            "get", reverse(name, args=[inspector.pk]), {}, ""
        ),
        # the new avoidance pairs the inspector with their own department's entity
        "directory:avoidance_add": lambda: Request(
            "post",
            reverse(name, args=[inspector.pk]),
            {
                "entity_code": (w.own_entity if which == "own" else w.other_entity).uscc,
                "reason_type": "former_employer",
                "reason": "三年前曾在该企业任职",
            },
            inspector_page,
        ),
        "directory:avoidance_remove": lambda: Request(
            "post",
            reverse(name, args=[inspector.pk, avoidance.pk]),
            {"reason": "当事人已离职，利害关系消除"},
            inspector_page,
        ),
        "directory:import_upload": lambda: Request("get", reverse(name), {}, ""),
        "directory:import_template": lambda: Request(
            "get", reverse(name, args=["entities"]), {}, ""
        ),
        "directory:import_job": lambda: Request(
            "get", reverse(name, args=[w.own_import.pk]), {}, ""
        ),
        "directory:import_job_status": lambda: Request(
            "get", reverse(name, args=[w.own_import.pk]), {}, ""
        ),
        "directory:import_job_errors": lambda: Request(
            "get", reverse(name, args=[w.own_import.pk]), {}, ""
        ),
    }
    return builders[name]()


def _expected(case: str, role: str) -> str:
    return ACCESS[case][ROLES.index(role)]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", list(ACCESS))
def test_each_persona_gets_exactly_the_access_the_table_declares(
    case: str, role: str, world: World, db: None, client: Client
) -> None:
    # given
    if role != "anonymous":
        client.force_login(world.users[role], backend=LOGIN_BACKEND)
    request = _request(case, world)
    expected = _expected(case, role)
    avoidances_before = sorted(Avoidance.objects.values_list("pk", flat=True))
    audit_before = AuditEvent.objects.count()

    # when
    response = getattr(client, request.method)(request.url, request.data)

    # then
    if expected == OK:
        assert response.status_code == 200
    elif expected == NOT_FOUND:
        assert response.status_code == 404
    elif expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={quote(request.url)}"
    else:
        assert response.status_code == 302
        assert response["Location"] == request.next_url
    if request.method == "post" and expected != DONE:
        assert sorted(Avoidance.objects.values_list("pk", flat=True)) == avoidances_before
        assert AuditEvent.objects.count() == audit_before
    if expected == DONE and case.startswith("directory:avoidance_"):
        assert Avoidance.objects.count() == len(avoidances_before) + (
            1 if "avoidance_add" in case else -1
        )
        assert AuditEvent.objects.count() == audit_before + 1


def _named_patterns(resolver: URLResolver, namespace: str) -> set[str]:
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if pattern.namespace else namespace
            names |= _named_patterns(pattern, inner)
        elif pattern.name:
            names.add(f"{namespace}:{pattern.name}")
    return names


def test_every_named_url_of_the_covered_namespaces_has_a_row_in_the_access_table() -> None:
    # given
    namespaces = get_resolver().namespace_dict
    declared = {case.partition(" ")[0] for case in ACCESS}

    # when
    routed = set().union(*(_named_patterns(namespaces[ns][1], ns) for ns in COVERED_NAMESPACES))

    # then
    assert routed - declared == set(), "add these URLs to ACCESS"
    assert declared - routed == set(), "ACCESS names URLs that no longer exist"


def test_the_access_table_has_one_column_per_shared_persona() -> None:
    # given / when / then
    assert sorted(ROLES) == sorted(PERSONAS)
    assert len(ROLES) == len(PERSONAS)


def test_every_row_of_the_access_table_has_one_outcome_per_persona() -> None:
    # given / when
    widths = {case: len(outcomes) for case, outcomes in ACCESS.items()}

    # then
    assert widths == dict.fromkeys(ACCESS, len(ROLES))
