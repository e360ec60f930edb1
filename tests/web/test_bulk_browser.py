"""Bulk work in a real browser (Debian's chromium, Playwright) against `gradeflow serve` over the demo: hr ticks
decided cases on "my work" (the choice of events narrows to those every ticked case offers), publishes them and
reads a line per case, one of them refused because it changed meanwhile; a committee member enters the whole
scoring sheet, an out-of-range score told next to its row's field in Chinese while the other row is saved. The
cases are set up through the JSON API."""
from __future__ import annotations

import pytest

from tests.support.browser import Api, sign_in

pytestmark = pytest.mark.browser

HR, SUPERVISOR, MEMBER = "hr.chen", "liqiang", "committee.feng"


@pytest.fixture(scope="module")
def world(demo_server):
    """Two exits decided by hr (zhaomin's, zhangwei's) and a demotion in deliberation (zhouli's); liuyang's and
    chenjing's applications in the demo cycle's interview."""
    base, logins = demo_server
    api = Api(base, logins)
    decided = []
    for no in ("M1007", "M1003"):
        case_id = api("POST", "/cases", HR, {"kind": "exit", "employee_no": no, "statement": "转岗"})["id"]
        api("POST", f"/cases/{case_id}/events", HR, {"event": "approve", "comment": "同意转岗"})
        decided.append(case_id)
    pending = api("POST", "/cases", HR, {"kind": "demotion", "employee_no": "M2002", "statement": "降级"})["id"]
    cycle = api("GET", "/cycles", HR)[0]["code"]
    interview = []
    for who in ("liuyang", "chenjing"):
        case_id = api("POST", "/cases", who, {"cycle": cycle, "target_grade": "mid", "statement": "申请晋升中级"})["id"]
        api("POST", f"/cases/{case_id}/events", SUPERVISOR, {"event": "approve_materials", "supervisor_score": 85})
        interview.append(case_id)
    return api, logins, decided, pending, cycle, interview


def test_hr_publishes_the_ticked_cases_and_reads_a_line_per_case(zh_page, world, shots):
    page = zh_page
    api, logins, (first, second), pending, _cycle, _interview = world
    sign_in(page, HR, logins[HR])
    select = page.get_by_label("对所选案件办理的操作")
    assert select.locator("option[value=approve]").count() == 1  # the demotion in deliberation offers approve
    page.get_by_test_id(f"tick-{first}").check()
    page.get_by_test_id(f"tick-{second}").check()
    assert select.locator("option[value=approve]").is_disabled()  # not offered by the decided cases
    select.select_option("publish")
    page.get_by_label("意见（选填，记入每件案件）").fill("转岗结果公示")
    page.screenshot(path=shots / "bulk-my-work.zh-CN.png", full_page=True)

    api("POST", f"/cases/{second}/events", HR, {"event": "publish"})  # someone else publishes one meanwhile
    page.get_by_test_id("apply-selected").click()
    page.wait_for_url(page.base + "/work/bulk")
    results = page.get_by_test_id("bulk-results")
    assert results.locator(f"[data-testid=result-{first}]").get_attribute("data-result") == "done"
    assert "公示中" in results.locator(f"[data-testid=result-{first}]").inner_text()
    refused = results.locator(f"[data-testid=result-{second}]")
    assert refused.get_attribute("data-result") == "version_conflict" and "案件在此期间已有变动" in refused.inner_text()
    assert page.get_by_test_id("bulk-summary").inner_text().startswith("已办理 1 件，被拒绝 1 件。")
    page.screenshot(path=shots / "bulk-results.zh-CN.png", full_page=True)
    assert api("GET", f"/cases/{first}", HR)["state"] == "published"
    assert api("GET", f"/cases/{pending}", HR)["state"] == "deliberation"
    comments = [h["comment"] for h in api("GET", f"/cases/{first}/history", HR) if h["event"] == "publish"]
    assert comments == ["转岗结果公示"]


def test_a_member_enters_the_whole_scoring_sheet(zh_page, world, shots):
    page = zh_page
    api, logins, _decided, _pending, cycle, (first, second) = world
    sign_in(page, MEMBER, logins[MEMBER])
    page.goto(page.base + f"/cycles/{cycle}/scoring")
    page.get_by_test_id("whole-sheet-link").click()
    page.wait_for_url(f"**/cycles/{cycle}/scoring/sheet")
    page.get_by_test_id(f"score-{first}").fill("150")
    page.get_by_label(f"对案件 №{first} 的意见").fill("表达清楚")
    page.get_by_test_id(f"score-{second}").fill("82.5")
    page.get_by_test_id("save-sheet").click()
    assert page.get_by_test_id(f"score-{first}-error").inner_text() == "请输入 0 至 100 之间的分数。"
    assert page.get_by_test_id(f"score-{first}").input_value() == "150"
    assert "已保存 1 个评分。" in page.locator("main").inner_text()
    page.screenshot(path=shots / "whole-sheet-error.zh-CN.png", full_page=True)
    assert api("GET", f"/cases/{second}", MEMBER)["interview"]["my_score"] == 82.5

    page.get_by_test_id(f"score-{first}").fill("90")
    page.get_by_test_id("save-sheet").click()
    page.wait_for_url(f"**/cycles/{cycle}/scoring/sheet")
    assert "已保存 1 个评分。" in page.locator("main").inner_text()
    assert page.get_by_test_id(f"score-{first}").input_value() == "90"
    page.screenshot(path=shots / "whole-sheet.zh-CN.png", full_page=True)
    assert api("GET", f"/cases/{first}", MEMBER)["interview"]["my_score"] == 90
