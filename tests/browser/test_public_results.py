"""A visitor without an account finds an enterprise's published results on the portal."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import click_and_wait
from tests.browser.scenario_setup import Scenario

pytestmark = pytest.mark.browser


def _publish(scenario: Scenario) -> str:
    """An approved 一企一表 of an entity, checked by 市场监管局 and 公安局, published."""
    from spotcheck.campaigns.tests.factories import make_task
    from spotcheck.catalogue.models import ResultCode
    from spotcheck.catalogue.tests.factories import make_item
    from spotcheck.inspections.models import JointRecord, RecordItem
    from spotcheck.inspections.tests.factories import make_group, make_record
    from spotcheck.publicity.services import publish_on_approval
    from spotcheck.testing.personas import Departments, Regions

    deps = scenario.departments
    county = deps["lead"].region
    departments = Departments(
        lead_office=deps["lead"], market=deps["scj"], police=deps["gaj"], city_market=deps["scj"]
    )
    items = {key: make_item(deps[key], f"P-{key}") for key in ("lead", "scj", "gaj")}
    task = make_task(
        departments,
        Regions(province=county, city=county, county=county),
        scenario.users["lead"],
        [(deps[key], [item]) for key, item in items.items()],
    )
    inspectors = [
        scenario.own_inspector,
        next(i for i in scenario.inspectors.values() if i.department_id == deps["gaj"].pk),
    ]
    entity = scenario.shared_gaj
    record = make_record(task, entity, make_group(task, inspectors), [items["scj"], items["gaj"]])
    # a flushed live-server database has lost the code table of the data migration
    problem, _ = ResultCode.objects.get_or_create(
        code="A", defaults={"label": "发现问题待后续处理", "requires_child": True}
    )
    ResultCode.objects.get_or_create(
        code="G", defaults={"label": "违反公安部门相关规定", "parent": problem}
    )
    rows = record.items.order_by("department__path")
    for row, codes in zip(rows, (["1"], ["A", "G"]), strict=True):
        row.result_codes.set(ResultCode.objects.filter(code__in=codes))
        RecordItem.objects.filter(pk=row.pk).update(
            entered_by=scenario.users["lead"],
            entered_at=dt.datetime(2026, 4, 13, 2, tzinfo=dt.UTC),
        )
    JointRecord.objects.filter(pk=record.pk).update(state="approved")
    record.refresh_from_db()
    publish_on_approval(actor=scenario.users["lead"], record=record)
    return str(entity.name)


def test_a_visitor_looks_up_an_enterprise_and_opens_its_result(
    page: Page, scenario: Scenario, shot: Callable[[str], None]
) -> None:
    name = _publish(scenario)
    page.goto("/public/lookup/")

    page.get_by_label("企业名称或统一社会信用代码").fill(name[2:8])
    click_and_wait(page, page.get_by_role("button", name="查询"))

    found = page.get_by_test_id("lookup-entity").filter(has_text=name)
    expect(found).to_have_count(1)
    expect(found.get_by_text("违反公安部门相关规定")).to_be_visible()
    shot("lookup")

    click_and_wait(page, found.get_by_role("link", name="查看检查事项").first)
    expect(page).to_have_url(re.compile(r"/public/results/\d+/$"))
    expect(page.get_by_role("heading", name="检查事项及结果")).to_be_visible()
    expect(page.get_by_test_id("inspector-names")).to_contain_text("执法证号")

    page.goto("/public/results/")
    expect(page.get_by_test_id("result-row")).to_have_count(2)
    shot("results")
