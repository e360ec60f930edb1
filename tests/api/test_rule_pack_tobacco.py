"""A year of the tobacco company under its rule pack (issue 14, point 4;
workflow/policies/tobacco-monthly-quarterly.yaml, docs/rule-packs/tobacco-monthly-quarterly.md; seed 004, 第7篇
客户经理管理办法): 月度考核、季度评价.

Each month hr enters every manager's scorecard (经营业绩 60 %, 综合素质 40 %) and what happened (complaints, leave,
targets missed); the scheduler closes the month on the 3rd at 02:00 and the quarter on the 7th at 03:00. The rules
open exit cases: three complaints within twelve months, one leave over 15 days, two months running below the sales
target, the two lowest quarterly totals of the company. hr decides each at the evaluation meeting (the two lowest of
the last two quarters are kept on: 教育在先, 处理在后), publishes it, and an approved exit takes effect the day after
the third working day (the Chinese calendar of 2026, with its make-up workdays; Monday to Friday for 2027, whose
calendar is not published)."""
from __future__ import annotations

from datetime import date

from tests.support.answers import ok
from tests.support.driver import Driver
from tests.support.reads import case_of, grade_history, manager
from tests.support.steps import decide_waiting_cases, event, move_clock
from tests.support.world import ADMIN, HR

UNIT = "卷烟营销部/客户服务部"
MANAGERS = ("K001", "K002", "K003", "K004", "K005", "K006", "K007", "K008")
# 季度考评总分 of each quarter, by manager
QUARTERS = {
    "2026Q3": {"K001": 88, "K002": 85, "K003": 90, "K004": 86, "K005": 75, "K006": 78, "K007": 55, "K008": 58,
               "T001": 84},
    "2026Q4": {"K001": 87, "K003": 91, "K004": 85, "K005": 70, "K006": 72, "T001": 83},
    "2027Q1": {"K003": 92, "K004": 84, "T001": 82},
    "2027Q2": {"K004": 86, "T001": 85},
}
# what happened in a month, entered with its records: (manager, kind, day, extra)
EVENTS = {
    "2026M10": [("K001", "complaint", "2026-10-10", {})],
    "2026M11": [("K002", "leave", "2026-11-09", {"days": 16, "reason": "sick"})],
    "2026M12": [("K001", "complaint", "2026-12-05", {})],
    "2027M02": [("K001", "complaint", "2027-02-03", {})],
    "2027M03": [("K003", "target_missed", "2027-03-31", {})],
    "2027M04": [("K003", "target_missed", "2027-04-30", {})],
}
MONTHS = [f"2026M{m:02d}" for m in range(9, 13)] + [f"2027M{m:02d}" for m in range(1, 9)]
# hr's decision on the exit cases each close opens, by manager (the others are kept on: 教育在先, 处理在后)
DECISIONS = {"K007": "approve", "K008": "approve", "K002": "approve", "K005": "approve", "K006": "approve",
             "K001": "approve", "K003": "approve"}


def company(build) -> Driver:
    gf = Driver(build(GRADEFLOW_POLICY="tobacco-monthly-quarterly"))
    gf.user(HR, "hr")
    gf.user(ADMIN, "admin")
    gf.manager("B100", "manager", org_unit="卷烟营销部", grade_since=date(2020, 1, 1), login=True,
               roles=("supervisor", "employee"))
    for no in MANAGERS:
        gf.manager(no, "manager", supervisor="B100", org_unit=UNIT, grade_since=date(2024, 1, 1))
    gf.manager("T001", "trainee", supervisor="B100", org_unit=UNIT, grade_since=date(2026, 6, 1))
    return gf


def active(gf) -> list[str]:
    return [no for no in (*MANAGERS, "T001") if manager(gf, no)["grade"] != "exited"]


