"""Closes of months and half-years (issue 13, point 2): a policy that assesses monthly (tobacco, the salon) or
by half-year (the kitchen) closes those periods as the default policy closes quarters: by hr once the period is
over or by the scheduler after it, with the same rules counted in periods of that kind, the period's records
locked afterwards, and the next period's close scheduled. The quarter close itself is
tests/api/test_quarter_close.py."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from models import Timer, db
from tests.support.answers import assert_problem, ok
from tests.support.driver import Driver
from tests.support.policies import MONTHLY_AND_QUARTERLY, policy_file
from tests.support.reads import case_of
from tests.support.steps import move_clock
from tests.support.world import HR, organisation


def closing(build, tmp_path, kind: str, min_months_worked: int) -> Driver:
    def change(document):
        document["periods"] = ["year", kind]
        document["quarter_close"].update(period=kind, min_months_worked=min_months_worked)
    gf = Driver(build(GRADEFLOW_POLICY=policy_file(tmp_path, change)))
    organisation(gf)
    return gf


@pytest.fixture
def monthly(build, tmp_path):
    return closing(build, tmp_path, "month", 1)


def records(gf, no: str, grade: str = "mid", **scores) -> None:
    """A manager of `grade` with a record per period=score or period=(score, months worked)."""
    gf.manager(no, grade, supervisor="S900", login=True)
    for period, value in scores.items():
        score, months = value if isinstance(value, tuple) else (value, 1)
        gf.performance(no, period, score, months_worked=months)


def close(gf, period: str):
    return gf.post(f"/evaluations/{period}/close", as_=HR)


def timer(app, key: str) -> Timer | None:
    with app.app_context():
        row = db.session.scalar(sa.select(Timer).where(Timer.key == key))
        db.session.remove()
        return row


def test_a_monthly_policy_closes_a_month_and_demotes_after_two_low_months(monthly):
    records(monthly, "M001", **{"2026M07": "79.99", "2026M08": "60"})
    records(monthly, "M002", **{"2026M08": "60"})  # one low month only
    records(monthly, "M003", **{"2026M06": "60", "2026M08": "60"})  # not consecutive
    records(monthly, "J001", "junior", **{"2026M08": ("90", 0)})  # no day worked in August

    body = ok(close(monthly, "2026M08"))  # 2026-09-01: August is over

    [case_id] = body["demotion_cases"]
    shown = case_of(monthly, case_id)
    assert (shown["employee_no"], shown["kind"], shown["target_grade"]) == ("M001", "demotion", "junior")
    [entry] = ok(monthly.get(f"/cases/{case_id}/history", as_=HR))[:1]
    [reason] = entry["data"]["quarter_close"]
    assert [q["period"] for q in reason["quarters"]] == ["2026M07", "2026M08"]
    assert (body["period"], body["evaluated"], body["excluded"]) == ("2026M08", 4, ["J001"])


def test_a_monthly_policy_closes_months_only_and_each_after_its_last_day(monthly):
    assert_problem(close(monthly, "2026Q2"), 422, "validation_error", field="period", rule="month_only")
    assert_problem(close(monthly, "2026M09"), 409, "period_not_over")
    move_clock(monthly, "2026-10-01T00:00:00+08:00")
    assert ok(close(monthly, "2026M09"))["period"] == "2026M09"


def test_a_closed_months_records_are_locked_and_the_months_before_stay_open(monthly):
    records(monthly, "M001", **{"2026M08": "90"})
    ok(close(monthly, "2026M08"))
    record = {"score": 95, "months_worked": 1, "violation": False}

    assert_problem(monthly.put("/managers/M001/performance/2026M08", as_=HR, json=record), 409, "period_closed")
    ok(monthly.put("/managers/M001/performance/2026M07", as_=HR, json=record))
    ok(monthly.put("/managers/M001/performance/2026", as_=HR, json={**record, "months_worked": 12}))  # not closed


def test_the_scheduler_closes_each_month_the_day_after_it_and_schedules_the_next(monthly):
    records(monthly, "M001", **{"2026M08": "70", "2026M09": "70"})
    move_clock(monthly, "2026-10-01T02:00:00+08:00")

    fired = timer(monthly.app, "quarter_close:2026M09")
    assert fired.due_at == fired.fired_at == datetime(2026, 9, 30, 18, 0, tzinfo=timezone.utc)
    body = ok(close(monthly, "2026M09"))  # hr reads the scheduler's recorded close
    assert (body["closed_by"], body["evaluated"], len(body["demotion_cases"])) == ("(gradeflow)", 1, 1)
    following = timer(monthly.app, "quarter_close:2026M10")
    assert following.fired_at is None
    assert following.due_at == datetime(2026, 10, 31, 18, 0, tzinfo=timezone.utc)  # 2026-11-01 02:00 +08:00


def test_a_half_year_policy_closes_the_half_year_with_the_half_before(build, tmp_path):
    """The kitchen reviews by half-year: two low halves in a row demote; 6 months is a whole half."""
    gf = closing(build, tmp_path, "half", 4)
    records(gf, "M001", **{"2025H2": ("70", 6), "2026H1": ("75", 6)})
    records(gf, "M002", **{"2025H2": ("70", 6), "2026H1": ("75", 3)})  # too few months in the half closed

    body = ok(close(gf, "2026H1"))

    assert len(body["demotion_cases"]) == 1 and body["excluded"] == ["M002"]
    assert case_of(gf, body["demotion_cases"][0])["employee_no"] == "M001"
    assert_problem(close(gf, "2026M06"), 422, "validation_error", field="period", rule="half_only")


def test_after_the_policy_turns_to_monthly_closes_a_closed_quarter_stays_locked_and_its_chain_stops(gf, build,
                                                                                                     tmp_path):
    """The quarter chain of the earlier policy: 2026Q3 closed by the scheduler, 2026Q4 pending. Under a policy
    that closes months, 2026Q3's records stay locked and 2026Q4's timer fires without closing anything."""
    organisation(gf)
    records(gf, "M001", **{"2026Q3": ("90", 3)})
    move_clock(gf, "2026-10-01T02:00:00+08:00")
    assert timer(gf.app, "quarter_close:2026Q3").fired_at is not None

    def monthly_too(document):
        document["periods"] = ["year", "quarter", "month"]
        document["quarter_close"].update(period="month", min_months_worked=1)
    monthly = Driver(build(GRADEFLOW_POLICY=policy_file(tmp_path, monthly_too)))
    record = {"score": 95, "months_worked": 3, "violation": False}
    assert_problem(monthly.put("/managers/M001/performance/2026Q3", as_=HR, json=record), 409, "period_closed")

    move_clock(monthly, "2027-01-01T03:00:00+08:00")

    stopped = timer(monthly.app, "quarter_close:2026Q4")
    assert stopped.fired_at is not None and stopped.result.startswith("nothing to do: the policy closes month")
    assert timer(monthly.app, "quarter_close:2026M12").fired_at is not None  # the months' chain took over
    assert_problem(monthly.post("/evaluations/2026Q4/close", as_=HR), 422, "validation_error", field="period",
                   rule="month_only")


# --- several closes side by side (seed 004: 月度考核、季度评价) -------------------------------------------------

@pytest.fixture
def side_by_side(build, tmp_path):
    def change(document):
        document["periods"] = ["year", "quarter", "month"]
        document["quarter_close"] = MONTHLY_AND_QUARTERLY
    gf = Driver(build(GRADEFLOW_POLICY=policy_file(tmp_path, change)))
    organisation(gf)
    return gf


def test_a_policy_closes_months_and_quarters_side_by_side_each_by_its_own_rule(side_by_side):
    records(side_by_side, "M001", **{"2026M08": "59", "2026M09": "59"})  # two months below the month's 60
    records(side_by_side, "M002", **{"2026Q3": ("79", 3)})  # one quarter below the quarter's 80
    records(side_by_side, "M003", **{"2026M09": "59", "2026Q3": ("95", 3)})  # one low month only
    move_clock(side_by_side, "2026-10-01T09:00:00+08:00")  # both are over; neither scheduled close has run

    months = ok(close(side_by_side, "2026M09"))
    quarters = ok(close(side_by_side, "2026Q3"))

    assert [case_of(side_by_side, c)["employee_no"] for c in months["demotion_cases"]] == ["M001"]
    assert [case_of(side_by_side, c)["employee_no"] for c in quarters["demotion_cases"]] == ["M002"]
    assert (months["evaluated"], quarters["evaluated"]) == (2, 2)
    assert_problem(close(side_by_side, "2026H1"), 422, "validation_error", field="period",
                   rule="quarter_or_month_only")


def test_closes_side_by_side_judge_independently_the_second_demotion_waits_for_the_first(side_by_side):
    """Both closes find M001 low: the month close demotes, the quarter close defers its own demotion until that
    case has ended (docs/policies.md: each close's one bad stretch demotes once within its kind)."""
    records(side_by_side, "M001", **{"2026M08": "59", "2026M09": "59", "2026Q3": ("79", 3)})
    move_clock(side_by_side, "2026-10-01T09:00:00+08:00")
    [case_id] = ok(close(side_by_side, "2026M09"))["demotion_cases"]
    quarters = ok(close(side_by_side, "2026Q3"))
    assert (quarters["demotion_cases"], quarters["deferred"]) == ([], ["M001"])
    assert case_of(side_by_side, case_id)["employee_no"] == "M001"


def test_each_close_locks_its_own_periods_records(side_by_side):
    records(side_by_side, "M001", **{"2026M09": "90", "2026Q3": ("90", 3)})
    move_clock(side_by_side, "2026-10-01T09:00:00+08:00")
    ok(close(side_by_side, "2026M09"))
    month, quarter = ({"score": 95, "months_worked": n, "violation": False} for n in (1, 3))
    assert_problem(side_by_side.put("/managers/M001/performance/2026M09", as_=HR, json=month), 409, "period_closed")
    ok(side_by_side.put("/managers/M001/performance/2026Q3", as_=HR, json=quarter))  # its close is still to come
    ok(close(side_by_side, "2026Q3"))
    assert_problem(side_by_side.put("/managers/M001/performance/2026Q3", as_=HR, json=quarter), 409,
                   "period_closed")


def test_the_scheduler_runs_each_close_at_its_own_moment_and_chains_each(side_by_side):
    move_clock(side_by_side, "2026-10-07T03:00:00+08:00")  # 3 days after September, 7 after the quarter

    month = timer(side_by_side.app, "quarter_close:2026M09")
    quarter = timer(side_by_side.app, "quarter_close:2026Q3")
    assert month.due_at == datetime(2026, 10, 2, 18, 0, tzinfo=timezone.utc)  # 2026-10-03 02:00 +08:00
    assert quarter.due_at == datetime(2026, 10, 6, 19, 0, tzinfo=timezone.utc)  # 2026-10-07 03:00 +08:00
    assert month.fired_at is not None and quarter.fired_at is not None
    assert quarter.result.startswith("closed 2026Q3")
    assert timer(side_by_side.app, "quarter_close:2026M10").fired_at is None
    assert timer(side_by_side.app, "quarter_close:2026Q4").due_at == datetime(2027, 1, 6, 19, 0, tzinfo=timezone.utc)
