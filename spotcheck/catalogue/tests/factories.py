"""Build catalogue items for tests of the contexts that use them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from spotcheck.accounts.models import Department
from spotcheck.catalogue.models import InspectionItem, ResultCode
from spotcheck.catalogue.result_codes import RESULT_CODES
from spotcheck.catalogue.services import item_create
from spotcheck.directory.models import ItemType


def make_item(department: Department, code: str, **values: Any) -> InspectionItem:
    """A 重点 item of ``department`` with its own item type, for enterprises."""
    item_type = ItemType.objects.create(
        code=code.lower(), name=f"事项{code}", department=department
    )
    defaults: dict[str, Any] = {
        "department": department,
        "code": code,
        "name": f"事项{code}",
        "item_type": item_type,
        "legal_basis": "依据",
        "methods": ["onsite"],
        "entity_types": ["enterprise"],
        "item_class": "key",
        "ratio_min": Decimal("3"),
        "ratio_max": None,
    }
    defaults.update(values)
    # a flushed database (live_server) has lost the codes of the data migration
    no_problem, _ = ResultCode.objects.get_or_create(
        code="1", defaults={"label": "未发现问题", "exclusive": True}
    )
    return item_create(actor=None, values=defaults, sub_items=["内容"], result_codes=[no_problem])


def ensure_result_codes() -> None:
    """Put the national code table back (a flushed transactional database has lost it)."""
    for sort, (code, label, parent, flags) in enumerate(RESULT_CODES, start=1):
        ResultCode.objects.get_or_create(
            code=code,
            defaults={
                "label": label,
                "parent": ResultCode.objects.get(code=parent) if parent else None,
                "exclusive": "exclusive" in flags,
                "requires_child": "requires_child" in flags,
                "terminal": "terminal" in flags,
                "needs_follow_up": "follow_up" in flags,
                "abnormal_list": "abnormal" in flags,
                "sort": sort,
            },
        )
