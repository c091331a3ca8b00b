from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from freezegun import freeze_time

from spotcheck.accounts.models import User
from spotcheck.accounts.tests.factories import UserFactory
from spotcheck.campaigns.services import plan_create
from spotcheck.catalogue.tests.factories import make_item
from spotcheck.demo.field import FIELD_TASK_NUMBER, load_field_demo
from spotcheck.directory.tests.factories import InspectorFactory
from spotcheck.inspections.models import JointRecord
from spotcheck.inspections.selectors.field import field_records_for_inspector
from spotcheck.testing.personas import Catalogue, Departments


@pytest.fixture
def demo_people(departments: Departments, lead_admin: User, catalogue: Catalogue) -> None:
    plan_create(
        actor=lead_admin,
        year=2026,
        name="晋州市2026年实施方案",
        number="晋州市政府办抽查计划〔2026〕1号",
        department=departments.lead_office,
    )
    for code, department in (
        ("ZF-01", departments.lead_office),
        ("SJ-01", departments.market),
        ("SJ-02", departments.market),
        ("GA-01", departments.police),
    ):
        make_item(department, code)
    for username, department in (
        ("zfb_inspector", departments.lead_office),
        ("scj_inspector", departments.market),
        ("gaj_inspector", departments.police),
    ):
        user = UserFactory(username=username, role="inspector", department=department)
        InspectorFactory(department=department, user=user)
    # a second market inspector, without a login yet
    InspectorFactory(department=departments.market, name="孙检查")


def test_the_field_demo_gives_each_demo_inspector_records_of_today(demo_people: None) -> None:
    # when
    with freeze_time("2026-03-02 09:00:00+08:00"):
        records = load_field_demo(today=dt.date(2026, 3, 2))
        today = field_records_for_inspector(User.objects.get(username="scj_inspector")).today
    # then: the two 晋州市 enterprises, the first with every department's item
    assert [sorted(r.items.values_list("item__code", flat=True)) for r in records] == [
        ["GA-01", "SJ-01", "SJ-02", "ZF-01"],
        ["SJ-01"],
    ]
    assert [r.number for r in today] == [
        "晋州市政府办抽查〔2026〕90号-0001",
        "晋州市政府办抽查〔2026〕90号-0002",
    ]
    assert records[0].group.members.count() == 4


def test_the_field_demo_puts_two_market_inspectors_with_logins_in_the_group(
    demo_people: None,
) -> None:
    # when
    with freeze_time("2026-03-02 09:00:00+08:00"):
        records = load_field_demo(today=dt.date(2026, 3, 2))
        second = User.objects.get(username="scj_inspector2")
        today = field_records_for_inspector(second).today
    # then: 孙检查 logs in as scj_inspector2 and has the same records of today as 张明's login
    assert (second.display_name, second.role, second.check_password("spotcheck-demo-2026")) == (
        "孙检查",
        "inspector",
        True,
    )
    market = records[0].group.members.filter(department=second.department)
    assert sorted(m.inspector.user.username for m in market) == ["scj_inspector", "scj_inspector2"]
    assert [r.number for r in today] == [
        "晋州市政府办抽查〔2026〕90号-0001",
        "晋州市政府办抽查〔2026〕90号-0002",
    ]


def test_the_field_demo_refuses_to_load_twice(demo_people: None) -> None:
    call_command("demo_field")
    with pytest.raises(CommandError, match="现场检查演示任务已存在"):
        call_command("demo_field")
    assert JointRecord.objects.filter(task__number=FIELD_TASK_NUMBER).count() == 2


def test_the_field_demo_needs_the_demo_scenario(db: None) -> None:
    with pytest.raises(CommandError, match="请先载入演示场景"):
        call_command("demo_field")


def test_the_field_demo_task_is_a_practice_task_kept_off_the_public_pages(
    demo_people: None, client: Client
) -> None:
    # given
    with freeze_time("2026-03-02 09:00:00+08:00"):
        records = load_field_demo(today=dt.date(2026, 3, 2))
    task = records[0].task

    # when a visitor opens the public task list and the task's page
    listing = client.get("/public/tasks/").content.decode()
    page = client.get(f"/public/tasks/{task.pk}/")

    # then the practice task is marked and shown nowhere
    assert task.is_practice is True
    assert FIELD_TASK_NUMBER not in listing
    assert page.status_code == 404
