"""The quarter close (domain.md "Period-end triggers"; api.md POST /evaluations/{period}/close).

For each manager with a record for the quarter: fewer than 2 months worked → excluded; a compliance
violation → a `demotion` case; a mid below 80 or a senior below 85 in two consecutive quarters → a
`demotion` case. hr closes a quarter once it is over, or the scheduler does at 02:00 the day after the
quarter's last day; a repeat returns the recorded close and creates nothing; the quarter's records are
locked afterwards. Demotions effective in two consecutive calendar years open an `exit` case.
"""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from models import Case, QuarterClose, QuarterResult, Timer, db
from tests.support.answers import assert_problem, ok
from tests.support.reads import case_of, grade_history, manager
from tests.support.steps import apply, event, move_clock
from tests.support.world import ADMIN, BOSS, HR, organisation

SYSTEM = "(gradeflow)"
Q3_OVER = "2026-10-01T00:30:00+08:00"  # 2026Q3 is over; its scheduled close (10-01 02:00) has not run
Q3_CLOSE_MOMENT = "2026-10-01T02:00:00+08:00"  # the day after the quarter's last day, at 02:00
# a decision published on 2026-10-01 (National Day): Oct 8, 9 and Sat Oct 10 (make-up) are the 3 working days
Q3_PUBLISHED_DEADLINE_PASSED = "2026-10-11T00:00:00+08:00"


def close(gf, period: str = "2026Q3", as_: str = HR):
    return gf.post(f"/evaluations/{period}/close", as_=as_)


def closed(gf, period: str = "2026Q3") -> dict:
    """Close the quarter (as hr) and return the recorded evaluation, read by a repeat of the request.
    (The first response lists the first manager twice: see
    test_the_first_close_lists_each_evaluated_manager_once.)"""
    ok(close(gf, period))
    return ok(close(gf, period))


def quarter(gf, no: str, grade: str = "mid", **records) -> str:
    """A manager of `grade` (under S900) with quarter records: period=score or period=(score, months, violation)."""
    gf.manager(no, grade, supervisor="S900", login=True)
    for period, value in records.items():
        score, months, violation = value if isinstance(value, tuple) else (value, 3, False)
        gf.performance(no, period, score, months_worked=months, violation=violation)
    return no


def cases_of(app, no: str | None = None) -> list[Case]:
    with app.app_context():
        stmt = sa.select(Case).order_by(Case.id)
        if no is not None:
            stmt = stmt.where(Case.employee_no == no)
        rows = list(db.session.scalars(stmt))
        db.session.remove()
        return rows


def count(app, model) -> int:
    with app.app_context():
        n = db.session.scalar(sa.select(sa.func.count()).select_from(model))
        db.session.remove()
        return n


def timer(app, key: str) -> Timer | None:
    with app.app_context():
        row = db.session.scalar(sa.select(Timer).where(Timer.key == key))
        db.session.remove()
        return row


def first_entry(gf, case_id: int) -> dict:
    return ok(gf.get(f"/cases/{case_id}/history", as_=HR))[0]


# --- who and when ----------------------------------------------------------------------------

def test_only_hr_closes_a_quarter(gf):
    organisation(gf)
    quarter(gf, "M001", **{"2026Q3": "90"})
    move_clock(gf, Q3_OVER)

    for someone in (ADMIN, "chair", BOSS, "m001"):
        assert_problem(close(gf, as_=someone), 403, "forbidden")
    assert count(gf.app, QuarterClose) == 0

    assert closed(gf)["closed_by"] == HR


def test_an_annual_period_is_refused_with_rule_quarter_only(gf):
    organisation(gf)
    quarter(gf, "M001", **{"2026": ("90", 12, True)})
    move_clock(gf, "2027-01-01T00:30:00+08:00")  # 2026 is over (its last quarter's close runs at 02:00)

    assert_problem(close(gf, "2026"), 422, "validation_error", field="period", rule="quarter_only")
    with gf.app.app_context():
        assert "2026" not in set(db.session.scalars(sa.select(QuarterClose.period)))
        db.session.remove()
    assert cases_of(gf.app, "M001") == []


def test_a_quarter_that_does_not_exist_is_not_found(gf):
    organisation(gf)
    move_clock(gf, Q3_OVER)

    assert_problem(close(gf, "2026Q5"), 404, "not_found")
    assert_problem(close(gf, "2026Q0"), 404, "not_found")


