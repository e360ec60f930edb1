"""HR's cycle pages in a real browser (Debian's chromium, Playwright) against `gradeflow serve` with its default
flags over the demo's data (tests/web/conftest.py demo_server): HR opens a cycle and sets its committee, a
duplicate code is told next to its field in Chinese, HR decides the demo's cycle (its two cases in
deliberation) once she confirms it (declined, nothing is sent), publishes it with the appeal deadline and upholds an
appeal, each asked first. Screenshots go to GRADEFLOW_SCREENSHOTS."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

HR = "hr.chen"


@pytest.fixture
def hr_page(zh_page):
    """HR signed in, in Chinese (conftest's zh_page: a fresh context that fails on any dialog or script error)."""
    page = zh_page
    page.goto(page.base + "/sign-in")
    page.locator("#username").fill(HR)
    page.locator("#password").fill(page.logins[HR])
    page.locator("form[action='/sign-in'] button[type=submit]").click()
    page.wait_for_url(page.base + "/")
    return page


def test_hr_opens_a_cycle_sets_its_committee_and_a_duplicate_code_is_told_in_chinese(hr_page, shots):
    page = hr_page
    page.get_by_role("link", name="评审批次").first.click()
    page.wait_for_url(page.base + "/cycles")
    assert page.locator("h1").inner_text() == "评审批次"
    page.get_by_label("代码").fill("2027-H1")
    page.get_by_label("名称").fill('2027年上半年评审 <script>alert("x")</script>')
    page.get_by_role("button", name="开启评审批次").click()
    page.wait_for_url(page.base + "/cycles/2027-H1")
    assert "<script>" in page.locator("h1").inner_text()  # shown as text
    page.get_by_label("主任委员（用户名）").fill("committee.feng")
    page.get_by_label("委员（用户名，以逗号或空格分隔）").fill("committee.qian, wangfang")
    page.get_by_role("button", name="保存评审委员会").click()
    page.wait_for_url(page.base + "/cycles/2027-H1")
    assert page.get_by_test_id("chair").inner_text() == "committee.feng"
    assert page.get_by_test_id("members").inner_text() == "committee.feng、committee.qian和wangfang"
    page.screenshot(path=shots / "cycle-committee.zh-CN.png", full_page=True)

    page.goto(page.base + "/cycles")
    page.get_by_label("代码").fill("2027-H1")
    page.get_by_label("名称").fill("重复")
    page.get_by_role("button", name="开启评审批次").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("code-error").inner_text() == "已有使用此代码的评审批次。"
    assert page.locator("#code").get_attribute("aria-invalid") == "true"
    assert page.locator("#name").input_value() == "重复"
    page.screenshot(path=shots / "cycles-duplicate-code.zh-CN.png", full_page=True)


def test_hr_decides_and_publishes_the_demo_cycle_then_upholds_an_appeal(hr_page, shots):
    """One story: an appeal needs the publication (the tests of a module may run in different processes)."""
    page = hr_page
    page.goto(page.base + "/cycles")
    page.get_by_test_id("cycles").locator("tbody tr", has_text="客户经理等级评审").locator("a").click()
    page.wait_for_load_state()
    rows = page.get_by_test_id("progress").locator("tbody tr")
    assert rows.count() == 2 and "评议中" in rows.first.inner_text()
    assert "committee.qian" in rows.first.inner_text()  # the chair decides
    page.screenshot(path=shots / "cycle-deliberation.zh-CN.png", full_page=True)

    page.declining = True  # asked first: declined, nothing is sent
    page.get_by_test_id("decide-form").get_by_role("button").click()
    page.wait_for_timeout(500)
    assert page.confirmed == ["现在作出本批次决定？评议中的案件将统一排名并作出决定，决定后不能撤回。"]
    assert page.get_by_test_id("ranked").count() == 0 and page.get_by_test_id("decide-form").count() == 1
    page.declining = False
    page.get_by_test_id("decide-form").get_by_role("button").dblclick()  # a double click decides once
    page.wait_for_url("**#result")
    assert len(page.confirmed) == 2  # asked once more, not twice
    assert "已决定 2 个案件" in page.locator(".flashes").inner_text()
    ranked = page.get_by_test_id("ranked").locator("tbody tr")
    assert ranked.count() == 2
    assert "通过" in ranked.nth(0).inner_text() and "吴军" in ranked.nth(0).inner_text()
    assert "未通过" in ranked.nth(1).inner_text() and "低于及格线" in ranked.nth(1).inner_text()
    assert "及格线：60" in page.locator("#result").inner_text()
    page.screenshot(path=shots / "cycle-decided.zh-CN.png", full_page=True)

    page.get_by_test_id("publish-form").get_by_role("button").click()
    page.wait_for_url("**#publication")
    assert page.confirmed[-1] == "现在公示本批次？已决定的案件将向全体员工公示，公示后不能撤回。"
    assert "已公示 2 个案件" in page.locator(".flashes").inner_text()
    assert page.get_by_test_id("appeal-deadline").inner_text().strip()
    assert page.get_by_test_id("publish-form").count() == 0
    page.screenshot(path=shots / "cycle-published.zh-CN.png", full_page=True)

    # 吴军 (wujun) appeals through the JSON API; HR upholds it on /appeals
    base, logins = page.base, page.logins
    token = page.request.post(base + "/api/v1/auth/token",
                              data={"username": "wujun", "password": logins["wujun"]}).json()["access_token"]
    mine = page.request.get(base + "/api/v1/cases?mine=true", headers={"Authorization": f"Bearer {token}"}).json()
    case_id = mine[0]["id"]
    filed = page.request.post(base + f"/api/v1/cases/{case_id}/appeal", headers={"Authorization": f"Bearer {token}"},
                              data={"reason": '面试评分有误 <img src=x onerror=alert(1)>'})
    assert filed.status == 201, filed.text()
    page.get_by_role("link", name="申诉").first.click()
    page.wait_for_url(base + "/appeals")
    appeal = page.get_by_test_id(f"appeal-{case_id}")
    assert appeal.get_by_test_id(f"appeal-reason-{case_id}").inner_text() == "面试评分有误 <img src=x onerror=alert(1)>"
    assert page.locator("img[src=x]").count() == 0
    appeal.get_by_label("给申诉人的意见").fill("经复核，评分无误，维持原决定。")
    page.screenshot(path=shots / "appeals.zh-CN.png", full_page=True)
    appeal.get_by_role("button", name="维持原决定").click()
    page.wait_for_url(base + "/appeals")
    assert page.confirmed[-1] == "现在答复该申诉？答复后不能更改，并将立即通知申诉人。"
    assert "已维持原决定" in page.locator(".flashes").inner_text()
    assert page.get_by_test_id("no-appeals").inner_text() == "目前没有待处理的申诉。"
