"""Probation end (domain.md "Period-end triggers"): a `probation` manager whose probation (3 months
from grade start, by the default policy) has ended gets exactly one `probation_confirmation` case,
opened by the service at local midnight of the day probation ends; the supervisor passes or fails it,
hr publishes, and once final the manager is junior, or `exited` after a failed confirmation."""
from __future__ import annotations

from datetime import date, datetime, timezone

import sqlalchemy as sa

from api.context import rules as current_rules, uow as current_uow
from models import Case, Timer, db
from scheduler.sweep import sweep
from tests.support.answers import ok
from tests.support.reads import case_of, grade_history, manager
from tests.support.steps import event, hr_case, move_clock
from tests.support.world import BOSS, HR, organisation

SYSTEM = "(gradeflow)"
STARTED = date(2026, 6, 10)  # probation ends on 2026-09-10 (a Thursday), at 00:00 +08:00
ENDS_AT = "2026-09-10T00:00:00+08:00"
JUST_BEFORE = "2026-09-09T23:59:59+08:00"


def on_probation(gf, no: str = "P001", since: date = STARTED) -> str:
    gf.manager(no, "probation", supervisor="S900", grade_since=since, login=True)
    return no


def confirmations(app, no: str) -> list[Case]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(Case).where(Case.employee_no == no,
                                                             Case.kind == "probation_confirmation")
                                       .order_by(Case.id)))
        db.session.remove()
        return rows


def probation_timers(app, no: str) -> list[Timer]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(Timer).where(Timer.kind == "probation_end", Timer.employee_no == no)))
        db.session.remove()
        return rows


def sweep_now(app) -> None:
    """One more sweep, in-process, at the clock's current instant."""
    with app.app_context():
        sweep(current_uow, current_rules(), trigger="test")
        db.session.remove()


def test_probation_end_opens_one_confirmation_case_at_local_midnight(gf):
    organisation(gf)
    no = on_probation(gf)

    move_clock(gf, JUST_BEFORE)
    assert confirmations(gf.app, no) == []
    move_clock(gf, ENDS_AT)

    [case] = confirmations(gf.app, no)
    shown = case_of(gf, case.id)
    assert (shown["state"], shown["created_by"], shown["from_grade"], shown["target_grade"], shown["created_at"]) == (
        "submitted", SYSTEM, "probation", "junior", ENDS_AT)
    [entry] = ok(gf.get(f"/cases/{case.id}/history", as_=HR))
    assert (entry["event"], entry["actor"], entry["to_state"]) == ("submit", SYSTEM, "submitted")
    assert entry["data"]["probation_started"] == "2026-06-10"
    [timer] = probation_timers(gf.app, no)
    assert timer.due_at == datetime(2026, 9, 9, 16, 0, tzinfo=timezone.utc) == timer.fired_at
    assert case.id in [c["id"] for c in ok(gf.get("/cases?mine=true", as_=no.lower()))]


def test_moving_the_clock_again_or_sweeping_twice_opens_no_second_confirmation(gf):
    organisation(gf)
    no = on_probation(gf)
    move_clock(gf, ENDS_AT)
    [case] = confirmations(gf.app, no)

    move_clock(gf, "2026-09-11T09:00:00+08:00")
    sweep_now(gf.app)
    sweep_now(gf.app)
    move_clock(gf, "2026-09-14T09:00:00+08:00")

    assert [c.id for c in confirmations(gf.app, no)] == [case.id]
    assert len(probation_timers(gf.app, no)) == 1


def test_a_confirmation_hr_opened_already_gets_no_second_one(gf):
    organisation(gf)
    no = on_probation(gf, since=date(2026, 5, 1))  # probation ended on 2026-08-01
    manual = hr_case(gf, "probation_confirmation", no)["id"]

    move_clock(gf, "2026-09-02T09:00:00+08:00")

    assert [c.id for c in confirmations(gf.app, no)] == [manual]
    assert case_of(gf, manual)["created_by"] == HR
    [timer] = probation_timers(gf.app, no)
    assert timer.fired_at is not None and "exists" in timer.result


