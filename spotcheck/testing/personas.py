"""Shared test personas: the 晋州市 region tree, its departments and one user per role.

The fixtures are registered for the whole suite by ``spotcheck/conftest.py``.

    河北省 130000
    └── 石家庄市 130100            石家庄市市场监督管理局 (parent_dept_admin)
        └── 晋州市 130183          晋州市市场监督管理局 (dept_admin, inspector_user)
                                   晋州市公安局 (other_dept_admin, other_inspector_user)
                                   晋州市人民政府办公室 (lead_admin; the 牵头单位)
"""

from __future__ import annotations

import datetime as dt
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from spotcheck.accounts.choices import RegionLevel, Role
from spotcheck.accounts.models import Department, Region, User
from spotcheck.accounts.services import department_create
from spotcheck.accounts.tests.factories import DEFAULT_PASSWORD, RegionFactory, UserFactory
from spotcheck.common import cache as shared_cache
from spotcheck.directory.choices import EntityType, RegStatus, RiskClass, RiskSource
from spotcheck.directory.models import Entity, Inspector, Tag
from spotcheck.directory.tests.factories import EntityFactory, InspectorFactory, TagFactory

PASSWORD = DEFAULT_PASSWORD
LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"

# Persona name → fixture name; "anonymous" is the public, not signed in.
PERSONAS: dict[str, str | None] = {
    "anonymous": None,
    "platform_admin": "platform_admin",
    "lead_admin": "lead_admin",
    "dept_admin": "dept_admin",
    "other_dept_admin": "other_dept_admin",
    "parent_dept_admin": "parent_dept_admin",
    "inspector": "inspector_user",
    "other_inspector": "other_inspector_user",
    "auditor": "auditor",
}


@dataclass(frozen=True)
class Regions:
    province: Region
    city: Region
    county: Region


@dataclass(frozen=True)
class Departments:
    lead_office: Department
    market: Department
    police: Department
    city_market: Department


def make_regions() -> Regions:
    """Create 河北省 → 石家庄市 → 晋州市."""
    province = RegionFactory(code="130000", name="河北省", level=RegionLevel.PROVINCE)
    city = RegionFactory(code="130100", name="石家庄市", level=RegionLevel.CITY, parent=province)
    county = RegionFactory(code="130183", name="晋州市", level=RegionLevel.COUNTY, parent=city)
    return Regions(province=province, city=city, county=county)


def make_departments(regions: Regions) -> Departments:
    """Create the four departments through ``department_create``, as the platform does."""
    city_market = department_create(
        actor=None,
        name="石家庄市市场监督管理局",
        short_name="石家庄市场监管局",
        region=regions.city,
    )
    return Departments(
        lead_office=department_create(
            actor=None,
            name="晋州市人民政府办公室",
            short_name="晋州市政府办",
            region=regions.county,
        ),
        market=department_create(
            actor=None,
            name="晋州市市场监督管理局",
            short_name="晋州市场监管局",
            region=regions.county,
            parent=city_market,
        ),
        police=department_create(
            actor=None, name="晋州市公安局", short_name="晋州市公安局", region=regions.county
        ),
        city_market=city_market,
    )


# fixture name → (username, display name, role, department attribute or None)
_USERS: dict[str, tuple[str, str, Role, str | None]] = {
    "platform_admin": ("admin", "平台管理员", Role.PLATFORM_ADMIN, None),
    "lead_admin": ("lead", "牵头单位管理员", Role.LEAD_ADMIN, "lead_office"),
    "dept_admin": ("market_admin", "市场监管局管理员", Role.DEPT_ADMIN, "market"),
    "other_dept_admin": ("police_admin", "公安局管理员", Role.DEPT_ADMIN, "police"),
    "parent_dept_admin": (
        "city_market_admin",
        "石家庄市场监管局管理员",
        Role.DEPT_ADMIN,
        "city_market",
    ),
    "inspector_user": ("market_inspector", "李检查", Role.INSPECTOR, "market"),
    "other_inspector_user": ("police_inspector", "王检查", Role.INSPECTOR, "police"),
    "auditor": ("auditor", "审计员", Role.AUDITOR, None),
}


def make_user(fixture: str, departments: Departments) -> User:
    """Create the user behind one persona fixture (see ``_USERS``)."""
    username, name, role, department = _USERS[fixture]
    return UserFactory(
        username=username,
        display_name=name,
        role=role,
        department=getattr(departments, department) if department else None,
    )


def make_inspector_record(user: User, departments: Departments) -> Inspector:
    """Create the 执法检查人员名录库 row of one of the two inspector users."""
    if user.username == "market_inspector":
        return InspectorFactory(
            name="李检查", department=departments.market, user=user, certificate_no="JZSC0001"
        )
    return InspectorFactory(
        name="王检查", department=departments.police, user=user, certificate_no="JZGA0001"
    )


@pytest.fixture(autouse=True)
def cache_resumed() -> Iterator[None]:
    """A test that breaks the cache must not leave the next test without it."""
    yield
    shared_cache.resume()


