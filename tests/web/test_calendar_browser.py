"""HR's working-day calendar in a real browser (Debian's chromium, Playwright) against `gradeflow serve` over the
demo: October 2026 with National Day and the make-up Saturday, a day corrected with markup in its name (shown as
text), a missing date told next to its field in Chinese with the name kept. Screenshots go to
GRADEFLOW_SCREENSHOTS."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

HR = "hr.chen"


def _sign_in(page, username):
    page.goto(page.base + "/sign-in")
    page.locator("#username").fill(username)
    page.locator("#password").fill(page.logins[username])
    page.locator("form[action='/sign-in'] button[type=submit]").click()
    page.wait_for_url(page.base + "/")


def test_hr_sees_national_day_and_corrects_a_day(zh_page, shots):
    page = zh_page
    _sign_in(page, HR)
    page.get_by_role("link", name="工作日历").first.click()
    page.goto(page.base + "/calendar?month=2026-10")
    assert page.get_by_test_id("month-title").inner_text() == "2026年10月"
    assert page.locator("td[data-day='2026-10-01']").get_attribute("data-kind") == "holiday"
    assert "调休补班" in page.locator("td[data-day='2026-10-10']").inner_text()
    page.screenshot(path=shots / "calendar-month.zh-CN.png", full_page=True)

    page.get_by_label("名称（如公司假日、调休补班）").fill('厂庆 <script>alert("x")</script>')
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("day-error").inner_text() == "请输入日期，如 2026-10-10。"
    assert page.locator("#name").input_value() == '厂庆 <script>alert("x")</script>'

    page.locator("#day").fill("2026-10-12")
    page.locator("#working").select_option("0")
    page.get_by_role("button", name="保存").dblclick()
    page.wait_for_url("**/calendar?month=2026-10")
    assert page.locator("td[data-day='2026-10-12']").get_attribute("data-kind") == "holiday"
    assert "<script>" in page.locator("td[data-day='2026-10-12']").inner_text()  # shown as text
    assert page.get_by_test_id("changes").locator("tbody tr").count() == 1  # the double click saved once
    page.screenshot(path=shots / "calendar-corrected.zh-CN.png", full_page=True)