def test_a_year_of_the_tobacco_company_assesses_monthly_evaluates_quarterly_and_dismisses_as_its_rules_say(build):
    gf = company(build)
    # the trainee's three months end on 2026-09-01: the supervisor passes the probation, hr publishes
    move_clock(gf, "2026-09-01T10:00:00+08:00")
    [confirmation] = [c["id"] for c in ok(gf.get("/cases", as_=HR)) if c["kind"] == "probation_confirmation"]
    ok(event(gf, confirmation, "pass_probation", "b100", supervisor_score=88))
    ok(event(gf, confirmation, "publish", HR))

    for month in MONTHS:
        year, number = int(month[:4]), int(month[5:])
        following = f"{year + 1}-01" if number == 12 else f"{year}-{number + 1:02d}"
        move_clock(gf, f"{following}-01T09:00:00+08:00")
        for no in active(gf):
            ok(gf.put(f"/managers/{no}/performance/{month}", as_=HR, json={
                "months_worked": 1, "parts": {"sales": 85, "conduct": 0, "groundwork": 0, "training": 0}}))
        for no, kind, day, extra in EVENTS.get(month, ()):
            ok(gf.post(f"/managers/{no}/events", as_=HR, json={"kind": kind, "occurred_on": day, **extra}), 201)
        quarter = f"{year}Q{(number - 1) // 3 + 1}" if number % 3 == 0 else None
        for no, total in QUARTERS.get(quarter, {}).items():
            ok(gf.put(f"/managers/{no}/performance/{quarter}", as_=HR, json={"score": total, "months_worked": 3}))
        move_clock(gf, f"{following}-03T09:00:00+08:00")  # the month was closed at 02:00
        decide_waiting_cases(gf, "季度工作评价会", lambda case: DECISIONS.get(case["employee_no"], "deny"))
        if quarter:
            move_clock(gf, f"{following}-07T09:00:00+08:00")  # the quarter was closed at 03:00
            decide_waiting_cases(gf, "季度工作评价会", lambda case: DECISIONS.get(case["employee_no"], "deny"))

    def left_on(no):
        [exit_move] = [(h["to_grade"], h["effective_on"]) for h in grade_history(gf, no)]
        return exit_move

    # the two lowest of 2026Q3, closed 2026-10-07 (a holiday: the scheduler runs anyway), decided on the 7th: the
    # working days after it are Oct 8, 9 and Saturday Oct 10 (调休补班)
    assert left_on("K007") == left_on("K008") == ("exited", "2026-10-11")
    # sixteen days of leave in November: closed and decided on Thursday 2026-12-03; Dec 4, 7 and 8
    assert left_on("K002") == ("exited", "2026-12-09")
    # the two lowest of 2026Q4, decided on Thursday 2027-01-07; 2027: Monday to Friday, Jan 8, 11 and 12
    assert left_on("K005") == left_on("K006") == ("exited", "2027-01-13")
    # the third complaint within twelve months, in February: decided on Wednesday 2027-03-03; Mar 4, 5 and 8
    assert left_on("K001") == ("exited", "2027-03-09")
    # below the sales target in March and April: decided on Monday 2027-05-03; May 4, 5 and 6
    assert left_on("K003") == ("exited", "2027-05-07")
    # the two lowest of 2027Q1 and 2027Q2 were kept on: their exit cases closed with the grade unchanged
    assert manager(gf, "K004")["grade"] == manager(gf, "T001")["grade"] == "manager"
    kept_on = [c for c in ok(gf.get("/cases", as_=HR)) if c["employee_no"] in ("K004", "T001") and c["kind"] == "exit"]
    assert sorted(c["state"] for c in kept_on) == ["closed"] * 4
    assert [(h["from_grade"], h["to_grade"], h["effective_on"]) for h in grade_history(gf, "T001")] == [
        ("trainee", "manager", "2026-09-05")]
    # each exit names its rule
    exit_of_k001 = grade_history(gf, "K001")[0]["case_id"]
    [reason] = gf.history(exit_of_k001, HR)[0]["data"]["quarter_close"]
    assert (reason["code"], reason["events"]) == ("three_complaints", {"complaint": 3})
    assert case_of(gf, exit_of_k001)["state"] == "effective"
