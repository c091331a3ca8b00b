"""Create or update directory rows sent by another system, each through the services.

Every row is its own transaction: a refused row is reported and leaves nothing written,
the others go through.  The services check the caller's scope and write the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from spotcheck.accounts.models import Department, Region, User
from spotcheck.api.exceptions import service_errors
from spotcheck.directory.models import Entity, Inspector, Speciality, Tag
from spotcheck.directory.selectors import entity_can_edit, inspector_can_edit
from spotcheck.directory.services import (
    entity_create,
    entity_update,
    inspector_create,
    inspector_update,
)


class Refused(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _by_keys(
    model: Any, field: str, keys: Sequence[Any], label: str, error_field: str
) -> list[Any]:
    found = {getattr(o, field): o for o in model.objects.filter(**{f"{field}__in": keys})}
    missing = [str(k) for k in dict.fromkeys(keys) if k not in found]
    if missing:
        raise Refused({error_field: [f"未知的{label}：{'、'.join(missing)}"]})
    return [found[k] for k in dict.fromkeys(keys)]


def _entity_row(actor: User, row: dict[str, Any]) -> tuple[str, Entity]:
    values = {
        k: v for k, v in row.items() if k not in ("region", "supervising_departments", "tags")
    }
    if "region" in row:
        values["region"] = _by_keys(Region, "code", [row["region"]], "行政区划代码", "region")[0]
    departments = None
    if "supervising_departments" in row:
        departments = _by_keys(
            Department, "pk", row["supervising_departments"], "部门编号", "supervising_departments"
        )
    tags = _by_keys(Tag, "code", row["tags"], "标签", "tags") if "tags" in row else None
    existing = Entity.objects.filter(uscc=row["uscc"]).first()
    if existing is None:
        return "created", entity_create(
            actor=actor, values=values, supervising_departments=departments or [], tags=tags or []
        )
    if not entity_can_edit(actor, existing):
        raise Refused({"uscc": ["该检查对象不在您可修改的范围内"]})
    values.pop("uscc")
    return "updated", entity_update(
        actor=actor, entity=existing, values=values, supervising_departments=departments, tags=tags
    )


def _inspector_row(actor: User, row: dict[str, Any]) -> tuple[str, Inspector]:
    values = {k: v for k, v in row.items() if k not in ("department", "specialities")}
    if "department" in row:
        values["department"] = _by_keys(
            Department, "pk", [row["department"]], "部门编号", "department"
        )[0]
    specialities = None
    if "specialities" in row:
        specialities = _by_keys(Speciality, "code", row["specialities"], "业务专长", "specialities")
    existing = Inspector.objects.filter(certificate_no=row["certificate_no"]).first()
    if existing is None:
        if "department" not in values:
            raise Refused({"department": ["新增执法检查人员须填写所属部门"]})
        return "created", inspector_create(
            actor=actor, values=values, specialities=specialities or []
        )
    if not inspector_can_edit(actor, existing):
        raise Refused({"certificate_no": ["该执法检查人员不在您可修改的范围内"]})
    values.pop("certificate_no")
    return "updated", inspector_update(
        actor=actor, inspector=existing, values=values, specialities=specialities
    )


def _errors(exc: Exception) -> dict[str, list[str]]:
    if isinstance(exc, Refused):
        return exc.errors
    if isinstance(exc, ValidationError):
        found = service_errors(exc)
        return found if isinstance(found, dict) else {"non_field_errors": list(found)}
    if isinstance(exc, PermissionDenied):
        return {"non_field_errors": [str(exc) or "无权修改"]}
    return {"non_field_errors": ["与已有记录冲突，请重试"]}


def _sync(
    actor: User,
    rows: Sequence[dict[str, Any]],
    key: str,
    apply: Callable[[User, dict[str, Any]], tuple[str, Any]],
) -> dict[str, Any]:
    report: dict[str, Any] = {"created": 0, "updated": 0, "refused": 0, "rows": []}
    for row in rows:
        try:
            with transaction.atomic():
                result, obj = apply(actor, row)
        except (Refused, ValidationError, PermissionDenied, IntegrityError) as exc:
            report["refused"] += 1
            report["rows"].append(
                {"key": row[key], "result": "refused", "id": None, "errors": _errors(exc)}
            )
            continue
        report[result] += 1
        report["rows"].append({"key": row[key], "result": result, "id": obj.pk, "errors": {}})
    return report


def entities_sync(*, actor: User, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Create or update entities by 统一社会信用代码; return a report per row."""
    return _sync(actor, rows, "uscc", _entity_row)


def inspectors_sync(*, actor: User, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Create or update inspectors by 执法证号; return a report per row."""
    return _sync(actor, rows, "certificate_no", _inspector_row)
