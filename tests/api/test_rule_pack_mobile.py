"""A year of the mobile operator's customer managers under its rule pack (issue 14, point 4;
workflow/policies/mobile-four-posts.yaml, docs/rule-packs/mobile-four-posts.md; seed 001, 客户经理考核办法(第四版)).

Four posts, results the data of 优胜劣汰. The pack's example rules (the seed's own 职级动态调整规则 are missing from it):
the best tenth of a post, company-wide, two quarters running moves up a post; the last tenth down one; an assistant
last two quarters running is eliminated. The quarter is closed on the 10th day after it; hr decides each case the
next working morning and publishes it; it takes effect after three working days."""
from __future__ import annotations

from datetime import date

from tests.support.answers import ok
from tests.support.driver import Driver
from tests.support.reads import grade_history, manager
from tests.support.steps import decide_waiting_cases, event, move_clock
from tests.support.world import ADMIN, HR

UNIT = "集团客户部"
JULY = "2027-07-16"
# post and the score of 2026Q3 and of 2026Q4 (the same both quarters, ranked within the post across the company)
STAFF = {"A001": ("assistant", 95), "A002": ("assistant", 90), "A003": ("assistant", 85), "A004": ("assistant", 80),
         "A005": ("assistant", 60), "S001": ("senior_assistant", 92), "S002": ("senior_assistant", 88),
         "S003": ("senior_assistant", 70), "M001": ("manager", 93), "M002": ("manager", 75),
         "G001": ("senior_manager", 96), "G002": ("senior_manager", 65)}


def operator(build) -> Driver:
    gf = Driver(build(GRADEFLOW_POLICY="mobile-four-posts"))
    gf.user(HR, "hr")
    gf.user(ADMIN, "admin")
    gf.manager("L001", "senior_manager", org_unit=UNIT, grade_since=date(2020, 1, 1), login=True,
               roles=("employee", "supervisor"))  # 客户经理组长
    for no, (post, _) in STAFF.items():
        gf.manager(no, post, supervisor="L001", org_unit=UNIT, grade_since=date(2025, 1, 1))
    gf.manager("T001", "trainee", supervisor="L001", org_unit=UNIT, grade_since=date(2026, 6, 1))
    return gf


def test_a_year_of_the_operator_moves_the_best_and_the_last_tenth_of_each_post(build):
    gf = operator(build)
    move_clock(gf, "2026-09-01T10:00:00+08:00")  # the trainee's three months are over: confirmed an assistant
    [confirmation] = [c["id"] for c in ok(gf.get("/cases", as_=HR)) if c["kind"] == "probation_confirmation"]
    ok(event(gf, confirmation, "pass_probation", "l001", supervisor_score=80))
    ok(event(gf, confirmation, "publish", HR))

    for quarter, entered, decided in (("2026Q3", "2026-10-08", "2026-10-12"), ("2026Q4", "2027-01-04", "2027-01-11"),
                                      ("2027Q1", "2027-04-06", "2027-04-12"), ("2027Q2", "2027-07-05", "2027-07-12")):
        move_clock(gf, f"{entered}T09:00:00+08:00")
        for no, (_, score) in [*STAFF.items(), ("T001", (None, 75))]:
            if manager(gf, no)["grade"] != "exited":
                gf.performance(no, quarter, str(score), months_worked=3)
        move_clock(gf, f"{decided}T09:00:00+08:00")  # the close ran on the 10th at 02:00
        decide_waiting_cases(gf, "优胜劣汰")
    move_clock(gf, "2027-09-01T09:00:00+08:00")

    def moves(no):
        return [(h["from_grade"], h["to_grade"], h["effective_on"]) for h in grade_history(gf, no)]

    # 2026Q3 alone is one quarter; after 2026Q4, decided on Monday 2027-01-11 (2027: Monday to Friday, Jan 12, 13,
    # 14), the best and the last of each post move; the quarters that moved them count no more
    # after 2027Q2 (decided on 2027-07-12: Jul 13, 14, 15) the posts as they stood from January are ranked again on
    # 2027Q1 and 2027Q2: assistants A002 90, T001 75, S003 70 (eliminated); senior assistants A001 95, M002 75;
    # managers S001 92, G002 65; senior managers G001 96 (the top post: nowhere further) and M001 93
    assert moves("A001") == [("assistant", "senior_assistant", "2027-01-15"), ("senior_assistant", "manager", JULY)]
    assert moves("A002") == [("assistant", "senior_assistant", JULY)]
    assert moves("A005") == [("assistant", "exited", "2027-01-15")]
    assert moves("S001") == [("senior_assistant", "manager", "2027-01-15"), ("manager", "senior_manager", JULY)]
    assert moves("S003") == [("senior_assistant", "assistant", "2027-01-15"), ("assistant", "exited", JULY)]
    assert moves("M001") == [("manager", "senior_manager", "2027-01-15"), ("senior_manager", "manager", JULY)]
    assert moves("M002") == [("manager", "senior_assistant", "2027-01-15"), ("senior_assistant", "assistant", JULY)]
    assert moves("G002") == [("senior_manager", "manager", "2027-01-15"), ("manager", "senior_assistant", JULY)]
    assert moves("T001") == [("trainee", "assistant", "2026-09-05")]
    assert [no for no in ("A003", "A004", "S002", "G001") if moves(no)] == []