def test_a_quarter_is_not_closed_before_its_last_day_is_over(gf):
    organisation(gf)
    quarter(gf, "M001", **{"2026Q3": ("70", 3, True)})

    body = assert_problem(close(gf), 409, "period_not_over")
    move_clock(gf, "2026-09-30T23:59:59+08:00")
    assert_problem(close(gf), 409, "period_not_over")
    assert_problem(close(gf, "2026Q4"), 409, "period_not_over")
    assert count(gf.app, QuarterClose) == 0 and cases_of(gf.app, "M001") == []

    move_clock(gf, "2026-10-01T00:00:00+08:00")
    assert closed(gf)["evaluated"] == 1
    assert body["period"] == "2026Q3"


# --- the rules ---------------------------------------------------------------------------------

def test_fewer_than_two_months_worked_is_excluded_and_opens_no_case(gf):
    organisation(gf)
    quarter(gf, "M001", **{"2026Q2": "50", "2026Q3": ("50", 1, True)})  # a violation, yet excluded
    quarter(gf, "M002", **{"2026Q3": ("90", 2, True)})  # two months are enough to be evaluated
    move_clock(gf, Q3_OVER)

    body = closed(gf)

    assert body["excluded"] == ["M001"]
    assert body["evaluated"] == 2
    assert cases_of(gf.app, "M001") == []
    assert [c.id for c in cases_of(gf.app, "M002")] == body["demotion_cases"] and len(body["demotion_cases"]) == 1


def test_a_violation_opens_one_demotion_case_in_deliberation_opened_by_the_service(gf):
    organisation(gf)
    quarter(gf, "M001", **{"2026Q3": ("95", 3, True)})
    quarter(gf, "M002", **{"2026Q3": "95"})
    move_clock(gf, Q3_OVER)

    body = closed(gf)

    assert (body["period"], body["evaluated"], body["excluded"], body["deferred"], body["not_demotable"]) == (
        "2026Q3", 2, [], [], [])
    assert (body["closed_by"], body["closed_at"]) == (HR, Q3_OVER)
    [case_id] = body["demotion_cases"]
    shown = case_of(gf, case_id)
    assert (shown["kind"], shown["state"], shown["employee_no"], shown["from_grade"], shown["target_grade"],
            shown["created_by"]) == ("demotion", "deliberation", "M001", "mid", "junior", SYSTEM)
    entry = first_entry(gf, case_id)
    assert (entry["event"], entry["actor"], entry["from_state"], entry["to_state"]) == (
        "submit", SYSTEM, None, "deliberation")
    assert entry["data"]["period"] == "2026Q3"
    assert entry["data"]["quarter_close"] == [{"rule": "violation"}]
    assert cases_of(gf.app, "M002") == []
    assert len(cases_of(gf.app)) == 1


def test_a_mid_below_80_in_two_consecutive_quarters_opens_a_demotion_case(gf):
    organisation(gf)
    quarter(gf, "M001", **{"2026Q2": "79.99", "2026Q3": "60"})
    quarter(gf, "M002", **{"2026Q2": "80", "2026Q3": "60"})  # 80 is not below 80
    quarter(gf, "M003", **{"2026Q2": "60", "2026Q3": "80"})
    quarter(gf, "M004", **{"2026Q1": "60", "2026Q3": "60"})  # not consecutive: no 2026Q2 record
    quarter(gf, "J001", "junior", **{"2026Q2": "50", "2026Q3": "50"})  # no threshold for a junior
    move_clock(gf, Q3_OVER)

    body = closed(gf)

    [case_id] = body["demotion_cases"]
    shown = case_of(gf, case_id)
    assert (shown["employee_no"], shown["kind"], shown["target_grade"]) == ("M001", "demotion", "junior")
    [reason] = first_entry(gf, case_id)["data"]["quarter_close"]
    assert reason["rule"] == "below_threshold" and reason["grade"] == "mid"
    assert float(reason["threshold"]) == 80
    assert [q["period"] for q in reason["quarters"]] == ["2026Q2", "2026Q3"]
    assert body["evaluated"] == 5 and body["excluded"] == []


