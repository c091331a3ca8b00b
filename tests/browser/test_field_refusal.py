"""On a phone: photos (a wrong file refused, a big photo resized), a refusal to sign with a
witness, the reviewer returns the record, the inspector corrects it and it goes back."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.helpers import click_and_wait
from tests.browser.helpers import draw_on_pad as _draw
from tests.browser.helpers import reviewer_page as _reviewer
from tests.browser.scenario_setup import Scenario
from tests.browser.scenario_setup import field_record as _field_record

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_refusal_return_and_correction_keep_both_versions(
    page: Page,
    context: BrowserContext,
    browser: Browser,
    live_server: Any,
    scenario: Scenario,
    signed_in: Callable[..., None],
    shot: Callable[[str], None],
    tmp_path: Path,
) -> None:
    from spotcheck.inspections.models import JointRecord, RecordPhoto

    record = _field_record(scenario)
    big = tmp_path / "shop.jpg"
    Image.new("RGB", (3200, 2400), (90, 140, 60)).save(big, quality=90)
    svg = tmp_path / "evil.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    signed_in("scj_inspector", f"/field/records/{record.pk}/fill/")
    status = page.get_by_test_id("sync-status")
    item_id = record.items.get().pk
    photo_input = page.locator(f'[data-photo-input="{item_id}"]')

    # a file that is not a photo is refused on the phone; a big photo is resized and sent
    photo_input.set_input_files(str(svg))
    expect(page.locator(f'[data-photo-error="{item_id}"]')).to_have_text(
        "只能上传照片（JPEG、PNG 或 WebP）"
    )
    photo_input.set_input_files(str(big))
    expect(page.locator(".field-thumb figcaption")).to_contain_text("已上传")
    photo = RecordPhoto.objects.get()
    assert (photo.width, photo.height) == (1600, 1200)

    # a problem that needs a sub-reason: the phone says so before sending anything
    page.get_by_label("主要检查情况").fill("经营场所无人，张贴公告联系未果")
    page.get_by_text("发现问题待后续处理", exact=True).click()
    expect(page.locator(f'[data-result-error="{item_id}"]')).to_have_text(
        "选择“发现问题待后续处理”时，须选择具体的问题类别"
    )
    page.get_by_text("通过登记的住所（经营场所）无法联系", exact=True).click()
    expect(status).to_contain_text("已同步到服务器")

    # the person in charge refuses to sign; a witness signs, and both inspectors
    page.get_by_text("拒绝签字", exact=True).click()
    page.get_by_label("拒签情况").fill("负责人到场后拒绝在记录表上签字")
    page.get_by_label("见证人姓名").fill("社区网格员王五")
    _draw(page, page.locator('[data-pad="witness"] canvas'))
    for pad in page.locator('[data-pad^="member-"] canvas').all():
        _draw(page, pad)
    with page.expect_navigation(url=re.compile(r"/final/$")):
        page.get_by_test_id("submit-record").click()
    expect(page.get_by_test_id("record-body")).to_contain_text("检查对象拒绝签字")
    expect(page.get_by_test_id("record-body")).to_contain_text("见证人：社区网格员王五")

    # the 市场监管局 admin returns it with a comment
    ctx, reviewer = _reviewer(browser, live_server, "scj_admin")
    reviewer.goto(f"/field/records/{record.pk}/final/")
    reviewer.get_by_text("退回", exact=True).click()
    reviewer.get_by_label("审核意见").fill("请写明张贴公告的时间和位置")
    click_and_wait(reviewer, reviewer.get_by_test_id("review-submit"))
    expect(reviewer.get_by_test_id("record-state")).to_have_text("已退回")
    ctx.close()

    # the inspector corrects it with a reason; it goes back to review as version 2
    page.goto(f"/field/records/{record.pk}/fill/")
    expect(page.get_by_test_id("return-comment")).to_contain_text("请写明张贴公告的时间和位置")
    page.get_by_label("主要检查情况").fill("经营场所无人，已于9时30分在店门张贴公告，电话联系未果")
    expect(status).to_contain_text("更正未提交")
    page.get_by_label("更正理由").fill("按审核意见补充公告时间和位置")
    shot("correction")
    with page.expect_navigation(url=re.compile(r"/final/$")):
        page.get_by_test_id("submit-correction").click()
    expect(page.get_by_test_id("record-state")).to_have_text("待审核")
    expect(page.get_by_test_id("versions")).to_contain_text(
        "更正理由：按审核意见补充公告时间和位置"
    )
    corrected = JointRecord.objects.get(pk=record.pk)
    assert (corrected.state, corrected.version, corrected.review_round) == ("submitted", 2, 2)
    first, second = corrected.versions.order_by("number")
    assert first.snapshot["items"][0]["findings"] == "经营场所无人，张贴公告联系未果"
    assert second.snapshot["items"][0]["findings"].startswith("经营场所无人，已于9时30分")