@pytest.fixture(autouse=True)
def signal_handlers_kept() -> Iterator[None]:
    """A task worker run inside a test installs its shutdown handlers; they end with it."""
    watched = [signal.SIGINT, signal.SIGTERM, signal.SIGALRM]
    saved = {sig: signal.getsignal(sig) for sig in watched}
    yield
    for sig, handler in saved.items():
        if handler is not None and signal.getsignal(sig) is not handler:
            signal.signal(sig, handler)


@pytest.fixture
def regions(db: None) -> Regions:
    return make_regions()


@pytest.fixture
def departments(regions: Regions) -> Departments:
    return make_departments(regions)


@pytest.fixture
def platform_admin(departments: Departments) -> User:
    return make_user("platform_admin", departments)


@pytest.fixture
def lead_admin(departments: Departments) -> User:
    return make_user("lead_admin", departments)


@pytest.fixture
def dept_admin(departments: Departments) -> User:
    return make_user("dept_admin", departments)


@pytest.fixture
def other_dept_admin(departments: Departments) -> User:
    return make_user("other_dept_admin", departments)


@pytest.fixture
def parent_dept_admin(departments: Departments) -> User:
    return make_user("parent_dept_admin", departments)


@pytest.fixture
def inspector_user(departments: Departments) -> User:
    return make_user("inspector_user", departments)


@pytest.fixture
def other_inspector_user(departments: Departments) -> User:
    return make_user("other_inspector_user", departments)


@pytest.fixture
def auditor(departments: Departments) -> User:
    return make_user("auditor", departments)


@pytest.fixture
def inspector_record(inspector_user: User, departments: Departments) -> Inspector:
    """The 执法检查人员名录库 row of ``inspector_user`` (晋州市市场监督管理局)."""
    return make_inspector_record(inspector_user, departments)


@pytest.fixture
def other_inspector_record(other_inspector_user: User, departments: Departments) -> Inspector:
    """The 执法检查人员名录库 row of ``other_inspector_user`` (晋州市公安局)."""
    return make_inspector_record(other_inspector_user, departments)


@dataclass(frozen=True)
class Catalogue:
    """Four entities that differ in every filterable attribute.

    ======  ==========================  ===========  ========  ====  ==========  =========
    name    supervising departments     type         tag       risk  status      region
    ======  ==========================  ===========  ========  ====  ==========  =========
    甲      market                      enterprise   food      A     active      晋州市
    乙      police                      enterprise   security  C     active      晋州市
    丙      market                      individual   —         —     revoked     辛集市
    丁      market, police              cooperative  food      A     active      晋州市
    ======  ==========================  ===========  ========  ====  ==========  =========

    乙 is on the 经营异常名录.  Names sort by code point: 丁 < 丙 < 乙 < 甲.
    """

    jia: Entity
    yi: Entity
    bing: Entity
    ding: Entity
    food: Tag
    security: Tag
    xinji: Region


JIA = "晋州市甲食品有限公司"
YI = "晋州市乙保安服务有限公司"
BING = "晋州市丙日用品商店"
DING = "晋州市丁果蔬农民专业合作社"


@pytest.fixture
def catalogue(regions: Regions, departments: Departments) -> Catalogue:
    food = TagFactory(code="food-producer", name="食品生产企业")
    security = TagFactory(code="security-service", name="保安服务公司")
    xinji = RegionFactory(
        code="130181", name="辛集市", level=RegionLevel.COUNTY, parent=regions.city
    )
    risk_a = {
        "risk_class": RiskClass.A,
        "risk_source": RiskSource.SAMR_GENERAL,
        "risk_as_of": dt.date(2025, 1, 10),
    }
    return Catalogue(
        jia=EntityFactory(
            name=JIA,
            supervising_departments=[departments.market],
            tags=[food],
            established_on=dt.date(2019, 3, 15),
            **risk_a,
        ),
        yi=EntityFactory(
            name=YI,
            supervising_departments=[departments.police],
            tags=[security],
            risk_class=RiskClass.C,
            risk_source=RiskSource.DEPARTMENT,
            risk_as_of=dt.date(2025, 2, 1),
            on_abnormal_list=True,
        ),
        bing=EntityFactory(
            name=BING,
            entity_type=EntityType.INDIVIDUAL,
            supervising_departments=[departments.market],
            reg_status=RegStatus.REVOKED,
            region=xinji,
        ),
        ding=EntityFactory(
            name=DING,
            entity_type=EntityType.COOPERATIVE,
            supervising_departments=[departments.market, departments.police],
            tags=[food],
            **risk_a,
        ),
        food=food,
        security=security,
        xinji=xinji,
    )


@contextmanager
def kept_for_the_module(django_db_blocker: Any) -> Iterator[None]:
    """Hold one transaction open around a module-scoped fixture and roll it back at the end.

    Data built inside it is created once; each test (with the ``db`` fixture) runs in a
    savepoint inside this transaction, so a test's own writes are undone after it and
    the shared data is undone after the module.  Used by the access matrix.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def persona_client(request: pytest.FixtureRequest, client: Client) -> Callable[[str], Client]:
    """Return ``sign_in(persona)``: the test client signed in as that persona (or anonymous)."""

    def sign_in(persona: str) -> Client:
        fixture = PERSONAS[persona]
        if fixture is not None:
            client.force_login(request.getfixturevalue(fixture), backend=LOGIN_BACKEND)
        return client

    return sign_in
