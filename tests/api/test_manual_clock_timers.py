"""The manual clock and the sweep (issue 4: timers as rows, one sweep, catch-up).

PUT /clock makes sure the standing timers exist at the old time, moves the clock, then fires every
timer that fell due, earliest first and each once, before it returns. `gradeflow run-due --now` fires
what was due at that instant. Every sweep is a row of scheduler_runs (trigger clock, run_due, ...)
with its fired and failed counts; a timer whose handler fails keeps its error and attempts, holds up
no other timer, and is retried later."""
from __future__ import annotations

import logging
import re
from datetime import date, datetime, timezone

import sqlalchemy as sa

from api.context import uow as current_uow
from models import Case, CaseHistory, GradeHistory, OutboxMessage, QuarterClose, SchedulerRun, Timer, db
from scheduler.sweep import sweep
from tests.support.answers import ok
from tests.support.commands import run_due
from tests.support.reads import case_of, manager
from tests.support.settings import SHANGHAI
from tests.support.steps import apply, event, hr_case, move_clock
from tests.support.world import ADMIN, HR, candidate, organisation
from workflow.services import due

SYSTEM = "(gradeflow)"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def rows(app, model, *where, order=None) -> list:
    with app.app_context():
        stmt = sa.select(model).where(*where)
        stmt = stmt.order_by(*(order if order is not None else [model.id]))
        found = list(db.session.scalars(stmt))
        db.session.remove()
        return found


def runs(app) -> list[SchedulerRun]:
    return rows(app, SchedulerRun)


def published_demotion(gf, no: str = "D001") -> int:
    """A mid's demotion, approved and published at the clock's start (2026-09-01): window ends 09-05 00:00."""
    candidate(gf, no, "mid")
    case_id = hr_case(gf, "demotion", no)["id"]
    ok(event(gf, case_id, "approve", HR))
    assert ok(event(gf, case_id, "publish", HR))["appeal_deadline"] == "2026-09-04T23:59:59+08:00"
    return case_id


def on_probation(gf, no: str, since: date) -> str:
    gf.manager(no, "probation", supervisor="S900", grade_since=since, login=True)
    return no


def kinds_of(app, no: str) -> list[str]:
    return [c.kind for c in rows(app, Case, Case.employee_no == no)]


# --- PUT /clock ---------------------------------------------------------------------------------

def test_put_clock_fires_everything_that_fell_due_in_due_order_before_it_returns(gf, build, caplog):
    organisation(gf)
    on_probation(gf, "P001", date(2026, 7, 1))  # ends 2026-10-01 00:00; its timer is the oldest row
    gf.manager("M001", "mid", supervisor="S900")
    gf.performance("M001", "2026Q3", "90", months_worked=3, violation=True)  # the Q3 close (10-01 02:00) demotes
    demotion = published_demotion(gf)  # window ends 09-05 00:00, the earliest

    with caplog.at_level(logging.INFO, logger="gradeflow.scheduler"):
        body = move_clock(gf, "2026-10-03T09:00:00+08:00")

    assert body["now"] == "2026-10-03T09:00:00+08:00"
    # every effect was committed when the response came: another app (its own connections) sees them all
    other = build()
    assert [c.state for c in rows(other, Case, Case.id == demotion)] == ["effective"]
    assert kinds_of(other, "P001") == ["probation_confirmation"]
    assert kinds_of(other, "M001") == ["demotion"]
    assert [c.period for c in rows(other, QuarterClose, order=[QuarterClose.period])] == ["2026Q3"]

    [run] = [r for r in runs(gf.app) if r.trigger == "clock"]
    fired = rows(gf.app, Timer, Timer.run_id == run.id)
    assert {t.kind for t in fired} == {"appeal_window_end", "probation_end", "quarter_close"}
    by_due = [t.id for t in sorted(fired, key=lambda t: (t.due_at, t.id))]
    by_creation = [t.id for t in sorted(fired, key=lambda t: t.id)]
    assert by_due != by_creation  # the probation timer was scheduled first, yet falls due second
    logged = [int(m.group(1)) for r in caplog.records
              if (m := re.match(r"timer (\d+) \(", r.getMessage())) and r.name == "gradeflow.scheduler"]
    assert logged == by_due
    assert [t.kind for t in sorted(fired, key=lambda t: (t.due_at, t.id))] == [
        "appeal_window_end", "probation_end", "quarter_close"]
    # the effects happened in the same order: the history rows of finalize, then of the two opened cases
    finalize = rows(gf.app, CaseHistory, CaseHistory.case_id == demotion, CaseHistory.event == "finalize")
    [probation_case] = rows(gf.app, Case, Case.employee_no == "P001")
    [q3_case] = rows(gf.app, Case, Case.employee_no == "M001")
    opened = [rows(gf.app, CaseHistory, CaseHistory.case_id == c.id, CaseHistory.event == "submit")[0]
              for c in (probation_case, q3_case)]
    assert finalize[0].id < opened[0].id < opened[1].id
    assert (run.fired, run.failed, run.until) == (3, 0, utc("2026-10-03T09:00:00+08:00"))
    assert run.finished_at is not None


