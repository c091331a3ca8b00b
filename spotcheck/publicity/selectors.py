"""Reads for the public pages: published records and aggregates, nothing personal."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import OperationalError, connection, transaction
from django.db.models import Count, Max, Min, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from spotcheck.access.gates import access_platform_for_administering
from spotcheck.accounts.models import Department, User
from spotcheck.core import uscc
from spotcheck.deadlines.choices import DeadlineKind
from spotcheck.deadlines.models import Deadline
from spotcheck.directory.models import Entity, Inspector
from spotcheck.draws.choices import ObjectState, ReplacementReason
from spotcheck.draws.models import DrawAttempt, DrawnObject
from spotcheck.followup.selectors import PublicDisposal, public_disposals_for_entities
from spotcheck.inspections.models import JointRecord
from spotcheck.inspections.selectors.records import joint_record_get_for_user
from spotcheck.publicity.choices import OutboxState
from spotcheck.publicity.models import OutboxMessage, ResultPublication
from spotcheck.publicity.privacy import scrub


@dataclass(frozen=True)
class PublicOverview:
    """What the public home page shows about the two directories."""

    departments: list[str]
    entity_count: int
    inspector_count: int


def public_overview() -> PublicOverview:
    """Count the directories (一单两库的“两库”) per the 公开 principle."""
    leaves = Department.objects.filter(is_active=True, children__isnull=True).order_by("path")
    return PublicOverview(
        departments=[d.name for d in leaves],
        entity_count=Entity.objects.count(),
        inspector_count=Inspector.objects.count(),
    )


# ---------------------------------------------------------------- published results


def public_department_choices() -> list[tuple[str, str]]:
    """The departments a visitor may filter by: the active leaf departments."""
    leaves = Department.objects.filter(is_active=True, children__isnull=True).order_by("path")
    return [(str(pk), name) for pk, name in leaves.values_list("pk", "name")]


def public_publications() -> QuerySet[ResultPublication]:
    """Every publication the public may see: never one of a practice task (演练任务)."""
    return ResultPublication.objects.filter(task__is_practice=False)


PUBLIC_PAGE_SIZE = 10
LOOKUP_LIMIT = 20
_CODE_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$|^\d{13,15}$")
# letters and digits only, with a digit, about as long as a code: meant as a code
_CODE_LIKE_RE = re.compile(r"^(?=.*\d)[0-9A-Z]{16,20}$")


def result_list_public(
    *, department: int | None = None, year: int | None = None, result: str | None = None
) -> QuerySet[ResultPublication]:
    """The 抽查结果公告: the current version of every published result, newest first."""
    qs = public_publications().filter(is_current=True)
    if department:
        qs = qs.filter(department=department)
    if year is not None and not 1 <= year < 9999:
        return qs.none()  # a year the filter refused matches nothing
    if year:
        qs = qs.filter(checked_on__gte=dt.date(year, 1, 1), checked_on__lt=dt.date(year + 1, 1, 1))
    if result:
        qs = qs.filter(result_key=result)
    return qs.order_by("-checked_on", "-id")


def result_years_public() -> list[int]:
    """The years that have published results, newest first (two index look-ups)."""
    bounds = (
        public_publications()
        .filter(is_current=True)
        .aggregate(first=Min("checked_on"), last=Max("checked_on"))
    )
    if bounds["first"] is None:
        return []
    return list(range(bounds["last"].year, bounds["first"].year - 1, -1))


def result_get_public(pk: int) -> ResultPublication:
    """One published version; a superseded one is still found (the view points onward)."""
    try:
        return public_publications().get(pk=pk)
    except ResultPublication.DoesNotExist:
        raise Http404 from None


def result_current_of(publication: ResultPublication) -> ResultPublication:
    return ResultPublication.objects.get(
        record_id=publication.record_id, department_id=publication.department_id, is_current=True
    )


def result_history(publication: ResultPublication) -> list[ResultPublication]:
    """Every version of the same notice, oldest first."""
    return list(
        ResultPublication.objects.filter(
            record_id=publication.record_id, department_id=publication.department_id
        ).order_by("version")
    )


@dataclass(frozen=True)
class EntityResults:
    """One enterprise found by the look-up, with its published results."""

    name: str
    code: str
    results: list[ResultPublication]
    disposals: list[PublicDisposal] = field(default_factory=list)


@dataclass(frozen=True)
class Lookup:
    query: str
    error: str
    entities: list[EntityResults]
    truncated: bool


LIMIT1 = LOOKUP_LIMIT + 1
LOOKUP_TIMEOUT_MS = 3000


def _bounded(read: Callable[[], list[Any]]) -> list[Any] | None:
    """Run a look-up query for at most a few seconds on PostgreSQL; None when it ran out."""
    if connection.vendor != "postgresql":
        return read()
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL statement_timeout = {LOOKUP_TIMEOUT_MS}")
            return read()
    except OperationalError:
        return None


def normalise_query(raw: str) -> str:
    return " ".join(raw.split())[:100]


def entity_lookup_public(raw: str) -> Lookup:
    """Find enterprises by 统一社会信用代码/注册号 (exact) or by a part of the name.

    A name needs three characters or more: shorter fragments match too many names to
    be useful, and three characters is what the trigram index needs to be used.
    """
    query = normalise_query(raw)
    if not query:
        return Lookup(query, "", [], False)
    code = uscc.normalise(query)
    if _CODE_RE.match(code):
        entities = Entity.objects.filter(Q(uscc=code) | Q(reg_no=code))
    elif _CODE_LIKE_RE.match(code):
        return Lookup(query, uscc.explain_invalid(code), [], False)
    elif len(query) < 3:
        return Lookup(query, "请至少输入3个字的企业名称，或完整的统一社会信用代码", [], False)
    else:
        entities = Entity.objects.filter(name__icontains=query)
    found = _bounded(lambda: list(entities.values_list("pk", "name", "uscc", "reg_no")[:LIMIT1]))
    if found is None:
        return Lookup(query, "匹配的企业过多，请输入更完整的企业名称或统一社会信用代码", [], False)
    if not found and len(code) == 18 and (problem := uscc.explain_invalid(code)):
        # nothing carries the code: say what is wrong with it rather than “not found”
        # (an early pilot code that fails the check is still found above)
        return Lookup(query, problem, [], False)
    truncated = len(found) > LOOKUP_LIMIT
    found = sorted(found[:LOOKUP_LIMIT], key=lambda row: row[1])
    results: dict[int, list[ResultPublication]] = {pk: [] for pk, *_ in found}
    for publication in (
        public_publications()
        .filter(entity_id__in=list(results), is_current=True)
        .order_by("-checked_on", "-id")
    ):
        results[publication.entity_id].append(publication)
    disposals = public_disposals_for_entities(list(results))
    return Lookup(
        query,
        "",
        [
            EntityResults(name, uscc or reg_no, results[pk], disposals.get(pk, []))
            for pk, name, uscc, reg_no in found
        ],
        truncated,
    )


def open_data_rows(*, year: int) -> QuerySet[ResultPublication]:
    """Every current published result of a year, in a stable order (open data files)."""
    return (
        public_publications()
        .filter(
            is_current=True,
            checked_on__gte=dt.date(year, 1, 1),
            checked_on__lt=dt.date(year + 1, 1, 1),
        )
        .select_related("supersedes")
        .order_by("id")
    )


# ---------------------------------------------------------------- a task's draw: drawn and final


@dataclass(frozen=True)
class PublicWithdrawal:
    """One drawn enterprise sent back (退回) for a declared reason, and who took its place."""

    code: str
    name: str
    reason: str
    note: str
    replacement_code: str
    replacement_name: str


@dataclass(frozen=True)
class PublicDrawOutcome:
    """The counts the public task page states, which always add up:
    drawn − withdrawn + replaced = final."""

    drawn: int
    withdrawn: list[PublicWithdrawal]
    final_codes: list[str]
    replacement_codes: set[str]

    @property
    def replaced(self) -> int:
        return len(self.replacement_codes)

    @property
    def final(self) -> int:
        return len(self.final_codes)


def public_draw_outcome(attempt: DrawAttempt, allocated: int) -> PublicDrawOutcome:
    """Drawn, withdrawn (with the reason), replaced and final objects of a drawn attempt.

    Before dispatch there are no objects yet: the draw's own figure stands for all four.
    """
    objects = list(
        DrawnObject.objects.filter(attempt=attempt).select_related("replaces").order_by("id")
    )
    if not objects:
        return PublicDrawOutcome(allocated, [], [], set())
    codes = {o.entity_code for o in objects}
    names = {
        e.uscc or e.reg_no: e.name
        for e in Entity.objects.filter(Q(uscc__in=codes) | Q(reg_no__in=codes)).only(
            "uscc", "reg_no", "name"
        )
    }
    successors = {o.replaces_id: o.entity_code for o in objects if o.replaces_id}
    withdrawn = [
        PublicWithdrawal(
            code=o.entity_code,
            name=names.get(o.entity_code, ""),
            reason=str(ReplacementReason(o.replace_reason).label) if o.replace_reason else "",
            note=scrub(o.replace_note),
            replacement_code=successors.get(o.pk, ""),
            replacement_name=names.get(successors.get(o.pk, ""), ""),
        )
        for o in objects
        if o.state == ObjectState.REPLACED
    ]
    return PublicDrawOutcome(
        drawn=sum(1 for o in objects if not o.from_reserve),
        withdrawn=withdrawn,
        final_codes=[o.entity_code for o in objects if o.state != ObjectState.REPLACED],
        replacement_codes={o.entity_code for o in objects if o.from_reserve},
    )


# ---------------------------------------------------------------- staff reads


def record_publications_for_user(user: User, record_id: int) -> tuple[JointRecord, list[Any]]:
    """A joint record the user may read and every version of its published results."""
    record = joint_record_get_for_user(user, record_id)
    versions = list(
        ResultPublication.objects.filter(record=record)
        .select_related("department", "entered_by", "published_by", "outbox_message")
        .order_by("department__path", "-version")
    )
    return record, versions


def record_publication_limits(record: JointRecord) -> list[tuple[Deadline, bool]]:
    """The publication deadlines of a record the caller already read, each with "late".

    Late: completed after the due date, even if the reminder job had not yet marked it.
    """
    deadlines = Deadline.objects.filter(
        target_type=JointRecord._meta.label_lower,
        target_id=str(record.pk),
        kind=DeadlineKind.ENTER_RESULTS,
    ).select_related("department")
    return [
        (
            d,
            d.completed_late
            or (d.completed_at is not None and timezone.localdate(d.completed_at) > d.due_date),
        )
        for d in deadlines
    ]


def publication_get_for_user(user: User, pk: int) -> ResultPublication:
    """A publication whose record the user may read, or 404."""
    publication = ResultPublication.objects.filter(pk=pk).first()
    if publication is None:
        raise Http404
    joint_record_get_for_user(user, publication.record_id)
    return publication


def outbox_list_for_user(user: User, *, state: str = "") -> QuerySet[OutboxMessage]:
    """The outbox, for the platform admin only (others get nothing)."""
    if not (user.is_authenticated and user.is_active and access_platform_for_administering(user)):
        return OutboxMessage.objects.none()
    qs = OutboxMessage.objects.select_related("publication")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-updated_at", "-id")


def outbox_message_ids(publications: Iterable[ResultPublication]) -> list[int]:
    """The outbox messages of freshly written publications, to hand to the queue.

    A practice task's publication has none (practice results never reach the exchange).
    """
    return [p.outbox_message.pk for p in publications if not p.task.is_practice]


def outbox_counts() -> dict[str, int]:
    rows = OutboxMessage.objects.values("state").annotate(n=Count("id"))
    counts = dict.fromkeys(OutboxState.values, 0)
    counts.update({row["state"]: row["n"] for row in rows})
    return counts


def public_final_list(
    listed: list[dict[str, Any]], outcome: PublicDrawOutcome
) -> list[dict[str, Any]]:
    """The final list (after 退回 and 替补) in draw order, each replacement marked.

    Before the matching the draw's list still holds the withdrawn objects and not their
    replacements: the dispatched objects decide what is listed, so that the list and the
    counts agree.
    """
    if not outcome.final_codes:
        return listed
    final = set(outcome.final_codes)
    rows = [dict(row) for row in listed if row["id"] in final]
    shown = {row["id"] for row in rows}
    missing = [code for code in outcome.final_codes if code not in shown]
    entities = {
        e.uscc or e.reg_no: e
        for e in Entity.objects.filter(Q(uscc__in=missing) | Q(reg_no__in=missing))
    }
    rows += [{"id": code, "entity": entities.get(code), "members": []} for code in missing]
    for row in rows:
        row["replacement"] = row["id"] in outcome.replacement_codes
    return rows
