"""Two phones, two 市场监管局 inspectors, one 一企一表: no entry is overwritten unknowingly.

张明 (``scj_inspector``, phone A) and 李强 (``scj_inspector2``, phone B) are both in the group
and both fill the record's two market items, SJ-01 and SJ-02, at 375 px with the real page
script (docs/domain/entry-conflicts.md).
"""

from __future__ import annotations

import datetime as dt
import importlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.helpers import SCREENSHOT_DIR, VIEWPORTS, click_and_wait
from tests.browser.scenario_setup import Scenario

pytestmark = pytest.mark.browser

X = "查验营业执照，消防通道堵塞，已当场责令整改"
Y = "证照齐全，经营场所整洁，未发现问题"


@dataclass
class TwoItems:
    record: Any
    sj1: Any
    sj2: Any


def _two_inspector_record(scenario: Scenario) -> TwoItems:
    from django.apps import apps

    from spotcheck.accounts.choices import Role
    from spotcheck.accounts.models import Region
    from spotcheck.accounts.services import user_create
    from spotcheck.campaigns.tests.factories import make_task
    from spotcheck.catalogue.models import ResultCode
    from spotcheck.catalogue.tests.factories import make_item
    from spotcheck.inspections.tests.factories import make_group, make_record

    if not ResultCode.objects.filter(code="A").exists():
        ResultCode.objects.all().delete()
        codes = importlib.import_module("spotcheck.catalogue.migrations.0002_result_codes")
        codes.load(apps, None)
    deps = scenario.departments
    second = scenario.inspectors["李强"]
    second.user = user_create(
        actor=None,
        username="scj_inspector2",
        password="x-not-used-0123456789",
        display_name="李强",
        role=Role.INSPECTOR,
        department=deps["scj"],
    )
    second.save(update_fields=["user"])
    sj1 = make_item(deps["scj"], "SJ-01", name="食品经营许可和经营条件")
    sj2 = make_item(deps["scj"], "SJ-02", name="广告发布情况")
    lead_item = make_item(deps["lead"], "ZF-01")
    for item in (sj1, sj2):
        item.result_codes.set(ResultCode.objects.all())
    task = make_task(
        SimpleNamespace(lead_office=deps["lead"]),  # type: ignore[arg-type]
        SimpleNamespace(county=Region.objects.get(code="130183")),  # type: ignore[arg-type]
        scenario.users["lead"],
        [(deps["lead"], [lead_item]), (deps["scj"], [sj1, sj2])],
    )
    group = make_group(task, [scenario.own_inspector, second])
    record = make_record(task, scenario.scj_only, group, [sj1, sj2])
    type(record).objects.filter(pk=record.pk).update(planned_on=scenario.today)
    type(task).objects.filter(pk=task.pk).update(
        window_start=scenario.today, window_end=scenario.today + dt.timedelta(days=30)
    )
    return TwoItems(record=record, sj1=record.items.get(item=sj1), sj2=record.items.get(item=sj2))


@pytest.fixture
def phone_b(browser: Browser, live_server: Any) -> Iterator[Callable[[str], Page]]:
    """A second phone: its own browser context, signed in as ``username``."""
    contexts: list[BrowserContext] = []
    pages: list[Page] = []

    def open_phone(username: str) -> Page:
        from django.conf import settings
        from django.test import Client

        from spotcheck.accounts.models import User

        ctx = browser.new_context(
            base_url=live_server.url,
            viewport=VIEWPORTS["phone"],
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            is_mobile=True,
            has_touch=True,
        )
        ctx.set_default_timeout(30_000)
        ctx.route("**/favicon.ico", lambda route: route.fulfill(status=204))
        client = Client()
        client.force_login(User.objects.get(username=username))
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        ctx.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        contexts.append(ctx)
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        pages.append(page)
        page.errors = errors  # type: ignore[attr-defined]
        return page

    yield open_phone
    for page in pages:
        assert not page.errors, "页面报错：\n" + "\n".join(page.errors)  # type: ignore[attr-defined]
    for ctx in contexts:
        ctx.close()


def _shot_b(page: Page, request: pytest.FixtureRequest, label: str) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOT_DIR / f"{request.node.name}-B-{label}.png", full_page=True)


