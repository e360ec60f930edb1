"""The close page under a policy with grading rules (issue 14; workflow/grading_rules.py): the page lists the rules with
their moves, foresees each manager's move with its rule, target and evidence (the periods with their scores, metrics
and ranks; the events counted), in Chinese and in English; after the close it lists the cases opened (advancement,
exit, moved at the close, demotion) as links and the managers suspended, whose page then says 待岗.

The manual clock starts on 2026-09-01: 2026Q2 is over and may be closed."""
from __future__ import annotations

import re

import pytest

from tests.support.answers import ok
from tests.support.driver import Driver
from tests.support.policies import policy_file, with_grading_rules
from tests.support.world import HR, organisation
from tests.web.visitor import Visitor, text, text_of

PREVIEW = "/quarter-close?period=2026Q2"


def quarter(gf, no: str, grade: str, score: int, metrics: dict | None = None, period: str = "2026Q2") -> None:
    ok(gf.put(f"/managers/{no}/performance/{period}", as_=HR,
              json={"score": score, "months_worked": 3} | ({"metrics": metrics} if metrics else {})))


@pytest.fixture
def world(build, tmp_path):
    app = build(GRADEFLOW_POLICY=policy_file(tmp_path, with_grading_rules))
    gf = Driver(app)
    organisation(gf)
    for no, grade in (("J001", "junior"), ("M001", "mid"), ("M002", "mid"), ("M003", "mid"), ("S001", "senior"),
                      ("S002", "senior")):
        gf.manager(no, grade, supervisor="S900")
    quarter(gf, "J001", "junior", 96, {"new_customers": 62}, period="2026Q1")
    quarter(gf, "J001", "junior", 97, {"new_customers": 70})
    quarter(gf, "M001", "mid", 85)
    for day in ("2026-04-03", "2026-05-03", "2026-06-03"):
        ok(gf.post("/managers/M001/events", as_=HR, json={"kind": "complaint", "occurred_on": day}), 201)
    quarter(gf, "M002", "mid", 45)
    quarter(gf, "M003", "mid", 55)
    quarter(gf, "S001", "senior", 70)
    quarter(gf, "S002", "senior", 90)
    return app, gf


def signed_in(app, language: str | None = None) -> Visitor:
    visitor = Visitor(app, language)
    assert visitor.sign_in(HR).status_code == 302
    return visitor


def row(body: str, no: str) -> str:
    start = body.index(f'data-manager="{no}"')
    return body[start:body.index("</tr>", start)]


def test_the_page_lists_the_rules_and_foresees_each_move_with_its_rule_and_evidence(world):
    app, _gf = world
    page = signed_in(app).get(PREVIEW)
    body, words = page.get_data(as_text=True), text(page)
    assert page.status_code == 200
    assert "本制度的升降规则还根据一个或连续多个季度的得分、指标、排名以及履职事件调整等级" in words
    assert "连续两季优秀晋级 ：升 1 级 （经案件生效）" in words and "低于60分自动降级 ：降 1 级 （评价时直接生效）" in words
    assert "考核不合格待岗 ：待岗 （评价时直接生效）" in words

    outcomes = {no: f'data-manager="{no}" data-outcome="{outcome}"' for no, outcome in (
        ("J001", "advancement"), ("M001", "exit"), ("M002", "suspended"), ("M003", "moved"), ("S001", "demotion"),
        ("S002", "kept"))}
    assert all(shown in body for shown in outcomes.values()), body
    assert "启动晋级案件 → 中级客户经理 （升 1 级）" in text_of(row(body, "J001"))
    assert "2026年第1季度：96 分 （新客到店数 62） 2026年第2季度：97 分 （新客到店数 70）" in text_of(row(body, "J001"))
    assert "启动退出案件 → 劝退/转岗" in text_of(row(body, "M001"))  # the ladder's exited grade
    assert ("累计投诉三次解聘 ：退出等级序列 （经案件生效） 2026年4月1日 周三 至 2026年6月30日 周二：客户投诉 3 次"
            in text_of(row(body, "M001")))
    assert "待岗 考核不合格待岗 ：待岗 （评价时直接生效）" in text_of(row(body, "M002"))
    assert "评价时直接调整等级 → 初级客户经理 （降 1 级）" in text_of(row(body, "M003"))
    assert "2026年第2季度：70 分 （2 人中第 2 名，倒数第 1 名）" in text_of(row(body, "S001"))


def test_the_foreseen_moves_read_in_english(world):
    app, _gf = world
    body = signed_in(app, "en").get(PREVIEW).get_data(as_text=True)
    assert "Advancement case opened → Mid-level customer manager (up 1 grade)" in text_of(row(body, "J001"))
    assert "Q1 2026: 96 (New customers 62)" in text_of(row(body, "J001"))
    assert "Complaint 3 times" in text_of(row(body, "M001"))
    assert "Suspended (待岗)" in text_of(row(body, "M002"))
    assert "ranked 2 of 2, 1 from the bottom" in text_of(row(body, "S001"))


