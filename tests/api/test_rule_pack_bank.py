"""A year of the county rural credit union under its rule pack (issue 14, point 4;
workflow/policies/bank-six-level.yaml, docs/rule-packs/bank-six-level.md; seed 000, 县域农村信用联社 客户经理等级化管理办法(暂行)).

Six levels, 六级(待定级) the lowest, each confirmed every quarter and moved up or down, by two where the results
say so (原则上按季进行确认, 实行动态管理, 可以跃级调整). The scheduler closes each quarter on the 5th day after it at
02:00; hr decides each case the close opened that morning and publishes it; it takes effect after three working
days. A manager demoted in 2026 and again in 2027 is shown the door (an exit case, approved)."""
from __future__ import annotations

from datetime import date

from tests.support.answers import ok
from tests.support.driver import Driver
from tests.support.reads import grade_history, manager
from tests.support.steps import decide_waiting_cases, move_clock
from tests.support.world import ADMIN, HR

UNIT = "某县联社营业部"
# employee_no, level at the start, since, scores of 2026Q3, 2026Q4, 2027Q1, 2027Q2 (None: no record)
STAFF = [("A001", "level5", date(2026, 1, 1), ("95", "80", "80", "80")),
         ("B001", "level5", date(2025, 1, 1), ("89", "80", "80", "80")),
         ("C001", "level3", date(2025, 1, 1), ("50", "70", "55", None)),
         ("D001", "level2", date(2025, 1, 1), ("82", "78", "80", "80")),
         ("E001", "level3", date(2025, 1, 1), ("80", "80", "80", "90")),
         ("F001", "level1", date(2024, 1, 1), ("90", "90", "90", "90"))]
QUARTERS = [("2026Q3", "2026-10"), ("2026Q4", "2027-01"), ("2027Q1", "2027-04"), ("2027Q2", "2027-07")]


def union(build) -> Driver:
    gf = Driver(build(GRADEFLOW_POLICY="bank-six-level"))
    gf.user(HR, "hr")
    gf.user(ADMIN, "admin")
    gf.manager("Z001", "level1", org_unit="联社业务发展部", grade_since=date(2020, 1, 1))
    for no, grade, since, _ in STAFF:
        gf.manager(no, grade, supervisor="Z001", org_unit=UNIT, grade_since=since)
    return gf


def test_a_year_of_the_rural_credit_union_confirms_each_level_every_quarter_and_may_skip_one(build):
    gf = union(build)
    for index, (quarter, following) in enumerate(QUARTERS):
        move_clock(gf, f"{following}-01T09:00:00+08:00")
        for no, _, _, scores in STAFF:
            if scores[index] is not None:
                gf.performance(no, quarter, scores[index], months_worked=3)
        # closed on the 5th at 02:00 (2026-10-05 is a holiday: hr decides on Thursday the 8th)
        move_clock(gf, f"{following}-{'08' if quarter == '2026Q3' else '05'}T09:00:00+08:00")
        decide_waiting_cases(gf, "按季确认")
        if quarter == "2027Q1":  # C001's second demotion takes effect on the 9th and opens its exit
            move_clock(gf, "2027-04-09T09:00:00+08:00")
            decide_waiting_cases(gf, "按季确认")
    move_clock(gf, "2027-07-09T00:00:00+08:00")

    def moves(no):
        return [(h["from_grade"], h["to_grade"], h["effective_on"]) for h in grade_history(gf, no)]

    # 2026Q3, decided on 2026-10-08: Oct 9, Saturday Oct 10 (调休补班) and Oct 12 are the three working days
    assert moves("A001") == [("level5", "level3", "2026-10-13")]  # 95: two levels up (跃级)
    assert moves("B001") == [("level5", "level4", "2026-10-13")]
    # C001: 50, two levels down; in 2027Q1, 55 again, but level 6 is the floor: one; two years running: out
    assert moves("C001") == [("level3", "level5", "2026-10-13"), ("level5", "level6", "2027-04-09"),
                             ("level6", "exited", "2027-04-15")]
    # D001: 78 as a level 2 (threshold 80) in 2026Q4, decided 2027-01-05 (2027: Monday to Friday)
    assert moves("D001") == [("level2", "level3", "2027-01-09")]
    assert moves("E001") == [("level3", "level2", "2027-07-09")]
    assert moves("F001") == [] and manager(gf, "F001")["grade"] == "level1"  # the top: nowhere further up
    exits = [c for c in ok(gf.get("/cases", as_=HR)) if c["kind"] == "exit"]
    assert [(c["employee_no"], c["state"]) for c in exits] == [("C001", "effective")]
