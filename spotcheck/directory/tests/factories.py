"""factory_boy factories for the two directories.

Entities and inspectors are made through the services, so every row passes the
same validation (USCC check, certificate dates) as one typed into the forms.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory

from spotcheck.accounts.choices import Role
from spotcheck.accounts.tests.factories import DepartmentFactory, RegionFactory, UserFactory
from spotcheck.core.uscc import build_uscc
from spotcheck.directory.choices import (
    AvoidanceReason,
    EntityType,
    InspectorCategory,
    InspectorStatus,
)
from spotcheck.directory.models import Avoidance, Entity, Inspector, ItemType, Speciality, Tag
from spotcheck.directory.services import avoidance_add, entity_create, inspector_create


def make_uscc(n: int, region: str = "130183") -> str:
    """Return a valid 统一社会信用代码 for 企业 number ``n`` registered in ``region``."""
    return build_uscc("9", "1", region, f"{n:08d}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"tag-{n}")
    name = factory.Sequence(lambda n: f"标签{n}")


class SpecialityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speciality
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"spec-{n}")
    name = factory.Sequence(lambda n: f"专长{n}")


class ItemTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ItemType
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"item-{n}")
    name = factory.Sequence(lambda n: f"事项类别{n}")


class EntityFactory(factory.django.DjangoModelFactory):
    """An 企业 in 晋州市; pass ``supervising_departments=[...]`` and optionally ``tags``."""

    class Meta:
        model = Entity

    uscc = factory.Sequence(lambda n: make_uscc(n + 1))
    name = factory.Sequence(lambda n: f"晋州市测试企业{n:04d}有限公司")
    entity_type = EntityType.ENTERPRISE
    legal_rep_name = "张三"
    address = "河北省石家庄市晋州市测试路1号"
    region = factory.SubFactory(RegionFactory, code="130183", name="晋州市")
    reg_authority_name = "晋州市市场监督管理局"
    supervising_departments = factory.LazyFunction(lambda: [DepartmentFactory()])
    tags: Any = ()

    @classmethod
    def _create(cls, model_class: type[Entity], *args: Any, **kwargs: Any) -> Entity:
        departments = list(kwargs.pop("supervising_departments"))
        tags = list(kwargs.pop("tags"))
        id_number = kwargs.pop("legal_rep_id_number", "")
        return entity_create(
            actor=None,
            values=kwargs,
            supervising_departments=departments,
            tags=tags,
            legal_rep_id_number=id_number,
        )


class InspectorFactory(factory.django.DjangoModelFactory):
    """An 在岗 inspector whose 执法证 is valid for the whole of 2020–2035."""

    class Meta:
        model = Inspector

    name = factory.Sequence(lambda n: f"检查员{n:03d}")
    department = factory.SubFactory(DepartmentFactory)
    category = InspectorCategory.CIVIL_SERVANT
    certificate_no = factory.Sequence(lambda n: f"13018300{n:06d}")
    certificate_authority = "晋州市人民政府"
    certificate_valid_from = dt.date(2020, 1, 1)
    certificate_valid_until = dt.date(2035, 12, 31)
    status = InspectorStatus.ON_DUTY
    user = None
    specialities: Any = ()

    @classmethod
    def _create(cls, model_class: type[Inspector], *args: Any, **kwargs: Any) -> Inspector:
        specialities = list(kwargs.pop("specialities"))
        id_number = kwargs.pop("id_number", "")
        return inspector_create(
            actor=None, values=kwargs, specialities=specialities, id_number=id_number
        )


class AvoidanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Avoidance

    inspector = factory.SubFactory(InspectorFactory)
    entity = factory.SubFactory(EntityFactory)
    reason_type = AvoidanceReason.RELATIVE
    reason = "检查员的配偶在该企业任财务负责人"
    # declared by a signed-in user: avoidance_add(actor=None) is refused today (see
    # test_services.py::test_a_system_write_can_declare_an_avoidance)
    declared_by = factory.SubFactory(
        UserFactory, role=Role.PLATFORM_ADMIN, department=None, display_name="平台管理员"
    )

    @classmethod
    def _create(cls, model_class: type[Avoidance], *args: Any, **kwargs: Any) -> Avoidance:
        return avoidance_add(actor=kwargs.pop("declared_by"), **kwargs)