def test_a_senior_below_85_in_two_consecutive_quarters_opens_a_demotion_case(gf):
    organisation(gf)
    quarter(gf, "S001", "senior", **{"2026Q2": "84.99", "2026Q3": "84"})
    quarter(gf, "S002", "senior", **{"2026Q2": "85", "2026Q3": "84"})
    move_clock(gf, Q3_OVER)

    body = closed(gf)

    [case_id] = body["demotion_cases"]
    shown = case_of(gf, case_id)
    assert (shown["employee_no"], shown["from_grade"], shown["target_grade"]) == ("S001", "senior", "mid")
    assert cases_of(gf.app, "S002") == []


def test_only_one_low_quarter_opens_no_case(gf):
    organisation(gf)
    quarter(gf, "M001", **{"2026Q3": "10"})  # the first quarter on record
    quarter(gf, "M002", **{"2026Q2": "95", "2026Q3": "10"})
    quarter(gf, "S001", "senior", **{"2026Q2": "90", "2026Q3": "50"})
    move_clock(gf, Q3_OVER)

    body = closed(gf)

    assert body["demotion_cases"] == [] and body["evaluated"] == 3
    assert cases_of(gf.app) == []


def test_two_low_quarters_that_led_to_a_demotion_case_do_not_count_again(gf):
    organisation(gf)
    quarter(gf, "M001", **{"2026Q2": "70", "2026Q3": "70", "2026Q4": "70", "2027Q1": "70"})
    move_clock(gf, Q3_OVER)
    [first] = closed(gf)["demotion_cases"]
    ok(event(gf, first, "deny", HR))  # the committee keeps the manager a mid
    ok(event(gf, first, "publish", HR))

    move_clock(gf, "2027-01-01T03:00:00+08:00")  # 2026Q4 close: Q3 already counted, Q4 alone is one low quarter
    assert closed(gf, "2026Q4")["demotion_cases"] == []
    move_clock(gf, "2027-04-01T03:00:00+08:00")  # 2027Q1 close: Q4 and Q1, a new stretch

    [second] = closed(gf, "2027Q1")["demotion_cases"]
    assert [c.id for c in cases_of(gf.app, "M001")] == [first, second]
    [reason] = first_entry(gf, second)["data"]["quarter_close"]
    assert [q["period"] for q in reason["quarters"]] == ["2026Q4", "2027Q1"]


def test_a_junior_with_a_violation_is_not_demotable(gf):
    organisation(gf)
    quarter(gf, "J001", "junior", **{"2026Q3": ("90", 3, True)})
    move_clock(gf, Q3_OVER)

    body = closed(gf)

    assert body["not_demotable"] == ["J001"] and body["demotion_cases"] == []
    assert cases_of(gf.app, "J001") == []


def test_a_manager_with_an_open_case_is_deferred_and_the_demotion_opens_once_that_case_has_ended(gf):
    organisation(gf)
    quarter(gf, "M001", **{"2026Q3": ("90", 3, True)})
    gf.performance("M001", "2025", "90")
    promotion = apply(gf, "M001", "senior")
    move_clock(gf, Q3_OVER)

    body = closed(gf)

    assert body["deferred"] == ["M001"] and body["demotion_cases"] == []
    move_clock(gf, "2026-10-02T09:00:00+08:00")  # a day later the promotion is still open
    assert [c.kind for c in cases_of(gf.app, "M001")] == ["promotion"]

    ok(event(gf, promotion, "withdraw", "m001"))
    assert [c.kind for c in cases_of(gf.app, "M001")] == ["promotion"]  # not before the clock moves
    move_clock(gf, "2026-10-03T09:00:00+08:00")

    kinds = [(c.kind, c.state, c.created_by) for c in cases_of(gf.app, "M001")]
    assert kinds == [("promotion", "withdrawn", "m001"), ("demotion", "deliberation", SYSTEM)]
    demotion = cases_of(gf.app, "M001")[1].id
    assert first_entry(gf, demotion)["data"]["period"] == "2026Q3"
    move_clock(gf, "2026-10-04T09:00:00+08:00")
    assert len(cases_of(gf.app, "M001")) == 2  # opened once
    with gf.app.app_context():
        assert db.session.get(QuarterResult, ("2026Q3", "M001")).case_id == demotion
        db.session.remove()