def test_a_passed_confirmation_makes_the_manager_junior(gf):
    organisation(gf)
    no = on_probation(gf)
    move_clock(gf, ENDS_AT)
    [case] = confirmations(gf.app, no)

    assert ok(event(gf, case.id, "pass_probation", BOSS, supervisor_score=85))["state"] == "decided"
    published = ok(event(gf, case.id, "publish", HR))
    assert published["appeal_deadline"] == "2026-09-15T23:59:59+08:00"  # Fri 11, Mon 14, Tue 15
    move_clock(gf, "2026-09-15T23:59:59+08:00")
    assert manager(gf, no)["grade"] == "probation"
    move_clock(gf, "2026-09-16T00:00:00+08:00")

    assert (case_of(gf, case.id)["state"], case_of(gf, case.id)["outcome"]) == ("effective", "approved")
    assert (manager(gf, no)["grade"], manager(gf, no)["status"], manager(gf, no)["grade_since"]) == (
        "junior", "active", "2026-09-16")
    assert grade_history(gf, no) == [
        {"from_grade": "probation", "to_grade": "junior", "effective_on": "2026-09-16", "case_id": case.id}]
    move_clock(gf, "2026-12-20T09:00:00+08:00")  # a junior gets no new probation case
    assert len(confirmations(gf.app, no)) == 1 and len(probation_timers(gf.app, no)) == 1


def test_a_failed_confirmation_once_final_moves_the_manager_to_exited_exactly_once(gf):
    organisation(gf)
    no = on_probation(gf)
    move_clock(gf, ENDS_AT)
    [case] = confirmations(gf.app, no)

    assert ok(event(gf, case.id, "fail_probation", BOSS, supervisor_score=40))["state"] == "decided"
    ok(event(gf, case.id, "publish", HR))
    move_clock(gf, "2026-09-16T00:00:00+08:00")
    move_clock(gf, "2026-09-17T09:00:00+08:00")
    sweep_now(gf.app)

    assert (case_of(gf, case.id)["state"], case_of(gf, case.id)["outcome"]) == ("effective", "denied")
    assert (manager(gf, no)["grade"], manager(gf, no)["status"]) == ("exited", "exited")
    assert grade_history(gf, no) == [
        {"from_grade": "probation", "to_grade": "exited", "effective_on": "2026-09-16", "case_id": case.id}]
    assert [e["event"] for e in ok(gf.get(f"/cases/{case.id}/history", as_=HR))].count("finalize") == 1
    assert len(confirmations(gf.app, no)) == 1


def test_a_probation_that_had_already_ended_gets_its_case_at_the_next_clock_move(gf):
    organisation(gf)
    no = on_probation(gf, since=date(2026, 5, 1))  # ended on 2026-08-01, before the service knew of it
    assert confirmations(gf.app, no) == []
    [timer] = probation_timers(gf.app, no)
    assert timer.due_at == datetime(2026, 7, 31, 16, 0, tzinfo=timezone.utc) and timer.fired_at is None

    move_clock(gf, "2026-09-01T09:00:01+08:00")

    [case] = confirmations(gf.app, no)
    assert (case.state, case.created_by) == ("submitted", SYSTEM)
    assert case_of(gf, case.id)["created_at"] == "2026-09-01T09:00:01+08:00"


def test_a_manager_not_on_probation_gets_no_probation_timer(gf):
    organisation(gf)
    gf.manager("J001", "junior", supervisor="S900", grade_since=STARTED, login=True)
    gf.manager("M001", "mid", supervisor="S900", grade_since=STARTED)

    move_clock(gf, "2026-09-20T09:00:00+08:00")

    assert probation_timers(gf.app, "J001") == [] and probation_timers(gf.app, "M001") == []
    assert confirmations(gf.app, "J001") == [] and confirmations(gf.app, "M001") == []


def test_probation_end_waits_while_another_case_of_the_manager_is_open(gf):
    organisation(gf)
    no = on_probation(gf, since=date(2026, 5, 1))
    exit_case = hr_case(gf, "exit", no)["id"]  # an exit case in deliberation: two cases never run at once

    move_clock(gf, "2026-09-02T09:00:00+08:00")
    assert confirmations(gf.app, no) == []
    [timer] = probation_timers(gf.app, no)
    assert timer.fired_at is None and timer.result.startswith("rescheduled")

    ok(event(gf, exit_case, "deny", HR))
    ok(event(gf, exit_case, "publish", HR))
    # the probation end is retried daily: at 09-08 09:00 it finds the exit case still published (its window
    # closes at the end of 09-07, a later timer), the next day it opens the confirmation
    move_clock(gf, "2026-09-08T09:00:00+08:00")
    assert case_of(gf, exit_case)["state"] == "closed"
    assert confirmations(gf.app, no) == []
    move_clock(gf, "2026-09-09T09:00:00+08:00")

    [case] = confirmations(gf.app, no)
    assert (case.state, case.created_by) == ("submitted", SYSTEM)
