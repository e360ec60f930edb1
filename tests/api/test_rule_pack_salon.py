"""A year of the beauty salon under its rule pack (issue 14, point 4; workflow/policies/salon-cba.yaml,
docs/rule-packs/salon-cba.md; seed 000, 索妃亚美容会所 客户经理业绩PK办法).

Two stylists are hired on 2026-09-01 on a month's trial; a third has been a C since January. Each month hr enters
every stylist's new customers and exchange amounts; the scheduler closes the month on the 3rd of the next at
02:00, and the rules move the grades directly, from the 1st of the month after the one closed: C to B at the B
standard (60 customers, 100,000 of advertising and of products), B to A at the A standard (90 customers,
200,000 of advertising), and back down one grade when the second month of a grade (and every second one after)
falls short of its standard (自动降级). A failed trial leaves the salon (the exit)."""
from __future__ import annotations

from datetime import date

from tests.support.answers import ok
from tests.support.driver import Driver
from tests.support.reads import case_of, grade_history, manager
from tests.support.steps import event, move_clock
from tests.support.world import ADMIN, HR

B_STANDARD = {"new_customers": 62, "ad_exchange": 105000, "product_exchange": 100000}
A_STANDARD = {"new_customers": 95, "ad_exchange": 210000, "product_exchange": 120000}
SHORT_OF_B = {"new_customers": 59, "ad_exchange": 150000, "product_exchange": 120000}  # one figure short
ORDINARY = {"new_customers": 35, "ad_exchange": 40000, "product_exchange": 30000}
MONTHS = ["2026M09", "2026M10", "2026M11", "2026M12", "2027M01", "2027M02", "2027M03", "2027M04", "2027M05",
          "2027M06", "2027M07", "2027M08"]
# each stylist's figures, month by month (None: no record, as for the one who left)
FIGURES = {
    "L001": [ORDINARY, ORDINARY, B_STANDARD, B_STANDARD, B_STANDARD, ORDINARY, SHORT_OF_B, ORDINARY, ORDINARY,
             ORDINARY, ORDINARY, ORDINARY],
    "L002": [ORDINARY] + [None] * 11,
    "L003": [ORDINARY, A_STANDARD, A_STANDARD, ORDINARY, B_STANDARD, ORDINARY, B_STANDARD, ORDINARY, ORDINARY,
             ORDINARY, ORDINARY, ORDINARY],
}


def salon(build) -> Driver:
    gf = Driver(build(GRADEFLOW_POLICY="salon-cba"))
    gf.user(HR, "hr")
    gf.user(ADMIN, "admin")
    gf.manager("S100", "grade_a", org_unit="索妃亚美容会所", grade_since=date(2024, 1, 1), login=True,
               roles=("supervisor", "employee"))
    for no in ("L001", "L002"):
        gf.manager(no, "trial", supervisor="S100", org_unit="索妃亚美容会所", grade_since=date(2026, 9, 1),
                   login=True)
    gf.manager("L003", "grade_c", supervisor="S100", org_unit="索妃亚美容会所", grade_since=date(2026, 1, 1),
               login=True)
    return gf


def enter_month(gf, month: str, index: int) -> None:
    for no, figures in FIGURES.items():
        if figures[index] is not None:
            ok(gf.put(f"/managers/{no}/performance/{month}", as_=HR,
                      json={"score": 80, "months_worked": 1, "metrics": figures[index]}))


def next_month_first(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return f"{year}-{number:02d}"


def test_a_year_of_the_salon_moves_stylists_between_c_b_and_a_on_their_monthly_figures(build):
    gf = salon(build)

    # 2026-10-01: the trial month is over; the supervisor confirms L001 (转正后自动转为C级) and fails L002
    move_clock(gf, "2026-10-01T09:00:00+08:00")
    confirmations = {c["employee_no"]: c["id"] for c in ok(gf.get("/cases", as_=HR))
                     if c["kind"] == "probation_confirmation"}
    ok(event(gf, confirmations["L001"], "pass_probation", "s100", supervisor_score=85))
    ok(event(gf, confirmations["L002"], "fail_probation", "s100", supervisor_score=40,
             comment="试用期业绩不达标"))
    for case_id in confirmations.values():
        assert ok(event(gf, case_id, "publish", HR))["state"] == "effective"  # no appeals: at once
    assert (manager(gf, "L001")["grade"], manager(gf, "L002")["grade"]) == ("grade_c", "exited")

    for index, month in enumerate(MONTHS):
        next_month = next_month_first(month)
        move_clock(gf, f"{next_month}-01T09:00:00+08:00")
        enter_month(gf, month, index)
        move_clock(gf, f"{next_month}-03T09:00:00+08:00")  # the scheduler closed the month at 02:00
        assert ok(gf.post(f"/evaluations/{month}/close", as_=HR))["closed_by"] == "(gradeflow)"

    def moves(no):
        return [(h["from_grade"], h["to_grade"], h["effective_on"]) for h in grade_history(gf, no)]

    # L001: C on confirmation; the November standard makes a B from December; the review of January (two months as
    # a B) passes; the review of March (four months) falls short: C from April
    assert moves("L001") == [("trial", "grade_c", "2026-10-01"), ("grade_c", "grade_b", "2026-12-01"),
                             ("grade_b", "grade_c", "2027-04-01")]
    # L003: the October A standard moves a C one grade only (to B from November); November's makes an A from
    # December; January's review of the A (two months) falls short of the A standard: B from February; the B's
    # review of March passes, the one of May (four months) does not: C from June
    assert moves("L003") == [("grade_c", "grade_b", "2026-11-01"), ("grade_b", "grade_a", "2026-12-01"),
                             ("grade_a", "grade_b", "2027-02-01"), ("grade_b", "grade_c", "2027-06-01")]
    assert moves("L002") == [("trial", "exited", "2026-10-01")]
    # each direct move is a case the close opened and carried out, with the rule in its first history entry
    last = grade_history(gf, "L003")[-1]["case_id"]
    shown = case_of(gf, last)
    assert (shown["kind"], shown["state"], shown["effective_on"]) == ("demotion", "effective", "2027-06-01")
    [reason] = gf.history(last, HR)[0]["data"]["quarter_close"]
    assert (reason["code"], reason["months_in_grade"]) == ("b_review", 4)
