"""A 市场监管局 department admin works in 检查对象名录库: filter, open, add, export."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db.models import QuerySet
from playwright.sync_api import Locator, Page, expect

from tests.browser.helpers import JINZHOU, click_and_wait, result_count
from tests.browser.scenario_setup import Scenario

pytestmark = pytest.mark.browser

CHECK_FAILING_USCC = "91350100M0001TGQXM"  # a legal early pilot code that fails the check
NEW_NAME = "晋州市新开张商贸有限公司（演示）"


def _scj_entities(scenario: Scenario) -> QuerySet[Any]:
    """The entities 市场监管局 supervises, counted straight from the database."""
    from spotcheck.directory.models import Entity

    return Entity.objects.filter(supervising_departments=scenario.departments["scj"]).distinct()


@pytest.fixture
def as_scj_admin(page: Page, scenario: Scenario, signed_in: Callable[..., None]) -> Page:
    """Signed in as the 市场监管局 admin, on the object directory."""
    signed_in("scj_admin", "/directory/entities/")
    expect(page.get_by_role("heading", name="检查对象名录库", level=1)).to_be_visible()
    return page


def test_filter_by_risk_class_and_search_narrows_the_list(
    as_scj_admin: Page, scenario: Scenario
) -> None:
    page = as_scj_admin
    visible = _scj_entities(scenario)
    assert result_count(page) == visible.count() == 27

    page.get_by_label("信用风险分类").select_option("D")
    click_and_wait(page, page.get_by_role("button", name="查询"))
    expect(page).to_have_url(re.compile(r"risk_class=D"))
    class_d = visible.filter(risk_class="D")
    assert result_count(page) == class_d.count() == 6
    expect(page.locator("table tbody tr")).to_have_count(6)
    expect(page.locator("table tbody tr .badge.risk-D")).to_have_count(6)

    page.get_by_label("名称或代码").fill("鼎盛")
    click_and_wait(page, page.get_by_role("button", name="查询"))
    expect(page).to_have_url(re.compile(r"q=%E9%BC%8E%E7%9B%9B"))
    narrowed = class_d.filter(name__contains="鼎盛")
    assert result_count(page) == narrowed.count() == 2
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    # in the database's own name order, as the page lists them
    expect(rows.get_by_role("link")).to_have_text(list(narrowed.values_list("name", flat=True)))
    # the filter form keeps what was chosen
    expect(page.get_by_label("信用风险分类")).to_have_value("D")
    expect(page.get_by_label("名称或代码")).to_have_value("鼎盛")

    page.get_by_label("名称或代码").fill("没有这个企业")
    click_and_wait(page, page.get_by_role("button", name="查询"))
    assert result_count(page) == 0
    expect(page.get_by_text("没有符合条件的检查对象。")).to_be_visible()

    click_and_wait(page, page.get_by_role("link", name="重置"))
    expect(page).to_have_url(re.compile(r"/directory/entities/$"))
    assert result_count(page) == 27


def test_look_up_by_code_and_open_detail(as_scj_admin: Page, scenario: Scenario) -> None:
    page = as_scj_admin
    entity = scenario.shared_gaj  # supervised by 公安局 and 市场监管局
    page.get_by_label("名称或代码").fill(entity.uscc.lower())
    click_and_wait(page, page.get_by_role("button", name="查询"))
    assert result_count(page) == 1

    click_and_wait(page, page.get_by_role("link", name=entity.name, exact=True))

    expect(page).to_have_url(re.compile(rf"/directory/entities/{entity.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(entity.name)
    expect(page.locator("h1 + .code")).to_have_text(entity.uscc)
    details = page.locator("main")
    expect(details).to_contain_text("河北省晋州市晋州镇演示大街7号")
    expect(details).to_contain_text("张三丰")
    expect(details).to_contain_text("1301**********1006")  # only the masked ID number
    expect(details).to_contain_text(entity.get_risk_class_display())
    expect(details).to_contain_text("晋州市公安局")
    expect(details).to_contain_text("晋州市市场监督管理局")
    expect(page.get_by_role("link", name="修改")).to_be_visible()
    click_and_wait(page, page.get_by_label("面包屑").get_by_role("link", name="检查对象名录库"))
    expect(page).to_have_url(re.compile(r"/directory/entities/$"))


def _field(page: Page, label: str) -> Locator:
    """The control labelled exactly ``label``; a required field's label ends with " *"."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def _fill_new_entity(page: Page, uscc: str) -> None:
    _field(page, "统一社会信用代码").fill(uscc)
    _field(page, "名称").fill(NEW_NAME)
    _field(page, "主体类型").select_option(label="企业")
    _field(page, "法定代表人（负责人）").fill("李四")
    _field(page, "住所").fill("河北省晋州市营里镇示范路8号")
    _field(page, "行政区划").select_option(label=f"晋州市（{JINZHOU}）")
    _field(page, "登记机关").fill("晋州市市场监督管理局")
    page.get_by_label("晋州市市场监督管理局", exact=True).check()


