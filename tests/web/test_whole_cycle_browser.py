"""A whole promotion cycle played through the pages in a real browser (Debian's chromium, Playwright), in
Chinese, by the people it is for, against `gradeflow serve` with its default flags over the demo on the manual
clock (GRADEFLOW_CLOCK=manual, started on Thursday 2026-09-24):

刘洋 (liuyang) and 陈静 (chenjing) apply; their supervisor 李强 (liqiang) approves both from "my work" with his
scores; three committee members (the chair committee.qian, huangtao, committee.feng; wangfang is above both
applicants and recused) score them on the scoring sheet; HR (hr.chen) decides the cycle and, once the admin has
moved the clock to 2026-09-30, publishes it; 陈静, denied, appeals; HR upholds the decision; time passes the
appeal deadline (Saturday 2026-10-10, a make-up workday) with nobody calling the service, the server's own
scheduler finalizes, and 刘洋's new grade shows on his manager page and on his case page.

Only the clock moves outside the pages: through PUT /api/v1/clock as the admin, and past the deadline by writing
the manual clock's row, as the wall clock would move, so that the finalization is the scheduler's.
Screenshots e2e-*.zh-CN.png into GRADEFLOW_SCREENSHOTS (docs/screenshots)."""
from __future__ import annotations

import json
import re
import time
import urllib.request
from datetime import datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import ManualClockState
from tests.support.commands import sqlite_url
from tests.support.demo_server import serve_demo
from tests.support.settings import SHANGHAI

pytestmark = pytest.mark.browser

START = "2026-09-24T09:00:00+08:00"  # a Thursday; the demo's cycle is then 2026-H2
PUBLISHED_ON = "2026-09-30T09:00:00+08:00"  # the appeal deadline is Saturday 2026-10-10 (调休 make-up workday)
AFTER_DEADLINE = datetime(2026, 10, 11, 9, 0, tzinfo=SHANGHAI)
CYCLE = "2026-H2"
APPLICANTS = {"liuyang": 85, "chenjing": 40}  # the supervisor's and the members' score of each
SUPERVISOR, HR, ADMIN = "liqiang", "hr.chen", "admin"
MEMBERS = ("committee.qian", "huangtao", "committee.feng")  # wangfang, above both applicants, is recused


@pytest.fixture(scope="module")
def manual_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("whole-cycle")


@pytest.fixture(scope="module")
def demo_server(manual_folder):
    """conftest's demo server, on the manual clock started at START (zh_page signs in to this one)."""
    with serve_demo(manual_folder, GRADEFLOW_CLOCK="manual", GRADEFLOW_CLOCK_START=START) as served:
        yield served


def expect(locator):
    from playwright.sync_api import expect as playwright_expect
    return playwright_expect(locator)


def _move_clock(base: str, logins: dict, now: str) -> None:
    """The admin moves the manual clock through the API (the one step not taken through the pages)."""
    def send(path, method, body, token=None):
        request = urllib.request.Request(base + "/api/v1" + path, method=method, data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json",
                                                  **({"Authorization": f"Bearer {token}"} if token else {})})
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())
    token = send("/auth/token", "POST", {"username": ADMIN, "password": logins[ADMIN]})["access_token"]
    assert send("/clock", "PUT", {"now": now}, token)["now"] == now


def _let_time_pass(folder, instant: datetime) -> None:
    """Time passes with nobody calling the service: the manual clock's row moves, as the wall clock would."""
    engine = sa.create_engine(sqlite_url(folder))
    with Session(engine) as session:
        clock = session.get(ManualClockState, 1)
        clock.now, clock.moved = instant, True
        session.commit()
    engine.dispose()


