"""A year of the company of 客户经理等级评审与业绩管理办法 under its rule pack (issue 14, point 4;
workflow/policies/grade-review-three-levels.yaml, docs/rule-packs/grade-review-three-levels.md; seed 000).

A junior applies in the 2026-H2 cycle: the supervisor's review of the materials, the committee's interview, the final
decision on the interview and the year's results, publication, three working days for an appeal. A trainee's
probation fails (the exit). The year's appraisal (closed on 2027-01-15) raises an 优秀 mid and lowers a 不合格 one,
who appeals to hr within the three working days; hr upholds, and both moves take effect."""
from __future__ import annotations

from datetime import date

from tests.support.answers import ok
from tests.support.driver import Driver
from tests.support.reads import case_of, grade_history, manager
from tests.support.steps import appeal, event, move_clock
from tests.support.world import ADMIN, HR

UNIT = "总部营销部"
CYCLE = "2026H2"
COMMITTEE = ("c1", "c2", "c3")
STAFF = [("G001", "mid", date(2024, 1, 1), "88"), ("G002", "mid", date(2024, 1, 1), "70"),
         ("G003", "junior", date(2024, 6, 1), "85"), ("G004", "junior", date(2024, 6, 1), "60")]


def company(build) -> Driver:
    gf = Driver(build(GRADEFLOW_POLICY="grade-review-three-levels"))
    gf.user(HR, "hr")
    gf.user(ADMIN, "admin")
    for member in COMMITTEE:
        gf.user(member, "committee")
    gf.manager("H000", "senior", org_unit=UNIT, grade_since=date(2018, 1, 1), login=True,
               roles=("employee", "supervisor"))
    for no, grade, since, score in STAFF:
        gf.manager(no, grade, supervisor="H000", org_unit=UNIT, grade_since=since, login=True)
        gf.performance(no, "2025", score)
    gf.manager("G005", "probation", supervisor="H000", org_unit=UNIT, grade_since=date(2026, 7, 1))
    return gf


def test_a_year_of_applications_interviews_and_the_annual_appraisal(build):
    gf = company(build)
    ok(gf.post("/cycles", as_=HR, json={"code": CYCLE, "name": "2026年下半年客户经理等级评审"}), 201)
    ok(gf.put(f"/cycles/{CYCLE}/committee", as_=HR, json={"chair": "c1", "members": list(COMMITTEE)}))
    application = ok(gf.post("/cases", as_="g003", json={"cycle": CYCLE, "target_grade": "mid",
                                                          "statement": "申请评审为中级客户经理"}), 201)["id"]
    ok(event(gf, application, "approve_materials", "h000", supervisor_score=80))  # 初步评估合格
    for member, score in zip(COMMITTEE, (88, 86, 90)):
        ok(gf.put(f"/cases/{application}/score", as_=member, json={"score": score}))
    move_clock(gf, "2026-09-15T10:00:00+08:00")
    ok(gf.post(f"/cycles/{CYCLE}/decide", as_="c1"))
    assert ok(gf.post(f"/cycles/{CYCLE}/publish", as_=HR))["appeal_deadline"] == "2026-09-18T23:59:59+08:00"
    assert case_of(gf, application)["final_score"] == 86.5  # the interview 88 and the year's 85, half each

    move_clock(gf, "2026-10-08T09:00:00+08:00")  # the trainee's three months ended on 2026-10-01
    [trial] = [c["id"] for c in ok(gf.get("/cases", as_=HR)) if c["kind"] == "probation_confirmation"]
    ok(event(gf, trial, "fail_probation", "h000", supervisor_score=45, comment="见习期不合格"))
    ok(event(gf, trial, "publish", HR))

    move_clock(gf, "2027-01-05T09:00:00+08:00")
    for no, score in (("H000", "95"), ("G001", "92"), ("G002", "55"), ("G003", "80"), ("G004", "58")):
        gf.performance(no, "2026", score)
    move_clock(gf, "2027-01-15T09:00:00+08:00")  # the year's appraisal closed at 02:00
    close = ok(gf.post("/evaluations/2026/close", as_=HR))
    [raised] = close["advancement_cases"]
    [lowered] = close["demotion_cases"]
    assert (case_of(gf, raised)["employee_no"], case_of(gf, lowered)["employee_no"]) == ("G001", "G002")
    assert close["not_demotable"] == ["G004"]  # a junior is the floor
    for case_id in (raised, lowered):
        ok(event(gf, case_id, "approve", HR))
        ok(event(gf, case_id, "publish", HR))
    move_clock(gf, "2027-01-18T09:00:00+08:00")
    ok(appeal(gf, lowered, "g002", reason="考核期内负责新客户拓展, 业绩统计有误"), 201)
    move_clock(gf, "2027-01-19T09:00:00+08:00")
    ok(event(gf, lowered, "uphold", HR, comment="复核后维持原结果"))
    move_clock(gf, "2027-01-21T00:00:00+08:00")  # Jan 18, 19, 20: the three working days after the 15th

    assert {no: manager(gf, no)["grade"] for no in ("G001", "G002", "G003", "G004", "G005")} == {
        "G001": "senior", "G002": "junior", "G003": "mid", "G004": "junior", "G005": "exited"}
    assert [(h["from_grade"], h["to_grade"], h["effective_on"]) for no in ("G003", "G005", "G001", "G002")
            for h in grade_history(gf, no)] == [
        ("junior", "mid", "2026-09-19"), ("probation", "exited", "2026-10-13"), ("mid", "senior", "2027-01-21"),
        ("mid", "junior", "2027-01-21")]