def _assert_error_next_to(page: Page, field: str, text: str) -> None:
    """The Chinese message sits right under its own input, which is marked invalid."""
    control = page.locator(f"#id_{field}")
    error = page.get_by_test_id(f"error-{field}")
    expect(error).to_be_visible()
    expect(error).to_contain_text(text)
    expect(control).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(control).to_have_attribute("aria-invalid", "true")
    box, err = control.bounding_box(), error.bounding_box()
    assert box
    assert err
    gap = err["y"] - (box["y"] + box["height"])
    assert 0 <= gap < 40, f"error of {field} is {gap}px away from its input"
    assert abs(err["x"] - box["x"]) < 2


def test_create_entity_rejects_malformed_code_then_saves_valid_one(
    as_scj_admin: Page, scenario: Scenario, shot: Callable[[str], None]
) -> None:
    from spotcheck.core.uscc import build_uscc
    from spotcheck.directory.models import Entity

    page = as_scj_admin
    before = Entity.objects.count()
    click_and_wait(page, page.get_by_role("link", name="新增", exact=True))
    expect(page.get_by_role("heading", name="新增检查对象", level=1)).to_be_visible()

    _fill_new_entity(page, "91130183MA0ABC")
    click_and_wait(page, page.get_by_role("button", name="保存"))

    expect(page.get_by_test_id("form-errors")).to_contain_text("本次未保存任何数据")
    _assert_error_next_to(page, "uscc", "统一社会信用代码应为18位，当前为14位")
    shot("malformed")
    assert Entity.objects.count() == before
    assert not Entity.objects.filter(name=NEW_NAME).exists()
    # what was typed is kept
    expect(_field(page, "名称")).to_have_value(NEW_NAME)
    expect(page.get_by_label("晋州市市场监督管理局", exact=True)).to_be_checked()

    valid = build_uscc("9", "1", JINZHOU, "MA0B7K2D")
    _field(page, "统一社会信用代码").fill(valid.lower())  # typed in lower case
    click_and_wait(page, page.get_by_role("button", name="保存"))

    expect(page).to_have_url(re.compile(r"/directory/entities/\d+/$"))
    expect(page.get_by_role("alert").filter(has_text="已新增")).to_have_text(
        f"已新增检查对象：{NEW_NAME}"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(NEW_NAME)
    expect(page.locator("h1 + .code")).to_have_text(valid)
    entity = Entity.objects.get(name=NEW_NAME)
    assert entity.uscc == valid
    assert page.url.endswith(f"/directory/entities/{entity.pk}/")
    assert [d.name for d in entity.supervising_departments.all()] == ["晋州市市场监督管理局"]
    assert Entity.objects.count() == before + 1


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)  # the phone form: test above
def test_create_entity_with_check_failing_code_needs_a_reason(
    as_scj_admin: Page, scenario: Scenario, shot: Callable[[str], None]
) -> None:
    from spotcheck.directory.models import Entity

    page = as_scj_admin
    before = Entity.objects.count()
    click_and_wait(page, page.get_by_role("link", name="新增", exact=True))

    _fill_new_entity(page, CHECK_FAILING_USCC)
    click_and_wait(page, page.get_by_role("button", name="保存"))

    _assert_error_next_to(page, "uscc", "统一社会信用代码校验位不符（应为")
    expect(page.get_by_test_id("error-uscc")).to_contain_text("可填写理由后强制保存")
    shot("warning")
    assert Entity.objects.count() == before

    reason = "福州市早期试点代码，已核对营业执照原件"
    page.get_by_label("校验位不符保存理由").fill(reason)
    click_and_wait(page, page.get_by_role("button", name="保存"))

    expect(page).to_have_url(re.compile(r"/directory/entities/\d+/$"))
    expect(page.locator(".alert-warning")).to_have_text(
        f"统一社会信用代码校验位不符，已按理由保存：{reason}"
    )
    expect(page.locator("h1 + .code")).to_have_text(CHECK_FAILING_USCC)
    entity = Entity.objects.get(uscc=CHECK_FAILING_USCC)
    assert entity.name == NEW_NAME
    assert entity.uscc_override_reason == reason


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)  # same download on a phone
def test_export_filtered_list_as_csv(as_scj_admin: Page, scenario: Scenario) -> None:
    from spotcheck.audit import events
    from spotcheck.audit.models import AuditEvent

    page = as_scj_admin
    page.get_by_label("信用风险分类").select_option("D")
    click_and_wait(page, page.get_by_role("button", name="查询"))
    assert result_count(page) == 6

    with page.expect_download() as info:
        page.get_by_test_id("export-csv").click()
    download = info.value

    assert re.fullmatch(r"检查对象名录-\d{8}-\d{4}\.csv", download.suggested_filename)
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV must start with the UTF-8 BOM for Excel"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["统一社会信用代码", "注册号", "名称", "主体类型"]
    assert rows[0][-3:] == ["经营异常名录", "严重违法失信名单", "监管部门"]
    expected = _scj_entities(scenario).filter(risk_class="D")
    assert sorted(r[2] for r in rows[1:]) == sorted(e.name for e in expected)
    assert {r[rows[0].index("信用风险分类")] for r in rows[1:]} == {"D"}
    export = AuditEvent.objects.get(event_type=events.DIRECTORY_EXPORTED)
    assert export.actor == scenario.users["scj_admin"]
    assert export.data["kind"] == "entities"
    assert export.data["format"] == "csv"
    assert export.data["count"] == 6
