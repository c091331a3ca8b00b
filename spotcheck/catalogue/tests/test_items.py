from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.catalogue.models import InspectionItem, ResultCode
from spotcheck.catalogue.services import item_create, item_update
from spotcheck.directory.models import ItemType
from spotcheck.testing.personas import Departments


@pytest.fixture
def item_type(departments: Departments) -> ItemType:
    return ItemType.objects.create(
        code="registration", name="登记事项检查", department=departments.market
    )


def _values(departments: Departments, item_type: ItemType, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "department": departments.market,
        "code": "SJ-01",
        "name": "登记事项检查",
        "item_type": item_type,
        "legal_basis": "《中华人民共和国市场主体登记管理条例》",
        "methods": ["onsite"],
        "entity_types": ["enterprise"],
        "item_class": "general",
        "ratio_min": Decimal("3"),
        "ratio_max": Decimal("5"),
    }
    values.update(overrides)
    return values


def _codes(*codes: str) -> list[ResultCode]:
    return list(ResultCode.objects.filter(code__in=codes))


def test_result_code_table_is_loaded_by_migration(db: None) -> None:
    assert ResultCode.objects.count() == 19
    assert ResultCode.objects.get(code="B").parent.code == "2"
    assert ResultCode.objects.get(code="1").exclusive is True
    assert ResultCode.objects.get(code="A").requires_child is True


def test_item_is_created_with_sub_items_and_audit(
    departments: Departments, item_type: ItemType, dept_admin: User
) -> None:
    item = item_create(
        actor=dept_admin,
        values=_values(departments, item_type),
        sub_items=["住所与登记是否一致", "", "  法定代表人  "],
        result_codes=_codes("1", "A", "2", "B"),
    )

    assert list(item.sub_items.values_list("order", "content")) == [
        (1, "住所与登记是否一致"),
        (2, "法定代表人"),
    ]
    event = AuditEvent.objects.get(event_type="catalogue.item.created")
    assert event.actor == dept_admin
    assert event.data["sub_items"] == ["住所与登记是否一致", "法定代表人"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ratio_max": None}, "ratio_max", "一般检查事项须设定抽查比例上限"),
        (
            {"ratio_min": Decimal("10"), "ratio_max": Decimal("5")},
            "ratio_max",
            "抽查比例上限不能低于下限",
        ),
        ({"ratio_max": Decimal("120")}, "ratio_max", "确保该值小于或等于100。"),
        ({"methods": []}, "methods", "请至少选择一种有效的抽查方式"),
        ({"methods": ["telepathy"]}, "methods", "请至少选择一种有效的抽查方式"),
        ({"entity_types": []}, "entity_types", "请至少选择一种有效的抽查对象类型"),
    ],
)
def test_bad_items_are_refused_and_nothing_is_saved(
    departments: Departments,
    item_type: ItemType,
    overrides: dict[str, Any],
    field: str,
    message: str,
) -> None:
    with pytest.raises(ValidationError) as exc:
        item_create(
            actor=None,
            values=_values(departments, item_type, **overrides),
            sub_items=["内容"],
            result_codes=_codes("1"),
        )

    assert exc.value.message_dict[field] == [message]
    assert InspectionItem.objects.count() == 0
    assert not AuditEvent.objects.filter(event_type="catalogue.item.created").exists()


def test_key_item_may_have_no_upper_ratio(departments: Departments, item_type: ItemType) -> None:
    item = item_create(
        actor=None,
        values=_values(departments, item_type, item_class="key", ratio_max=None),
        sub_items=["内容"],
        result_codes=_codes("1"),
    )

    assert item.ratio_max is None


def test_item_needs_sub_items_and_result_codes(
    departments: Departments, item_type: ItemType
) -> None:
    with pytest.raises(ValidationError):
        item_create(
            actor=None,
            values=_values(departments, item_type),
            sub_items=[" "],
            result_codes=_codes("1"),
        )
    with pytest.raises(ValidationError):
        item_create(
            actor=None, values=_values(departments, item_type), sub_items=["a"], result_codes=[]
        )

    assert InspectionItem.objects.count() == 0


