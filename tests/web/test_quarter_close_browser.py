"""HR's quarter close in a real browser (Debian's chromium, Playwright) against `gradeflow serve` over the demo,
with 2026Q2 and 2026Q3 records entered through the JSON API: the page shows what closing 2026Q3 will do (李强's
demotion to junior, 杨磊 excluded, 黄涛 kept), a year typed as the period is told next to the field in Chinese and
kept, and a double click on the close runs it once. Screenshots go to GRADEFLOW_SCREENSHOTS."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

HR = "hr.chen"
RECORDS = [("M1002", "2026Q2", 70, 3, False), ("M1002", "2026Q3", 75, 3, False), ("M1006", "2026Q3", 60, 1, True),
           ("M2001", "2026Q3", 95, 3, False)]


def _records(page):
    api = page.request
    token = api.post(page.base + "/api/v1/auth/token",
                     data={"username": HR, "password": page.logins[HR]}).json()["access_token"]
    for no, period, score, months, violation in RECORDS:
        answer = api.put(f"{page.base}/api/v1/managers/{no}/performance/{period}",
                         headers={"Authorization": f"Bearer {token}"},
                         data={"score": score, "months_worked": months, "violation": violation})
        assert answer.ok, answer.text()


def test_hr_sees_what_the_close_will_do_and_closes_the_quarter_once(zh_page, shots):
    page = zh_page
    _records(page)
    page.goto(page.base + "/sign-in")
    page.locator("#username").fill(HR)
    page.locator("#password").fill(page.logins[HR])
    page.locator("form[action='/sign-in'] button[type=submit]").click()
    page.wait_for_url(page.base + "/")
    page.get_by_role("link", name="季度评价").first.click()
    page.locator("#period").fill("2026")
    page.get_by_role("button", name="预览评价结果").click()
    page.get_by_test_id("period-error").wait_for()
    assert page.get_by_test_id("period-error").inner_text() == "季度评价针对季度（如 2026Q3）。"
    assert page.locator("#period").input_value() == "2026"

    page.locator("#period").fill("2026Q3")
    page.get_by_role("button", name="预览评价结果").click()
    page.get_by_test_id("foreseen").wait_for()
    assert page.locator("tr[data-manager='M1002']").get_attribute("data-outcome") == "demotion"
    assert "→ 初级" in page.locator("tr[data-manager='M1002']").inner_text()
    assert page.locator("tr[data-manager='M1006']").get_attribute("data-outcome") == "excluded"
    assert page.locator("tr[data-manager='M2001']").get_attribute("data-outcome") == "kept"
    page.screenshot(path=shots / "quarter-close-preview.zh-CN.png", full_page=True)

    page.get_by_role("button", name="立即进行2026年第3季度评价").dblclick()
    page.get_by_test_id("recorded").wait_for()
    assert page.get_by_test_id("demotion-cases").locator("a").count() == 1
    assert "评价了 3 名客户经理" in page.get_by_test_id("recorded").inner_text()
    page.screenshot(path=shots / "quarter-close-done.zh-CN.png", full_page=True)