def test_a_jump_across_several_days_fires_every_timer_once(gf):
    organisation(gf)
    first = published_demotion(gf, "D001")
    second = published_demotion(gf, "D002")
    on_probation(gf, "P001", date(2026, 6, 10))  # ends 2026-09-10
    promotion = apply(gf, candidate(gf, "E001"))  # overdue from 09-07 09:00

    move_clock(gf, "2026-10-20T09:00:00+08:00")
    move_clock(gf, "2026-10-20T09:00:01+08:00")

    timers = rows(gf.app, Timer)
    assert len({t.key for t in timers}) == len(timers)
    clock_runs = [r for r in runs(gf.app) if r.trigger == "clock"]
    assert len(clock_runs) == 2
    fired = [t for t in timers if t.run_id == clock_runs[0].id]
    assert clock_runs[0].fired == len(fired)
    assert sorted(t.kind for t in fired) == ["appeal_window_end", "appeal_window_end", "probation_end",
                                             "quarter_close", "reminder"]
    assert clock_runs[1].fired == 0 and not [t for t in timers if t.run_id == clock_runs[1].id]
    for case_id in (first, second):
        assert [h.event for h in rows(gf.app, CaseHistory, CaseHistory.case_id == case_id)].count("finalize") == 1
    assert len(rows(gf.app, GradeHistory, GradeHistory.employee_no == "D001")) == 1
    assert kinds_of(gf.app, "P001") == ["probation_confirmation"]
    assert len(rows(gf.app, OutboxMessage, OutboxMessage.case_id == promotion)) == 1  # caught up once, not daily
    assert [c.period for c in rows(gf.app, QuarterClose, order=[QuarterClose.period])] == ["2026Q3"]


def test_the_clock_moving_far_closes_every_quarter_it_passes_once(gf):
    organisation(gf)

    move_clock(gf, "2027-05-01T09:00:00+08:00")
    move_clock(gf, "2027-08-01T09:00:00+08:00")

    assert [c.period for c in rows(gf.app, QuarterClose, order=[QuarterClose.period])] == [
        "2026Q3", "2026Q4", "2027Q1", "2027Q2"]
    closes = rows(gf.app, Timer, Timer.kind == "quarter_close", order=[Timer.due_at])
    assert [(t.period, t.fired_at is not None) for t in closes] == [
        ("2026Q3", True), ("2026Q4", True), ("2027Q1", True), ("2027Q2", True), ("2027Q3", False)]


def test_put_clock_is_recorded_as_a_sweep_with_trigger_clock(gf):
    organisation(gf)
    published_demotion(gf)

    move_clock(gf, "2026-09-02T09:00:00+08:00")
    move_clock(gf, "2026-09-05T00:00:00+08:00")

    recorded = [(r.trigger, r.fired, r.failed, r.until) for r in runs(gf.app)]
    assert recorded == [("clock", 0, 0, utc("2026-09-02T09:00:00+08:00")),
                        ("clock", 1, 0, utc("2026-09-05T00:00:00+08:00"))]
    assert all(r.finished_at is not None and r.runner for r in runs(gf.app))


def test_only_admins_move_the_clock_and_nothing_fires_when_refused(gf):
    organisation(gf)
    case_id = published_demotion(gf)

    response = gf.put("/clock", as_=HR, json={"now": "2026-09-06T09:00:00+08:00"})

    assert response.status_code == 403
    assert runs(gf.app) == [] and case_of(gf, case_id)["state"] == "published"
    assert ok(gf.get("/clock", as_=ADMIN))["now"] == "2026-09-01T09:00:00+08:00"


# --- gradeflow run-due --------------------------------------------------------------------------

def test_run_due_now_fires_only_what_was_due_at_that_instant(gf, migrated, tmp_path):
    organisation(gf)
    demotion = published_demotion(gf)  # due 09-05 00:00
    on_probation(gf, "P001", date(2026, 6, 10))  # due 09-10 00:00
    clock_at = "2026-09-20T09:00:00+08:00"

    result = run_due(tmp_path, migrated, "--now", "2026-09-07T00:00:00+08:00", clock_at=clock_at)

    assert result.returncode == 0, result.stderr
    assert "fired 1 timer(s)" in result.stdout and "appeal_window_end" in result.stdout
    assert case_of(gf, demotion)["state"] == "effective"
    assert kinds_of(gf.app, "P001") == []
    [probation_timer] = rows(gf.app, Timer, Timer.kind == "probation_end")
    assert probation_timer.fired_at is None
    [run] = runs(gf.app)
    assert (run.trigger, run.fired, run.failed, run.until) == ("run_due", 1, 0, utc("2026-09-07T00:00:00+08:00"))

    later = run_due(tmp_path, migrated, clock_at=clock_at)  # without --now: the clock's instant

    assert later.returncode == 0, later.stderr
    assert "fired 1 timer(s)" in later.stdout and "probation_end" in later.stdout
    assert kinds_of(gf.app, "P001") == ["probation_confirmation"]
    assert [(r.trigger, r.fired) for r in runs(gf.app)] == [("run_due", 1), ("run_due", 1)]
    assert runs(gf.app)[1].until == utc(clock_at)


