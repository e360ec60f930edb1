"""Substitutes in a real browser (Debian's chromium, Playwright) against `gradeflow serve` over the demo (issue 16,
point 4): 李强 (liqiang) names himself first (refused next to the field, in Chinese), then 张伟 (zhangwei) as his
substitute for this week; 张伟 finds 刘洋's application in his work, is told on the case page whose substitute he is,
approves the materials, and the timeline names "zhangwei 代 liqiang"; hr sees every delegation. Screenshots go to
GRADEFLOW_SCREENSHOTS."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.browser

ABSENT, SUBSTITUTE, APPLICANT = "liqiang", "zhangwei", "liuyang"


def _sign_in(page, username: str):
    page.goto(page.base + "/sign-in")
    page.locator("#username").fill(username)
    page.locator("#password").fill(page.logins[username])
    page.locator("form[action='/sign-in'] button[type=submit]").click()
    page.wait_for_url(page.base + "/")


def _sign_out(page):
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url(page.base + "/sign-in")


def _application(page) -> int:
    """liuyang applies in the demo's cycle, through the JSON API."""
    api = page.base + "/api/v1"
    token = page.request.post(api + "/auth/token", data={"username": APPLICANT,
                                                         "password": page.logins[APPLICANT]}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    cycle = page.request.get(api + "/cycles", headers=headers).json()[0]["code"]
    answer = page.request.post(api + "/cases", headers=headers,
                               data={"cycle": cycle, "target_grade": "mid", "statement": "申请晋升中级"})
    assert answer.status == 201, answer.text()
    return answer.json()["id"]


def test_a_supervisor_names_a_substitute_who_reviews_in_his_stead(zh_page, shots):
    page = zh_page
    case_id = _application(page)
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()

    _sign_in(page, ABSENT)
    page.locator("nav.main-nav").get_by_role("link", name="代理人").click()
    page.wait_for_url(page.base + "/substitutes")
    page.get_by_label("代理人", exact=True).select_option(ABSENT)
    page.get_by_label("代理事项").select_option("supervisor")
    page.get_by_label("开始日期").fill((today + timedelta(days=2)).isoformat())
    page.get_by_label("结束日期").fill((today + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="指定代理人").click()
    page.get_by_test_id("substitute-error").wait_for()
    assert page.get_by_test_id("substitute-error").inner_text() == "不能代理自己：请选择他人。"
    assert page.get_by_test_id("ends_on-error").inner_text() == "结束日期不得早于开始日期。"
    page.screenshot(path=shots / "substitutes-refused.zh-CN.png", full_page=True)

    page.get_by_label("代理人", exact=True).select_option(SUBSTITUTE)
    page.get_by_label("开始日期").fill(today.isoformat())
    page.get_by_label("结束日期").fill((today + timedelta(days=6)).isoformat())
    page.get_by_role("button", name="指定代理人").click()
    row = page.get_by_test_id("delegations").locator("tbody tr")
    row.first.wait_for()
    assert "张伟 (zhangwei)" in row.first.inner_text() and "生效中" in row.first.inner_text()
    page.screenshot(path=shots / "substitutes.zh-CN.png", full_page=True)
    _sign_out(page)

    _sign_in(page, SUBSTITUTE)
    page.goto(page.base + f"/cases/{case_id}")
    assert "您作为 liqiang 的代理人处理本案" in page.get_by_test_id("stands-in-for").inner_text()
    page.locator("nav.main-nav").get_by_role("link", name="材料审核").click()
    page.get_by_test_id("review-queue").locator(f"tr[data-case='{case_id}']").locator("a", has_text="审核").click()
    page.get_by_label("材料审核通过").check()
    page.get_by_label("上级评分").fill("88")
    page.get_by_role("button", name="提交决定").click()
    page.wait_for_url(page.base + "/review")
    page.goto(page.base + f"/cases/{case_id}")
    actors = page.get_by_test_id("history-actor").all_inner_texts()
    assert any("zhangwei 代 liqiang" in a for a in actors), actors
    page.screenshot(path=shots / "substitute-case.zh-CN.png", full_page=True)
    _sign_out(page)

    _sign_in(page, "hr.chen")
    page.goto(page.base + "/substitutes")
    assert "全部代理安排" in page.locator("main").inner_text()
    assert page.get_by_test_id("no-escalation").is_visible()
    page.screenshot(path=shots / "substitutes-hr.zh-CN.png", full_page=True)
