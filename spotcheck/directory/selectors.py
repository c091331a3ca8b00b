"""Reads of the directories; every protected read goes through a *_for_user selector."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from spotcheck.access.gates import access_records_for_inspecting
from spotcheck.accounts.models import User
from spotcheck.accounts.selectors import readable_department_ids, writable_department_ids
from spotcheck.core.uscc import normalise
from spotcheck.directory.choices import InspectorStatus
from spotcheck.directory.models import Avoidance, Entity, Inspector


@dataclass(frozen=True)
class EntityFilter:
    """The filters of the object directory list; empty values mean 'any'."""

    q: str = ""
    entity_type: str = ""
    tag: str = ""
    risk_class: str = ""
    department: int | None = None
    reg_status: str = ""
    region: str = ""
    flag: str = ""
    invalid: bool = False  # a filter value did not validate: match nothing


@dataclass(frozen=True)
class InspectorFilter:
    """The filters of the inspector directory list."""

    q: str = ""
    department: int | None = None
    status: str = ""
    category: str = ""
    speciality: str = ""
    drawable: str = ""
    expert: str = ""
    invalid: bool = False  # a filter value did not validate: match nothing


def entity_list_for_user(user: User, filters: EntityFilter | None = None) -> QuerySet[Entity]:
    """Return the entities the user may see, filtered.

    Inspectors see only the entities assigned to them; assignments are made by
    joint tasks, so without one an inspector sees none.
    """
    qs = Entity.objects.select_related("region")
    if access_records_for_inspecting(user):
        return qs.none()
    ids = readable_department_ids(user)
    if ids is not None:
        qs = qs.filter(supervising_departments__in=ids).distinct()
    return _filter_entities(qs, filters or EntityFilter())


def _filter_entities(qs: QuerySet[Entity], f: EntityFilter) -> QuerySet[Entity]:
    if f.invalid:
        return qs.none()
    if f.q:
        term = f.q.strip()
        # codes are stored normalised, so an exact match can use the unique index
        qs = qs.filter(Q(name__icontains=term) | Q(uscc=normalise(term)) | Q(reg_no=term))
    if f.entity_type:
        qs = qs.filter(entity_type=f.entity_type)
    if f.tag:
        qs = qs.filter(tags__code=f.tag)
    if f.risk_class == "none":
        qs = qs.filter(risk_class="")
    elif f.risk_class:
        qs = qs.filter(risk_class=f.risk_class)
    if f.department:
        qs = qs.filter(supervising_departments=f.department)
    if f.reg_status:
        qs = qs.filter(reg_status=f.reg_status)
    if f.region:
        qs = qs.filter(region__code=f.region)
    if f.flag == "abnormal":
        qs = qs.filter(on_abnormal_list=True)
    elif f.flag == "serious":
        qs = qs.filter(on_serious_illegal_list=True)
    elif f.flag:
        qs = qs.none()
    if f.tag or f.department:
        qs = qs.distinct()
    return qs


def entity_get_for_user(user: User, entity_id: int) -> Entity:
    """Return one entity the user may see, or raise Http404 without saying why."""
    try:
        return (
            entity_list_for_user(user)
            .prefetch_related("tags", "supervising_departments")
            .get(pk=entity_id)
        )
    except Entity.DoesNotExist:
        raise Http404 from None


def entity_can_edit(user: User, entity: Entity) -> bool:
    """Tell whether the user may change this entity (one of its departments is theirs)."""
    ids = writable_department_ids(user)
    if ids is None:
        return True
    return entity.supervising_departments.filter(pk__in=ids).exists()


def entity_phones_visible(user: User, entity: Entity) -> bool:
    """Tell whether the entity page shows its phone numbers in full (docs/access.md).

    Those who keep the entity's record (who may change it) see them in full; every other
    reader sees them masked.  An inspector calls from the record page of their group.
    """
    return entity_can_edit(user, entity)


def inspector_list_for_user(
    user: User, filters: InspectorFilter | None = None, *, today: dt.date | None = None
) -> QuerySet[Inspector]:
    """Return the inspectors the user may see; an inspector sees only their own record."""
    qs = Inspector.objects.select_related("department")
    if access_records_for_inspecting(user):
        qs = qs.filter(user=user)
    else:
        ids = readable_department_ids(user)
        if ids is not None:
            qs = qs.filter(department__in=ids)
    return _filter_inspectors(qs, filters or InspectorFilter(), today)


def _filter_inspectors(
    qs: QuerySet[Inspector], f: InspectorFilter, today: dt.date | None
) -> QuerySet[Inspector]:
    if f.invalid:
        return qs.none()
    if f.q:
        term = f.q.strip()
        qs = qs.filter(Q(name__icontains=term) | Q(certificate_no__iexact=term))
    if f.department:
        qs = qs.filter(department=f.department)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.speciality:
        qs = qs.filter(specialities__code=f.speciality).distinct()
    if f.expert == "yes":
        qs = qs.filter(is_expert=True)
    if f.drawable and today is not None:
        drawable = Q(
            status=InspectorStatus.ON_DUTY,
            certificate_valid_from__lte=today,
            certificate_valid_until__gte=today,
        )
        if f.drawable == "yes":
            qs = qs.filter(drawable)
        elif f.drawable == "no":
            qs = qs.exclude(drawable)
        else:
            qs = qs.none()
    return qs


def inspector_get_for_user(user: User, inspector_id: int) -> Inspector:
    """Return one inspector the user may see, or raise Http404."""
    try:
        return (
            inspector_list_for_user(user)
            .prefetch_related("specialities", "qualified_item_types")
            .get(pk=inspector_id)
        )
    except Inspector.DoesNotExist:
        raise Http404 from None


def inspector_can_edit(user: User, inspector: Inspector) -> bool:
    """Tell whether the user may change this inspector's record."""
    ids = writable_department_ids(user)
    return ids is None or inspector.department_id in ids


def inspector_phone_visible(user: User, inspector: Inspector) -> bool:
    """Tell whether the inspector page shows the phone number in full: to its keepers and
    to the inspector themself; masked to every other reader (docs/access.md)."""
    return inspector.user_id == user.pk or inspector_can_edit(user, inspector)


def avoidance_list_for_inspector(inspector: Inspector) -> QuerySet[Avoidance]:
    """Return an inspector's 回避 relations (the caller has already checked access)."""
    return inspector.avoidances.select_related("entity", "declared_by")


def entity_avoidances_for_user(user: User, entity: Entity) -> QuerySet[Avoidance]:
    """Return the 回避 relations of an entity whose inspectors the user may see."""
    visible = inspector_list_for_user(user).values("pk")
    return entity.avoidances.filter(inspector__in=visible).select_related("inspector")


def entity_risk_history(entity: Entity) -> QuerySet[Any]:
    """Return the credit-risk class history of an entity, newest first."""
    return entity.risk_history.select_related("changed_by")