# --- a failing timer ----------------------------------------------------------------------------

def _sweep_in_process(app):
    with app.app_context():
        run = sweep(current_uow, app.extensions["gradeflow"]["rules"], trigger="test")
        db.session.remove()
        return run


def test_a_failing_timer_keeps_its_error_holds_up_no_other_and_is_retried_later(gf, monkeypatch):
    organisation(gf)
    on_probation(gf, "P001", date(2026, 6, 2))  # ends 2026-09-02 00:00: due before the appeal window (09-05)
    demotion = published_demotion(gf)
    calls = []

    def broken(uow, rules, timer):
        calls.append(timer.id)
        raise RuntimeError("the directory service is down")

    monkeypatch.setitem(due._HANDLERS, "probation_end", broken)
    move_clock(gf, "2026-09-06T09:00:00+08:00")

    [timer] = rows(gf.app, Timer, Timer.kind == "probation_end")
    assert (timer.fired_at, timer.run_id, timer.attempts) == (None, None, 1)
    assert "the directory service is down" in timer.last_error
    assert timer.retry_at == utc("2026-09-06T09:02:00+08:00")
    assert case_of(gf, demotion)["state"] == "effective"  # fired although due after the failing one
    assert kinds_of(gf.app, "P001") == []
    [run] = runs(gf.app)
    assert (run.trigger, run.fired, run.failed) == ("clock", 1, 1)

    again = _sweep_in_process(gf.app)  # the same instant: not yet time to retry
    assert (again.fired, again.failed) == ([], {})
    assert rows(gf.app, Timer, Timer.kind == "probation_end")[0].attempts == 1 and len(calls) == 1

    move_clock(gf, "2026-09-06T09:02:00+08:00")  # retried, and it fails again: the next try waits longer
    [timer] = rows(gf.app, Timer, Timer.kind == "probation_end")
    assert (timer.attempts, timer.retry_at, len(calls)) == (2, utc("2026-09-06T09:06:00+08:00"), 2)

    monkeypatch.setitem(due._HANDLERS, "probation_end", due._probation_end)  # the outage is over
    move_clock(gf, "2026-09-06T09:05:59+08:00")
    assert kinds_of(gf.app, "P001") == []
    move_clock(gf, "2026-09-06T09:06:00+08:00")

    [timer] = rows(gf.app, Timer, Timer.kind == "probation_end")
    assert timer.fired_at == utc("2026-09-06T09:06:00+08:00") and timer.run_id is not None
    assert (timer.last_error, timer.retry_at) == (None, None)
    assert timer.result.startswith("opened probation confirmation case")
    assert kinds_of(gf.app, "P001") == ["probation_confirmation"]
    assert [(r.fired, r.failed) for r in runs(gf.app)] == [(1, 1), (0, 0), (0, 1), (0, 0), (1, 0)]


def test_a_timer_that_fails_in_an_in_process_sweep_does_not_stop_the_sweep(gf, monkeypatch):
    organisation(gf)
    first = published_demotion(gf, "D001")
    second = published_demotion(gf, "D002")
    [failing, other] = rows(gf.app, Timer, Timer.kind == "appeal_window_end")
    original = due._HANDLERS["appeal_window_end"]

    def fail_first(uow, rules, timer):
        if timer.id == failing.id:
            raise ValueError("cannot finalize this one")
        return original(uow, rules, timer)

    monkeypatch.setitem(due._HANDLERS, "appeal_window_end", fail_first)
    with gf.app.app_context():
        gf.app.extensions["gradeflow"]["manual_clock"].move_to(datetime(2026, 9, 5, 9, 0, tzinfo=SHANGHAI))
        db.session.commit()
        db.session.remove()

    run = _sweep_in_process(gf.app)

    assert [t[0] for t in run.fired] == [other.id] and list(run.failed) == [failing.id]
    assert "cannot finalize this one" in run.failed[failing.id]
    assert (case_of(gf, first)["state"], case_of(gf, second)["state"]) == ("published", "effective")
    assert manager(gf, "D002")["grade"] == "junior" and manager(gf, "D001")["grade"] == "mid"
    [recorded] = runs(gf.app)
    assert (recorded.trigger, recorded.fired, recorded.failed) == ("test", 1, 1)
