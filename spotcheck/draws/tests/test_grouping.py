"""Claims (认领), each department's inspector draw, and the random matching (随机匹配)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client

from spotcheck.accounts.models import User
from spotcheck.audit.models import AuditEvent
from spotcheck.campaigns.choices import TaskState
from spotcheck.campaigns.models import Task
from spotcheck.deadlines.services import calendar_load_bundled
from spotcheck.directory.models import Inspector
from spotcheck.draws.choices import ObjectState
from spotcheck.draws.dispatch import (
    department_claim,
    department_confirm,
    draw_dispatch,
)
from spotcheck.draws.matching import grouping_start
from spotcheck.draws.models import DepartmentClaim, DrawAttempt, DrawnObject
from spotcheck.draws.outcomes import draw_bundle_files, draw_verify_stored, rerun
from spotcheck.draws.tests.factories import LEAD, MARKET, NOW
from spotcheck.draws.tests.factories import confirm_all as _confirm_all
from spotcheck.draws.tests.factories import drawn as _drawn
from spotcheck.inspections.models import GroupMember, InspectionGroup, JointRecord
from spotcheck.testing.personas import LOGIN_BACKEND, Departments
from spotcheck.workflow.matching import task_match

ROOT = Path(__file__).resolve().parents[3]


def _attempt(subject: Task) -> DrawAttempt:
    return subject.draw_attempts.get()


def test_lead_office_starts_grouping_once_every_department_confirmed(
    confirmed: Task, lead_admin: User
) -> None:
    # given
    assert confirmed.state == TaskState.CONFIRMED

    # when
    moved = grouping_start(actor=lead_admin, task=confirmed)

    # then
    assert moved.state == TaskState.GROUPING
    with pytest.raises(ValidationError, match="任务已在编组中"):
        grouping_start(actor=lead_admin, task=confirmed)


def test_a_department_admin_cannot_start_grouping(confirmed: Task, dept_admin: User) -> None:
    with pytest.raises(PermissionDenied):
        grouping_start(actor=dept_admin, task=confirmed)

    confirmed.refresh_from_db()
    assert confirmed.state == TaskState.CONFIRMED


def test_claim_is_refused_before_grouping(confirmed: Task, dept_admin: User) -> None:
    with pytest.raises(ValidationError, match="只有“编组中”的任务"):
        department_claim(actor=dept_admin, task=confirmed)

    assert DepartmentClaim.objects.count() == 0


def test_claim_draws_the_departments_inspectors_as_the_engine_ranks_them(
    grouping: Task, dept_admin: User
) -> None:
    # when
    claim = department_claim(actor=dept_admin, task=grouping)

    # then: exactly the engine's ranking of the frozen pool under the attempt's key
    outcome = rerun(_attempt(grouping))
    expected = [r.certificate_no for _, r in outcome.inspectors.by_department()[MARKET].drawn]
    assert claim.department.name == MARKET
    assert claim.certificates == expected
    assert len(expected) == 4
    active = set(
        DrawnObject.objects.exclude(state=ObjectState.REPLACED).values_list(
            "entity_code", flat=True
        )
    )
    assert set(claim.entity_codes) == active
    event = AuditEvent.objects.get(event_type="draw.department.claimed")
    assert event.data["inspectors"] == expected


def test_a_second_click_on_claim_draws_nothing(grouping: Task, dept_admin: User) -> None:
    department_claim(actor=dept_admin, task=grouping)

    with pytest.raises(ValidationError, match="不会重复抽取"):
        department_claim(actor=dept_admin, task=grouping)

    assert DepartmentClaim.objects.count() == 1
    assert AuditEvent.objects.filter(event_type="draw.department.claimed").count() == 1


def test_a_department_outside_the_task_cannot_claim(grouping: Task, other_dept_admin: User) -> None:
    with pytest.raises(PermissionDenied):
        department_claim(actor=other_dept_admin, task=grouping)

    assert DepartmentClaim.objects.count() == 0


def test_matching_waits_for_every_department_with_objects(
    grouping: Task, lead_admin: User, dept_admin: User
) -> None:
    # given
    department_claim(actor=dept_admin, task=grouping)

    # when / then
    with pytest.raises(ValidationError, match=f"尚未认领.*{LEAD}"):
        task_match(actor=lead_admin, task=grouping)
    grouping.refresh_from_db()
    assert grouping.state == TaskState.GROUPING
    assert JointRecord.objects.count() == 0
    assert InspectionGroup.objects.count() == 0
    assert _attempt(grouping).matched_at is None


def test_matching_generates_one_record_per_final_entity_and_moves_the_task(
    claimed: Task, lead_admin: User
) -> None:
    # when
    final = task_match(actor=lead_admin, task=claimed)

    # then
    claimed.refresh_from_db()
    assert claimed.state == TaskState.MATCHED
    active = set(
        DrawnObject.objects.exclude(state=ObjectState.REPLACED).values_list(
            "entity_code", flat=True
        )
    )
    assert set(final.entities) == active
    records = list(JointRecord.objects.order_by("number"))
    assert [r.number for r in records] == [
        f"{claimed.number}-{n:04d}" for n in range(1, len(active) + 1)
    ]
    assert {r.entity.uscc for r in records} == active
    assert InspectionGroup.objects.count() == len(final.matching.groups) == len(active)
    for record in records:
        members = list(GroupMember.objects.filter(group=record.group))
        assert len(members) >= 2
        assert {m.department.name for m in members} == {LEAD, MARKET}
        leader = next(m for m in members if m.is_leader)
        assert leader.department.name == LEAD  # the lead department's member leads
        assert sorted(i.item.code for i in record.items.all()) == ["JR-01", "SJ-01"]
    attempt = _attempt(claimed)
    assert json.loads(attempt.final_result)["replacements"] == 1
    assert AuditEvent.objects.filter(event_type="draw.matched").count() == 1
    assert AuditEvent.objects.filter(event_type="inspections.records.generated").count() == 1


def test_a_double_click_on_match_matches_once(claimed: Task, lead_admin: User) -> None:
    task_match(actor=lead_admin, task=claimed)

    with pytest.raises(ValidationError, match="不会重复匹配"):
        task_match(actor=lead_admin, task=claimed)

    assert JointRecord.objects.count() == 5
    assert AuditEvent.objects.filter(event_type="draw.matched").count() == 1


def test_only_the_lead_office_matches(claimed: Task, dept_admin: User) -> None:
    with pytest.raises(PermissionDenied):
        task_match(actor=dept_admin, task=claimed)

    assert JointRecord.objects.count() == 0


def test_the_matched_bundle_verifies_with_the_standalone_script(
    claimed: Task, lead_admin: User, tmp_path: Path
) -> None:
    # given
    task_match(actor=lead_admin, task=claimed)
    files = draw_bundle_files(_attempt(claimed))
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)

    # when
    done = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-I", str(ROOT / "tools" / "verify_draw.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )

    # then
    assert done.returncode == 0, done.stderr
    assert json.loads(files["manifest.json"])["version"] == "DRAW-v1.1"
    rows = files["replacements.tsv"].decode().splitlines()
    assert len(rows) == 1
    assert rows[0].split("\t")[3] == "cancelled"
    assert draw_verify_stored(_attempt(claimed)) == []


def test_a_tampered_replacement_in_the_exported_bundle_fails_verification(
    claimed: Task, lead_admin: User, tmp_path: Path
) -> None:
    # given: the replacement claims another entity of the frame replaced the drawn one
    task_match(actor=lead_admin, task=claimed)
    files = draw_bundle_files(_attempt(claimed))
    row = files["replacements.tsv"].decode().rstrip("\n").split("\t")
    other = next(
        line.split("\t")[0]
        for line in files["frame.tsv"].decode().splitlines()
        if line.split("\t")[0] != row[4]
        and line.split("\t")[0] not in files["selection.tsv"].decode()
    )
    row[4] = other
    files["replacements.tsv"] = ("\t".join(row) + "\n").encode()
    from spotcheck.core.draw.bundle import manifest
    from spotcheck.core.draw.canonical import canonical_json

    files["manifest.json"] = canonical_json(
        manifest({n: d for n, d in files.items() if n != "manifest.json"})
    )
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)

    # when
    done = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-I", str(ROOT / "tools" / "verify_draw.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )

    # then
    assert done.returncode == 1, done.stderr
    assert "replacements.tsv" in done.stderr


def test_a_department_without_drawable_inspectors_is_told_and_blocks_matching(
    task: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
    departments: Departments,
) -> None:
    # given: every market inspector is on leave when the pool is frozen
    Inspector.objects.filter(department=departments.market).update(status="leave")
    calendar_load_bundled(actor=None)
    with time_machine.travel(NOW, tick=False):
        _drawn(task, lead_admin, dept_admin)
        _confirm_all(task, lead_admin, dept_admin, replace=False)
    grouping_start(actor=lead_admin, task=task)
    department_claim(actor=lead_admin, task=task)

    # when / then
    with pytest.raises(ValidationError, match="没有可抽取的人员.*在岗且执法证在抽取日有效的0人"):
        department_claim(actor=dept_admin, task=task)
    with pytest.raises(ValidationError, match=f"尚未认领.*{MARKET}"):
        task_match(actor=lead_admin, task=task)
    assert DepartmentClaim.objects.count() == 1
    assert JointRecord.objects.count() == 0
    lead = Client()
    lead.force_login(lead_admin, backend=LOGIN_BACKEND)
    page = lead.get(f"/tasks/{task.pk}/").content.decode()
    assert "无可抽取人员" in page
    assert f"待以下部门认领后可随机匹配：{MARKET}" in page
    assert 'data-testid="match"' not in page
    # the message and the page point to the button that gets the task out: 申请重新抽取
    assert "须由牵头单位点击下方“申请重新抽取”" in page
    assert re.search(
        r'<details open>\s*<summary [^>]*data-testid="redraw-open">申请重新抽取<', page
    )


def test_task_page_shows_each_role_its_button_and_the_records_count(
    grouping: Task, lead_admin: User, dept_admin: User
) -> None:
    # given
    market, lead = Client(), Client()
    market.force_login(dept_admin, backend=LOGIN_BACKEND)
    lead.force_login(lead_admin, backend=LOGIN_BACKEND)
    url = f"/tasks/{grouping.pk}/"

    # when: the market admin claims through the page
    page = market.get(url).content.decode()
    assert "认领并抽取执法人员" in page
    assert 'data-testid="match"' not in page
    market.post(f"/tasks/{grouping.pk}/grouping/claim/")
    lead.post(f"/tasks/{grouping.pk}/grouping/claim/")
    response = lead.post(f"/tasks/{grouping.pk}/grouping/match/", {"confirmed": "1"}, follow=True)

    # then
    page = response.content.decode()
    assert "已生成一企一表 <strong>5</strong> 份" in page
    assert "第1组" in page
    assert DepartmentClaim.objects.count() == 2
    draw_page = lead.get(f"/tasks/{grouping.pk}/draw/").content.decode()
    assert "以下为替补后的最终名单和随机匹配的检查组" in draw_page


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_simultaneous_match_clicks_match_once_on_postgresql(
    task: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
) -> None:
    # given
    calendar_load_bundled(actor=None)
    with time_machine.travel(NOW, tick=False):
        _drawn(task, lead_admin, dept_admin)
        _confirm_all(task, lead_admin, dept_admin)
    grouping_start(actor=lead_admin, task=task)
    department_claim(actor=lead_admin, task=task)
    department_claim(actor=dept_admin, task=task)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def click() -> None:
        barrier.wait()
        try:
            task_match(actor=lead_admin, task=task)
            outcomes.append("matched")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # then
    assert sorted(outcomes) == ["matched", "本任务已完成随机匹配，不会重复匹配"]
    assert JointRecord.objects.filter(task=task).count() == 5


def test_a_department_with_no_final_object_has_nothing_to_claim_and_does_not_block(
    task: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
    other_dept_admin: User,
    departments: Departments,
) -> None:
    # given: 公安局 takes part with an item for individual businesses only
    from spotcheck.campaigns.models import TaskDepartment
    from spotcheck.catalogue.tests.factories import make_item

    police = TaskDepartment.objects.create(task=task, department=departments.police)
    police.items.add(make_item(departments.police, "GA-01", entity_types=["individual"]))
    calendar_load_bundled(actor=None)
    with time_machine.travel(NOW, tick=False):
        _drawn(task, lead_admin, dept_admin)
        draw_dispatch(actor=lead_admin, task=task)
        for admin in (dept_admin, lead_admin, other_dept_admin):
            department_confirm(actor=admin, task=task)
    grouping_start(actor=lead_admin, task=task)
    department_claim(actor=lead_admin, task=task)
    department_claim(actor=dept_admin, task=task)

    # when / then
    with pytest.raises(ValidationError, match="没有需要晋州市公安局检查的对象，无需认领"):
        department_claim(actor=other_dept_admin, task=task)
    final = task_match(actor=lead_admin, task=task)
    assert JointRecord.objects.count() == len(final.entities) == 5
    assert DepartmentClaim.objects.count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_simultaneous_claim_clicks_draw_once_on_postgresql(
    task: Task,  # noqa: F811
    lead_admin: User,
    dept_admin: User,
) -> None:
    # given
    calendar_load_bundled(actor=None)
    with time_machine.travel(NOW, tick=False):
        _drawn(task, lead_admin, dept_admin)
        _confirm_all(task, lead_admin, dept_admin)
    grouping_start(actor=lead_admin, task=task)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def click() -> None:
        barrier.wait()
        try:
            department_claim(actor=dept_admin, task=task)
            outcomes.append("claimed")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=click) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # then
    assert sorted(outcomes) == ["claimed", f"{MARKET}已认领并抽取执法人员，不会重复抽取"]
    assert DepartmentClaim.objects.filter(attempt__task=task).count() == 1
