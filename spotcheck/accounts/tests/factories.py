"""factory_boy factories for regions, departments and users.

Departments and users are made through the services so that their invariants
(the department ``path``, the role's department) hold exactly as in production.
"""

from __future__ import annotations

from typing import Any

import factory

from spotcheck.accounts.choices import RegionLevel, Role
from spotcheck.accounts.models import Department, Region, User
from spotcheck.accounts.services import department_create, user_create

DEFAULT_PASSWORD = "Zhengque-Mima-2025"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{139000 + n:06d}")
    name = factory.Sequence(lambda n: f"测试县{n}")
    level = RegionLevel.COUNTY
    parent = None


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"测试部门{n}")
    short_name = factory.Sequence(lambda n: f"测部{n}")
    region = factory.SubFactory(RegionFactory)
    parent = None

    @classmethod
    def _create(cls, model_class: type[Department], *args: Any, **kwargs: Any) -> Department:
        return department_create(actor=None, **kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    password = DEFAULT_PASSWORD
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.DEPT_ADMIN
    department = factory.SubFactory(DepartmentFactory)

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        return user_create(actor=None, **kwargs)