def test_after_the_close_the_page_lists_the_cases_opened_and_the_managers_suspended(world):
    app, gf = world
    hr = signed_in(app)
    closed = hr.submit("/quarter-close", {"period": "2026Q2"}, from_page=PREVIEW)
    assert closed.status_code == 302
    done = hr.get(PREVIEW)
    body, words = done.get_data(as_text=True), text(done)
    assert "2026年第2季度评价完成：评价 6 名客户经理，启动 3 个案件，评价时直接调整 1 人的等级。" in words
    recorded = ok(gf.post("/evaluations/2026Q2/close", as_=HR))  # the recorded close, read by a repeat
    for testid, key in (("advancement-cases", "advancement_cases"), ("exit-cases", "exit_cases"),
                        ("moved-cases", "moved_cases"), ("demotion-cases", "demotion_cases")):
        [case_id] = recorded[key]
        listed = body[body.index(f'data-testid="{testid}"'):]
        assert listed[:listed.index("</dd>")].count(f'href="/cases/{case_id}"') == 1, testid
    suspended = body[body.index('data-testid="suspended"'):]
    assert 'href="/managers/M002"' in suspended[:suspended.index("</dd>")]
    assert "启动晋级案件 №" in words and "待岗 M002 恢复在岗 —" in words
    assert 'data-testid="foreseen"' not in body

    page = text(hr.get("/managers/M002"))
    assert "在岗状态 待岗" in page and "待岗 2026Q2: 考核不合格待岗" in page
    assert "· 系统" in page and "(gradeflow)" not in page  # entered by the service, said in the reader's language


def test_a_case_moved_at_the_close_tells_in_chinese_why_and_how_it_was_decided(world):
    """The service's own statement and comment (api/web/service_words.py), which the API gives in English."""
    app, gf = world
    hr = signed_in(app)
    assert hr.submit("/quarter-close", {"period": "2026Q2"}, from_page=PREVIEW).status_code == 302
    [moved] = ok(gf.post("/evaluations/2026Q2/close", as_=HR))["moved_cases"]
    words = text(hr.get(f"/cases/{moved}"))
    assert "系统在2026年第2季度期末评定时开启本案：" in words
    assert "期末评定时决定：该评级规则直接生效，无需审核。" in words
    assert "quarter close" not in words and "direct:" not in words


def test_without_grading_rules_the_page_says_nothing_of_them(gf, visit):
    organisation(gf)
    gf.manager("M001", "mid", supervisor="S900")
    gf.performance("M001", "2026Q2", "85", months_worked=3)
    hr = visit()
    assert hr.sign_in(HR).status_code == 302
    assert hr.submit("/quarter-close", {"period": "2026Q2"}, from_page=PREVIEW).status_code == 302
    body = hr.get(PREVIEW).get_data(as_text=True)
    assert 'data-testid="grading-rules"' not in body and 'data-testid="advancement-cases"' not in body
    assert 'data-testid="demotion-cases"' in body


@pytest.mark.parametrize("violation_demotes, thresholds, told", [
    (True, {"mid": 80, "senior": 85}, "；有违规，或连续季度得分低于所在等级标准者，启动降级案件。"),
    (True, {}, "；有违规者，启动降级案件。"),  # China Mobile Jilin's yearly close: a violation only
    (False, {"mid": 80}, "；连续季度得分低于所在等级标准者，启动降级案件。"),
])
def test_the_close_page_names_only_the_demotions_its_policy_has(build, tmp_path, violation_demotes, thresholds, told):
    def change(document):
        document["quarter_close"].update(violation_demotes=violation_demotes, demotion_thresholds=thresholds)
    app = build(GRADEFLOW_POLICY=policy_file(tmp_path, change))
    Driver(app).user(HR, "hr")
    body = signed_in(app).get(PREVIEW).get_data(as_text=True)
    shown = text_of(re.search(r'data-testid="demotes-on">(.*?)</p>', body, flags=re.S)[1])
    assert shown.startswith("对本季度有考核记录的每位客户经理：在岗月数不足者本期不参与升降") and shown.endswith(told)


def test_a_close_with_no_thresholds_does_not_speak_of_threshold_demotions(build):
    """The salon's month close demotes by its rules only (no thresholds, no veto): the page says what its close does."""
    app = build(GRADEFLOW_POLICY="salon-cba")
    gf = Driver(app)
    gf.user(HR, "hr")
    words = text(signed_in(app).get("/quarter-close?period=2026M08"))
    assert "对本月有考核记录的每位客户经理：在岗月数不足者本期不参与升降。" in words
    assert "启动降级案件" not in words and "达到B级标准, 自动升级" in words
