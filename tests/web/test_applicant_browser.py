"""The applicant's pages in a real browser (Debian's chromium, Playwright) against `gradeflow serve` with its
default flags over the demo (tests/web/conftest.py): a manager checks their eligibility and applies, with markup
in the statement shown as text, and lands on their case's timeline; the applicant of a published case (the demo
cycle decided by its chair and published by hr through the API) appeals within the window, with markup in the
reason shown as text, and the cycle's publication board lists the outcomes. Screenshots into
GRADEFLOW_SCREENSHOTS (docs/screenshots)."""
from __future__ import annotations

import json
import re
import urllib.request

import pytest

pytestmark = pytest.mark.browser

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def page(zh_page):
    return zh_page


def _sign_in(page, username: str, path: str):
    page.goto(page.base + path)
    page.locator("#username").fill(username)
    page.locator("#password").fill(page.logins[username])
    page.locator("form[action='/sign-in'] button[type=submit]").click()
    page.wait_for_url(page.base + path)


def _call(base: str, path: str, *, token: str | None = None, body: dict | None = None, method: str = "POST"):
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
    request = urllib.request.Request(base + "/api/v1" + path, method=method, headers=headers,
                                     data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read() or b"{}")


def _token(base: str, logins: dict, username: str) -> str:
    return _call(base, "/auth/token", body={"username": username, "password": logins[username]})["access_token"]


def expect(locator):
    from playwright.sync_api import expect as playwright_expect
    return playwright_expect(locator)


def test_a_manager_checks_eligibility_applies_and_follows_the_timeline(page, shots):
    _sign_in(page, "zhaomin", "/apply")  # junior for 4 months, ranked last of three: two rules fail
    refusals = page.get_by_test_id("outlook-refusals")
    assert refusals.locator("li[data-rule=tenure]").count() == 1
    assert refusals.locator("li[data-rule=performance_rank]").count() == 1
    assert "任职时间" in refusals.inner_text() and "绩效排名" in refusals.inner_text()
    page.screenshot(path=shots / "apply-refused.zh-CN.png", full_page=True)
    page.context.clear_cookies()

    _sign_in(page, "liuyang", "/apply")
    assert "您今天可以申请中级客户经理" in page.get_by_test_id("eligible").inner_text()
    page.locator("#statement").fill(SCRIPT)
    page.screenshot(path=shots / "apply.zh-CN.png", full_page=True)
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url("**/cases/*")
    assert page.get_by_test_id("statement").inner_text() == SCRIPT  # shown as text, no dialog opened
    assert page.locator(".workflow-strip li[aria-current=step]").inner_text() == "已提交"
    timeline = page.get_by_test_id("timeline")
    assert "提交申请" in timeline.locator("li.past").first.inner_text()
    assert "审核申请" in timeline.locator("li.to-come").inner_text()
    page.screenshot(path=shots / "case-timeline.zh-CN.png", full_page=True)

    withdraw = page.get_by_test_id("event-withdraw")  # a button of available_events, sent with the version
    page.locator("details.event-form summary", has_text="撤回申请").click()
    withdraw.locator("button[type=submit]").dblclick()  # a double click sends once
    expect(page.get_by_test_id("state").locator("strong")).to_have_text("已撤回")
    assert page.get_by_test_id("problem").count() == 0


def test_the_applicant_of_a_published_case_appeals_and_the_board_lists_it(page, demo_server, shots):
    base, logins = demo_server
    hr = _token(base, logins, "hr.chen")
    code = _call(base, "/cycles", token=hr, method="GET")[0]["code"]  # the demo's cycle
    _call(base, f"/cycles/{code}/decide", token=_token(base, logins, "committee.qian"))
    _call(base, f"/cycles/{code}/publish", token=hr)

    _sign_in(page, "wujun", "/apply")
    page.get_by_test_id("my-cases").locator("a").first.click()
    page.wait_for_url("**/cases/*")
    assert page.get_by_test_id("final-score").count() == 1  # scores once published
    assert page.locator("li[data-step=appeal_deadline]").count() == 1
    page.get_by_test_id("appeal-link").click()
    page.wait_for_url("**/appeal")
    assert "工作日" in page.get_by_test_id("time-left").inner_text()
    page.locator("#reason").fill(SCRIPT)
    page.screenshot(path=shots / "appeal.zh-CN.png", full_page=True)
    page.get_by_role("button", name="提交申诉").click()
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    expect(page.get_by_test_id("state").locator("strong")).to_have_text("申诉中")
    assert SCRIPT in page.get_by_test_id("timeline").inner_text()  # the reason, as text
    page.screenshot(path=shots / "case-appealed.zh-CN.png", full_page=True)

    page.goto(f"{base}/cycles/{code}/board")
    rows = page.get_by_test_id("board-entries").locator("tbody tr")
    assert rows.count() == 2
    assert "吴军" in page.get_by_test_id("board-entries").inner_text()
    page.screenshot(path=shots / "board.zh-CN.png", full_page=True)
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()