def test_a_second_close_creates_nothing_and_returns_the_recorded_close(gf):
    organisation(gf)
    quarter(gf, "M001", **{"2026Q3": ("90", 3, True)})
    quarter(gf, "M002", **{"2026Q3": ("90", 1, False)})
    quarter(gf, "J001", "junior", **{"2026Q3": ("90", 3, True)})
    move_clock(gf, Q3_OVER)
    ok(close(gf))
    cases, results, timers = count(gf.app, Case), count(gf.app, QuarterResult), count(gf.app, Timer)

    second = ok(close(gf))
    move_clock(gf, "2026-10-01T15:00:00+08:00")  # the scheduled close (02:00) finds it closed too
    third = ok(close(gf))

    assert third == second
    assert (second["evaluated"], second["excluded"], second["not_demotable"], len(second["demotion_cases"])) == (
        3, ["M002"], ["J001"], 1)
    assert (second["closed_by"], second["closed_at"]) == (HR, Q3_OVER)
    assert (count(gf.app, Case), count(gf.app, QuarterResult), count(gf.app, Timer)) == (cases, results, timers)
    assert timer(gf.app, "quarter_close:2026Q3").result.startswith("closed 2026Q3")


def test_the_first_close_lists_each_evaluated_manager_once(gf):
    organisation(gf)
    quarter(gf, "J001", "junior", **{"2026Q3": ("90", 3, True)})
    quarter(gf, "M001", **{"2026Q3": ("90", 3, True)})
    quarter(gf, "M002", **{"2026Q3": ("90", 1, False)})
    move_clock(gf, Q3_OVER)

    first = ok(close(gf))
    second = ok(close(gf))

    assert (first["evaluated"], first["not_demotable"], first["excluded"], len(first["demotion_cases"])) == (
        3, ["J001"], ["M002"], 1)
    assert first == second


def test_a_closed_quarters_records_are_locked_while_annual_records_and_other_quarters_stay_open(gf):
    organisation(gf)
    quarter(gf, "M001", **{"2026Q3": "90"})
    move_clock(gf, Q3_OVER)
    closed(gf)
    record = {"score": 95, "months_worked": 3, "violation": False}

    assert_problem(gf.put("/managers/M001/performance/2026Q3", as_=HR, json=record), 409, "period_closed")
    # also a record nobody had entered before the close
    assert_problem(gf.put("/managers/S900/performance/2026Q3", as_=HR, json=record), 409, "period_closed")
    ok(gf.put("/managers/M001/performance/2026", as_=HR, json={**record, "months_worked": 12}))
    ok(gf.put("/managers/M001/performance/2026Q2", as_=HR, json=record))
    ok(gf.put("/managers/M001/performance/2026Q4", as_=HR, json=record))
    records = {r["period"]: r for r in ok(gf.get("/managers/M001/performance", as_=HR))}
    assert float(records["2026Q3"]["score"]) == 90


# --- the scheduled close ----------------------------------------------------------------------

def test_the_scheduled_close_runs_by_itself_at_two_on_the_day_after_the_quarter(gf):
    organisation(gf)
    quarter(gf, "M001", **{"2026Q3": ("90", 3, True)})

    move_clock(gf, "2026-10-01T01:59:59+08:00")
    assert count(gf.app, QuarterClose) == 0 and cases_of(gf.app, "M001") == []
    move_clock(gf, Q3_CLOSE_MOMENT)

    [case] = cases_of(gf.app, "M001")
    assert (case.kind, case.state, case.created_by) == ("demotion", "deliberation", SYSTEM)
    body = ok(close(gf))  # hr's close later returns the scheduler's recorded one
    assert (body["closed_by"], body["closed_at"], body["demotion_cases"], body["evaluated"]) == (
        SYSTEM, Q3_CLOSE_MOMENT, [case.id], 1)
    assert len(cases_of(gf.app)) == 1
    fired = timer(gf.app, "quarter_close:2026Q3")
    assert fired.due_at == fired.fired_at == datetime(2026, 9, 30, 18, 0, tzinfo=timezone.utc)  # 02:00 +08:00


def test_the_scheduled_close_schedules_the_next_quarters_close(gf):
    organisation(gf)
    assert timer(gf.app, "quarter_close:2026Q4") is None

    move_clock(gf, Q3_CLOSE_MOMENT)

    assert timer(gf.app, "quarter_close:2026Q3").fired_at is not None
    nxt = timer(gf.app, "quarter_close:2026Q4")
    assert nxt is not None and nxt.fired_at is None
    assert nxt.due_at == datetime(2026, 12, 31, 18, 0, tzinfo=timezone.utc)  # 2027-01-01 02:00 +08:00
    assert nxt.period == "2026Q4"


