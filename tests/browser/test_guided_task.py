"""The seed plan from the lead office's 工作台 to 已办结, guided by the to-do lists alone.

Every actor signs in through the login form in a browser of its own (its draw secret stays
in that browser) and from then on only clicks: its to-do items, and the links and buttons
of the pages they open (the task page's steps and stages, the draw page, the field pages,
the confirmation pages). No address is typed after the login page.

At 1366 px and at 375 px the whole path is walked: the draw with two officials (commit
and reveal, the secrets filled in from the browser), dispatch, each department's
confirmation, grouping, the claims, matching, the start of the checks, the two
inspectors' entries and signatures, each department's approval (which publishes the
results), the lead office's confirmation of the records, the automatic 已公示 and the lead
office's 办结; at the end nobody has anything left on the list. On one record the market's
inspector finds a problem that needs follow-up: the approval opens a case, the task
moves to 后续处置中 by itself, and the market closes the case from its list before the lead
office's 办结.

A second, shorter walk at 375 px checks that the lead office is not sent to end the
checks while records are still unsigned. Every page met is checked for sideways
scrolling at 375 px and for refusals not in Chinese.

The seed task is published when the demo is loaded, so the path starts from the draw.
The seed's inspector directory is narrowed before the draw to the demo inspectors with an
account (zfb_inspector, scj_inspector; one per department), so that the drawn groups are
people who can sign in; everything else is the seed scenario as loaded.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.browser.helpers import SCREENSHOT_DIR, click_and_wait, draw_on_pad, fits_phone

pytestmark = pytest.mark.browser
PASSWORD = "spotcheck-demo-2026"
WIDTHS = {"desktop": 1366, "phone": 375}
LATIN = re.compile(r"[A-Za-z]{2,}")
PROBLEM = "经营场所门前擅自设置户外广告牌，违反其他工商行政管理规定"
OFFICIALS = ("政府办管理员（演示）", "市场监管局管理员（演示）（晋州市")


@pytest.fixture
def context(browser: Browser, live_server: Any, viewport: str) -> Iterator[BrowserContext]:
    """The suite's context, at the 1366 px of a common office screen on the desktop."""
    ctx = _new_context(browser, live_server, viewport)
    yield ctx
    ctx.close()


def _new_context(browser: Browser, live_server: Any, viewport: str) -> BrowserContext:
    phone = viewport == "phone"
    ctx = browser.new_context(
        base_url=live_server.url,
        viewport={"width": WIDTHS[viewport], "height": 812 if phone else 768},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        is_mobile=phone,
        has_touch=phone,
    )
    ctx.set_default_timeout(30_000)
    ctx.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    return ctx


def _seed_scenario() -> Any:
    """The demo with the seed task (published, not drawn); only the inspectors with an
    account can be drawn. Returns the seed task."""
    # imported here: Django is set up by pytest-django only once the test runs
    from django.apps import apps
    from django.utils import timezone

    from spotcheck.campaigns.models import Task
    from spotcheck.catalogue.models import ResultCode
    from spotcheck.deadlines.services import calendar_load_bundled
    from spotcheck.demo.scenario import SEED_TASK_NUMBER, load_demo
    from spotcheck.directory.choices import InspectorStatus
    from spotcheck.directory.models import Inspector

    if not ResultCode.objects.exists():
        codes = importlib.import_module("spotcheck.catalogue.migrations.0002_result_codes")
        codes.load(apps, None)
    calendar_load_bundled(actor=None)
    load_demo(today=timezone.localdate())
    Inspector.objects.filter(user__isnull=True).update(status=InspectorStatus.LEAVE)
    return Task.objects.get(number=SEED_TASK_NUMBER)


