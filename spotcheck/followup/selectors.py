"""Reads of follow-up cases, scoped to the user, and the public disposals of an entity.

- platform admin, auditor and the lead office read every case;
- a department admin reads the cases its subtree holds, found, held before, or is
  asked to receive;
- an inspector reads the cases of the joint records of their groups.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from spotcheck.access.gates import (
    access_department_for_administering,
    access_records_for_inspecting,
)
from spotcheck.accounts.models import User
from spotcheck.accounts.selectors import readable_department_ids, writable_department_ids
from spotcheck.audit.models import AuditEvent
from spotcheck.core import followup as rules
from spotcheck.directory.models import Entity
from spotcheck.followup.choices import CaseState
from spotcheck.followup.models import Case, CaseEvidence, CaseStep


def case_list_for_user(user: User) -> QuerySet[Case]:
    """Return the cases the user may read, newest finding first."""
    qs = Case.objects.select_related(
        "task", "entity", "item", "department", "origin_department", "transfer_to", "deadline"
    )
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if access_records_for_inspecting(user):
        return qs.filter(record__group__members__inspector__user=user).distinct()
    ids = readable_department_ids(user)
    if ids is None:
        return qs
    involved = (
        Q(department__in=ids)
        | Q(origin_department__in=ids)
        | Q(transfer_to__in=ids)
        | Q(steps__department__in=ids)
    )
    return qs.filter(pk__in=Case.objects.filter(involved).values("pk"))


def case_get_for_user(user: User, case_id: int) -> Case:
    """Return one case the user may read, or 404."""
    try:
        return case_list_for_user(user).prefetch_related("result_codes").get(pk=case_id)
    except Case.DoesNotExist:
        raise Http404 from None


def case_steps(case: Case) -> QuerySet[CaseStep]:
    """The recorded steps of a case with their evidence, oldest first."""
    return case.steps.select_related("actor", "department", "to_department").prefetch_related(
        "evidence"
    )


def case_evidence_get_for_user(user: User, case_id: int, evidence_id: int) -> CaseEvidence:
    """Return an evidence file of a case the user may read, or 404."""
    case = case_get_for_user(user, case_id)
    try:
        return CaseEvidence.objects.select_related("step").get(pk=evidence_id, step__case=case)
    except CaseEvidence.DoesNotExist:
        raise Http404 from None


def case_actions_for_user(user: User, case: Case) -> list[str]:
    """Return the actions this user may take on the case now (core.followup names)."""
    if not access_department_for_administering(user):
        return []
    allowed = writable_department_ids(user)

    def acts_for(department_id: int | None) -> bool:
        return department_id is not None and (allowed is None or department_id in allowed)

    actions = []
    for action in rules.available_actions(case.state):
        side = rules.ACTING_SIDE[action]
        department_id = case.department_id if side == rules.HOLDER else case.transfer_to_id
        if acts_for(department_id):
            actions.append(action)
    return actions


def case_timeline(case: Case) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(target_type="followup.case", target_id=str(case.pk))


@dataclass(frozen=True)
class PublicDisposal:
    """A disposal result that is public on the enterprise's record (no personal data)."""

    task_number: str
    item_name: str
    department: str
    measures: tuple[str, ...]
    result: str
    closed_on: dt.date


def public_disposals_for_entity(entity: Entity) -> list[PublicDisposal]:
    """Return the closed cases of an entity whose disposal result must be public.

    The hook the public portal reads for an enterprise's 后续处置 results: a case
    closed after 立案查处 or 列入经营异常名录.  A reopened case drops out until it is
    closed again.  Newest first.
    """
    return public_disposals_for_entities([entity.pk]).get(entity.pk, [])


def public_disposals_for_entities(entity_ids: list[int]) -> dict[int, list[PublicDisposal]]:
    """The public disposals of several entities at once (the portal's look-up), by entity id."""
    cases = (
        Case.objects.filter(entity_id__in=entity_ids, state=CaseState.CLOSED, is_public=True)
        .exclude(task__is_practice=True)  # practice data never reaches the portal
        .select_related("task", "item", "department")
        .prefetch_related("steps")
        .order_by("-closed_on", "-pk")
    )
    labels = dict(rules.MEASURE_LABELS)
    out: dict[int, list[PublicDisposal]] = {}
    for case in cases:
        measures = tuple(dict.fromkeys(labels[s.measure] for s in case.steps.all() if s.measure))
        out.setdefault(case.entity_id, []).append(
            PublicDisposal(
                task_number=case.task.number,
                item_name=case.item.name,
                department=case.department.name,
                measures=measures,
                result=case.disposal_result,
                closed_on=case.closed_on or case.found_on,
            )
        )
    return out
