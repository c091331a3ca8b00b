"""Generating the groups and the 一企一表 records from a task's final matching."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import ValidationError

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task
from spotcheck.catalogue.tests.factories import make_item
from spotcheck.deadlines.services import calendar_load_bundled
from spotcheck.directory.models import Entity, Inspector, Tag
from spotcheck.directory.services import avoidance_add
from spotcheck.draws.dispatch import department_claim
from spotcheck.draws.matching import grouping_start
from spotcheck.draws.outcomes import final_of
from spotcheck.draws.tests.factories import NOW
from spotcheck.draws.tests.factories import confirm_all as _confirm_all
from spotcheck.draws.tests.factories import drawn as _drawn
from spotcheck.inspections.models import GroupMember, InspectionGroup, JointRecord, RecordItem
from spotcheck.inspections.services.generation import item_applies, records_generate
from spotcheck.testing.personas import Departments

MARKET = "晋州市市场监督管理局"


def _to_grouping(subject: Task, lead_admin: User, dept_admin: User) -> Task:
    calendar_load_bundled(actor=None)
    with time_machine.travel(NOW, tick=False):
        _drawn(subject, lead_admin, dept_admin)
        _confirm_all(subject, lead_admin, dept_admin, replace=False)
    moved = grouping_start(actor=lead_admin, task=subject)
    department_claim(actor=lead_admin, task=moved)
    department_claim(actor=dept_admin, task=moved)
    return moved


@pytest.fixture
def grouping(task: Task, lead_admin: User, dept_admin: User) -> Task:  # noqa: F811
    return _to_grouping(task, lead_admin, dept_admin)


def test_records_are_numbered_in_matching_order_with_one_row_per_applicable_item(
    grouping: Task, lead_admin: User
) -> None:
    # given
    _outcome, final = final_of(grouping.draw_attempts.get())

    # when
    records = records_generate(actor=lead_admin, task=grouping, final=final)

    # then
    assert [r.entity.uscc for r in records] == list(final.order)
    assert records[0].number == "晋州市政府办抽查〔2026〕10号-0001"
    assert RecordItem.objects.count() == 2 * len(records)
    for record, group in zip(records, final.matching.groups, strict=True):
        assert record.group is not None
        members = [
            (m.inspector.certificate_no, m.is_leader)
            for m in GroupMember.objects.filter(group=record.group).order_by("-is_leader", "id")
        ]
        assert members == [(m.certificate_no, m.slot == 0) for m in group.members]
        assert record.specialist_needed == []
    grouping.refresh_from_db()
    assert grouping.state == TaskState.MATCHED
    event = AuditEvent.objects.get(event_type="inspections.records.generated")
    assert event.data["records"] == len(records)


def test_generation_is_refused_outside_grouping_and_writes_nothing(
    grouping: Task, lead_admin: User
) -> None:
    # given
    _outcome, final = final_of(grouping.draw_attempts.get())
    Task.objects.filter(pk=grouping.pk).update(state=TaskState.CONFIRMED)

    # when / then
    with pytest.raises(ValidationError, match="只有“编组中”的任务"):
        records_generate(actor=lead_admin, task=grouping, final=final)
    assert JointRecord.objects.count() == 0
    assert InspectionGroup.objects.count() == 0


def test_generation_runs_once(grouping: Task, lead_admin: User) -> None:
    _outcome, final = final_of(grouping.draw_attempts.get())
    records_generate(actor=lead_admin, task=grouping, final=final)
    Task.objects.filter(pk=grouping.pk).update(state=TaskState.GROUPING)

    with pytest.raises(ValidationError, match="不会重复生成"):
        records_generate(actor=lead_admin, task=grouping, final=final)

    assert JointRecord.objects.count() == 5


def test_a_department_without_a_qualified_inspector_is_told_to_send_a_specialist(
    task: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
    departments: Departments,
) -> None:
    # given: no market inspector holds the item type SJ-01 needs
    for inspector in Inspector.objects.filter(department=departments.market):
        inspector.qualified_item_types.clear()
    grouping = _to_grouping(task, lead_admin, dept_admin)
    _outcome, final = final_of(grouping.draw_attempts.get())

    # when
    records = records_generate(actor=lead_admin, task=grouping, final=final)

    # then
    assert {len(r.specialist_needed) for r in records} == {1}
    assert records[0].specialist_needed == [
        {"department": MARKET, "qualification": "sj-01", "qualification_name": "事项SJ-01"}
    ]


def test_an_enterprise_that_cannot_be_served_gets_its_record_without_a_group(
    task: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
    departments: Departments,
) -> None:
    # given: the enterprises must avoid every market inspector (近亲属)
    for entity in Entity.objects.all():
        for inspector in Inspector.objects.filter(department=departments.market):
            avoidance_add(
                actor=None,
                inspector=inspector,
                entity=entity,
                reason_type="relative",
                reason="近亲属",
            )
    grouping = _to_grouping(task, lead_admin, dept_admin)
    _outcome, final = final_of(grouping.draw_attempts.get())
    unserved = {x.entity_id for x in final.matching.infeasible}

    # when
    records = records_generate(actor=lead_admin, task=grouping, final=final)

    # then: never dropped, visibly without a group
    assert len(records) == len(final.entities)
    assert unserved == set(final.entities)
    assert {r.entity.uscc for r in records if r.group is None} == unserved
    assert InspectionGroup.objects.count() == len(final.entities) - len(unserved)


def test_an_item_applies_by_entity_type_and_tags(departments: Departments) -> None:
    # given
    tag = Tag.objects.create(code="pawnshop", name="典当")
    tagged = make_item(departments.market, "SJ-09")
    tagged.tags.add(tag)
    plain = make_item(departments.market, "SJ-10")
    other_type = make_item(departments.market, "SJ-11", entity_types=["individual"])
    entity = Entity(entity_type="enterprise")

    # then
    assert item_applies(plain, entity, set())
    assert not item_applies(tagged, entity, set())
    assert item_applies(tagged, entity, {tag.pk})
    assert not item_applies(other_type, entity, {tag.pk})
