"""Officials' secrets are made, kept and read back in their own browsers (ADR 0020).

The secret is generated with Web Crypto, only its commitment is posted, and at the reveal
it comes back from the browser's storage, from the downloaded file on another device, or
is refused in Chinese before anything is posted when it does not open the commitment.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from tests.browser.helpers import (
    BASE_DIR,
    SCREENSHOT_DIR,
    click_and_wait,
    fits_phone,
    reviewer_page,
)
from tests.browser.scenario_setup import Scenario, published_task

pytestmark = pytest.mark.browser
HEX64 = re.compile(r"^[0-9a-f]{64}$")
KEY = "spotcheck.draw-secret.{task}.{attempt}.{official}"
WIDE = {"width": 1366, "height": 900}


def _prepared(scenario: Scenario) -> tuple[Any, Any]:
    """A published task of the lead office and 市场监管局, its draw prepared for both admins."""
    from spotcheck.draws.ceremony import draw_prepare

    task = published_task(scenario)
    lead, market = scenario.users["lead"], scenario.users["scj_admin"]
    return task, draw_prepare(actor=lead, task=task, officials=[lead, market])


def _official(attempt: Any, user: Any) -> Any:
    return attempt.officials.get(user=user)


def _stored(page: Page, key: str) -> Any:
    return page.evaluate("(k) => JSON.parse(localStorage.getItem(k) || 'null')", key)


def _reveal_posts(page: Page) -> list[str]:
    """The reveal requests the page sends, recorded as they go."""
    sent: list[str] = []

    def record(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/reveal/"):
            sent.append(request.url)

    page.on("request", record)
    return sent


def test_officials_commit_and_reveal_on_their_own_devices_without_typing_the_secret(
    page: Page,
    browser: Browser,
    live_server: Any,
    scenario: Scenario,
    signed_in: Callable[..., None],
    shot: Callable[[str], None],
    viewport: str,
) -> None:
    from spotcheck.audit.models import AuditEvent
    from spotcheck.core.draw import commitment

    task, attempt = _prepared(scenario)
    url = f"/tasks/{task.pk}/draw/"
    lead, market = _official(attempt, scenario.users["lead"]), None
    if viewport == "desktop":
        page.set_viewport_size(WIDE)

    # the lead office's admin commits: the page says the secret is made and kept here
    signed_in("lead", url)
    form = page.locator("#commit-form")
    expect(form).to_contain_text("只把承诺值发送给平台")
    expect(form).to_contain_text("公布成功后自动删除")
    expect(form.get_by_label("承诺值（64位十六进制）")).to_be_hidden()  # the manual way, folded
    shot("commit")
    click_and_wait(page, page.get_by_test_id("commit"))

    # only the commitment reached the platform; the secret is on the page, from this browser
    expect(page.get_by_role("alert")).to_contain_text("不知道您的秘密值")
    secret = page.get_by_test_id("secret").inner_text()
    assert HEX64.match(secret)
    lead.refresh_from_db()
    assert lead.commitment == commitment(bytes.fromhex(secret), lead.official_id).hex()
    assert lead.secret == ""
    event = AuditEvent.objects.filter(event_type="draw.committed").get()
    assert event.data["computed_by_platform"] is False
    assert secret not in json.dumps(event.data)
    key = KEY.format(task=task.pk, attempt=1, official=lead.official_id)
    assert _stored(page, key)["secret"] == secret
    expect(page.get_by_role("img", name=re.compile("秘密值二维码"))).to_be_visible()
    expect(page.get_by_test_id("secret-download")).to_be_visible()
    shot("kept")
    if viewport == "phone":
        fits_phone(page)

    # the 市场监管局 admin does the same on a phone
    phone, market_page = reviewer_page(browser, live_server, "scj_admin")
    market_page.goto(url)
    click_and_wait(market_page, market_page.get_by_test_id("commit"))
    market_secret = market_page.get_by_test_id("secret").inner_text()
    market = _official(attempt, scenario.users["scj_admin"])
    assert market.commitment == commitment(bytes.fromhex(market_secret), market.official_id).hex()

    # announced; back on the same devices the secrets are filled in, nobody types them
    click_and_wait(page, page.get_by_test_id("announce"))
    field = page.get_by_label("秘密值（64位十六进制）")
    expect(field).to_have_value(secret)
    expect(page.get_by_test_id("secret-status")).to_contain_text("已从本浏览器自动填入")
    shot("reveal")
    if viewport == "phone":
        fits_phone(page)
    click_and_wait(page, page.get_by_test_id("reveal"))
    expect(page.get_by_role("alert")).to_contain_text("秘密值与承诺一致，已公布")
    assert _stored(page, key) is None  # deleted once accepted

    market_page.goto(url)
    expect(market_page.get_by_label("秘密值（64位十六进制）")).to_have_value(market_secret)
    click_and_wait(market_page, market_page.get_by_test_id("reveal"))
    expect(market_page.get_by_role("alert")).to_contain_text("秘密值与承诺一致，已公布")
    phone.close()

    lead.refresh_from_db()
    market.refresh_from_db()
    assert (lead.secret, market.secret) == (secret, market_secret)
    page.reload()
    expect(page.get_by_test_id("attempt-status")).to_contain_text("已公告")
    shot("revealed")


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_the_downloaded_file_reveals_on_a_second_device(
    page: Page,
    browser: Browser,
    live_server: Any,
    scenario: Scenario,
    signed_in: Callable[..., None],
    shot: Callable[[str], None],
    tmp_path: Path,
) -> None:
    from spotcheck.core.draw import new_secret
    from spotcheck.draws.ceremony import draw_announce, draw_commit

    task, attempt = _prepared(scenario)
    url = f"/tasks/{task.pk}/draw/"
    draw_commit(actor=scenario.users["scj_admin"], attempt=attempt, secret=new_secret())
    page.set_viewport_size(WIDE)

    # the lead office's admin commits at the office and downloads the secret file
    signed_in("lead", url)
    click_and_wait(page, page.get_by_test_id("commit"))
    secret = page.get_by_test_id("secret").inner_text()
    with page.expect_download() as download:
        page.get_by_test_id("secret-download").click()
    kept = tmp_path / download.value.suggested_filename
    download.value.save_as(kept)
    assert kept.name == f"秘密值-{task.number}-第1次抽取-官员1.json"
    content = json.loads(kept.read_text(encoding="utf-8"))
    assert content["任务编号"] == task.number
    assert content["第几次抽取"] == 1
    assert content["官员"] == "官员1"
    assert content["秘密值"] == secret
    assert content["承诺值"] == _official(attempt, scenario.users["lead"]).commitment

    # the printable sheet: nothing else of the page is printed
    page.evaluate("window.print = () => { window.printed = true; }")
    page.get_by_test_id("secret-print").click()
    assert page.evaluate("window.printed") is True
    page.emulate_media(media="print")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOT_DIR / "draw-secret-sheet-print.png", full_page=True)
    expect(page.locator("#secret-print-area")).to_contain_text(secret)
    expect(page.locator("#secret-print-area").get_by_role("img")).to_be_visible()
    expect(page.get_by_role("heading", name="随机抽取")).to_be_hidden()
    page.emulate_media(media="screen")

    # announced; the reveal is made on a phone that never saw the secret
    draw_announce(actor=scenario.users["lead"], attempt=attempt)
    phone, second = reviewer_page(browser, live_server, "lead")
    second.goto(url)
    expect(second.get_by_test_id("secret-missing")).to_be_visible()
    field = second.get_by_label("秘密值（64位十六进制）")
    expect(field).to_have_value("")
    if second.evaluate("'BarcodeDetector' in window"):
        expect(second.get_by_role("button", name="扫描二维码")).to_be_visible()
    else:
        expect(second.get_by_test_id("secret-noscan")).to_contain_text(
            "本浏览器不能用摄像头识别二维码，请改用秘密值文件"
        )
    second.get_by_label("读取秘密值文件").set_input_files(kept)
    expect(field).to_have_value(secret)
    expect(second.get_by_test_id("secret-status")).to_contain_text("已从文件读取秘密值")
    second.screenshot(path=SCREENSHOT_DIR / "draw-secret-second-device-phone.png", full_page=True)
    fits_phone(second)
    click_and_wait(second, second.get_by_test_id("reveal"))
    expect(second.get_by_role("alert")).to_contain_text("秘密值与承诺一致，已公布")
    phone.close()
    assert _official(attempt, scenario.users["lead"]).secret == secret


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_wrong_file_or_secret_is_refused_in_chinese_and_nothing_is_posted(
    page: Page,
    browser: Browser,
    live_server: Any,
    scenario: Scenario,
    signed_in: Callable[..., None],
    shot: Callable[[str], None],
    tmp_path: Path,
) -> None:
    from spotcheck.core.draw import new_secret
    from spotcheck.draws.ceremony import draw_announce, draw_commit

    task, attempt = _prepared(scenario)
    url = f"/tasks/{task.pk}/draw/"
    draw_commit(actor=scenario.users["lead"], attempt=attempt, secret=new_secret())

    # the 市场监管局 admin commits in another browser and downloads the file
    other, market_page = reviewer_page(browser, live_server, "scj_admin")
    market_page.goto(url)
    click_and_wait(market_page, market_page.get_by_test_id("commit"))
    with market_page.expect_download() as download:
        market_page.get_by_test_id("secret-download").click()
    market_file = tmp_path / "market.json"
    download.value.save_as(market_file)
    other.close()
    draw_announce(actor=scenario.users["lead"], attempt=attempt)

    # the lead office's admin picks up the other official's file by mistake
    signed_in("lead", url)
    posts = _reveal_posts(page)
    field = page.get_by_label("秘密值（64位十六进制）")
    error = page.get_by_test_id("secret-error")
    page.get_by_label("读取秘密值文件").set_input_files(market_file)
    expect(error).to_have_text(
        "这个文件是官员2的秘密值，不是您在本任务第1次抽取中（官员1）的秘密值，未填入，也未公布。"
    )
    expect(field).to_have_value("")
    shot("other-official")

    # a file with someone's secret alone, and a typed one, do not open the commitment
    stray = tmp_path / "stray.txt"
    stray.write_text(new_secret().hex() + "\n", encoding="utf-8")
    page.get_by_label("读取秘密值文件").set_input_files(stray)
    mismatch = "这个秘密值与您在第1次抽取中作出的承诺不符，未公布。"
    expect(error).to_contain_text(mismatch)
    expect(field).to_have_value("")
    field.fill(new_secret().hex())
    page.get_by_test_id("reveal").click()
    expect(error).to_contain_text(mismatch)
    field.fill("不是秘密值")
    page.get_by_test_id("reveal").click()
    expect(error).to_have_text("秘密值应为64位十六进制字符（0-9、a-f），未公布。")
    fits_phone(page)
    shot("refused")

    assert posts == []
    assert _official(attempt, scenario.users["lead"]).secret == ""
    assert page.url.endswith(url)


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_the_commitment_computed_in_the_browser_equals_the_draw_engine_s(
    page: Page, scenario: Scenario, signed_in: Callable[..., None]
) -> None:
    from spotcheck.core.draw import commitment

    golden = json.loads(
        (BASE_DIR / "spotcheck/core/draw/tests/golden/v1-joint-drand.json").read_text("utf-8")
    )
    cases = [(secret, official) for official, _dept, secret in golden["inputs"]["officials"]]
    cases += [
        ("00" * 32, "官员1"),
        ("ff" * 32, "官员12"),
        (bytes(range(32)).hex(), "晋州市市场监督管理局·官员3"),
        ("5a" * 32, "a"),
    ]
    task, _attempt = _prepared(scenario)
    signed_in("auditor", f"/tasks/{task.pk}/draw/")

    made = page.evaluate(
        "(cases) => Promise.all(cases.map("
        "([s, o]) => window.SpotcheckDrawSecret.commitment(s, o)))",
        cases,
    )

    assert made == [commitment(bytes.fromhex(s), o).hex() for s, o in cases]
    assert page.evaluate("window.SpotcheckDrawSecret.supported") is True
    fresh = page.evaluate("window.SpotcheckDrawSecret.newSecret()")
    assert HEX64.match(fresh)


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_without_web_crypto_the_page_says_so_and_the_manual_way_works(
    page: Page,
    scenario: Scenario,
    signed_in: Callable[..., None],
    shot: Callable[[str], None],
) -> None:
    from spotcheck.core.draw import commitment, new_secret
    from spotcheck.draws.ceremony import draw_announce, draw_commit

    # a browser without crypto.subtle (an old one, or the platform served over plain HTTP)
    page.add_init_script(
        "Object.defineProperty(Crypto.prototype, 'subtle', {get: () => undefined})"
    )
    task, attempt = _prepared(scenario)
    url = f"/tasks/{task.pk}/draw/"
    draw_commit(actor=scenario.users["scj_admin"], attempt=attempt, secret=new_secret())
    secret = new_secret()
    lead = _official(attempt, scenario.users["lead"])

    # the page says so and opens the manual way; a commitment made elsewhere is posted
    signed_in("lead", url)
    expect(page.locator("#commit-form")).to_contain_text("本浏览器不能在页面内生成秘密值")
    page.get_by_label("承诺值（64位十六进制）").fill(commitment(secret, lead.official_id).hex())
    shot("manual")
    fits_phone(page)
    click_and_wait(page, page.get_by_test_id("commit"))
    expect(page.get_by_role("alert")).to_contain_text("承诺已记录")
    expect(page.get_by_test_id("secret-missing")).to_be_visible()

    # the secret is typed in at the reveal and checked by the platform
    draw_announce(actor=scenario.users["lead"], attempt=attempt)
    page.reload()
    page.get_by_label("秘密值（64位十六进制）").fill(secret.hex())
    click_and_wait(page, page.get_by_test_id("reveal"))
    expect(page.get_by_role("alert")).to_contain_text("秘密值与承诺一致，已公布")
    lead.refresh_from_db()
    assert lead.secret == secret.hex()