def _fill(page: Page, item: Any, text: str) -> None:
    page.locator(f"#findings-{item.pk}").fill(text)
    box = page.locator(f'input[data-item="{item.pk}"][data-code="1"]')
    if not box.is_checked():
        box.check()


def _online(page: Page) -> None:
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")


def _item(pk: int) -> Any:
    from spotcheck.inspections.models import RecordItem

    return RecordItem.objects.get(pk=pk)


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_same_item_offline_on_two_phones_keeps_both_and_both_see_the_settlement(
    page: Page,
    scenario: Scenario,
    signed_in: Callable[..., None],
    phone_b: Callable[[str], Page],
    shot: Callable[[str], None],
    request: pytest.FixtureRequest,
) -> None:
    from spotcheck.inspections.models import EntryConflict

    # given: both phones open the record, then lose the network in the basement
    rec = _two_inspector_record(scenario)
    fill_url = f"/field/records/{rec.record.pk}/fill/"
    signed_in("scj_inspector", fill_url)
    b = phone_b("scj_inspector2")
    b.goto(fill_url)
    page.context.set_offline(True)
    b.context.set_offline(True)
    status_a, status_b = page.get_by_test_id("sync-status"), b.get_by_test_id("sync-status")

    # when: A writes X, B writes Y in the same item; A syncs first, then B
    _fill(page, rec.sj1, X)
    _fill(b, rec.sj1, Y)
    expect(status_a).to_have_attribute("data-state", "offline")
    expect(status_a).to_contain_text("离线")
    expect(status_b).to_have_attribute("data-state", "offline")
    _online(page)
    expect(status_a).to_contain_text("已同步到服务器")
    _online(b)

    # then: B is told, not "synced"; the server kept X and stored Y as a conflict
    expect(status_b).to_have_attribute("data-state", "conflict")
    expect(status_b).to_contain_text("录入冲突")
    expect(b.get_by_test_id("sync-errors")).to_contain_text("您的内容未覆盖对方，已作为冲突保存")
    assert _item(rec.sj1.pk).findings == X
    conflict = EntryConflict.objects.get()
    assert (conflict.findings, conflict.written_by.username) == (Y, "scj_inspector2")

    # B opens the two texts (also what a reload, or the next day, shows)
    click_and_wait(b, b.get_by_test_id("show-conflicts"))
    panel = b.get_by_test_id(f"conflict-panel-{rec.sj1.pk}")
    expect(panel.get_by_test_id("conflict-current")).to_contain_text(X)
    expect(panel.get_by_test_id("conflict-current")).to_contain_text("张明")
    expect(panel.get_by_test_id("conflict-current")).to_contain_text("未发现问题")
    expect(panel.get_by_test_id("conflict-incoming")).to_contain_text(Y)
    expect(panel.get_by_test_id("conflict-incoming")).to_contain_text("李强")
    expect(b.locator(f"#findings-{rec.sj1.pk}")).to_be_disabled()
    expect(b.get_by_test_id("submit-record")).to_be_disabled()
    _shot_b(b, request, "conflict")
    # A's screen, reloaded, still shows X and that the item is disputed
    page.reload()
    expect(page.locator(f"#findings-{rec.sj1.pk}")).to_have_value(X)
    expect(page.get_by_test_id("conflict-history")).to_contain_text("未处理")
    shot("a-disputed")

    # a choice is asked for confirmation: cancelling sends nothing
    b.once("dialog", lambda dialog: dialog.dismiss())
    b.get_by_test_id(f"keep-current-{conflict.pk}").click()
    expect(b.get_by_test_id(f"conflict-panel-{rec.sj1.pk}")).to_be_visible()
    assert EntryConflict.objects.get().is_open

    # when B merges both texts (and confirms)
    b.on("dialog", lambda dialog: dialog.accept())
    b.locator("summary", has_text="合并编辑").click()
    b.get_by_test_id(f"merge-findings-{conflict.pk}").fill(X + "；" + Y)
    click_and_wait(b, b.get_by_test_id(f"merge-{conflict.pk}"))

    # then both screens show the same settled entry, and A is told how it was settled
    expect(b.locator(f"#findings-{rec.sj1.pk}")).to_have_value(X + "；" + Y)
    page.goto(f"/field/records/{rec.record.pk}/")
    expect(page.get_by_test_id("conflict-history")).to_contain_text("已处理")
    expect(page.get_by_test_id("conflict-history")).to_contain_text("李强")
    expect(page.get_by_test_id("conflict-history")).to_contain_text("合并编辑")
    shot("a-settled")
    page.goto(fill_url)
    expect(page.locator(f"#findings-{rec.sj1.pk}")).to_have_value(X + "；" + Y)
    expect(page.get_by_test_id("sync-status")).to_have_attribute("data-state", "synced")
    assert _item(rec.sj1.pk).findings == X + "；" + Y
    assert EntryConflict.objects.get().settlement == "merged"


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_different_items_online_and_offline_never_blank_each_other(
    page: Page,
    scenario: Scenario,
    signed_in: Callable[..., None],
    phone_b: Callable[[str], Page],
    shot: Callable[[str], None],
) -> None:
    from spotcheck.inspections.models import EntryConflict

    # given: B opened the page before A saved anything
    rec = _two_inspector_record(scenario)
    fill_url = f"/field/records/{rec.record.pk}/fill/"
    signed_in("scj_inspector", fill_url)
    b = phone_b("scj_inspector2")
    b.goto(fill_url)
    status_a, status_b = page.get_by_test_id("sync-status"), b.get_by_test_id("sync-status")

    # when (online): A fills SJ-01, then B fills SJ-02 on the page opened earlier
    _fill(page, rec.sj1, X)
    expect(status_a).to_contain_text("已同步到服务器")
    _fill(b, rec.sj2, Y)
    expect(status_b).to_contain_text("已同步到服务器")

    # then: each item keeps its author's entry
    sj1, sj2 = _item(rec.sj1.pk), _item(rec.sj2.pk)
    assert (sj1.findings, sj1.entered_by.username) == (X, "scj_inspector")
    assert (sj2.findings, sj2.entered_by.username) == (Y, "scj_inspector2")
    assert list(sj1.result_codes.values_list("code", flat=True)) == ["1"]

    # when (offline): both edit their own item without network, then sync
    page.context.set_offline(True)
    b.context.set_offline(True)
    page.locator(f"#findings-{rec.sj1.pk}").fill(X + "（复核）")
    b.locator(f"#findings-{rec.sj2.pk}").fill(Y + "（复核）")
    expect(status_a).to_have_attribute("data-state", "offline")
    expect(status_b).to_have_attribute("data-state", "offline")
    _online(b)
    expect(status_b).to_contain_text("已同步到服务器")
    _online(page)
    expect(status_a).to_contain_text("已同步到服务器")

    # then: both edits are kept, nobody took over the other's item, no conflict
    sj1, sj2 = _item(rec.sj1.pk), _item(rec.sj2.pk)
    assert (sj1.findings, sj1.entered_by.username) == (X + "（复核）", "scj_inspector")
    assert (sj2.findings, sj2.entered_by.username) == (Y + "（复核）", "scj_inspector2")
    assert not EntryConflict.objects.exists()
    # and a reload on A shows B's item as B left it
    page.reload()
    expect(page.locator(f"#findings-{rec.sj2.pk}")).to_have_value(Y + "（复核）")
    shot("both-items")


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_correction_from_a_stale_draft_shows_the_signed_text_first(
    page: Page,
    scenario: Scenario,
    signed_in: Callable[..., None],
    phone_b: Callable[[str], Page],
    request: pytest.FixtureRequest,
) -> None:
    from spotcheck.accounts.models import User
    from spotcheck.inspections.models import EntryConflict, JointRecord
    from spotcheck.inspections.services.signing import PartySignoff, record_sign
    from spotcheck.inspections.tests.field_setup import signature

    # given: A filled both items; B, offline, made a draft of SJ-01 on the old version
    rec = _two_inspector_record(scenario)
    fill_url = f"/field/records/{rec.record.pk}/fill/"
    b = phone_b("scj_inspector2")
    b.goto(fill_url)
    b.context.set_offline(True)
    _fill(b, rec.sj1, Y)
    signed_in("scj_inspector", fill_url)
    _fill(page, rec.sj1, X)
    _fill(page, rec.sj2, "广告合规")
    expect(page.get_by_test_id("sync-status")).to_contain_text("已同步到服务器")
    # A's group signs on A's phone (the signing page has tests of its own)
    record = JointRecord.objects.get(pk=rec.record.pk)
    record_sign(
        actor=User.objects.get(username="scj_inspector"),
        record=record,
        submission_id=uuid.uuid4(),
        party=PartySignoff(name="张三", role="legal_rep", signature=signature()),
        member_signatures={m.pk: signature() for m in record.group.members.all()},
    )

    # when B's phone comes back online
    _online(b)

    # then: refused with the reason, not "synced", not "offline"
    status_b = b.get_by_test_id("sync-status")
    expect(status_b).to_have_attribute("data-state", "refused")
    expect(status_b).to_contain_text("已签字确认并冻结")
    assert _item(rec.sj1.pk).findings == X

    # when B opens the page again: the signed text comes first, the draft beside it
    b.reload()
    expect(b.get_by_test_id("frozen-note")).to_be_visible()
    expect(b.locator(f"#findings-{rec.sj1.pk}")).to_have_value(X)
    stale = b.get_by_test_id(f"stale-draft-{rec.sj1.pk}")
    expect(stale).to_contain_text(Y)
    _shot_b(b, request, "stale-draft")

    # B adopts the draft, gives a reason and submits the correction of the signed version
    b.get_by_test_id(f"use-stale-{rec.sj1.pk}").click()
    expect(b.locator(f"#findings-{rec.sj1.pk}")).to_have_value(Y)
    b.locator("#correction-reason").fill("复查后更正检查情况")
    click_and_wait(b, b.get_by_test_id("submit-correction"))

    # then the correction applied to the signed text, as a new version with its reason
    record.refresh_from_db()
    assert (_item(rec.sj1.pk).findings, record.version) == (Y, 2)
    assert record.versions.get(number=2).reason == "复查后更正检查情况"
    assert not EntryConflict.objects.exists()
    page.goto(f"/field/records/{rec.record.pk}/final/")
    expect(page.get_by_test_id("versions")).to_contain_text("复查后更正检查情况")


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_correction_sent_from_a_stale_outbox_is_kept_as_a_proposal_not_applied(
    page: Page,
    scenario: Scenario,
    signed_in: Callable[..., None],
    phone_b: Callable[[str], Page],
) -> None:
    from spotcheck.accounts.models import User
    from spotcheck.inspections.models import EntryConflict, JointRecord
    from spotcheck.inspections.services.entries import ItemEntry, record_entries_save
    from spotcheck.inspections.services.signing import PartySignoff, record_sign
    from spotcheck.inspections.tests.field_setup import signature

    # given: a signed record whose SJ-01 says X (version 1), and B's page on it
    rec = _two_inspector_record(scenario)
    zhang = User.objects.get(username="scj_inspector")
    record = JointRecord.objects.get(pk=rec.record.pk)
    record_entries_save(
        actor=zhang,
        record=record,
        submission_id=uuid.uuid4(),
        entries=[
            ItemEntry(rec.sj1.pk, X, ("1",), "", 0),
            ItemEntry(rec.sj2.pk, "广告合规", ("1",), "", 0),
        ],
    )
    record_sign(
        actor=zhang,
        record=record,
        submission_id=uuid.uuid4(),
        party=PartySignoff(name="张三", role="legal_rep", signature=signature()),
        member_signatures={m.pk: signature() for m in record.group.members.all()},
    )
    b = phone_b("scj_inspector2")
    b.goto(f"/field/records/{rec.record.pk}/fill/")

    # when: B's phone sends a correction based on version 0 (an outbox made before signing)
    answer = b.evaluate(
        """async ([url, item]) => {
          const csrf = document.cookie.match(/csrftoken=([^;]+)/)[1];
          const res = await fetch(url, {method: "POST", credentials: "same-origin",
            headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
            body: JSON.stringify({submission_id: crypto.randomUUID(), correction_reason: "更正",
              items: [{id: item, version: 0, findings: "旧草稿", codes: ["1"], notes: ""}]})});
          return [res.status, await res.json()];
        }""",
        [f"/field/records/{rec.record.pk}/sync/", rec.sj1.pk],
    )

    # then: 409 with both texts; the signed text stays; no new version
    status, body = answer
    assert status == 409
    assert (
        body["conflicts"][0]["now"]["findings"],
        body["conflicts"][0]["incoming"]["findings"],
    ) == (
        X,
        "旧草稿",
    )
    record.refresh_from_db()
    assert (_item(rec.sj1.pk).findings, record.version) == (X, 1)
    assert EntryConflict.objects.get().correction is True
    # and B's page shows the proposal beside the signed text
    b.reload()
    panel = b.get_by_test_id(f"conflict-panel-{rec.sj1.pk}")
    expect(panel.get_by_test_id("conflict-current")).to_contain_text(X)
    expect(panel.get_by_test_id("conflict-incoming")).to_contain_text("旧草稿")


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_while_the_server_does_not_answer_the_status_says_when_it_retries_not_offline(
    page: Page,
    scenario: Scenario,
    signed_in: Callable[..., None],
    shot: Callable[[str], None],
) -> None:
    # given: the server answers 503 to the sync
    rec = _two_inspector_record(scenario)
    signed_in("scj_inspector", f"/field/records/{rec.record.pk}/fill/")
    sync = f"**/field/records/{rec.record.pk}/sync/"
    page.route(sync, lambda route: route.fulfill(status=503, body="busy"))

    # when the inspector enters the item
    _fill(page, rec.sj1, X)

    # then: waiting to retry, with the time of the next attempt
    status = page.get_by_test_id("sync-status")
    expect(status).to_have_attribute("data-state", "retry")
    expect(status).to_contain_text("自动重试（第1次）")
    expect(status).not_to_contain_text("离线")
    shot("retry")

    # when the server answers again, the next retry gets through
    page.unroute(sync)
    expect(status).to_contain_text("已同步到服务器", timeout=20_000)
    assert _item(rec.sj1.pk).findings == X


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_the_demo_practice_record_lets_two_market_inspectors_fill_it_on_two_phones(
    page: Page,
    signed_in: Callable[..., None],
    phone_b: Callable[[str], Page],
    shot: Callable[[str], None],
) -> None:
    from django.apps import apps
    from django.utils import timezone

    from spotcheck.catalogue.models import ResultCode
    from spotcheck.demo.field import load_field_demo
    from spotcheck.demo.scenario import load_demo
    from spotcheck.inspections.models import EntryConflict

    # given: the demo and its practice task (manage.py demo_load, demo_field)
    if not ResultCode.objects.exists():
        codes = importlib.import_module("spotcheck.catalogue.migrations.0002_result_codes")
        codes.load(apps, None)
    today = timezone.localdate()
    load_demo(today=today)
    record = load_field_demo(today=today)[0]
    sj1, sj2 = record.items.filter(department__name="晋州市市场监督管理局").order_by("item__code")
    fill_url = f"/field/records/{record.pk}/fill/"

    # when: scj_inspector and scj_inspector2 each fill one market item without network
    signed_in("scj_inspector", "/field/")
    expect(page.locator("#h-today + .list-group")).to_contain_text(record.entity.name)
    page.goto(fill_url)
    b = phone_b("scj_inspector2")
    b.goto(fill_url)
    page.context.set_offline(True)
    b.context.set_offline(True)
    _fill(page, sj1, X)
    _fill(b, sj2, Y)
    _online(page)
    expect(page.get_by_test_id("sync-status")).to_contain_text("已同步到服务器")
    _online(b)
    expect(b.get_by_test_id("sync-status")).to_contain_text("已同步到服务器")

    # then: both entries are kept, each under its author
    assert (_item(sj1.pk).findings, _item(sj1.pk).entered_by.username) == (X, "scj_inspector")
    assert (_item(sj2.pk).findings, _item(sj2.pk).entered_by.username) == (Y, "scj_inspector2")
    assert not EntryConflict.objects.exists()
    page.reload()
    expect(page.locator(f"#findings-{sj2.pk}")).to_have_value(Y)
    shot("demo")
