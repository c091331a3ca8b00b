"""The access matrix: every URL, every persona, one declared outcome.  Read by tests only.

Each app declares the outcomes of its own URLs in ``spotcheck/<app>/tests/access.py``::

    from spotcheck.testing.access_matrix import DONE, LOGIN, NOT_FOUND, OK, Case, Request

    def build(world):            # optional: the records this app's cases need
        return SimpleNamespace(entity=EntityFactory(...))

    CASES = {
        #                       anonymous platform lead  dept  other parent insp other auditor
        "directory:entity_list": Case(lambda w: Request("get", reverse("directory:entity_list")),
                                      (LOGIN, OK, OK, OK, OK, OK, OK, OK, OK)),
        "directory:entity_detail own": Case(...),   # text after a space tells cases apart
    }

The global test ``spotcheck/common/tests/test_access_matrix.py`` walks the URL resolver,
fails for any URL pattern that no app declares, and runs every case as every persona
(``ROLES``, the columns).  ``build(world)`` runs once per test module, in
``INSTALLED_APPS`` order; what it returns is ``world.app["<app label>"]``.  docs/access.md
explains the scheme.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from spotcheck.accounts.models import User
from spotcheck.directory.models import Inspector
from spotcheck.testing.personas import (
    PERSONAS,
    Departments,
    Regions,
    make_departments,
    make_inspector_record,
    make_regions,
    make_user,
)

OK = "200"
LOGIN = "302 → login"
NOT_FOUND = "404"
DONE = "302 → next page"  # a successful POST, or a signed-in user sent on from the login page
UNAUTHORISED = "401"  # the API without a token
FORBIDDEN = "403"  # the API for a role that has no access to an endpoint at all
METHOD_NOT_ALLOWED = "405"  # a POST-only URL opened with GET
ADMIN_LOGIN = "302 → admin login"  # the Django admin's own login page

# the columns of every row, left to right
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

# A namespace whose URLs are all guarded by one mechanism, tested through one case.
# The Django admin checks is_staff and model permissions itself for its ~100 URLs.
NAMESPACES_COVERED_BY_ONE_CASE = {"admin": "admin:index"}


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    data: dict[str, Any] = field(default_factory=dict)
    next_url: str = ""  # where a DONE outcome redirects to
    headers: dict[str, str] = field(default_factory=dict)
    json: bool = False  # send ``data`` as a JSON body (the API)


@dataclass(frozen=True)
class Case:
    """One row: how to call the URL, and the outcome for each persona in ``ROLES`` order."""

    request: Callable[[World], Request]
    outcomes: tuple[str, ...]
    # optional: a number that a refused request must leave unchanged (e.g. a row count)
    written: Callable[[], Any] | None = None


@dataclass
class World:
    """Every persona, the two inspectors' records, and what each app's ``build`` made."""

    users: dict[str, User]
    departments: Departments
    regions: Regions
    own_inspector: Inspector
    other_inspector: Inspector
    app: dict[str, Any] = field(default_factory=dict)


def access_modules() -> Iterator[tuple[str, Any]]:
    """Yield (app label, module) for every app that declares ``tests/access.py``."""
    for config in apps.get_app_configs():
        if not config.name.startswith("spotcheck."):
            continue
        name = f"{config.name}.tests.access"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name in (name, f"{config.name}.tests"):
                continue
            raise
        yield config.label, module


def declared_cases() -> dict[str, Case]:
    """Return every app's cases; a name declared twice is an error."""
    cases: dict[str, Case] = {}
    for label, module in access_modules():
        for name, case in module.CASES.items():
            if name in cases:
                raise ValueError(f"{name} is declared twice (again in {label})")
            if len(case.outcomes) != len(ROLES):
                raise ValueError(f"{name} has {len(case.outcomes)} outcomes, not {len(ROLES)}")
            cases[name] = case
    return cases


def build_world() -> World:
    departments = make_departments(make_regions())
    users = {p: make_user(f, departments) for p, f in PERSONAS.items() if f is not None}
    world = World(
        users=users,
        departments=departments,
        regions=_regions_of(departments),
        own_inspector=make_inspector_record(users["inspector"], departments),
        other_inspector=make_inspector_record(users["other_inspector"], departments),
    )
    for label, module in access_modules():
        builder = getattr(module, "build", None)
        if builder is not None:
            world.app[label] = builder(world)
    return world


def _regions_of(departments: Departments) -> Regions:
    county = departments.market.region
    city = county.parent
    return Regions(province=city.parent, city=city, county=county)


def routed_url_names() -> set[str]:
    """Return every URL pattern: ``namespace:name``, or the route for an unnamed one.

    A namespace in ``NAMESPACES_COVERED_BY_ONE_CASE`` is reported as its one case.
    """
    found: set[str] = set()

    def walk(resolver: URLResolver, namespace: str, prefix: str) -> None:
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                if inner in NAMESPACES_COVERED_BY_ONE_CASE:
                    found.add(NAMESPACES_COVERED_BY_ONE_CASE[inner])
                    continue
                walk(pattern, inner, route)
            elif isinstance(pattern, URLPattern):
                if pattern.name:
                    found.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
                else:
                    found.add(route)

    walk(get_resolver(), "", "")
    return found