# --- demotion and exit --------------------------------------------------------------------------

def approve_and_publish(gf, case_id: int) -> dict:
    assert ok(event(gf, case_id, "approve", HR))["state"] == "decided"
    return ok(event(gf, case_id, "publish", HR))


def test_an_approved_demotion_from_a_quarter_close_demotes_the_manager(gf):
    organisation(gf)
    quarter(gf, "M001", **{"2026Q2": "70", "2026Q3": "70"})
    move_clock(gf, Q3_OVER)
    [case_id] = closed(gf)["demotion_cases"]

    published = approve_and_publish(gf, case_id)
    assert published["appeal_deadline"] == "2026-10-10T23:59:59+08:00"
    move_clock(gf, Q3_PUBLISHED_DEADLINE_PASSED)

    assert (case_of(gf, case_id)["state"], case_of(gf, case_id)["effective_on"]) == ("effective", "2026-10-11")
    assert manager(gf, "M001")["grade"] == "junior"
    assert grade_history(gf, "M001") == [
        {"from_grade": "mid", "to_grade": "junior", "effective_on": "2026-10-11", "case_id": case_id}]


def test_demotions_effective_in_two_consecutive_calendar_years_open_an_exit_case(gf):
    organisation(gf)
    quarter(gf, "S001", "senior", **{"2026Q3": ("90", 3, True), "2026Q4": ("90", 3, True)})
    move_clock(gf, Q3_OVER)
    [first] = closed(gf)["demotion_cases"]
    approve_and_publish(gf, first)

    # the 2026 demotion takes effect on 10-11; the scheduled 2026Q4 close (2027-01-01 02:00) finds the violation
    # of a mid (the grade held on 2026-12-31)
    move_clock(gf, "2027-01-01T09:00:00+08:00")
    assert manager(gf, "S001")["grade"] == "mid"
    [second] = [c.id for c in cases_of(gf.app, "S001") if c.id != first]
    assert (case_of(gf, second)["kind"], case_of(gf, second)["from_grade"]) == ("demotion", "mid")
    assert cases_of(gf.app, "S001")[-1].kind == "demotion"
    deadline = approve_and_publish(gf, second)["appeal_deadline"]
    assert deadline == "2027-01-06T23:59:59+08:00"  # 2027 has no official data: Monday–Friday
    move_clock(gf, "2027-01-07T00:00:00+08:00")

    assert [(g["from_grade"], g["to_grade"], g["effective_on"]) for g in grade_history(gf, "S001")] == [
        ("senior", "mid", "2026-10-11"), ("mid", "junior", "2027-01-07")]
    exits = [c for c in cases_of(gf.app, "S001") if c.kind == "exit"]
    assert len(exits) == 1
    shown = case_of(gf, exits[0].id)
    assert (shown["state"], shown["created_by"], shown["from_grade"], shown["target_grade"]) == (
        "deliberation", SYSTEM, "junior", "exited")
    entry = first_entry(gf, exits[0].id)
    assert (entry["event"], entry["actor"], entry["data"]["demotion_years"]) == ("submit", SYSTEM, [2026, 2027])


def test_demotions_two_years_apart_open_no_exit_case(gf):
    organisation(gf)
    quarter(gf, "S001", "senior", **{"2026Q3": ("90", 3, True), "2027Q4": ("90", 3, True)})
    move_clock(gf, Q3_OVER)
    [first] = closed(gf)["demotion_cases"]
    approve_and_publish(gf, first)

    for instant in ("2027-01-01T03:00", "2027-04-01T03:00", "2027-07-01T03:00", "2027-10-01T03:00",
                    "2028-01-03T09:00"):  # each scheduled close in its time; 2027Q4's runs on 2028-01-01
        move_clock(gf, f"{instant}:00+08:00")
    [second] = [c.id for c in cases_of(gf.app, "S001") if c.id != first]
    assert case_of(gf, second)["kind"] == "demotion"
    approve_and_publish(gf, second)
    move_clock(gf, "2028-01-10T00:00:00+08:00")

    assert [(g["to_grade"], g["effective_on"][:4]) for g in grade_history(gf, "S001")] == [
        ("mid", "2026"), ("junior", "2028")]
    assert [c.kind for c in cases_of(gf.app, "S001")] == ["demotion", "demotion"]
