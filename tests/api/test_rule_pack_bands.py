"""A year of the group's competency bands under its rule pack (issue 14, point 4;
workflow/policies/group-competency-bands.yaml, docs/rule-packs/group-competency-bands.md; seed 001, 客户经理胜任力素质
考评方案).

The year's assessment (满分50分: self-assessment, the supervisor's, summed up by the HRBP) places each customer manager in
the band of the score, however far from the band held: 46 or more 一级档, 36 to 45 二级档, 26 to 35 三级档, 25 or less
四级档. Each move is a case 人力资源中心 decides; the chairman's adjustment of a band (集团董事长有权对胜任力档次进行调整)
is hr denying the move. A new employee is confirmed into 四级档 after three months; one who leaves goes by an exit case."""
from __future__ import annotations

from datetime import date

from tests.support.answers import ok
from tests.support.driver import Driver
from tests.support.reads import case_of, grade_history, manager
from tests.support.steps import event, move_clock, hr_case
from tests.support.world import ADMIN, HR

DIVISION = "建机事业部"
# employee_no, band held, the 2026 assessment
STAFF = [("B001", "band4", "47"), ("B002", "band3", "30"), ("B003", "band2", "20"), ("B004", "band1", "40"),
         ("B005", "band3", "38.5")]


def group(build) -> Driver:
    gf = Driver(build(GRADEFLOW_POLICY="group-competency-bands"))
    gf.user(HR, "hr")
    gf.user(ADMIN, "admin")
    gf.manager("P001", "band1", org_unit=DIVISION, grade_since=date(2019, 11, 1), login=True,
               roles=("employee", "supervisor"))  # 项目总经理
    for no, band, _ in STAFF:
        gf.manager(no, band, supervisor="P001", org_unit=DIVISION, grade_since=date(2025, 1, 1))
    gf.manager("U001", "unrated", supervisor="P001", org_unit=DIVISION, grade_since=date(2026, 9, 1))
    return gf


def test_a_year_of_the_group_places_each_manager_in_the_band_of_the_assessment(build):
    gf = group(build)
    move_clock(gf, "2026-12-01T09:00:00+08:00")  # U001's three months are over
    [confirmation] = [c["id"] for c in ok(gf.get("/cases", as_=HR)) if c["kind"] == "probation_confirmation"]
    ok(event(gf, confirmation, "pass_probation", "p001", supervisor_score=30))
    ok(event(gf, confirmation, "publish", HR))
    leaving = hr_case(gf, "exit", "B002")["id"]  # B002 resigns
    ok(event(gf, leaving, "approve", HR, comment="本人申请离职"))
    ok(event(gf, leaving, "publish", HR))

    move_clock(gf, "2027-01-05T09:00:00+08:00")
    for no, _, score in STAFF:
        if no != "B002":
            gf.performance(no, "2026", score)
    move_clock(gf, "2027-01-21T09:00:00+08:00")  # closed at 02:00, the 20th day after the year
    close = ok(gf.post("/evaluations/2026/close", as_=HR))
    opened = close["advancement_cases"] + close["demotion_cases"]
    cases = {case_of(gf, c)["employee_no"]: case_of(gf, c) for c in opened}
    assert {no: (c["kind"], c["target_grade"]) for no, c in cases.items()} == {
        "B001": ("advancement", "band1"), "B003": ("demotion", "band4"), "B004": ("demotion", "band2"),
        "B005": ("advancement", "band2")}
    for no, case in cases.items():
        decision = "deny" if no == "B004" else "approve"  # the chairman keeps B004 in 一级档
        ok(event(gf, case["id"], decision, HR, comment="董事长调整" if decision == "deny" else "审阅通过"))
        ok(event(gf, case["id"], "publish", HR))
    move_clock(gf, "2027-01-27T00:00:00+08:00")  # Jan 22, 25 and 26 (2027: Monday to Friday)

    assert {no: manager(gf, no)["grade"] for no in ("B001", "B002", "B003", "B004", "B005", "U001")} == {
        "B001": "band1", "B002": "exited", "B003": "band4", "B004": "band1", "B005": "band2", "U001": "band4"}
    assert grade_history(gf, "B001") == [{"from_grade": "band4", "to_grade": "band1", "effective_on": "2027-01-27",
                                          "case_id": cases["B001"]["id"]}]
    [reason] = gf.history(cases["B005"]["id"], HR)[0]["data"]["quarter_close"]
    assert (reason["code"], reason["periods"]) == ("band3_to_band2", [{"period": "2026", "score": "38.50"}])
