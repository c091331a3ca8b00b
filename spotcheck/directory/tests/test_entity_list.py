"""The object directory list: scope, filters, pagination and the query budget."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from spotcheck.directory.models import Inspector
from spotcheck.directory.tests.factories import EntityFactory, InspectorFactory, TagFactory
from spotcheck.testing.personas import BING, DING, JIA, YI, Catalogue, Departments

ENTITY_LIST = reverse("directory:entity_list")
INSPECTOR_LIST = reverse("directory:inspector_list")

SignIn = Callable[[str], Client]


def _listed(response: Any) -> list[str]:
    return [obj.name for obj in response.context["page"].object_list]


@pytest.mark.parametrize("persona", ["platform_admin", "lead_admin", "auditor"])
def test_read_all_roles_see_every_entity(
    persona: str, catalogue: Catalogue, persona_client: SignIn
) -> None:
    # given
    client = persona_client(persona)

    # when
    response = client.get(ENTITY_LIST)

    # then
    assert _listed(response) == [DING, BING, YI, JIA]


def test_dept_admin_sees_only_entities_their_department_supervises(
    catalogue: Catalogue, persona_client: SignIn
) -> None:
    # given
    client = persona_client("dept_admin")

    # when
    response = client.get(ENTITY_LIST)

    # then
    assert _listed(response) == [DING, BING, JIA]
    assert response.context["page"].paginator.count == 3


def test_other_dept_admin_sees_only_the_police_entities(
    catalogue: Catalogue, persona_client: SignIn
) -> None:
    # given
    client = persona_client("other_dept_admin")

    # when
    response = client.get(ENTITY_LIST)

    # then
    assert _listed(response) == [DING, YI]


def test_parent_dept_admin_sees_the_entities_of_departments_below_them(
    catalogue: Catalogue, persona_client: SignIn
) -> None:
    # given
    client = persona_client("parent_dept_admin")

    # when
    response = client.get(ENTITY_LIST)

    # then
    assert _listed(response) == [DING, BING, JIA]


@pytest.mark.parametrize("persona", ["inspector", "other_inspector"])
def test_inspectors_see_no_entities(
    persona: str, catalogue: Catalogue, persona_client: SignIn
) -> None:
    # given
    client = persona_client(persona)

    # when
    response = client.get(ENTITY_LIST)

    # then
    assert _listed(response) == []
    assert "暂无分配给您的检查对象" in response.content.decode()


def test_a_dept_admin_filtering_by_another_department_still_sees_only_their_own(
    catalogue: Catalogue, departments: Departments, persona_client: SignIn
) -> None:
    # given
    client = persona_client("dept_admin")

    # when
    response = client.get(ENTITY_LIST, {"department": departments.police.pk})

    # then
    assert YI not in _listed(response)
    assert set(_listed(response)) <= {DING, BING, JIA}


@pytest.mark.parametrize(
    "params",
    [
        {"tag": "food-producer", "region": "999999"},
        {"tag": "food-producer", "risk_class": "E"},
        {"tag": "food-producer", "department": "not-a-number"},
    ],
)
def test_an_invalid_filter_value_never_widens_the_list_beyond_the_valid_filters(
    params: dict[str, str], catalogue: Catalogue, persona_client: SignIn
) -> None:
    # given: a stale bookmark or a hand-edited link with one bad parameter
    client = persona_client("platform_admin")

    # when
    response = client.get(ENTITY_LIST, params)

    # then: the 保安服务公司 乙 does not carry the requested 食品生产企业 tag
    assert response.status_code == 200
    assert YI not in _listed(response)
    assert BING not in _listed(response)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"entity_type": "individual"}, [BING]),
        ({"entity_type": "cooperative"}, [DING]),
        ({"tag": "food-producer"}, [DING, JIA]),
        ({"tag": "security-service"}, [YI]),
        ({"risk_class": "A"}, [DING, JIA]),
        ({"risk_class": "C"}, [YI]),
        ({"risk_class": "none"}, [BING]),
        ({"reg_status": "revoked"}, [BING]),
        ({"reg_status": "active"}, [DING, YI, JIA]),
        ({"region": "130181"}, [BING]),
        ({"region": "130183"}, [DING, YI, JIA]),
        ({"flag": "abnormal"}, [YI]),
        ({"q": "保安"}, [YI]),
        ({"q": "晋州市"}, [DING, BING, YI, JIA]),
        ({"q": "不存在的企业"}, []),
        ({"tag": "food-producer", "risk_class": "A", "entity_type": "enterprise"}, [JIA]),
    ],
)
def test_entity_list_filters_narrow_the_list(
    params: dict[str, str], expected: list[str], catalogue: Catalogue, persona_client: SignIn
) -> None:
    # given
    client = persona_client("platform_admin")

    # when
    response = client.get(ENTITY_LIST, params)

    # then
    assert _listed(response) == expected


@pytest.mark.parametrize("department", ["market", "police"])
def test_entity_list_filters_by_department_without_duplicating_shared_entities(
    department: str, catalogue: Catalogue, departments: Departments, persona_client: SignIn
) -> None:
    # given
    client = persona_client("platform_admin")
    expected = {"market": [DING, BING, JIA], "police": [DING, YI]}[department]

    # when
    response = client.get(ENTITY_LIST, {"department": getattr(departments, department).pk})

    # then
    assert _listed(response) == expected


@pytest.mark.parametrize("transform", [str, str.lower, lambda code: f"  {code} "])
def test_entity_list_finds_an_entity_by_its_uscc(
    transform: Callable[[str], str], catalogue: Catalogue, persona_client: SignIn
) -> None:
    # given
    client = persona_client("platform_admin")
    assert catalogue.yi.uscc is not None

    # when
    response = client.get(ENTITY_LIST, {"q": transform(catalogue.yi.uscc)})

    # then
    assert _listed(response) == [YI]


def test_entity_list_pages_by_the_configured_page_size(
    settings: Any, departments: Departments, persona_client: SignIn
) -> None:
    # given
    settings.DIRECTORY_PAGE_SIZE = 2
    for n in range(1, 6):
        EntityFactory(name=f"对象{n}", supervising_departments=[departments.market])
    client = persona_client("dept_admin")

    # when
    pages = {p: client.get(ENTITY_LIST, {"page": p}) for p in ("1", "2", "3")}

    # then
    assert {p: _listed(r) for p, r in pages.items()} == {
        "1": ["对象1", "对象2"],
        "2": ["对象3", "对象4"],
        "3": ["对象5"],
    }
    assert pages["1"].context["page"].paginator.num_pages == 3
    assert "1 / 3" in pages["1"].content.decode()


@pytest.mark.parametrize(("page", "expected"), [("99", ["对象3"]), ("abc", ["对象1", "对象2"])])
def test_entity_list_clamps_an_out_of_range_or_bad_page_number(
    page: str, expected: list[str], settings: Any, departments: Departments, persona_client: SignIn
) -> None:
    # given
    settings.DIRECTORY_PAGE_SIZE = 2
    for n in range(1, 4):
        EntityFactory(name=f"对象{n}", supervising_departments=[departments.market])
    client = persona_client("dept_admin")

    # when
    response = client.get(ENTITY_LIST, {"page": page})

    # then
    assert response.status_code == 200
    assert _listed(response) == expected


def test_entity_list_pagination_links_keep_the_filter(
    settings: Any, departments: Departments, persona_client: SignIn
) -> None:
    # given
    settings.DIRECTORY_PAGE_SIZE = 2
    for n in range(1, 4):
        EntityFactory(name=f"对象{n}", supervising_departments=[departments.market])
    client = persona_client("dept_admin")

    # when
    response = client.get(ENTITY_LIST, {"entity_type": "enterprise", "page": "1"})

    # then
    assert response.context["query"] == "entity_type=enterprise"
    assert 'href="?entity_type=enterprise&page=2"' in response.content.decode()


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_entity_list_query_count_does_not_grow_with_the_rows_on_the_page(
    departments: Departments, persona_client: SignIn
) -> None:
    # given
    tags = [TagFactory(code="food-producer"), TagFactory(code="security-service")]
    client = persona_client("platform_admin")
    for _ in range(5):
        EntityFactory(supervising_departments=[departments.market], tags=tags)
    with_five = _queries(client, ENTITY_LIST)
    for _ in range(25):
        EntityFactory(supervising_departments=[departments.market, departments.police], tags=tags)

    # when
    with_thirty = _queries(client, ENTITY_LIST)

    # then
    assert with_thirty == with_five


def test_inspector_list_query_count_does_not_grow_with_the_rows_on_the_page(
    departments: Departments, persona_client: SignIn
) -> None:
    # given
    client = persona_client("platform_admin")
    for _ in range(5):
        InspectorFactory(department=departments.market)
    with_five = _queries(client, INSPECTOR_LIST)
    for _ in range(25):
        InspectorFactory(department=departments.police)

    # when
    with_thirty = _queries(client, INSPECTOR_LIST)

    # then
    assert with_thirty == with_five


def test_inspector_sees_only_their_own_record_in_the_inspector_list(
    inspector_record: Inspector, other_inspector_record: Inspector, persona_client: SignIn
) -> None:
    # given
    client = persona_client("inspector")

    # when
    response = client.get(INSPECTOR_LIST)

    # then
    assert _listed(response) == ["李检查"]


def test_dept_admin_sees_only_their_departments_inspectors(
    inspector_record: Inspector,
    other_inspector_record: Inspector,
    departments: Departments,
    persona_client: SignIn,
) -> None:
    # given
    InspectorFactory(name="赵检查", department=departments.market)
    client = persona_client("dept_admin")

    # when
    response = client.get(INSPECTOR_LIST)

    # then
    assert _listed(response) == ["李检查", "赵检查"]


def test_parent_dept_admin_sees_inspectors_of_departments_below_them(
    inspector_record: Inspector,
    other_inspector_record: Inspector,
    departments: Departments,
    persona_client: SignIn,
) -> None:
    # given
    InspectorFactory(name="钱检查", department=departments.city_market)
    client = persona_client("parent_dept_admin")

    # when
    response = client.get(INSPECTOR_LIST)

    # then
    assert _listed(response) == ["钱检查", "李检查"]


@pytest.mark.django_db
def test_the_entity_table_has_no_prefix_pattern_indexes_and_keeps_its_lookups() -> None:
    # the lookups the platform makes use equality or the trigram index; the
    # varchar_pattern_ops twins Django adds on PostgreSQL only cost writes
    if connection.vendor != "postgresql":
        pytest.skip("varchar_pattern_ops indexes exist only on PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'directory_entity'"
        )
        indexes = dict(cursor.fetchall())

    assert not [name for name, sql in indexes.items() if "pattern_ops" in sql]
    assert "directory_entity_name_trgm" in indexes
    assert any("UNIQUE" in sql and "(uscc)" in sql for sql in indexes.values())
    assert any("(name)" in sql and "btree" in sql for sql in indexes.values())
