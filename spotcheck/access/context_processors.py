"""``can`` in every template: what the signed-in user's role allows, asked of the gates.

Templates show or hide a link with ``{% if can.organise %}`` rather than naming a role;
each answer is computed when a template first asks for it.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpRequest

from spotcheck.access import gates


class Can:
    """The gates' answers for one user, as attributes a template can read."""

    def __init__(self, user: Any) -> None:
        self._user = user

    @cached_property
    def inspect(self) -> bool:
        return gates.access_records_for_inspecting(self._user)

    @cached_property
    def organise(self) -> bool:
        return gates.access_tasks_for_organising(self._user)

    @cached_property
    def administer(self) -> bool:
        return gates.access_department_for_administering(self._user)

    @cached_property
    def work_in_field_pages(self) -> bool:
        return gates.access_field_pages_for_working(self._user)

    @cached_property
    def work_in_office(self) -> bool:
        return gates.access_office_for_working(self._user)

    @cached_property
    def administer_platform(self) -> bool:
        return gates.access_platform_for_administering(self._user)

    @cached_property
    def read_audit(self) -> bool:
        return gates.access_audit_for_reading(self._user)

    @cached_property
    def read_stats(self) -> bool:
        return gates.access_stats_for_reading(self._user)

    @cached_property
    def use_twofactor(self) -> bool:
        return gates.access_twofactor_for_enrolling(self._user)


def access(request: HttpRequest) -> dict[str, Can]:
    return {"can": Can(getattr(request, "user", None))}
