"""Directory services: risk history, masked ID numbers, scope checks and their audit trail."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.core.masking import resident_id_error
from spotcheck.directory.choices import RiskClass, RiskSource
from spotcheck.directory.models import Entity, EntityRiskHistory, Inspector
from spotcheck.directory.services import entity_create, entity_update, inspector_create
from spotcheck.directory.tests.factories import EntityFactory, make_uscc
from spotcheck.testing.personas import Catalogue, Departments, Regions

RAW_ID = "13018319900307108X"  # a valid 居民身份证号码 (check character X)
MASKED_ID = "1301**********108X"


def _events_after(last_id: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=last_id).order_by("pk"))


def _last_event_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_changing_the_risk_class_is_kept_in_the_history_and_the_audit_trail(
    catalogue: Catalogue, dept_admin: User
) -> None:
    # given
    jia = catalogue.jia
    last = _last_event_id()

    # when
    entity_update(
        actor=dept_admin,
        entity=jia,
        values={
            "risk_class": RiskClass.C,
            "risk_source": RiskSource.DEPARTMENT,
            "risk_as_of": dt.date(2025, 6, 1),
        },
    )

    # then
    latest = EntityRiskHistory.objects.filter(entity=jia).order_by("-pk").first()
    assert latest is not None
    assert (latest.old_class, latest.new_class, latest.source, latest.as_of, latest.changed_by) == (
        "A",
        "C",
        "department",
        dt.date(2025, 6, 1),
        dept_admin,
    )
    assert EntityRiskHistory.objects.filter(entity=jia).count() == 2  # "" → A at creation, A → C
    events = _events_after(last)
    assert [(e.event_type, e.actor, e.target_id) for e in events] == [
        ("directory.entity.risk_changed", dept_admin, str(jia.pk)),
        ("directory.entity.updated", dept_admin, str(jia.pk)),
    ]
    assert events[0].data == {
        "old": "A",
        "new": "C",
        "source": "department",
        "as_of": "2025-06-01",
    }
    assert events[1].data == {
        "changes": {
            "risk_as_of": ["2025-01-10", "2025-06-01"],
            "risk_class": ["A", "C"],
            "risk_source": ["samr_general", "department"],
        }
    }


def test_an_update_that_keeps_the_risk_class_adds_no_history(
    catalogue: Catalogue, dept_admin: User
) -> None:
    # given
    jia = catalogue.jia
    history_before = list(EntityRiskHistory.objects.values_list("pk", flat=True))
    last = _last_event_id()

    # when
    entity_update(actor=dept_admin, entity=jia, values={"liaison_name": "周联络"})

    # then
    assert list(EntityRiskHistory.objects.values_list("pk", flat=True)) == history_before
    assert [(e.event_type, e.data) for e in _events_after(last)] == [
        ("directory.entity.updated", {"changes": {"liaison_name": ["", "周联络"]}})
    ]


def test_a_dept_admin_cannot_update_another_departments_entity(
    catalogue: Catalogue, dept_admin: User
) -> None:
    # given
    yi = catalogue.yi
    last = _last_event_id()

    # when
    with pytest.raises(PermissionDenied, match="无权修改该记录"):
        entity_update(actor=dept_admin, entity=yi, values={"name": "改名"})

    # then
    assert Entity.objects.get(pk=yi.pk).name == "晋州市乙保安服务有限公司"
    assert _events_after(last) == []


def test_a_dept_admin_cannot_create_an_entity_for_another_department(
    departments: Departments, regions: Regions, dept_admin: User
) -> None:
    # given
    entities_before = Entity.objects.count()
    last = _last_event_id()

    # when
    with pytest.raises(PermissionDenied, match="无权修改以下部门的记录：晋州市公安局"):
        entity_create(
            actor=dept_admin,
            values={
                "uscc": make_uscc(7001),
                "name": "晋州市越权企业",
                "entity_type": "enterprise",
                "legal_rep_name": "某",
                "address": "某地",
                "region": regions.county,
                "reg_authority_name": "晋州市市场监督管理局",
            },
            supervising_departments=[departments.police],
        )

    # then
    assert Entity.objects.count() == entities_before
    assert _events_after(last) == []


def _stored_everywhere() -> str:
    """Every stored value of every entity, inspector and audit event, as one string."""
    rows = [model_to_dict(e) for e in Entity.objects.all()]
    rows += [model_to_dict(i) for i in Inspector.objects.all()]
    rows += [
        {"data": e.data, "label": e.target_label, "actor": e.actor_label}
        for e in AuditEvent.objects.all()
    ]
    return json.dumps(rows, default=str, ensure_ascii=False)


def test_a_legal_representative_id_number_is_stored_masked_only(
    departments: Departments, dept_admin: User
) -> None:
    # given / when
    entity = EntityFactory(supervising_departments=[departments.market], legal_rep_id_number=RAW_ID)

    # then
    assert Entity.objects.get(pk=entity.pk).legal_rep_id_masked == MASKED_ID
    assert RAW_ID not in _stored_everywhere()
    assert RAW_ID[6:14] not in _stored_everywhere()  # not even the date of birth


def test_changing_the_id_number_stores_the_new_number_masked_and_audits_only_the_fact(
    departments: Departments, dept_admin: User
) -> None:
    # given
    entity = EntityFactory(supervising_departments=[departments.market])
    last = _last_event_id()

    # when
    entity_update(actor=dept_admin, entity=entity, values={}, legal_rep_id_number=RAW_ID)

    # then
    assert Entity.objects.get(pk=entity.pk).legal_rep_id_masked == MASKED_ID
    assert [e.data for e in _events_after(last)] == [{"changes": {}, "legal_rep_id_changed": True}]
    assert RAW_ID not in _stored_everywhere()


def test_an_inspector_id_number_is_stored_masked_only(departments: Departments) -> None:
    # given / when
    inspector = inspector_create(
        actor=None,
        values={
            "name": "吴检查",
            "department": departments.police,
            "category": "qualified",
            "certificate_no": "JZGA0042",
            "certificate_authority": "晋州市人民政府",
            "certificate_valid_from": dt.date(2024, 1, 1),
            "certificate_valid_until": dt.date(2028, 12, 31),
        },
        id_number=RAW_ID,
    )

    # then
    assert Inspector.objects.get(pk=inspector.pk).id_masked == MASKED_ID
    assert RAW_ID not in _stored_everywhere()


def test_the_raw_id_number_is_a_valid_resident_id() -> None:
    # given / when / then: the masking tests above use a realistic number
    assert resident_id_error(RAW_ID) is None


def test_an_id_number_typed_into_the_entity_form_is_stored_masked_only(
    regions: Regions, departments: Departments, persona_client: Callable[[str], Client]
) -> None:
    # given
    client = persona_client("dept_admin")

    # when
    response = client.post(
        reverse("directory:entity_create"),
        {
            "uscc": make_uscc(8001),
            "name": "晋州市脱敏测试有限公司",
            "entity_type": "enterprise",
            "legal_rep_name": "郑七",
            "legal_rep_id_type": "resident_id",
            "legal_rep_id_number": RAW_ID.lower(),
            "address": "晋州市测试路2号",
            "region": regions.county.pk,
            "reg_authority_name": "晋州市市场监督管理局",
            "reg_status": "active",
            "supervising_departments": [departments.market.pk],
        },
    )

    # then
    assert response.status_code == 302
    assert Entity.objects.get().legal_rep_id_masked == MASKED_ID
    assert RAW_ID not in _stored_everywhere()
    assert RAW_ID.lower() not in _stored_everywhere()
