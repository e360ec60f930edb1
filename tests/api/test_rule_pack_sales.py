"""A year of the sales company under its rule pack (issue 14, point 4; workflow/policies/sales-four-grades.yaml,
docs/rule-packs/sales-four-grades.md; seed 000, 销售人员等级划分及考核标准).

Each month hr enters the monthly rent (月租费) each salesperson signed; the month is closed on the 5th day after it
at 02:00. The pack's example rules (the seed's own stop before them): three months running at the next grade's
figure move a grade up, three months under half of the grade's own figure a grade down, a representative under
1,000 three months running leaves. hr decides each case on the first working day after the close and publishes it;
it takes effect after three working days."""
from __future__ import annotations

from datetime import date

from tests.support.answers import ok
from tests.support.driver import Driver
from tests.support.reads import grade_history
from tests.support.steps import decide_waiting_cases, move_clock
from tests.support.world import ADMIN, HR

TEAM = "市场部销售一组"
MONTHS = [f"2026M{m:02d}" for m in range(9, 13)] + [f"2027M{m:02d}" for m in range(1, 9)]
# each one's monthly rent signed, month by month from 2026-09
RENT = {"R001": [5200, 6000, 5500, 5100, 3000, 3000, 3000, 3000, 3000, 3000, 3000, 3000],
        "R002": [800, 600, 900, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        "M001": [2000, 1500, 2400, 3000, 3000, 3000, 3000, 3000, 3000, 3000, 3000, 3000],
        "G001": [25000, 22000, 30000, 21000, 20000, 26000, 24000, 20500, 23000, 22000, 21000, 25000]}
GRADES = {"R001": "representative", "R002": "representative", "M001": "manager", "G001": "senior_manager"}
# the working day hr decides the month's cases: the close runs on the 5th (a Saturday in 2026-12: Monday the 7th)
DECIDED_ON = {"2026M11": "2026-12-07", "2026M12": "2027-01-05", "2027M05": "2027-06-07"}


def company(build) -> Driver:
    gf = Driver(build(GRADEFLOW_POLICY="sales-four-grades"))
    gf.user(HR, "hr")
    gf.user(ADMIN, "admin")
    gf.manager("Z001", "supervisor", org_unit=TEAM, grade_since=date(2022, 1, 1), login=True,
               roles=("employee", "supervisor"))
    for no, grade in GRADES.items():
        gf.manager(no, grade, supervisor="Z001", org_unit=TEAM, grade_since=date(2025, 6, 1))
    return gf


def test_a_year_of_the_sales_team_moves_grades_on_three_months_of_monthly_rent(build):
    gf = company(build)
    left = set()
    for index, month in enumerate(MONTHS):
        year, number = int(month[:4]), int(month[5:])
        following = f"{year + 1}-01" if number == 12 else f"{year}-{number + 1:02d}"
        move_clock(gf, f"{following}-01T09:00:00+08:00")
        for no, rents in RENT.items():
            if no not in left:
                ok(gf.put(f"/managers/{no}/performance/{month}", as_=HR, json={
                    "score": 80, "months_worked": 1, "metrics": {"monthly_rent": rents[index]}}))
        move_clock(gf, f"{DECIDED_ON.get(month, following + '-05')}T09:00:00+08:00")
        left |= {case["employee_no"] for case in decide_waiting_cases(gf, "按月考核") if case["kind"] == "exit"}
    move_clock(gf, "2027-09-30T09:00:00+08:00")

    def moves(no):
        return [(h["from_grade"], h["to_grade"], h["effective_on"]) for h in grade_history(gf, no)]

    # September to November: M001 under 2,500 three months running, R002 under 1,000; decided on Monday
    # 2026-12-07, effective after Dec 8, 9 and 10
    assert moves("M001") == [("manager", "representative", "2026-12-11")]
    assert moves("R002") == [("representative", "exited", "2026-12-11")]
    # R001: 5,000 or more from September to November as well: a manager from 2026-12-11; its December counts for
    # nothing more (the grade changed), and a manager's 3,000 a month is neither up nor down
    assert moves("R001") == [("representative", "manager", "2026-12-11")]
    # G001: 20,000 or more every month: a supervisor after September to November, and a supervisor's figures
    # after that are all above 10,000
    assert moves("G001") == [("senior_manager", "supervisor", "2026-12-11")]
