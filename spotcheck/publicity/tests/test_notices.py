from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from spotcheck.accounts.models import User
from spotcheck.campaigns.models import Task
from spotcheck.campaigns.services import plan_create, plan_publish, task_create
from spotcheck.catalogue.models import ResultCode
from spotcheck.catalogue.services import item_create
from spotcheck.directory.models import ItemType
from spotcheck.testing.personas import Departments, Regions
from spotcheck.workflow.task_steps import task_publish


@pytest.fixture
def published(departments: Departments, regions: Regions, lead_admin: User) -> Task:
    item_type = ItemType.objects.create(code="fin", name="地方金融组织一般合规性检查")
    item = item_create(
        actor=None,
        values={
            "department": departments.lead_office,
            "code": "JR-03",
            "name": "地方金融组织一般合规性检查",
            "item_type": item_type,
            "legal_basis": "《河北省地方金融监督管理条例》",
            "methods": ["written", "onsite"],
            "entity_types": ["enterprise"],
            "item_class": "general",
            "ratio_min": Decimal("3"),
            "ratio_max": Decimal("10"),
        },
        sub_items=["公司治理和内部控制制度"],
        result_codes=list(ResultCode.objects.filter(code="1")),
    )
    plan = plan_create(
        actor=lead_admin,
        year=2026,
        name="晋州市2026年“双随机、一公开”监管工作实施方案",
        number="晋州市政府办抽查计划〔2026〕1号",
        department=departments.lead_office,
    )
    plan_publish(actor=lead_admin, plan=plan)

    def make(number: str, name: str) -> Task:
        return task_create(
            actor=lead_admin,
            values={
                "plan": plan,
                "number": number,
                "name": name,
                "lead_department": departments.lead_office,
                "scope_region": regions.county,
                "ratio_a": Decimal("3"),
                "ratio_b": Decimal("3"),
                "ratio_c": Decimal("3"),
                "ratio_d": Decimal("3"),
                "window_start": dt.date(2026, 3, 1),
                "window_end": dt.date(2026, 7, 30),
            },
            participants=[(departments.lead_office, [item])],
        )

    make("晋州市政府办抽查〔2026〕11号", "尚未发布的草稿任务")
    task = make("晋州市政府办抽查〔2026〕10号", "第十次跨部门联合抽查")
    return task_publish(actor=lead_admin, task=task, late_reason="按年度抽查计划组织实施")


@pytest.mark.parametrize("url", ["/", "/public/items/", "/public/plans/", "/public/tasks/"])
def test_public_pages_need_no_login(published: Task, client: Client, url: str) -> None:
    assert client.get(url).status_code == 200


def test_item_notice_lists_basis_ratio_and_content(published: Task, client: Client) -> None:
    html = client.get("/public/items/").content.decode()

    assert "地方金融组织一般合规性检查" in html
    assert "《河北省地方金融监督管理条例》" in html
    assert "3.00%–10.00%" in html
    assert "1. 公司治理和内部控制制度" in html


def test_task_notice_shows_published_tasks_only(published: Task, client: Client) -> None:
    html = client.get("/public/tasks/").content.decode()

    assert "晋州市政府办抽查〔2026〕10号" in html
    assert "晋州市政府办抽查计划〔2026〕1号" in html
    assert "2026-03-01 至 2026-07-30" in html
    assert "尚未发布的草稿任务" not in html


def test_plan_notice_title_and_year_filter(published: Task, client: Client) -> None:
    html = client.get("/public/plans/?year=2026").content.decode()
    empty = client.get("/public/plans/?year=2025").content.decode()

    assert "晋州市人民政府办公室2026年度抽查工作计划公告" in html
    assert "暂无公告的抽查计划" in empty


def test_department_filter_on_tasks(
    published: Task, client: Client, departments: Departments
) -> None:
    police = client.get(f"/public/tasks/?department={departments.police.pk}").content.decode()

    assert "暂无公告的抽查任务" in police


def test_public_task_page_explains_how_to_check_and_hides_nothing_drawn(
    published: Task, client: Client
) -> None:
    response = client.get(f"/public/tasks/{published.pk}/")
    draft = Task.objects.get(number="晋州市政府办抽查〔2026〕11号")

    assert response.status_code == 200
    assert "这次抽取是随机的吗？您可以自己核对" in response.content.decode()
    assert "本任务尚未发布抽取公告" in response.content.decode()
    assert client.get(f"/public/tasks/{draft.pk}/").status_code == 404
    assert client.get(f"/public/tasks/{published.pk}/bundle.zip").status_code == 404


def test_the_task_notice_names_the_region_once_before_a_department_named_after_it(
    published: Task, client: Client, departments: Departments
) -> None:
    # given a task drawing from what 晋州市人民政府办公室 supervises in 晋州市
    Task.objects.filter(pk=published.pk).update(scope_department=departments.lead_office)

    # when a visitor reads the task notice
    html = client.get("/public/tasks/").content.decode()

    # then the region is said once
    assert '<span data-testid="task-scope">晋州市人民政府办公室所监管的市场主体</span>' in html
    assert "晋州市晋州市" not in html
