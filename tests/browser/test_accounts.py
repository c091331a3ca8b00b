"""账号管理: an administrator finds a locked account and unlocks it, and creates an account."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.helpers import PASSWORD, SCJ, click_and_wait
from tests.browser.scenario_setup import Scenario

pytestmark = pytest.mark.browser


def _lock_by_passwords(username: str) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": username, "password": "wrong-password"})


def _signs_in(username: str, password: str) -> bool:
    response = Client().post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302


def test_the_platform_admin_unlocks_a_locked_inspector_and_creates_an_account(
    page: Page,
    scenario: Scenario,
    signed_in: Callable[..., None],
    nav: Callable[[str], None],
    shot: Callable[[str], None],
) -> None:
    from spotcheck.accounts.models import User

    # given: 张明 (scj_inspector) typed a wrong password five times
    _lock_by_passwords("scj_inspector")
    assert not _signs_in("scj_inspector", PASSWORD)
    signed_in("admin")

    # the list of every account, then the locked ones only
    nav("账号管理")
    expect(page.get_by_role("heading", name="账号管理", level=1)).to_be_visible()
    assert result_count_accounts(page) == 6
    page.get_by_label("状态").select_option(label="已锁定")
    click_and_wait(page, page.get_by_role("button", name="查询"))
    assert result_count_accounts(page) == 1
    row = page.get_by_test_id("user-row")
    expect(row.get_by_test_id("locked-badge")).to_have_text("密码锁定")
    shot("locked-list")

    # the account page says why it is locked; one click unlocks it
    click_and_wait(page, row.get_by_role("link", name="张明"))
    expect(page.get_by_test_id("lock-state")).to_have_text("已锁定：密码连续错误 6 次")
    click_and_wait(page, page.get_by_role("button", name="解锁"))
    expect(page.get_by_role("alert").filter(has_text="已解锁")).to_have_text(
        "已解锁，该账号可以重新登录"
    )
    expect(page.get_by_test_id("lock-state")).to_have_text("未锁定。")
    shot("unlocked")
    assert _signs_in("scj_inspector", PASSWORD)

    # a new account with a generated password, shown once
    page.goto("/accounts/users/")
    click_and_wait(page, page.get_by_role("link", name="新建账号"))
    page.get_by_label("登录名").fill("gaj_zhao")
    page.get_by_label("姓名").fill("赵警官")
    page.get_by_label("角色").select_option(label="执法检查人员")
    page.get_by_label("所属部门").select_option(label="晋州市公安局")
    click_and_wait(page, page.get_by_role("button", name="创建账号"))
    expect(page.get_by_role("heading", name="账号已创建", level=1)).to_be_visible()
    password = page.get_by_test_id("initial-password").inner_text().strip()
    assert re.fullmatch(r"[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3}", password)
    shot("created")
    created = User.objects.get(username="gaj_zhao")
    assert (created.display_name, created.role, created.department.name) == (
        "赵警官",
        "inspector",
        "晋州市公安局",
    )
    assert _signs_in("gaj_zhao", password)


def test_a_department_admin_unlocks_its_inspector_and_creates_one_within_its_own_department(
    page: Page,
    scenario: Scenario,
    signed_in: Callable[..., None],
    nav: Callable[[str], None],
    shot: Callable[[str], None],
) -> None:
    from spotcheck.accounts.models import User

    # given: 张明 gave ten wrong two-step codes in a row (as if he had an authenticator)
    User.objects.filter(username="scj_inspector").update(
        twofactor_failures=10, twofactor_locked_at=timezone.now()
    )
    signed_in("scj_admin")

    # only the market department's own accounts, the locked one marked
    nav("账号管理")
    rows = page.get_by_test_id("user-row")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="张明").get_by_test_id("locked-badge")).to_have_text("验证码锁定")
    expect(page.get_by_text("公安局管理员")).to_have_count(0)
    shot("list")

    click_and_wait(page, rows.filter(has_text="张明").get_by_role("link", name="张明"))
    expect(page.get_by_test_id("lock-state")).to_contain_text("两步验证码连续错误 10 次")
    click_and_wait(page, page.get_by_role("button", name="解锁"))
    expect(page.get_by_test_id("lock-state")).to_have_text("未锁定。")
    unlocked = User.objects.get(username="scj_inspector")
    assert (unlocked.twofactor_failures, unlocked.twofactor_locked_at) == (0, None)

    # creating: the roles and departments on offer are the admin's own; a weak password
    # is refused in Chinese and nothing is created
    page.goto("/accounts/users/new/")
    role = page.get_by_label("角色")
    expect(role.locator("option")).to_have_text(["部门管理员", "执法检查人员"])
    department = page.get_by_label("所属部门")
    expect(department.locator("option")).to_have_text(["请选择", SCJ])
    page.get_by_label("登录名").fill("scj_sun")
    page.get_by_label("姓名").fill("孙检查")
    role.select_option(label="执法检查人员")
    department.select_option(label=SCJ)
    page.get_by_label("初始密码", exact=True).fill("12345678")
    page.get_by_label("再次输入初始密码").fill("12345678")
    click_and_wait(page, page.get_by_role("button", name="创建账号"))
    expect(page.get_by_test_id("error-password")).to_have_text(
        "密码太短，至少需要 10 个字符。这个密码太常见了。密码只包含数字。"
    )
    assert not User.objects.filter(username="scj_sun").exists()
    shot("weak-password")

    page.get_by_label("初始密码", exact=True).fill("Sun-Jiancha-2026")
    page.get_by_label("再次输入初始密码").fill("Sun-Jiancha-2026")
    click_and_wait(page, page.get_by_role("button", name="创建账号"))
    expect(page.get_by_role("alert").filter(has_text="已创建账号")).to_have_text(
        "已创建账号：孙检查（scj_sun）"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("孙检查")
    assert _signs_in("scj_sun", "Sun-Jiancha-2026")

    # stopping the new account asks first
    click_and_wait(page, page.get_by_role("link", name="停用账号…"))
    expect(page.get_by_test_id("confirm-card")).to_contain_text("停用后该账号不能再登录")
    assert User.objects.get(username="scj_sun").is_active is True
    shot("confirm-deactivate")
    click_and_wait(page, page.get_by_role("button", name="确认停用"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("已停用")
    assert User.objects.get(username="scj_sun").is_active is False


def result_count_accounts(page: Page) -> int:
    """Read the "共 N 个账号" line of the account list."""
    text = page.get_by_test_id("result-count").inner_text().strip()
    match = re.fullmatch(r"共 (\d+) 个账号", text)
    assert match, f"unexpected result count text: {text!r}"
    return int(match.group(1))


def test_an_account_locked_by_wrong_two_step_codes_is_told_whom_to_ask_at_sign_in(
    page: Page, scenario: Scenario
) -> None:
    from spotcheck.accounts.models import User

    # given: ten wrong two-step codes in a row
    User.objects.filter(username="scj_admin").update(
        twofactor_failures=10, twofactor_locked_at=timezone.now()
    )

    # when: the right password
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("scj_admin")
    page.get_by_label("密码").fill(PASSWORD)
    click_and_wait(page, page.get_by_role("button", name="登录"))

    # then
    expect(page.get_by_test_id("login-error")).to_have_text(
        f"账号已锁定：两步验证码连续错误 10 次。请联系平台管理员或{SCJ}的管理员在“账号管理”中解锁。"
    )
    expect(page.get_by_test_id("whoami")).to_have_count(0)
