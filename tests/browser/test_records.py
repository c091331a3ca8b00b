"""一企一表 in the browser: from the task page to the record, its PDF, and a department's inbox."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import VIEWPORTS, click_and_wait
from tests.browser.scenario_setup import Scenario

pytestmark = pytest.mark.browser


def _matched_task(scenario: Scenario) -> Any:
    """A matched task of the three departments with one record for 恒丰 (group 1)."""
    from spotcheck.accounts.models import Region
    from spotcheck.campaigns.tests.factories import make_task
    from spotcheck.catalogue.tests.factories import make_item
    from spotcheck.inspections.models import JointRecord
    from spotcheck.inspections.tests.factories import make_group, make_record

    deps = scenario.departments
    lead_item = make_item(deps["lead"], "JR-XD-01", name="小额贷款公司经营业务类检查")
    market_item = make_item(deps["scj"], "SJ-GS-02", name="公示信息检查")
    police_item = make_item(deps["gaj"], "GA-BA-01", name="保安服务业检查")
    task = make_task(
        SimpleNamespace(lead_office=deps["lead"]),  # type: ignore[arg-type]
        SimpleNamespace(county=Region.objects.get(code="130183")),  # type: ignore[arg-type]
        scenario.users["lead"],
        [(deps["lead"], [lead_item]), (deps["scj"], [market_item]), (deps["gaj"], [police_item])],
    )
    people = scenario.inspectors
    group = make_group(task, [people["杨帆"], people["张明"], people["刘洋"]])
    record = make_record(task, scenario.entities[6], group, [lead_item, market_item, police_item])
    JointRecord.objects.filter(pk=record.pk).update(
        specialist_needed=[{"department": "晋州市公安局", "qualification": "技防设施检测"}]
    )
    make_record(task, scenario.entities[9], None, [police_item])
    return SimpleNamespace(task=task, record=record)


def test_lead_office_opens_a_record_and_prints_it(
    page: Page,
    scenario: Scenario,
    signed_in: Callable[..., None],
    shot: Callable[[str], None],
    viewport: str,
) -> None:
    from pypdf import PdfReader

    _matched_task(scenario)
    signed_in("lead", "/tasks/")
    expect(page.get_by_test_id("task-figures")).to_have_text("已确认部门 0/3 · 一企一表 2 份")
    shot("board")

    click_and_wait(page, page.get_by_role("link", name=re.compile("第十次联合抽查")))
    click_and_wait(page, page.get_by_test_id("records-link"))
    expect(page.get_by_role("heading", level=1)).to_have_text("联合检查记录表（一企一表）")
    expect(page.get_by_test_id("record-row")).to_have_count(2)
    shot("list")

    click_and_wait(page, page.get_by_role("link", name=re.compile(scenario.entities[6].name)))
    expect(page.get_by_role("heading", level=1)).to_have_text("随机抽查联合检查记录表")
    expect(page.get_by_test_id("entity-name")).to_have_text(scenario.entities[6].name)
    expect(page.get_by_test_id("group-leader")).to_have_text("杨帆（晋州市人民政府办公室）")
    expect(page.get_by_test_id("member-row")).to_have_count(3)
    expect(page.get_by_test_id("department-section")).to_have_count(3)
    expect(page.get_by_test_id("specialists")).to_contain_text("晋州市公安局：技防设施检测")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[viewport]["width"], width
    shot("detail")

    href = page.get_by_test_id("record-pdf").get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    text = "".join(
        "".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(response.body())).pages
    )
    assert scenario.entities[6].name in text
    assert "杨帆" in text


def test_department_admin_finds_the_records_from_its_inbox(
    page: Page,
    scenario: Scenario,
    signed_in: Callable[..., None],
    nav: Callable[[str], None],
    shot: Callable[[str], None],
) -> None:
    from spotcheck.campaigns.choices import TaskState
    from spotcheck.campaigns.models import Task

    matched = _matched_task(scenario)
    Task.objects.filter(pk=matched.task.pk).update(state=TaskState.CHECKING)
    signed_in("gaj_admin")

    nav("部门待办")
    expect(page.get_by_role("heading", level=1)).to_have_text("待办任务")
    expect(page.get_by_test_id("count-to_enter")).to_have_text("2")
    shot("inbox")
    click_and_wait(page, page.get_by_role("link", name="一企一表 2 份"))
    expect(page.get_by_test_id("record-row")).to_have_count(2)


def test_lead_office_merges_two_visits_to_one_enterprise(
    page: Page,
    scenario: Scenario,
    signed_in: Callable[..., None],
    shot: Callable[[str], None],
) -> None:
    import datetime as dt

    from spotcheck.campaigns.models import Task
    from spotcheck.campaigns.tests.factories import make_task
    from spotcheck.inspections.tests.factories import make_record

    matched = _matched_task(scenario)
    deps = scenario.departments
    items = list(matched.task.participants.get(department=deps["scj"]).items.all())
    lead_items = list(matched.task.participants.get(department=deps["lead"]).items.all())
    second = make_task(
        SimpleNamespace(lead_office=deps["lead"]),  # type: ignore[arg-type]
        SimpleNamespace(county=matched.task.scope_region),  # type: ignore[arg-type]
        scenario.users["lead"],
        [(deps["lead"], lead_items), (deps["scj"], items)],
        number="晋州市政府办抽查〔2026〕11号",
    )
    Task.objects.filter(pk=second.pk).update(
        window_start=dt.date(2026, 5, 1), window_end=dt.date(2026, 6, 30)
    )
    make_record(second, scenario.entities[6], None, items)
    signed_in("lead", "/merges/")

    expect(page.get_by_test_id("proposal")).to_have_count(1)
    expect(page.get_by_test_id("proposal")).to_contain_text("2026-05-01 至 2026-06-30")
    shot("proposal")
    click_and_wait(page, page.get_by_role("button", name="合并检查"))
    expect(page.get_by_test_id("visits-saved")).to_have_text("已合并检查，节省上门检查 1 次。")
    expect(page.get_by_test_id("proposal")).to_have_count(0)
    expect(page.get_by_test_id("decision")).to_contain_text("已合并")


def test_department_admin_imports_a_catalogue_file_with_errors(
    page: Page,
    scenario: Scenario,
    signed_in: Callable[..., None],
    shot: Callable[[str], None],
    tmp_path: Any,
) -> None:
    path = tmp_path / "清单.csv"
    path.write_bytes(
        "抽查主体,事项编码,抽查事项名称,事项类别,重点或一般,抽查比例下限（%）,抽查方式,"
        "抽查对象类型,抽查依据,检查内容,检查结果选项\n"
        "晋州市公安局,GA-01,保安服务业检查,保安服务类,重点检查事项,3,实地核查,企业,"
        "《保安服务管理条例》,保安员是否持证上岗,1\n".encode("gb18030")
    )
    signed_in("scj_admin", "/catalogue/")

    click_and_wait(page, page.get_by_role("link", name="导入导出"))
    page.get_by_label("文件").set_input_files(str(path))
    click_and_wait(page, page.get_by_role("button", name="导入"))
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_contain_text("文件有误，未导入任何事项。")
    expect(errors).to_contain_text("第2行：事项类别“保安服务类”不存在，请先在名录库中添加")
    shot("errors")
