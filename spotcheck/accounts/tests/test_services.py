"""Department and user services: the hierarchy path and the role's department."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from spotcheck.accounts.models import Department, User
from spotcheck.accounts.services import department_create, department_update, user_create
from spotcheck.audit.models import AuditEvent
from spotcheck.testing.personas import Departments, Regions


def test_a_department_path_lists_its_ancestors(departments: Departments) -> None:
    # given / when
    market, city = departments.market, departments.city_market

    # then
    assert (city.path, market.path) == (f"/{city.pk}/", f"/{city.pk}/{market.pk}/")


def test_creating_a_department_is_audited(regions: Regions) -> None:
    # given / when
    dept = department_create(
        actor=None, name="晋州市应急管理局", short_name="晋州市应急局", region=regions.county
    )

    # then
    event = AuditEvent.objects.get(event_type="department.created", target_id=str(dept.pk))
    assert event.data == {"name": "晋州市应急管理局", "parent": None, "region": "130183"}
    assert event.actor_label == "系统"


def test_moving_a_department_moves_its_whole_subtree(
    departments: Departments, regions: Regions
) -> None:
    # given
    child = department_create(
        actor=None,
        name="晋州市市场监督管理局城区所",
        short_name="城区所",
        region=regions.county,
        parent=departments.market,
    )

    # when
    department_update(actor=None, department=departments.market, parent=departments.lead_office)

    # then
    lead, market = departments.lead_office, departments.market
    assert Department.objects.get(pk=market.pk).path == f"/{lead.pk}/{market.pk}/"
    assert Department.objects.get(pk=child.pk).path == f"/{lead.pk}/{market.pk}/{child.pk}/"


def test_a_department_cannot_be_moved_below_itself(departments: Departments) -> None:
    # given
    city = departments.city_market

    # when
    with pytest.raises(ValidationError) as excinfo:
        department_update(actor=None, department=city, parent=departments.market)

    # then
    assert excinfo.value.message_dict == {"parent": ["上级部门不能是本部门或其下级部门"]}
    assert Department.objects.get(pk=city.pk).parent is None


@pytest.mark.parametrize("role", ["lead_admin", "dept_admin", "inspector"])
def test_a_department_role_needs_a_department(role: str, db: None) -> None:
    # given
    before = User.objects.count()

    # when
    with pytest.raises(ValidationError) as excinfo:
        user_create(
            actor=None,
            username="nodept",
            password="Zhengque-Mima-2025",
            display_name="无部门",
            role=role,
        )

    # then
    assert excinfo.value.message_dict == {"department": ["该角色必须指定所属部门"]}
    assert User.objects.count() == before


def test_only_the_platform_admin_may_enter_the_maintenance_site(
    platform_admin: User, lead_admin: User, auditor: User
) -> None:
    # given / when
    flags = {
        u.username: (u.is_staff, u.is_superuser) for u in (platform_admin, lead_admin, auditor)
    }

    # then
    assert flags == {"admin": (True, True), "lead": (False, False), "auditor": (False, False)}
