"""A hand-computed fixture: two tasks of 2026, five joint records, three cases.

task T1 (晋州市政府办抽查〔2026〕10号): frame A 100, C 40; drawn A 3 (one replaced), C 3
  R1 丁  market SJ-01 [A,2,B] · police GA-01 [1] · lead JR-01 (not entered)
  R2 甲  market SJ-01 [1]
  R3 乙  police GA-01 [8]
task T2 (晋州市政府办抽查〔2026〕11号):
  R4 丁  market SJ-01 [E]   merged into R1 (one visit)
  R5 甲  market SJ-01 [A,3]

cases (opened 8 May 2026; statistics read on 10 June 2026):
  R1/SJ-01  market → police (accepted) → closed on time
  R3/GA-01  police, open, due 3 June: overdue
  R5/SJ-01  market, transfer to the lead office awaiting acceptance, due 3 June: overdue
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from spotcheck.accounts.models import User
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.tests.factories import make_task
from spotcheck.catalogue.models import InspectionItem
from spotcheck.catalogue.tests.factories import make_item
from spotcheck.deadlines.choices import DeadlineKind, DeadlineState
from spotcheck.deadlines.models import Deadline
from spotcheck.directory.models import Inspector
from spotcheck.draws.choices import AttemptStatus, ObjectState
from spotcheck.draws.models import DrawAttempt, DrawnObject
from spotcheck.followup.choices import Measure
from spotcheck.followup.services import (
    case_accept_transfer,
    case_close,
    case_record_measure,
    case_transfer,
    cases_open_for_record,
)
from spotcheck.followup.tests.factories import set_result
from spotcheck.inspections.models import JointRecord
from spotcheck.inspections.tests.factories import make_group, make_record
from spotcheck.stats.tests.factories import T1, T2, Fixture
from spotcheck.testing.personas import Catalogue, Departments, Regions


def _draw(task: Task, actor: User) -> None:
    attempt = DrawAttempt.objects.create(
        task=task,
        number=1,
        status=AttemptStatus.DRAWN,
        created_by=actor,
        announcement=json.dumps(
            {"frame": {"strata": [{"stratum": "A", "count": 100}, {"stratum": "C", "count": 40}]}}
        ),
    )
    replaced = DrawnObject.objects.create(
        attempt=attempt, entity_code="A0", stratum="A", state=ObjectState.REPLACED
    )
    DrawnObject.objects.create(
        attempt=attempt, entity_code="A9", stratum="A", from_reserve=True, replaces=replaced
    )
    for code, stratum in (("A1", "A"), ("A2", "A"), ("C1", "C"), ("C2", "C"), ("C3", "C")):
        DrawnObject.objects.create(attempt=attempt, entity_code=code, stratum=stratum)


def _deadline(task: Task, kind: str, department: object, due: dt.date, **state: object) -> None:
    Deadline.objects.create(
        kind=kind,
        title="时限",
        department=department,
        target_type="campaigns.task",
        target_id=str(task.pk),
        start_event="任务状态变化",
        start_date=due - dt.timedelta(days=3),
        working_days=2,
        due_date=due,
        **state,
    )


def _enter_results(records: list[tuple[JointRecord, InspectionItem, list[str], User]]) -> None:
    """Enter each (record, item, result codes, inspector) directly."""
    for record, item, codes, user in records:
        set_result(record.items.get(item=item), codes, "情况", user)


def _open_cases(
    r1: JointRecord,
    r3: JointRecord,
    r5: JointRecord,
    departments: Departments,
    lead_admin: User,
    dept_admin: User,
    other_dept_admin: User,
) -> None:
    """On 8 May 2026: R1's case transferred to the police and closed, R3's left open, R5's
    transfer to the lead office awaiting acceptance."""
    with time_machine.travel(dt.datetime(2026, 5, 8, 9, 0, tzinfo=dt.UTC), tick=False):
        (c1,) = cases_open_for_record(actor=lead_admin, record=r1)
        cases_open_for_record(actor=lead_admin, record=r3)
        (c5,) = cases_open_for_record(actor=lead_admin, record=r5)
        case_transfer(
            actor=dept_admin, case=c1, to_department=departments.police, reason="属公安管辖"
        )
        case_accept_transfer(actor=other_dept_admin, case=c1)
        case_record_measure(actor=other_dept_admin, case=c1, measure=Measure.FILE_CASE)
        case_close(actor=other_dept_admin, case=c1, result="罚款", closed_on=dt.date(2026, 5, 8))
        case_transfer(
            actor=dept_admin, case=c5, to_department=departments.lead_office, reason="请牵头协调"
        )


def _deadlines_of_t1(t1: Task, departments: Departments) -> None:
    """T1's object confirmations (the police's late) and the lead office's open deadlines."""
    _deadline(
        t1,
        DeadlineKind.CONFIRM_OBJECTS,
        departments.market,
        dt.date(2026, 4, 2),
        state=DeadlineState.DONE,
    )
    _deadline(
        t1,
        DeadlineKind.CONFIRM_OBJECTS,
        departments.police,
        dt.date(2026, 4, 2),
        state=DeadlineState.DONE,
        completed_late=True,
    )
    _deadline(t1, DeadlineKind.CONFIRM_OBJECTS, departments.lead_office, dt.date(2026, 4, 2))
    _deadline(t1, DeadlineKind.ENTER_RESULTS, departments.lead_office, dt.date(2026, 5, 20))


@pytest.fixture
def stats_fixture(
    departments: Departments,
    regions: Regions,
    lead_admin: User,
    dept_admin: User,
    other_dept_admin: User,
    catalogue: Catalogue,
    inspector_record: Inspector,
    other_inspector_record: Inspector,
    inspector_user: User,
    other_inspector_user: User,
) -> Fixture:
    """The tasks, records, cases and deadlines of the module docstring."""
    lead = make_item(departments.lead_office, "JR-01", name="联合检查组织")
    market = make_item(departments.market, "SJ-01", name="企业公示信息情况检查")
    police = make_item(departments.police, "GA-01", name="保安服务公司检查")
    participants = [
        (departments.lead_office, [lead]),
        (departments.market, [market]),
        (departments.police, [police]),
    ]
    t1 = make_task(departments, regions, lead_admin, participants, number=T1)
    t2 = make_task(departments, regions, lead_admin, participants, number=T2)
    _draw(t1, lead_admin)
    group1 = make_group(t1, [inspector_record, other_inspector_record])
    group2 = make_group(t2, [inspector_record, other_inspector_record])
    r1 = make_record(t1, catalogue.ding, group1, [market, police, lead])
    r2 = make_record(t1, catalogue.jia, group1, [market])
    r3 = make_record(t1, catalogue.yi, group1, [police])
    r4 = make_record(t2, catalogue.ding, group2, [market])
    r5 = make_record(t2, catalogue.jia, group2, [market])
    JointRecord.objects.filter(pk=r4.pk).update(merged_into=r1)
    _enter_results(
        [
            (r1, market, ["A", "2", "B"], inspector_user),
            (r1, police, ["1"], other_inspector_user),
            (r2, market, ["1"], inspector_user),
            (r3, police, ["8"], other_inspector_user),
            (r4, market, ["E"], inspector_user),
            (r5, market, ["A", "3"], inspector_user),
        ]
    )
    _open_cases(r1, r3, r5, departments, lead_admin, dept_admin, other_dept_admin)
    _deadlines_of_t1(t1, departments)
    return Fixture(t1=t1, t2=t2, records={"R1": r1, "R2": r2, "R3": r3, "R4": r4, "R5": r5})
