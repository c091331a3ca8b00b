"""On phones: the reviewer returns a signed record asking for the enterprise to sign
again; the inspector sees the comment on the record page, cannot resubmit before the new
signature, has the enterprise sign on the phone and then resubmits."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import SCREENSHOT_DIR, click_and_wait
from tests.browser.helpers import draw_on_pad as _draw
from tests.browser.helpers import fits_phone as _fits_phone
from tests.browser.helpers import reviewer_page as _reviewer
from tests.browser.scenario_setup import Scenario
from tests.browser.scenario_setup import field_record as _field_record

pytestmark = pytest.mark.browser
COMMENT = "签字人未写明身份，请法定代表人本人重新签字"


def _signed(scenario: Scenario) -> Any:
    from spotcheck.inspections.services.entries import ItemEntry, record_entries_save
    from spotcheck.inspections.services.signing import PartySignoff, record_sign
    from spotcheck.inspections.tests.field_setup import sid, signature

    record = _field_record(scenario)
    inspector = scenario.users["scj_inspector"]
    item = record.items.get()
    record_entries_save(
        actor=inspector,
        record=record,
        submission_id=sid(),
        entries=[ItemEntry(item.pk, "证照齐全，台账完整", ("1",), "")],
    )
    record_sign(
        actor=inspector,
        record=record,
        submission_id=sid(),
        party=PartySignoff(name="某员工", role="in_charge", signature=signature()),
        member_signatures={m.pk: signature() for m in record.group.members.all()},
    )
    return record


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_return_asking_for_a_new_signature_is_followed_on_the_phone(
    page: Page,
    browser: Browser,
    live_server: Any,
    scenario: Scenario,
    signed_in: Callable[..., None],
    shot: Callable[[str], None],
) -> None:
    from spotcheck.inspections.models import JointRecord

    record = _signed(scenario)

    # the 市场监管局 admin sees who still has to review, returns and asks for a new signature
    ctx, reviewer = _reviewer(browser, live_server, "scj_admin")
    reviewer.goto("/field/")
    expect(reviewer.get_by_test_id("review-record-status")).to_contain_text("待审核")
    reviewer.goto(f"/field/records/{record.pk}/final/")
    expect(reviewer.get_by_test_id("review-status")).to_contain_text("待审核")
    reviewer.get_by_text("退回", exact=True).click()
    reviewer.get_by_label("审核意见").fill(COMMENT)
    reviewer.get_by_label("要求检查对象重新签字").check()
    reviewer.screenshot(path=SCREENSHOT_DIR / "review_resign-reviewer-phone.png", full_page=True)
    click_and_wait(reviewer, reviewer.get_by_test_id("review-submit"))
    expect(reviewer.get_by_test_id("record-state")).to_have_text("已退回")
    expect(reviewer.get_by_test_id("review-status")).to_contain_text("已退回")
    reviewer.goto(f"/records/{record.pk}/")  # the office record page says the same
    expect(reviewer.get_by_test_id("review-status")).to_contain_text("晋州市市场监督管理局 已退回")
    expect(reviewer.get_by_test_id("return-comment")).to_contain_text(COMMENT)
    expect(reviewer.get_by_test_id("resign-required")).to_have_text(
        "要求检查对象重新签字：尚未重新签字，重新签字（或记录拒签）后才能提交更正"
    )
    reviewer.screenshot(path=SCREENSHOT_DIR / "review_resign-office-phone.png", full_page=True)
    ctx.close()

    # the inspector's record page: the comment first, with who and when
    signed_in("scj_inspector", f"/field/records/{record.pk}/")
    comment = page.get_by_test_id("return-comment")
    expect(comment).to_contain_text(COMMENT)
    expect(comment).to_contain_text("审核人：")
    expect(comment).to_contain_text("要求检查对象重新签字：尚未重新签字")
    _fits_phone(page)
    shot("record-page")

    # a correction before the new signature is refused, in Chinese
    page.goto(f"/field/records/{record.pk}/fill/")
    expect(page.get_by_test_id("resign-first")).to_be_visible()
    page.get_by_label("主要检查情况").first.fill("复查：营业执照、许可证均在有效期内（已补充）")
    page.get_by_label("更正理由").fill("检查对象重新签字")
    page.get_by_test_id("submit-correction").click()
    expect(page.get_by_test_id("sync-errors")).to_contain_text(
        "退回时要求检查对象重新签字：请先请检查对象重新签字"
    )
    assert JointRecord.objects.get(pk=record.pk).state == "returned"

    # the legal representative signs again on the phone
    page.goto(f"/field/records/{record.pk}/")
    click_and_wait(page, page.get_by_test_id("open-resign"))
    page.get_by_label("签字人姓名").fill("王法人")
    page.get_by_label("签字人身份").select_option("legal_rep")
    _draw(page, page.locator('[data-resign-pad="party"] canvas'))
    _fits_phone(page)
    shot("resign")
    with page.expect_navigation(url=re.compile(r"/fill/$")):
        page.get_by_test_id("resign-submit").click()
    expect(page.get_by_test_id("resign-first")).to_have_count(0)

    # now the correction goes through and the record is back in review
    page.get_by_label("主要检查情况").first.fill("复查：营业执照、许可证均在有效期内（已补充）")
    page.get_by_label("更正理由").fill("检查对象法定代表人已重新签字")
    with page.expect_navigation(url=re.compile(r"/final/$")):
        page.get_by_test_id("submit-correction").click()
    expect(page.get_by_test_id("record-state")).to_have_text("待审核")
    shot("resubmitted")
    corrected = JointRecord.objects.get(pk=record.pk)
    assert (corrected.state, corrected.party_name, corrected.review_round) == (
        "submitted",
        "王法人",
        2,
    )
