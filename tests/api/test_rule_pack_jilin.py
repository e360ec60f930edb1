"""A year of China Mobile Jilin's city branch under its rule pack (issue 14, point 4; workflow/policies/cmcc-jilin.yaml,
docs/rule-packs/cmcc-jilin.md; seed 002, 中国移动通信集团吉林有限公司 客户经理分级管理暂行办法).

Levels are graded once a year on the year before (根据上一年度客户经理绩效水平进行评定): a junior with a year on
the job, 大专 or above and a monthly average of 80 or more becomes a mid; a mid with three years, 大专 and 85 a
senior; within the city's shares (mid 50 %, senior 15 %). An intern is confirmed after three months. A violation on
the year's record opens a demotion case; misconduct, an exit case. Each case is hr's to decide and publish, and
takes effect after three working days (2027: Monday to Friday, its calendar not published yet)."""
from __future__ import annotations

from datetime import date

from tests.support.answers import assert_problem, ok
from tests.support.driver import Driver
from tests.support.reads import case_of, grade_history, manager
from tests.support.steps import event, move_clock
from tests.support.world import ADMIN, HR

CITY = "吉林市分公司"
# employee_no, grade, hired (= in grade since), education, the 2026 monthly average, violation
STAFF = [("S001", "senior", date(2018, 1, 1), "本科", "90", False),
         ("M001", "mid", date(2021, 1, 1), "大专", "88", False),
         ("M002", "mid", date(2021, 1, 1), "本科", "86", False),
         ("M003", "mid", date(2022, 1, 1), "大专", "72", True),
         ("J001", "junior", date(2024, 3, 1), "大专", "82", False),
         ("J002", "junior", date(2026, 3, 1), "本科", "85", False),  # under a year on the job
         ("J003", "junior", date(2023, 3, 1), "中专", "90", False),  # 中专: below 大专
         ("J004", "junior", date(2023, 3, 1), "大专", "79", False)]


def city(build) -> Driver:
    gf = Driver(build(GRADEFLOW_POLICY="cmcc-jilin"))
    gf.user(HR, "hr")
    gf.user(ADMIN, "admin")
    gf.manager("B000", "senior", org_unit="吉林省公司", grade_since=date(2015, 1, 1), login=True,
               roles=("employee", "supervisor"))
    for no, grade, hired, education, _, _ in STAFF:
        gf.manager(no, grade, supervisor="B000", org_unit=CITY, grade_since=hired)
        ok(gf.patch(f"/managers/{no}", as_=HR, json={"education": education}))
    for k in range(6):  # the city's other juniors, who count in its shares
        gf.manager(f"F00{k}", "junior", supervisor="B000", org_unit=CITY, grade_since=date(2025, 1, 1))
    gf.manager("I001", "probation", supervisor="B000", org_unit=CITY, grade_since=date(2026, 8, 17))
    return gf


def test_a_year_of_the_jilin_branch_grades_each_level_on_the_year_before_within_the_citys_shares(build):
    gf = city(build)

    # the intern's three months end on 2026-11-17: confirmed by the supervisor, effective after the window
    move_clock(gf, "2026-11-17T09:00:00+08:00")
    [confirmation] = [c["id"] for c in ok(gf.get("/cases", as_=HR)) if c["kind"] == "probation_confirmation"]
    ok(event(gf, confirmation, "pass_probation", "b000", supervisor_score=84))
    assert ok(event(gf, confirmation, "publish", HR))["appeal_deadline"] == "2026-11-20T23:59:59+08:00"
    move_clock(gf, "2026-12-11T09:00:00+08:00")
    assert grade_history(gf, "I001")[0]["effective_on"] == "2026-11-21"
    ok(gf.post("/managers/J004/events", as_=HR, json={"kind": "misconduct", "occurred_on": "2026-12-10",
                                                      "note": "营销服务中故意造假谋取私利"}), 201)

    # January: the 2026 scores (the monthly averages), then the year's close on 2027-01-10 at 02:00
    move_clock(gf, "2027-01-04T09:00:00+08:00")
    for no, _, _, _, average, violation in STAFF:
        gf.performance(no, "2026", average, violation=violation)
    move_clock(gf, "2027-01-11T09:00:00+08:00")
    close = ok(gf.post("/evaluations/2026/close", as_=HR))
    assert close["closed_by"] == "(gradeflow)"
    advancing = {case_of(gf, c)["employee_no"]: c for c in close["advancement_cases"]}
    assert {no: case_of(gf, c)["target_grade"] for no, c in advancing.items()} == {
        "M001": "senior", "M002": "senior", "J001": "mid"}
    [demotion] = close["demotion_cases"]
    [dismissal] = close["exit_cases"]
    assert (case_of(gf, demotion)["employee_no"], case_of(gf, dismissal)["employee_no"]) == ("M003", "J004")

    # hr decides: 15 % of the city's 15 managers is 2 seniors, S001 is one: one slot, M001's; M002's approval is
    # refused by the share and hr denies it
    for no in ("M001", "J001"):
        ok(event(gf, advancing[no], "approve", HR))
    assert_problem(event(gf, advancing["M002"], "approve", HR), 409, "quota_exceeded")
    ok(event(gf, advancing["M002"], "deny", HR, comment="高级客户经理名额已满"))
    for case_id in (demotion, dismissal):
        ok(event(gf, case_id, "approve", HR))
    for case_id in (*advancing.values(), demotion, dismissal):
        ok(event(gf, case_id, "publish", HR))
    move_clock(gf, "2027-01-15T00:00:00+08:00")  # Jan 12, 13, 14: the three working days

    assert {no: manager(gf, no)["grade"] for no in ("M001", "M002", "M003", "J001", "J002", "J003", "J004")} == {
        "M001": "senior", "M002": "mid", "M003": "junior", "J001": "mid", "J002": "junior", "J003": "junior",
        "J004": "exited"}
    assert grade_history(gf, "M001") == [{"from_grade": "mid", "to_grade": "senior", "effective_on": "2027-01-15",
                                          "case_id": advancing["M001"]}]
    [reason] = gf.history(advancing["J001"], HR)[0]["data"]["quarter_close"]
    assert reason["code"] == "to_mid" and reason["periods"] == [{"period": "2026", "score": "82.00"}]