def test_other_department_cannot_add_or_change(
    departments: Departments, item_type: ItemType, other_dept_admin: User
) -> None:
    with pytest.raises(PermissionDenied):
        item_create(
            actor=other_dept_admin,
            values=_values(departments, item_type),
            sub_items=["内容"],
            result_codes=_codes("1"),
        )
    item = item_create(
        actor=None,
        values=_values(departments, item_type),
        sub_items=["内容"],
        result_codes=_codes("1"),
    )
    with pytest.raises(PermissionDenied):
        item_update(
            actor=other_dept_admin,
            item=item,
            values={"name": "改名"},
            sub_items=["内容"],
            result_codes=_codes("1"),
        )

    item.refresh_from_db()
    assert item.name == "登记事项检查"


def test_update_records_the_sub_item_change(departments: Departments, item_type: ItemType) -> None:
    item = item_create(
        actor=None,
        values=_values(departments, item_type),
        sub_items=["旧"],
        result_codes=_codes("1"),
    )

    item_update(actor=None, item=item, values={}, sub_items=["新"], result_codes=_codes("1"))

    event = AuditEvent.objects.get(event_type="catalogue.item.updated")
    assert event.data["sub_items"] == [["旧"], ["新"]]


@pytest.mark.parametrize(
    ("persona", "list_status", "create_status"),
    [
        ("anonymous", 302, 302),
        ("platform_admin", 200, 200),
        ("lead_admin", 200, 200),
        ("dept_admin", 200, 200),
        ("inspector", 200, 404),
        ("auditor", 200, 404),
    ],
)
def test_catalogue_pages_by_role(
    persona_client: Callable[[str], Client], persona: str, list_status: int, create_status: int
) -> None:
    client = persona_client(persona)

    assert client.get("/catalogue/").status_code == list_status
    assert client.get("/catalogue/new/").status_code == create_status


def test_dept_admin_creates_an_item_through_the_form(
    departments: Departments, item_type: ItemType, persona_client: Callable[[str], Client]
) -> None:
    response = persona_client("dept_admin").post(
        "/catalogue/new/",
        {
            "department": departments.market.pk,
            "item_type": item_type.pk,
            "code": "SJ-09",
            "name": "登记事项检查",
            "item_class": "general",
            "ratio_min": "3",
            "ratio_max": "5",
            "frequency": "每年不少于1次",
            "methods": ["onsite", "written"],
            "entity_types": ["enterprise"],
            "sub_items_text": "住所\n法定代表人",
            "legal_basis": "《中华人民共和国市场主体登记管理条例》",
            "result_codes": [c.pk for c in _codes("1", "A")],
            "is_active": "on",
        },
    )

    item = InspectionItem.objects.get(code="SJ-09")
    assert response.status_code == 302
    assert response["Location"] == f"/catalogue/{item.pk}/"
    assert item.methods == ["onsite", "written"]


def test_form_shows_chinese_error_for_general_item_without_upper_ratio(
    departments: Departments, item_type: ItemType, persona_client: Callable[[str], Client]
) -> None:
    response = persona_client("dept_admin").post(
        "/catalogue/new/",
        {
            "department": departments.market.pk,
            "item_type": item_type.pk,
            "code": "SJ-09",
            "name": "登记事项检查",
            "item_class": "general",
            "ratio_min": "3",
            "frequency": "每年不少于1次",
            "methods": ["onsite"],
            "entity_types": ["enterprise"],
            "sub_items_text": "住所",
            "legal_basis": "依据",
            "result_codes": [c.pk for c in _codes("1")],
        },
    )

    assert response.status_code == 200
    assert "一般检查事项须设定抽查比例上限" in response.content.decode()
    assert InspectionItem.objects.count() == 0
