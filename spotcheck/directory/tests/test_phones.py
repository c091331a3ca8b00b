"""Phone numbers: stored in full on every path in, shown in full only to who acts on them.

The rule (docs/access.md): the entity's keepers (who may change it) and the inspector
themself see a number in full; every other reader, the audit trail, exports and the
public see it masked (189****4920); a number that arrives already masked is refused.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from spotcheck.accounts.models import User
from spotcheck.audit import events
from spotcheck.audit.models import AuditEvent
from spotcheck.directory.choices import InspectorCategory
from spotcheck.directory.models import Entity, Inspector
from spotcheck.directory.services import (
    entity_create,
    entity_update,
    inspector_create,
    inspector_update,
)
from spotcheck.directory.tests.factories import make_uscc
from spotcheck.testing.personas import Catalogue, Departments, Regions

FULL = "18912344920"
MASKED = "189****4920"
REFUSAL = "请填写完整的电话号码，不能填写打了星号的号码"


def _page(user: User, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _entity_values(regions: Regions, **phones: str) -> dict[str, object]:
    return {
        "uscc": make_uscc(8101),
        "name": "晋州市电话测试有限公司",
        "entity_type": "enterprise",
        "legal_rep_name": "赵某",
        "address": "晋州市某路1号",
        "region": regions.county,
        "reg_authority_name": "晋州市市场监督管理局",
        **phones,
    }


def test_a_full_number_is_stored_in_full_and_audited_masked(
    regions: Regions, departments: Departments, dept_admin: User
) -> None:
    # given / when an admin records an entity with its numbers
    entity = entity_create(
        actor=dept_admin,
        values=_entity_values(regions, legal_rep_phone=FULL, liaison_phone="19755667271"),
        supervising_departments=[departments.market],
    )
    # then the numbers are kept whole, and the audit trail has them masked
    stored = Entity.objects.get(pk=entity.pk)
    after = AuditEvent.objects.get(event_type=events.ENTITY_CREATED, target_id=str(entity.pk))
    assert (stored.legal_rep_phone, stored.liaison_phone) == (FULL, "19755667271")
    assert (after.data["after"]["legal_rep_phone"], after.data["after"]["liaison_phone"]) == (
        MASKED,
        "197****7271",
    )


@pytest.mark.parametrize("given", [MASKED, "189＊＊＊＊4920"], ids=["ascii", "full-width"])
def test_a_masked_number_is_refused_and_nothing_is_written(
    regions: Regions, departments: Departments, dept_admin: User, given: str
) -> None:
    # given a number copied from a masked list
    entities, events = Entity.objects.count(), AuditEvent.objects.count()
    # when it is entered
    with pytest.raises(ValidationError) as refused:
        entity_create(
            actor=dept_admin,
            values=_entity_values(regions, legal_rep_phone=given),
            supervising_departments=[departments.market],
        )
    # then it is refused at its field, and nothing was written
    assert refused.value.message_dict == {"legal_rep_phone": [REFUSAL]}
    assert (Entity.objects.count(), AuditEvent.objects.count()) == (entities, events)


def test_an_old_masked_number_left_unchanged_does_not_block_another_change(
    catalogue: Catalogue, dept_admin: User
) -> None:
    # given an entity stored masked by an earlier version of the demo
    Entity.objects.filter(pk=catalogue.jia.pk).update(legal_rep_phone=MASKED)
    jia = Entity.objects.get(pk=catalogue.jia.pk)
    # when its address is changed and its number sent back as it was
    entity_update(
        actor=dept_admin, entity=jia, values={"address": "新地址1号", "legal_rep_phone": MASKED}
    )
    # then the change is saved
    assert Entity.objects.get(pk=jia.pk).address == "新地址1号"


def test_an_inspector_number_given_masked_is_refused(
    departments: Departments, inspector_record: Inspector, dept_admin: User
) -> None:
    # given / when
    with pytest.raises(ValidationError) as refused:
        inspector_update(actor=dept_admin, inspector=inspector_record, values={"phone": MASKED})
    # then
    assert refused.value.message_dict == {"phone": [REFUSAL]}
    assert Inspector.objects.get(pk=inspector_record.pk).phone != MASKED


def test_the_entity_form_shows_the_refusal_at_the_phone_field(
    catalogue: Catalogue, dept_admin: User
) -> None:
    # given the entity's edit form, sent with a masked number
    client = Client()
    client.force_login(dept_admin)
    url = reverse("directory:entity_edit", args=[catalogue.jia.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["supervising_departments"] = [d.pk for d in catalogue.jia.supervising_departments.all()]
    data["tags"] = [t.pk for t in catalogue.jia.tags.all()]
    data["region"] = catalogue.jia.region_id
    data["legal_rep_phone"] = MASKED
    # when
    response = client.post(url, data)
    # then the form comes back with the reason beside the field, nothing saved
    assert response.status_code == 200
    assert response.context["form"].errors["legal_rep_phone"] == [REFUSAL]
    assert Entity.objects.get(pk=catalogue.jia.pk).legal_rep_phone != MASKED


def test_the_entity_page_shows_the_number_in_full_to_its_keepers_only(
    catalogue: Catalogue, dept_admin: User, other_dept_admin: User, auditor: User
) -> None:
    # given 甲 (kept by 市场监管局) with a full number
    Entity.objects.filter(pk=catalogue.jia.pk).update(
        legal_rep_phone=FULL, liaison_phone="19755667271"
    )
    url = reverse("directory:entity_detail", args=[catalogue.jia.pk])
    # when its keeper and the auditor open the page
    keeper, reader = _page(dept_admin, url), _page(auditor, url)
    # then the keeper sees the numbers, the auditor only their masked form
    assert (FULL in keeper, "19755667271" in keeper) == (True, True)
    assert (FULL in reader, MASKED in reader, "197****7271" in reader) == (False, True, True)


def test_the_inspector_page_shows_the_number_to_the_inspector_and_the_keeper(
    inspector_record: Inspector, inspector_user: User, dept_admin: User, auditor: User
) -> None:
    # given 李检查 with a full number
    Inspector.objects.filter(pk=inspector_record.pk).update(phone=FULL)
    url = reverse("directory:inspector_detail", args=[inspector_record.pk])
    # when the inspector, the keeper and the auditor open the page
    pages = [_page(u, url) for u in (inspector_user, dept_admin, auditor)]
    # then the auditor alone sees it masked
    assert [(FULL in p, MASKED in p) for p in pages] == [
        (True, False),
        (True, False),
        (False, True),
    ]


def test_a_new_inspector_with_a_full_number_keeps_it(departments: Departments) -> None:
    # given / when
    inspector = inspector_create(
        actor=None,
        values={
            "name": "钱检查",
            "department": departments.market,
            "category": InspectorCategory.CIVIL_SERVANT,
            "certificate_no": "JZSC0099",
            "certificate_authority": "河北省人民政府",
            "certificate_valid_from": "2025-01-01",
            "certificate_valid_until": "2030-01-01",
            "phone": FULL,
        },
    )
    # then
    assert Inspector.objects.get(pk=inspector.pk).phone == FULL
