"""A year of the kitchen-cabinet company under its rule pack (issue 14, point 4;
workflow/policies/kitchen-three-levels.yaml, docs/rule-packs/kitchen-three-levels.md; seed 003, 客户经理考核办法管理制度).

The 上海展厅 showroom: its manager SM01 (三级), level 1 customer managers L101 and L102, a level 2 L201, and a trainee.
In the 2026-H2 cycle L101 and L102 apply for level 2: the showroom manager reviews the materials, the review
group (评审小组, chaired by the general manager) reviews them, hr gives the grade exam (L102 fails it: 若未通过可参加
下次客户经理等级考试), the group's second review, three months of observation (考察期), the third review, then the
decision, publication and the appeal window of three working days. The trainee's probation fails (the exit). The
half-year is closed on the 10th day after it: L201's half-year below 60 takes it down a level (庸者下)."""
from __future__ import annotations

from datetime import date

from tests.support.answers import ok
from tests.support.driver import Driver
from tests.support.reads import case_of, grade_history, manager
from tests.support.steps import event, move_clock
from tests.support.world import ADMIN, HR

SHOWROOM = "上海展厅"
CYCLE = "2026H2"


def company(build) -> Driver:
    gf = Driver(build(GRADEFLOW_POLICY="kitchen-three-levels"))
    gf.user(HR, "hr")
    gf.user(ADMIN, "admin")
    gf.user("gm", "committee")  # 评审小组组长: the general manager
    gf.user("finance", "committee")
    gf.manager("SM01", "level3", org_unit=SHOWROOM, grade_since=date(2022, 1, 1), login=True,
               roles=("employee", "supervisor"))
    for no, grade, education, score in (("L101", "level1", "大专", "88"), ("L102", "level1", "本科", "84"),
                                        ("L201", "level2", "大专", "80")):
        gf.manager(no, grade, supervisor="SM01", org_unit=SHOWROOM, grade_since=date(2025, 9, 1), login=True)
        ok(gf.patch(f"/managers/{no}", as_=HR, json={"education": education}))
        gf.performance(no, "2025", score)
    gf.manager("T001", "trainee", supervisor="SM01", org_unit=SHOWROOM, grade_since=date(2026, 7, 1))
    return gf


def test_a_year_of_the_kitchen_company_grants_a_level_through_three_reviews_and_observation(build):
    gf = company(build)
    ok(gf.post("/cycles", as_=HR, json={"code": CYCLE, "name": "2026年下半年客户经理考级"}), 201)
    ok(gf.put(f"/cycles/{CYCLE}/committee", as_=HR, json={"chair": "gm", "members": ["gm", "finance"]}))
    applied = {no: ok(gf.post("/cases", as_=no.lower(), json={"cycle": CYCLE, "target_grade": "level2",
                                                              "statement": "述职报告: 申请二级客户经理"}), 201)["id"]
               for no in ("L101", "L102")}
    for no, case_id in applied.items():
        assert ok(event(gf, case_id, "approve_materials", "sm01", supervisor_score=85))["stage"] == "first_review"
        assert ok(event(gf, case_id, "pass_stage", "gm", comment="资料审核通过"))["stage"] == "grade_exam"
    assert ok(event(gf, applied["L101"], "pass_stage", HR, score=78))["stage"] == "second_review"
    assert ok(event(gf, applied["L102"], "fail_stage", HR, score=52))["state"] == "rejected"
    observed = ok(event(gf, applied["L101"], "pass_stage", "gm", comment="二次审核通过"))
    assert observed["stage"] == "observation"

    # the trainee's three months end on 2026-10-01: failed, published on 2026-10-08, after National Day
    move_clock(gf, "2026-10-08T09:00:00+08:00")
    [trial] = [c["id"] for c in ok(gf.get("/cases", as_=HR)) if c["kind"] == "probation_confirmation"]
    ok(event(gf, trial, "fail_probation", "sm01", supervisor_score=40, comment="试用期考核不合格"))
    # Oct 9, Saturday Oct 10 (调休补班) and Oct 12: the three working days
    assert ok(event(gf, trial, "publish", HR))["appeal_deadline"] == "2026-10-12T23:59:59+08:00"

    # the observation period (three months from 2026-09-01) is over on 2026-12-01: the third review, the decision
    move_clock(gf, "2026-12-01T09:00:00+08:00")
    assert case_of(gf, applied["L101"])["stage"] == "third_review"
    assert ok(event(gf, applied["L101"], "pass_stage", "gm", comment="考察期表现优秀, 同意授予二级"))["state"] == \
        "deliberation"
    [decided] = ok(gf.post(f"/cycles/{CYCLE}/decide", as_="gm"))["decided"]
    assert (decided["case_id"], decided["outcome"]) == (applied["L101"], "approved")
    assert ok(gf.post(f"/cycles/{CYCLE}/publish", as_=HR))["appeal_deadline"] == "2026-12-04T23:59:59+08:00"

    # the half-year 2026H2 is closed on 2027-01-10 at 02:00; hr decides the demotion on Monday the 11th
    move_clock(gf, "2027-01-04T09:00:00+08:00")
    for no, score in (("L101", "86"), ("L201", "55"), ("SM01", "90")):
        gf.performance(no, "2026H2", score, months_worked=6)
    move_clock(gf, "2027-01-11T09:00:00+08:00")
    [demotion] = ok(gf.post("/evaluations/2026H2/close", as_=HR))["demotion_cases"]
    assert (case_of(gf, demotion)["employee_no"], case_of(gf, demotion)["target_grade"]) == ("L201", "level1")
    ok(event(gf, demotion, "approve", HR, comment="半年考评不合格"))
    ok(event(gf, demotion, "publish", HR))
    move_clock(gf, "2027-01-15T00:00:00+08:00")  # 2027: Monday to Friday, Jan 12, 13 and 14

    assert {no: manager(gf, no)["grade"] for no in ("L101", "L102", "L201", "T001")} == {
        "L101": "level2", "L102": "level1", "L201": "level1", "T001": "exited"}
    assert [(h["from_grade"], h["to_grade"], h["effective_on"]) for no in ("T001", "L101", "L201")
            for h in grade_history(gf, no)] == [("trainee", "exited", "2026-10-13"), ("level1", "level2", "2026-12-05"),
                                                ("level2", "level1", "2027-01-15")]
    assert case_of(gf, applied["L101"])["final_score"] == 83.8  # 85 × 0.4 + 88 × 0.3 + 78 × 0.3