class Actor:
    """One person at one screen: signs in through the form, then only clicks."""

    def __init__(self, page: Page, username: str, viewport: str) -> None:
        self.page, self.username, self.viewport = page, username, viewport

    def sign_in(self) -> None:
        page = self.page
        page.goto("/accounts/login/")
        page.get_by_label("用户名").fill(self.username)
        page.get_by_label("密码").fill(PASSWORD)
        click_and_wait(page, page.get_by_role("button", name="登录"))
        expect(page.get_by_role("heading", level=1)).to_be_visible()

    def nav(self, name: str) -> None:
        page = self.page
        toggler = page.locator(".navbar-toggler")
        if toggler.is_visible():
            toggler.click()
            expect(page.locator("#mainnav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
        link = page.locator("#mainnav").get_by_role("link", name=re.compile(f"^{name}"))
        click_and_wait(page, link.first)

    def home(self) -> Locator:
        """The 工作台 and its to-do links."""
        self.nav("工作台")
        expect(self.page.get_by_role("heading", name="工作台", level=1)).to_be_visible()
        self.checked()
        return self.page.get_by_test_id("todo-link")

    def todo(self, what: str | re.Pattern[str]) -> None:
        """Open the 工作台 and follow the to-do item named ``what``."""
        links = self.home()
        item = links.filter(has_text=what)
        expect(item.first, f"{self.username}: 待办“{what}”").to_be_visible()
        click_and_wait(self.page, item.first)
        self.checked()

    def click(self, target: Locator) -> None:
        click_and_wait(self.page, target)
        self.checked()

    def confirm(self, title: str | re.Pattern[str]) -> None:
        """The step asks once, naming itself; say yes."""
        expect(self.page.get_by_test_id("confirmation")).to_contain_text(title)
        self.click(self.page.get_by_test_id("confirm-yes"))

    def step(self, label: str, title: str | re.Pattern[str]) -> None:
        """A named step of the task page, and its confirmation."""
        steps = self.page.get_by_test_id("task-steps")
        self.click(steps.get_by_role("button", name=label, exact=True))
        self.confirm(title)

    def checked(self) -> None:
        """Every refusal shown is in Chinese; nothing is wider than a phone at 375 px."""
        page = self.page
        refusals = (
            ".alert-danger:visible, .invalid-feedback:visible, [data-testid=task-step-blockers]"
        )
        for alert in page.locator(refusals).all():
            text = alert.inner_text()
            assert not LATIN.search(text), f"{self.username} {page.url}: {text}"
        if self.viewport == "phone":
            fits_phone(page)

    def shot(self, label: str) -> None:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"test_guided_task-{label}-{self.username}-{self.viewport}.png"
        self.page.screenshot(path=path, full_page=True)


@pytest.fixture
def actors(
    page: Page, browser: Browser, live_server: Any, viewport: str
) -> Iterator[dict[str, Actor]]:
    """The lead office on the test's page, everyone else in a browser of their own."""
    contexts: list[BrowserContext] = []
    people = {"lead": Actor(page, "lead", viewport)}
    for username in ("scj_admin", "gaj_admin", "zfb_inspector", "scj_inspector"):
        ctx = _new_context(browser, live_server, viewport)
        contexts.append(ctx)
        people[username] = Actor(ctx.new_page(), username, viewport)
    yield people
    for ctx in contexts:
        ctx.close()


def _draw(lead: Actor, market: Actor) -> None:
    """The lead office starts the draw; both officials commit and reveal from their
    browsers; the lead office announces, draws and dispatches."""
    lead.todo("发起随机抽取并指定承诺官员")
    for official in OFFICIALS:
        lead.page.get_by_label(re.compile(re.escape(official))).check()
    lead.click(lead.page.get_by_test_id("prepare"))
    lead.shot("prepared")

    for official in (lead, market):
        official.todo("作出第1次抽取的承诺")
        official.click(official.page.get_by_test_id("commit"))
        expect(official.page.get_by_role("alert")).to_contain_text("不知道您的秘密值")
        official.shot("committed")

    lead.todo("各承诺官员均已承诺，发布抽取公告")
    lead.click(lead.page.get_by_test_id("announce"))
    for official in (market, lead):
        official.todo("公布第1次抽取的秘密值")
        expect(official.page.get_by_test_id("secret-status")).to_contain_text(
            "已从本浏览器自动填入"
        )
        official.click(official.page.get_by_test_id("reveal"))
        expect(official.page.get_by_role("alert")).to_contain_text("秘密值与承诺一致，已公布")

    lead.todo("各承诺官员均已公布秘密值，执行随机抽取")
    lead.click(lead.page.get_by_test_id("run"))
    lead.confirm("抽取")
    expect(lead.page.get_by_role("alert")).to_contain_text("抽取完成")

    lead.todo("派发抽取名单到各参与部门")
    lead.click(lead.page.get_by_test_id("dispatch"))
    lead.shot("dispatch-confirm")
    lead.confirm("派发")
    expect(lead.page.get_by_test_id("task-state")).to_have_text("部门确认中")


def _confirm_lists(people: list[Actor]) -> None:
    for person in people:
        person.todo(re.compile("^比对确认派发给.*的检查对象$"))
        person.click(person.page.get_by_role("button", name="确认本部门名单"))
        person.confirm("确认")
        expect(person.page.get_by_role("alert")).to_be_visible()


def _group_and_match(lead: Actor, market: Actor, police: Actor) -> None:
    lead.todo("各部门均已确认，开始编组")
    lead.click(lead.page.get_by_test_id("grouping-start"))
    expect(lead.page.get_by_test_id("task-state")).to_have_text("编组中")
    for department in (lead, market):
        department.todo(re.compile("^认领.*的检查对象并抽取执法检查人员$"))
        department.click(department.page.get_by_test_id("claim").first)
        expect(department.page.get_by_role("alert")).to_contain_text("已认领")

    lead.todo("各部门均已认领，随机匹配检查组与检查对象")
    lead.click(lead.page.get_by_test_id("match"))
    lead.shot("match-confirm")
    lead.confirm("随机匹配")
    expect(lead.page.get_by_test_id("task-state")).to_have_text("已匹配")
    expect(police.home().filter(has_text="认领")).to_have_count(0)

    lead.todo("开始现场检查")
    lead.step("开始检查", "开始检查")
    expect(lead.page.get_by_test_id("task-state")).to_have_text("检查中")


def _enter(inspector: Actor, *, sign: bool, limit: int = 1000, problem: bool = False) -> int:
    """Fill the inspector's items of every record on its list (the first ``limit``); the
    last one to enter also signs (the party and every member on the one screen) and sends
    it for review. With ``problem`` the first item of the first record finds one that
    needs follow-up (违反其他工商行政管理规定行为)."""
    done = 0
    while done < limit:
        links = inspector.home().filter(has_text="现场检查")
        if sign:
            remaining = links.count()
        else:
            remaining = links.count() - done
        if remaining <= 0:
            return done
        target = links.first if sign else links.nth(done)
        inspector.click(target)
        inspector.click(inspector.page.get_by_test_id("open-fill"))
        page = inspector.page
        page.get_by_role("button", name="现在").first.click()
        for n, findings in enumerate(page.locator('textarea[data-field="findings"]').all()):
            item = findings.get_attribute("data-item")
            found = problem and done == 0 and n == 0
            findings.fill(PROBLEM if found else "查验营业执照、经营许可，均在有效期内，未发现问题")
            for code in ("A", "2", "D") if found else ("1",):
                box = page.locator(f'input[data-item="{item}"][data-code="{code}"]')
                if not box.is_checked():
                    box.check()
        expect(page.get_by_test_id("sync-status")).to_contain_text("已同步到服务器")
        if sign:
            draw_on_pad(page, page.locator('[data-pad="party"] canvas'))
            for pad in page.locator('[data-pad^="member-"] canvas').all():
                draw_on_pad(page, pad)
            if done == 0:
                inspector.shot("signed")
            with page.expect_navigation(url=re.compile(r"/final/$")):
                page.get_by_test_id("submit-record").click()
            expect(page.get_by_test_id("record-state")).to_have_text("待审核")
            inspector.checked()
        done += 1
    return done


def _review(reviewer: Actor, limit: int = 1000) -> int:
    """Approve every record waiting for the department's review (the first ``limit``),
    from the to-do list."""
    approved = 0
    while approved < limit and reviewer.home().filter(has_text="审核联合检查记录表").count():
        reviewer.todo("审核联合检查记录表")
        page = reviewer.page
        page.get_by_text("通过", exact=True).click()
        reviewer.click(page.get_by_test_id("review-submit"))
        reviewer.confirm("确认审核通过")
        expect(page.get_by_test_id("record-state")).to_be_visible()
        approved += 1
    return approved


def _close_case(holder: Actor) -> None:
    """The department holding the follow-up case enters its result from its list."""
    from django.utils import timezone

    holder.todo("录入后续处置结果")
    page = holder.page
    expect(page.get_by_test_id("case-findings")).to_contain_text(PROBLEM)
    close = page.get_by_test_id("action-close")
    if close.get_attribute("open") is None:
        close.locator("summary").click()
    close.get_by_label("处置结果").fill("已责令当场拆除广告牌，企业已整改到位")
    close.get_by_label("处置日期").fill(timezone.localdate().isoformat())
    close.get_by_role("checkbox").check()
    holder.shot("case")
    holder.click(close.get_by_role("button", name="办结"))
    expect(page.get_by_test_id("case-state")).to_have_text("已办结")


def _confirm_records(lead: Actor) -> int:
    """The lead office confirms each approved joint record as a whole."""
    confirmed = 0
    while lead.home().filter(has_text="确认已通过审核的联合检查记录表").count():
        lead.todo("确认已通过审核的联合检查记录表")
        lead.click(lead.page.get_by_test_id("confirm-record").first)
        lead.click(lead.page.get_by_test_id("lead-confirm"))
        expect(lead.page.get_by_test_id("lead-confirmed")).to_be_visible()
        confirmed += 1
    return confirmed


def _to_the_first_records(actors: dict[str, Actor]) -> tuple[Any, int]:
    """The seed task from the lead office's 工作台 to 检查中; the task and its records."""
    from spotcheck.inspections.models import JointRecord

    task = _seed_scenario()
    lead, market, police = actors["lead"], actors["scj_admin"], actors["gaj_admin"]
    for person in actors.values():
        person.sign_in()
    lead.home()
    lead.shot("home")
    _draw(lead, market)
    police.home()
    police.shot("home")
    _confirm_lists([market, police, lead])
    expect(lead.page.get_by_test_id("task-state")).to_have_text("已确认")
    _group_and_match(lead, market, police)
    lead.shot("task")
    records = JointRecord.objects.filter(task=task).count()
    assert records > 0
    return task, records


# the whole walk takes about 4 to 5 minutes on two shared cores, the demo's load included
@pytest.mark.timeout(600)
@pytest.mark.parametrize("viewport", ["desktop", "phone"], indirect=True)
def test_the_seed_plan_runs_to_closed_from_the_to_do_lists_alone(
    actors: dict[str, Actor],
) -> None:
    from spotcheck.campaigns.models import Task

    task, records = _to_the_first_records(actors)
    lead, market = actors["lead"], actors["scj_admin"]

    # each inspector enters its department's items; the market's inspector signs
    assert _enter(actors["zfb_inspector"], sign=False) == records
    actors["scj_inspector"].home()
    actors["scj_inspector"].shot("home")
    assert _enter(actors["scj_inspector"], sign=True, problem=True) == records

    # each department approves (publishing its results); the lead office confirms
    assert _review(market) == records
    assert _review(lead) == records
    assert _confirm_records(lead) == records
    task.refresh_from_db()
    assert task.state == "disposing", task.get_state_display()

    # the problem found opened a case for the market, which closes it from its list
    _close_case(market)

    # 办结, after one confirmation
    lead.todo("后续处置均已办结，办结任务")
    lead.click(lead.page.get_by_test_id("task-steps").get_by_role("button", name="办结"))
    lead.shot("close-confirm")
    lead.confirm("确认办结")
    expect(lead.page.get_by_test_id("task-state")).to_have_text("已办结")
    lead.shot("closed")
    assert Task.objects.get(pk=task.pk).state == "closed"

    # nothing is left on anybody's list
    for person in actors.values():
        left = person.home()
        assert left.count() == 0, (person.username, left.all_inner_texts())
        expect(person.page.get_by_test_id("todo-empty")).to_be_visible()


@pytest.mark.timeout(600)
@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_on_a_phone_every_role_reaches_its_first_step_from_its_to_do_list(
    actors: dict[str, Actor],
) -> None:
    from spotcheck.inspections.models import JointRecord

    task, _records = _to_the_first_records(actors)

    # each inspector's first record: entered by both, signed and sent by the market's
    zfb, scj = actors["zfb_inspector"], actors["scj_inspector"]
    assert _enter(zfb, sign=False, limit=1) == 1
    scj.home()
    scj.shot("home")
    assert _enter(scj, sign=True, limit=1) == 1
    sent = JointRecord.objects.get(task=task, state="submitted")

    # both departments review it from their lists
    assert _review(actors["scj_admin"], limit=1) == 1
    # the check window of the seed is over, but the lead office is not sent to end the
    # checks while records are still unsigned
    todos = actors["lead"].home()
    expect(todos.filter(has_text="转入结果录入")).to_have_count(0)
    actors["lead"].shot("reviews")
    assert _review(actors["lead"], limit=1) == 1
    sent.refresh_from_db()
    assert sent.state == "approved"
