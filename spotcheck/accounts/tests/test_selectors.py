"""The access rules every other context builds on, one role at a time."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from spotcheck.accounts.models import User
from spotcheck.accounts.selectors import (
    department_choices_for_writing,
    department_subtree,
    readable_department_ids,
    user_can_write_any,
    writable_department_ids,
)
from spotcheck.testing.personas import PERSONAS, Departments

ALL = None  # "every department"

# persona → (readable, writable) as department attribute names of Departments, or ALL
SCOPES: dict[str, tuple[tuple[str, ...] | None, tuple[str, ...] | None]] = {
    "platform_admin": (ALL, ALL),
    "lead_admin": (ALL, ("lead_office",)),
    "auditor": (ALL, ()),
    "dept_admin": (("market",), ("market",)),
    "other_dept_admin": (("police",), ("police",)),
    "parent_dept_admin": (("city_market", "market"), ("city_market", "market")),
    "inspector": (("market",), ()),
    "other_inspector": (("police",), ()),
}


def _ids(departments: Departments, names: tuple[str, ...] | None) -> frozenset[int] | None:
    if names is None:
        return None
    return frozenset(getattr(departments, n).pk for n in names)


@pytest.mark.parametrize("persona", list(SCOPES))
def test_each_role_reads_and_writes_exactly_its_scope(
    persona: str, departments: Departments, request: pytest.FixtureRequest
) -> None:
    # given
    fixture = PERSONAS[persona]
    assert fixture is not None
    user: User = request.getfixturevalue(fixture)
    readable, writable = SCOPES[persona]

    # when
    scope = (readable_department_ids(user), writable_department_ids(user))

    # then
    assert scope == (_ids(departments, readable), _ids(departments, writable))
    assert user_can_write_any(user) is (writable != ())


def test_the_anonymous_public_reads_and_writes_nothing(db: None) -> None:
    # given
    anonymous = AnonymousUser()

    # when / then
    assert readable_department_ids(anonymous) == frozenset()  # type: ignore[arg-type]
    assert writable_department_ids(anonymous) == frozenset()  # type: ignore[arg-type]


def test_a_deactivated_admin_reads_and_writes_nothing(dept_admin: User) -> None:
    # given
    dept_admin.is_active = False

    # when / then
    assert readable_department_ids(dept_admin) == frozenset()
    assert writable_department_ids(dept_admin) == frozenset()
    assert user_can_write_any(dept_admin) is False


def test_a_subtree_is_the_department_and_everything_below_it(departments: Departments) -> None:
    # given / when
    subtree = set(department_subtree(departments.city_market))

    # then
    assert subtree == {departments.city_market, departments.market}


def test_an_inactive_department_is_not_offered_for_new_records(
    departments: Departments, dept_admin: User
) -> None:
    # given
    departments.market.is_active = False
    departments.market.save(update_fields=["is_active"])

    # when
    choices = list(department_choices_for_writing(dept_admin))

    # then
    assert choices == []
