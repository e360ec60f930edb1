"""Events on a manager's record and the close's grading rules in a real browser (Debian's chromium, Playwright) against
`gradeflow serve` over the demo, under the default policy with a metric and grading rules added: hr enters a leave on
张伟's page (a missing length told next to its field in Chinese first), then sees what closing the last quarter will
do (刘洋 advanced on two excellent quarters, 陈静's exit on three complaints, 赵敏 suspended, 周丽 moved down at the
close), closes it once and finds 赵敏 待岗 on her page. Screenshots go to GRADEFLOW_SCREENSHOTS."""
from __future__ import annotations

from datetime import date

import pytest

from tests.support.demo_server import serve_demo
from tests.support.policies import policy_file, with_grading_rules
from workflow.periods import QUARTER as QUARTER_KIND, Period

pytestmark = pytest.mark.browser

HR = "hr.chen"


LAST = Period.of(QUARTER_KIND, date.today()).shifted(-1)  # the last quarter over, which hr closes
QUARTER, BEFORE, FIRST_DAY = str(LAST), str(LAST.shifted(-1)), LAST.first_day


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """The demo under the default policy with grading rules: what conftest's zh_page opens in this module."""
    policy = policy_file(tmp_path_factory.mktemp("policy"), with_grading_rules)
    with serve_demo(tmp_path_factory.mktemp("rules-server"), GRADEFLOW_POLICY=policy) as base_and_logins:
        yield base_and_logins


def _api(page, method: str, path: str, body: dict) -> None:
    token = page.request.post(page.base + "/api/v1/auth/token",
                              data={"username": HR, "password": page.logins[HR]}).json()["access_token"]
    answer = page.request.fetch(f"{page.base}/api/v1{path}", method=method, data=body,
                                headers={"Authorization": f"Bearer {token}"})
    assert answer.ok, answer.text()


def _records(page) -> None:
    for no, period, score, metrics in (("M1004", BEFORE, 96, {"new_customers": 62}),
                                       ("M1004", QUARTER, 97, {"new_customers": 70}), ("M1005", QUARTER, 85, None),
                                       ("M1007", QUARTER, 45, None), ("M2002", QUARTER, 55, None)):
        _api(page, "PUT", f"/managers/{no}/performance/{period}",
             {"score": score, "months_worked": 3} | ({"metrics": metrics} if metrics else {}))
    for day in (3, 13, 23):
        _api(page, "POST", "/managers/M1005/events",
             {"kind": "complaint", "occurred_on": FIRST_DAY.replace(day=day).isoformat(), "note": "客户投诉"})


def _sign_in(page) -> None:
    page.goto(page.base + "/sign-in")
    page.locator("#username").fill(HR)
    page.locator("#password").fill(page.logins[HR])
    page.locator("form[action='/sign-in'] button[type=submit]").click()
    page.wait_for_url(page.base + "/")


def test_hr_enters_an_event_then_closes_the_quarter_by_the_rules(zh_page, shots):
    page = zh_page
    _records(page)
    _sign_in(page)
    page.goto(page.base + "/managers/M1003")  # hired over a year ago
    page.locator("#kind").select_option("leave")
    page.locator("#occurred_on").fill(FIRST_DAY.replace(day=10).isoformat())
    page.locator("#reason").select_option("sick")
    page.locator("#note").fill("住院治疗")
    page.get_by_role("button", name="录入事件").click()
    page.get_by_test_id("days-error").wait_for()
    assert page.get_by_test_id("days-error").inner_text() == "请输入请假天数。"
    assert page.locator("#note").input_value() == "住院治疗"

    page.locator("#days").fill("5")
    page.get_by_role("button", name="录入事件").dblclick()
    page.get_by_test_id("events").wait_for()
    assert page.get_by_test_id("events").locator("tbody tr").count() == 1  # the double click entered it once
    assert "请假：5 天 · 病假" in page.get_by_test_id("events").inner_text()
    page.screenshot(path=shots / "manager-events.zh-CN.png", full_page=True)

    page.goto(f"{page.base}/quarter-close?period={QUARTER}")
    page.get_by_test_id("foreseen").wait_for()
    outcome = lambda no: page.locator(f"tr[data-manager='{no}']").get_attribute("data-outcome")  # noqa: E731
    assert [outcome(no) for no in ("M1004", "M1005", "M1007", "M2002")] == [
        "advancement", "exit", "suspended", "moved"]
    assert "新客到店数 70" in page.locator("tr[data-manager='M1004']").inner_text()
    assert "客户投诉 3 次" in page.locator("tr[data-manager='M1005']").inner_text()
    page.screenshot(path=shots / "quarter-close-rules.zh-CN.png", full_page=True)

    page.get_by_role("button", name=f"立即进行{LAST.year}年第{LAST.quarter}季度评价").dblclick()
    page.get_by_test_id("recorded").wait_for()
    assert page.get_by_test_id("advancement-cases").locator("a").count() == 1
    assert page.get_by_test_id("suspended").inner_text() == "M1007"
    page.screenshot(path=shots / "quarter-close-rules-done.zh-CN.png", full_page=True)

    page.get_by_test_id("suspended").get_by_role("link", name="M1007").click()
    assert page.get_by_test_id("standing").get_attribute("data-standing") == "suspended"
    assert page.get_by_test_id("standing").inner_text() == "待岗"
    assert f"{QUARTER}: 考核不合格待岗" in page.get_by_test_id("events").inner_text()
    page.screenshot(path=shots / "manager-suspended.zh-CN.png", full_page=True)
