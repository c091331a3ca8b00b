"""Build the rows a to-do stands for directly, in the state it waits in.

The steps themselves (dispatch, claims, review, transfers …) are tested through their
services; here only what the to-do list reads matters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from spotcheck.accounts.models import Department, User
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.tests.factories import make_task
from spotcheck.catalogue.models import InspectionItem
from spotcheck.catalogue.tests.factories import make_item
from spotcheck.deadlines.choices import DeadlineKind, DeadlineState
from spotcheck.deadlines.models import Deadline
from spotcheck.directory.tests.factories import EntityFactory
from spotcheck.draws.choices import AttemptStatus
from spotcheck.draws.models import DrawAttempt
from spotcheck.followup.choices import CaseState
from spotcheck.followup.models import Case
from spotcheck.inspections.choices import RecordState
from spotcheck.inspections.models import JointRecord
from spotcheck.inspections.tests.factories import make_record
from spotcheck.testing.personas import Departments, Regions

MONDAY = dt.date(2026, 3, 2)  # no holiday that week: working days are Monday to Friday


@dataclass(frozen=True)
class Joint:
    """A joint task of the lead office, the market and the police, one item each."""

    task: Task
    lead_item: InspectionItem
    market_item: InspectionItem
    police_item: InspectionItem


def joint_task(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    *,
    state: str,
    number: str = "晋州市政府办抽查〔2026〕10号",
) -> Joint:
    seq = number[-4:-1]
    items = (
        make_item(departments.lead_office, f"JR-{seq}"),
        make_item(departments.market, f"SJ-{seq}"),
        make_item(departments.police, f"GA-{seq}"),
    )
    task = make_task(
        departments,
        regions,
        lead_admin,
        [
            (departments.lead_office, [items[0]]),
            (departments.market, [items[1]]),
            (departments.police, [items[2]]),
        ],
        number=number,
        state=state,
    )
    return Joint(task, *items)


def drawn_attempt(task: Task, user: User, *, status: str = AttemptStatus.DRAWN) -> DrawAttempt:
    number = DrawAttempt.objects.filter(task=task).count() + 1
    return DrawAttempt.objects.create(task=task, number=number, status=status, created_by=user)


def deadline(
    department: Department,
    target: Task | JointRecord | Case,
    *,
    kind: str,
    due: dt.date,
    state: str = DeadlineState.OPEN,
    url: str = "",
) -> Deadline:
    return Deadline.objects.create(
        kind=kind,
        title=f"{target}：{DeadlineKind(kind).label}",
        department=department,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_url=url,
        start_event="测试",
        start_date=due - dt.timedelta(days=3),
        working_days=2,
        due_date=due,
        state=state,
    )


def submitted_records(joint: Joint, n: int, *, items: list[InspectionItem]) -> list[JointRecord]:
    """``n`` records sent for review (round 1), each with ``items``."""
    records = []
    for _ in range(n):
        record = make_record(joint.task, EntityFactory(), None, items)
        JointRecord.objects.filter(pk=record.pk).update(state=RecordState.SUBMITTED, review_round=1)
        record.refresh_from_db()
        records.append(record)
    return records


def transferring_case(joint: Joint, record: JointRecord, to: Department) -> Case:
    """A case of the market item of ``record`` that the market transfers to ``to``."""
    row = record.items.get(item=joint.market_item)
    return Case.objects.create(
        number=f"{record.number}-1",
        task=joint.task,
        record=record,
        record_item=row,
        entity=record.entity,
        item=joint.market_item,
        found_on=MONDAY,
        origin_department=row.department,
        department=row.department,
        transfer_to=to,
        holders=[row.department_id],
        state=CaseState.TRANSFERRING,
    )
