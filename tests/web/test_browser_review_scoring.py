"""The supervisor's review, the committee's scoring sheet and the workflow diagram in a real browser (Debian's
chromium, Playwright) against `gradeflow serve` over the demo: a supervisor approves an application with a
score after an out-of-range score is told next to its field in Chinese; a member scores, another declares a
conflict, the chair closes the interview; the diagram is drawn by mermaid with the asked state highlighted.
The applications, a fifth committee member and the other members' scores are set up through the JSON API."""
from __future__ import annotations

import pytest

from tests.support.browser import Api, sign_in

pytestmark = pytest.mark.browser

SUPERVISOR = "liqiang"  # M1002, the direct supervisor of liuyang (M1004) and chenjing (M1005)
CHAIR, MEMBER, OTHER = "committee.qian", "committee.feng", "huangtao"
EXTRA = "committee.sun"  # a fifth member, so that the chair may close an interview before everyone has scored


@pytest.fixture(scope="module")
def world(demo_server):
    """Two applications (liuyang's, chenjing's) submitted to the demo's cycle; committee.sun on its committee."""
    base, logins = demo_server
    api = Api(base, logins)
    cycle = api("GET", "/cycles", "hr.chen")[0]["code"]
    logins[EXTRA] = "a long password for sun"
    api("POST", "/users", "admin", {"username": EXTRA, "password": logins[EXTRA], "roles": ["committee"]})
    api("PUT", f"/cycles/{cycle}/committee", "hr.chen",
        {"chair": CHAIR, "members": ["wangfang", OTHER, MEMBER, EXTRA]})
    cases = {who: api("POST", "/cases", who, {"cycle": cycle, "target_grade": "mid", "statement": "申请晋升中级"})["id"]
             for who in ("liuyang", "chenjing")}
    return api, cycle, cases, logins


@pytest.fixture
def page(zh_page):
    return zh_page


def test_the_supervisor_approves_an_application_with_a_score(page, world, shots):
    api, cycle, cases, logins = world
    sign_in(page, SUPERVISOR, logins[SUPERVISOR])
    page.locator("nav.main-nav").get_by_role("link", name="材料审核").click()
    queue = page.get_by_test_id("review-queue")
    assert queue.locator("tbody tr").count() == 2
    assert "初级客户经理 → 中级客户经理" in queue.inner_text() and "刘洋" in queue.inner_text()
    page.screenshot(path=shots / "review-queue.zh-CN.png", full_page=True)

    queue.locator(f"tr[data-case='{cases['liuyang']}']").locator("a", has_text="审核").click()
    page.get_by_label("材料审核通过").check()
    page.get_by_label("上级评分").fill("150")
    page.get_by_label("意见").fill("材料齐全")
    page.get_by_role("button", name="提交决定").click()
    assert page.get_by_test_id("supervisor_score-error").inner_text() == "请输入 0 至 100 之间的分数。"
    assert page.get_by_label("上级评分").input_value() == "150" and page.get_by_label("意见").input_value() == "材料齐全"
    page.screenshot(path=shots / "review-case-bad-score.zh-CN.png", full_page=True)

    page.get_by_label("上级评分").fill("88")
    page.get_by_role("button", name="提交决定").click()
    page.wait_for_url(page.base + "/review")
    assert f"案件 №{cases['liuyang']}：材料审核通过，已完成。" in page.locator("main").inner_text()
    assert page.get_by_test_id("review-queue").locator("tbody tr").count() == 1
    assert api("GET", f"/cases/{cases['liuyang']}", SUPERVISOR)["state"] == "interview"


def test_members_score_and_declare_a_conflict_and_the_chair_closes_the_interview(page, world, shots):
    api, cycle, cases, logins = world
    first, second = cases["liuyang"], cases["chenjing"]
    if api("GET", f"/cases/{first}", SUPERVISOR)["state"] == "submitted":
        api("POST", f"/cases/{first}/events", SUPERVISOR, {"event": "approve_materials", "supervisor_score": 88})
    api("POST", f"/cases/{second}/events", SUPERVISOR, {"event": "approve_materials", "supervisor_score": 80})

    sign_in(page, MEMBER, logins[MEMBER])
    page.goto(page.base + f"/cycles/{cycle}/scoring")
    row = page.get_by_test_id(f"candidate-{first}")
    row.get_by_label("我的评分").fill("90")
    row.get_by_role("button", name="保存我的评分").click()
    page.wait_for_url(f"**/cycles/{cycle}/scoring#case-{first}")
    assert page.get_by_test_id(f"my-score-{first}").inner_text() == "您当前的评分：90"
    assert "已评分：committee.feng" in page.get_by_test_id(f"progress-{first}").inner_text()
    page.screenshot(path=shots / "scoring-sheet.zh-CN.png", full_page=True)

    page.context.clear_cookies()
    sign_in(page, OTHER, logins[OTHER])
    page.goto(page.base + f"/cycles/{cycle}/scoring")
    row = page.get_by_test_id(f"candidate-{second}")
    row.get_by_label("申请回避的理由").fill("<b>与申请人是亲属</b>")
    row.get_by_role("button", name="申请回避（利益冲突）").click()
    page.wait_for_url(f"**/cycles/{cycle}/scoring#case-{second}")
    assert page.get_by_test_id(f"recused-{second}").is_visible()
    assert "回避：huangtao" in page.get_by_test_id(f"progress-{second}").inner_text()

    for member in (OTHER, EXTRA):
        api("PUT", f"/cases/{first}/score", member, {"score": 85})
    page.context.clear_cookies()
    sign_in(page, CHAIR, logins[CHAIR])
    page.goto(page.base + f"/cycles/{cycle}/scoring")
    assert "committee.sun：85" not in page.locator("main").inner_text()  # hidden until deliberation
    page.screenshot(path=shots / "scoring-sheet-chair.zh-CN.png", full_page=True)
    page.get_by_test_id(f"close-{first}").click()
    page.wait_for_url(f"**/cycles/{cycle}/scoring#case-{first}")
    assert f"案件 №{first}：面试评分已结束。" in page.locator("main").inner_text()
    assert api("GET", f"/cases/{first}", CHAIR)["state"] == "deliberation"
    assert "committee.sun：85" in page.get_by_test_id(f"candidate-{first}").inner_text()


def test_the_workflow_diagram_is_drawn_with_the_state_highlighted(page, world, shots):
    _api, _cycle, _cases, logins = world
    sign_in(page, MEMBER, logins[MEMBER])
    page.goto(page.base + "/workflow?state=interview")
    page.locator("body[data-diagram=drawn]").wait_for(timeout=30000)
    svg = page.locator("pre.mermaid svg")
    assert svg.count() == 1
    assert "面试评分" in svg.text_content() and "材料审核通过" in svg.text_content()
    highlighted = svg.locator("g.current")
    assert highlighted.count() == 1 and "面试评分" in highlighted.text_content()
    assert page.get_by_test_id("transitions").locator("tbody tr").count() == 22
    page.screenshot(path=shots / "workflow.zh-CN.png", full_page=True)
