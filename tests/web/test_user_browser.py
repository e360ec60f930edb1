"""The users page in a real browser (Debian's chromium, Playwright) against `gradeflow serve` over the demo: the
admin's refused account (a short password, then an employee number that has an account) told next to the fields
in Chinese with the typed username and role kept, then a committee account created and switched off with a double click that sends
once. Screenshots go to GRADEFLOW_SCREENSHOTS."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_admin_creates_an_account_after_refusals_and_switches_it_off(zh_page, shots):
    page = zh_page
    page.goto(page.base + "/sign-in")
    page.locator("#username").fill("admin")
    page.locator("#password").fill(page.logins["admin"])
    page.locator("form[action='/sign-in'] button[type=submit]").click()
    page.wait_for_url(page.base + "/")
    page.get_by_role("link", name="用户").first.click()
    page.wait_for_url(page.base + "/users")

    page.get_by_label("用户名").fill("zhou.li")
    page.get_by_label("初始密码").fill("short")
    page.get_by_label("员工编号（客户经理和上级主管必填）").fill("M2002")
    page.get_by_label("客户经理", exact=True).check()
    page.get_by_role("button", name="创建账号").click()
    page.get_by_test_id("password-error").wait_for()
    assert page.get_by_test_id("password-error").inner_text() == "密码至少 10 个字符。"
    assert page.locator("#username").input_value() == "zhou.li"
    assert page.get_by_label("客户经理", exact=True).is_checked()

    page.get_by_label("初始密码").fill("周丽的初始密码2026")
    page.get_by_role("button", name="创建账号").click()
    page.get_by_test_id("employee_no-error").wait_for()
    assert page.get_by_test_id("employee_no-error").inner_text() == "此员工已有账号。"  # zhouli has M2002
    page.screenshot(path=shots / "users-refused.zh-CN.png", full_page=True)

    page.get_by_label("初始密码").fill("周丽的初始密码2026")
    page.get_by_label("员工编号（客户经理和上级主管必填）").fill("")
    page.get_by_label("客户经理", exact=True).uncheck()
    page.get_by_label("评审委员", exact=True).check()
    page.get_by_role("button", name="创建账号").click()
    row = page.locator("tr[data-user='zhou.li']")
    row.wait_for()
    row.get_by_role("button", name="停用").dblclick()
    page.get_by_test_id("status-zhou.li").filter(has_text="停用").wait_for()
    assert page.locator(".flash").count() == 1  # sent once
    page.screenshot(path=shots / "users.zh-CN.png", full_page=True)