def test_a_whole_cycle_through_the_pages_ends_in_a_changed_grade(zh_page, manual_folder, shots):
    page, base, logins, folder = zh_page, zh_page.base, zh_page.logins, manual_folder
    step = iter(range(1, 100))

    def shot(name):
        page.screenshot(path=shots / f"e2e-{next(step):02d}-{name}.zh-CN.png", full_page=True)

    def sign_in_as(username):
        page.context.clear_cookies()
        page.goto(base + "/sign-in")
        page.locator("#username").fill(username)
        page.locator("#password").fill(logins[username])
        page.locator("form[action='/sign-in'] button[type=submit]").click()
        page.wait_for_url(base + "/")

    # two managers apply
    cases = {}
    for applicant in APPLICANTS:
        sign_in_as(applicant)
        page.locator("nav.main-nav").get_by_role("link", name="申请晋级").click()
        assert "您今天可以申请中级客户经理" in page.get_by_test_id("eligible").inner_text()
        page.locator("#statement").fill("任初级客户经理以来客户规模增长显著，申请晋升中级客户经理。")
        page.get_by_role("button", name="提交申请").click()
        page.wait_for_url(re.compile(r".*/cases/\d+$"))
        cases[applicant] = int(page.url.rsplit("/", 1)[1])
        expect(page.get_by_test_id("state").locator("strong")).to_have_text("已提交")
    shot("applied")

    # their supervisor reviews both, from what waits on him
    sign_in_as(SUPERVISOR)
    assert page.get_by_test_id("my-work").locator("tbody tr").count() == 2
    shot("supervisor-my-work")
    for applicant, score in APPLICANTS.items():
        page.goto(base + "/")
        page.get_by_test_id(f"act-{cases[applicant]}").click()
        page.wait_for_url(f"**/review/{cases[applicant]}")
        page.get_by_label("材料审核通过").check()
        page.get_by_label("上级评分").fill(str(score))
        page.get_by_label("意见").fill("材料齐全")
        if applicant == "liuyang":
            shot("review")
        page.get_by_role("button", name="提交决定").click()
        page.wait_for_url(base + "/review")
    assert page.get_by_test_id("review-queue").count() == 0 or \
        page.get_by_test_id("review-queue").locator("tbody tr").count() == 0

    # three committee members score both on the scoring sheet, reached from "my work"
    for member in MEMBERS:
        sign_in_as(member)
        page.get_by_test_id(f"act-{cases['liuyang']}").click()
        page.wait_for_url(f"**/cycles/{CYCLE}/scoring*")
        for applicant, score in APPLICANTS.items():
            row = page.get_by_test_id(f"candidate-{cases[applicant]}")
            row.get_by_label("我的评分").fill(str(score))
            row.get_by_role("button", name="保存我的评分").click()
            page.wait_for_url(f"**/cycles/{CYCLE}/scoring#case-{cases[applicant]}")
        if member == MEMBERS[1]:
            shot("scoring")
    # the last score moved both cases to deliberation, where every member sees the scores
    for applicant, score in APPLICANTS.items():
        candidate = page.get_by_test_id(f"candidate-{cases[applicant]}").inner_text()
        assert "评议中" in candidate and f"committee.qian：{score}" in candidate

    # HR decides the cycle (its four cases) from the cycle page
    sign_in_as(HR)
    page.locator("nav.main-nav").get_by_role("link", name="评审批次").click()
    page.get_by_test_id("cycles").locator("tbody tr", has_text=CYCLE).locator("a").first.click()
    page.wait_for_url(f"**/cycles/{CYCLE}")
    page.get_by_test_id("decide-form").get_by_role("button").click()
    page.wait_for_url("**#result")
    ranked = page.get_by_test_id("ranked")
    assert "刘洋" in ranked.locator("tbody tr", has_text="刘洋").inner_text()
    assert "未通过" in ranked.locator("tbody tr", has_text="陈静").inner_text()
    assert "通过" in ranked.locator("tbody tr", has_text="刘洋").inner_text()
    shot("decided")

    # on 2026-09-30 HR publishes it, with the appeal deadline counted on the Chinese calendar
    _move_clock(base, logins, PUBLISHED_ON)
    page.reload()
    page.get_by_test_id("publish-form").get_by_role("button").click()
    page.wait_for_url("**#publication")
    assert "2026" in page.get_by_test_id("appeal-deadline").inner_text()
    assert "10" in page.get_by_test_id("appeal-deadline").inner_text()
    shot("published")

    # 陈静, denied, appeals from her case page
    sign_in_as("chenjing")
    page.goto(f"{base}/cases/{cases['chenjing']}")
    assert page.get_by_test_id("final-score").count() == 1
    page.get_by_test_id("appeal-link").click()
    page.wait_for_url("**/appeal")
    assert "工作日" in page.get_by_test_id("time-left").inner_text()
    page.locator("#reason").fill("面试评分偏低，申请复核。")
    shot("appeal")
    page.get_by_role("button", name="提交申诉").click()
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    expect(page.get_by_test_id("state").locator("strong")).to_have_text("申诉中")

    # HR upholds the decision, from "my work" to the appeals page
    sign_in_as(HR)
    page.get_by_test_id(f"act-{cases['chenjing']}").click()
    page.wait_for_url(base + "/appeals")
    appeal = page.get_by_test_id(f"appeal-{cases['chenjing']}")
    appeal.get_by_label("给申诉人的意见").fill("经复核，评分无误，维持原决定。")
    shot("appeals")
    appeal.get_by_role("button", name="维持原决定").click()
    page.wait_for_url(base + "/appeals")
    assert "已维持原决定" in page.locator(".flashes").inner_text()

    # time passes the deadline with nobody calling the service: the server's scheduler finalizes both cases
    _let_time_pass(folder, AFTER_DEADLINE)
    deadline = time.monotonic() + 90
    while True:
        page.goto(f"{base}/cases/{cases['liuyang']}")
        if page.get_by_test_id("state").locator("strong").inner_text() == "已生效":
            break
        assert time.monotonic() < deadline, "the server's scheduler did not finalize the case within 90 s"
        page.wait_for_timeout(2000)
    shot("case-effective")
    page.goto(f"{base}/cases/{cases['chenjing']}")
    expect(page.get_by_test_id("state").locator("strong")).to_have_text("已结束")

    # 刘洋's new grade, from the day after the deadline, on his manager page
    page.goto(base + "/managers/M1004")
    expect(page.get_by_test_id("grade")).to_have_text("中级客户经理")
    history = page.get_by_test_id("grade-history").inner_text()
    assert "初级客户经理" in history and "中级客户经理" in history and "2026" in history
    shot("manager-grade")
    page.goto(base + "/managers/M1005")
    expect(page.get_by_test_id("grade")).to_have_text("初级客户经理")
