"""回避 relations: declaring and withdrawing them, always with a reason and an audit record."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.directory.models import Avoidance, Inspector
from spotcheck.directory.services import avoidance_add, avoidance_remove
from spotcheck.directory.tests.factories import AvoidanceFactory
from spotcheck.testing.personas import Catalogue

SignIn = Callable[[str], Client]


def _state() -> tuple[list[tuple[int, int]], int]:
    pairs = sorted(Avoidance.objects.values_list("inspector_id", "entity_id"))
    return pairs, AuditEvent.objects.count()


def test_declaring_an_avoidance_stores_it_with_its_declarer_and_audits_it(
    catalogue: Catalogue, inspector_record: Inspector, dept_admin: User
) -> None:
    # given
    jia = catalogue.jia

    # when
    avoidance = avoidance_add(
        actor=dept_admin,
        inspector=inspector_record,
        entity=jia,
        reason_type="relative",
        reason="检查员之兄为该企业股东",
    )

    # then
    stored = Avoidance.objects.get()
    assert (stored.pk, stored.inspector, stored.entity, stored.declared_by) == (
        avoidance.pk,
        inspector_record,
        jia,
        dept_admin,
    )
    event = AuditEvent.objects.get(event_type="directory.avoidance.added")
    assert (event.actor, event.target_type, event.target_id) == (
        dept_admin,
        "directory.inspector",
        str(inspector_record.pk),
    )
    assert event.data == {
        "entity": jia.uscc,
        "reason_type": "relative",
        "reason": "检查员之兄为该企业股东",
    }


def test_a_system_write_can_declare_an_avoidance(
    catalogue: Catalogue, inspector_record: Inspector
) -> None:
    # given: actor=None is the documented "system write" (demo load, maintenance commands)
    jia = catalogue.jia

    # when
    avoidance_add(
        actor=None,
        inspector=inspector_record,
        entity=jia,
        reason_type="other",
        reason="历史数据迁移",
    )

    # then
    assert Avoidance.objects.get().declared_by is None
    assert AuditEvent.objects.get(event_type="directory.avoidance.added").actor_label == "系统"


def test_the_same_avoidance_cannot_be_declared_twice(
    catalogue: Catalogue, inspector_record: Inspector, dept_admin: User
) -> None:
    # given
    AvoidanceFactory(inspector=inspector_record, entity=catalogue.jia, declared_by=dept_admin)
    before = _state()

    # when
    with pytest.raises(ValidationError) as excinfo:
        avoidance_add(
            actor=dept_admin,
            inspector=inspector_record,
            entity=catalogue.jia,
            reason_type="relative",
            reason="重复登记",
        )

    # then
    assert excinfo.value.messages == ["该人员与该检查对象的回避关系已存在"]
    assert _state() == before


def test_a_dept_admin_cannot_declare_an_avoidance_for_another_departments_inspector(
    catalogue: Catalogue, other_inspector_record: Inspector, dept_admin: User
) -> None:
    # given
    before = _state()

    # when
    with pytest.raises(PermissionDenied, match="无权修改以下部门的记录：晋州市公安局"):
        avoidance_add(
            actor=dept_admin,
            inspector=other_inspector_record,
            entity=catalogue.jia,
            reason_type="relative",
            reason="越权登记",
        )

    # then
    assert _state() == before


def test_withdrawing_an_avoidance_deletes_it_and_keeps_the_reason_in_the_audit_trail(
    catalogue: Catalogue, inspector_record: Inspector, dept_admin: User
) -> None:
    # given
    avoidance = AvoidanceFactory(
        inspector=inspector_record, entity=catalogue.yi, declared_by=dept_admin
    )

    # when
    avoidance_remove(actor=dept_admin, avoidance=avoidance, reason="亲属已离职")

    # then
    assert Avoidance.objects.count() == 0
    event = AuditEvent.objects.get(event_type="directory.avoidance.removed")
    assert (event.actor, event.target_id) == (dept_admin, str(inspector_record.pk))
    assert event.data == {"entity": catalogue.yi.uscc, "reason": "亲属已离职"}


@pytest.mark.parametrize("reason", ["", "   "])
def test_withdrawing_an_avoidance_without_a_reason_is_refused(
    reason: str, catalogue: Catalogue, inspector_record: Inspector, dept_admin: User
) -> None:
    # given
    avoidance = AvoidanceFactory(
        inspector=inspector_record, entity=catalogue.yi, declared_by=dept_admin
    )
    before = _state()

    # when
    with pytest.raises(ValidationError) as excinfo:
        avoidance_remove(actor=dept_admin, avoidance=avoidance, reason=reason)

    # then
    assert excinfo.value.message_dict == {"reason": ["撤销回避关系须说明理由"]}
    assert _state() == before


def test_the_avoidance_page_refuses_an_unknown_entity_code_and_saves_nothing(
    inspector_record: Inspector, persona_client: SignIn
) -> None:
    # given
    client = persona_client("dept_admin")
    before = _state()

    # when
    response = client.post(
        reverse("directory:avoidance_add", args=[inspector_record.pk]),
        {"entity_code": "91130183MA0NEW9928", "reason_type": "relative", "reason": "测试"},
    )

    # then
    assert response.status_code == 400
    assert response.context["avoidance_form"].errors == {
        "entity_code": ["名录库中没有该代码的检查对象"]
    }
    assert _state() == before


def test_the_avoidance_page_declares_by_the_entity_code_as_officials_type_it(
    catalogue: Catalogue, inspector_record: Inspector, persona_client: SignIn
) -> None:
    # given
    client = persona_client("dept_admin")
    assert catalogue.jia.uscc is not None
    typed = " ".join([catalogue.jia.uscc[:9].lower(), catalogue.jia.uscc[9:]])

    # when
    response = client.post(
        reverse("directory:avoidance_add", args=[inspector_record.pk]),
        {"entity_code": typed, "reason_type": "recent_check", "reason": "上月刚检查过"},
    )

    # then
    assert response.status_code == 302
    assert list(Avoidance.objects.values_list("inspector", "entity")) == [
        (inspector_record.pk, catalogue.jia.pk)
    ]


def test_the_withdraw_button_without_a_reason_removes_nothing(
    catalogue: Catalogue, inspector_record: Inspector, dept_admin: User, persona_client: SignIn
) -> None:
    # given
    avoidance = AvoidanceFactory(
        inspector=inspector_record, entity=catalogue.yi, declared_by=dept_admin
    )
    client = persona_client("dept_admin")
    before = _state()

    # when
    response = client.post(
        reverse("directory:avoidance_remove", args=[inspector_record.pk, avoidance.pk]),
        {"reason": ""},
        follow=True,
    )

    # then
    assert response.redirect_chain == [
        (reverse("directory:inspector_detail", args=[inspector_record.pk]), 302)
    ]
    assert "撤销回避关系须填写理由" in response.content.decode()
    assert _state() == before


def test_an_avoidance_of_another_inspector_cannot_be_withdrawn_through_this_inspectors_url(
    catalogue: Catalogue,
    inspector_record: Inspector,
    other_inspector_record: Inspector,
    platform_admin: User,
    persona_client: SignIn,
) -> None:
    # given
    foreign = AvoidanceFactory(
        inspector=other_inspector_record, entity=catalogue.jia, declared_by=platform_admin
    )
    client = persona_client("dept_admin")
    before = _state()

    # when
    response = client.post(
        reverse("directory:avoidance_remove", args=[inspector_record.pk, foreign.pk]),
        {"reason": "借道撤销"},
    )

    # then
    assert response.status_code == 404
    assert _state() == before


@pytest.mark.parametrize("name", ["directory:avoidance_add", "directory:avoidance_remove"])
def test_the_avoidance_urls_accept_only_post(
    name: str, catalogue: Catalogue, inspector_record: Inspector, persona_client: SignIn
) -> None:
    # given
    client = persona_client("dept_admin")
    args = [inspector_record.pk] if name.endswith("add") else [inspector_record.pk, 1]

    # when
    response = client.get(reverse(name, args=args))

    # then
    assert response.status_code == 405
