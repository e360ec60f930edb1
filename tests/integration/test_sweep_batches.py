"""The sweep fires due timers in batches (issue "Speed and shape of the hot paths", point 3): one transaction
per batch claims its timers (FOR UPDATE SKIP LOCKED on PostgreSQL), reads the clock once, fires each timer in a
savepoint of its own and extends the history's hash chain once; still each timer's effect happens once.

- a timer failing in a batch rolls back its own effect only: the others fire, their history is linked, and
  it keeps its error and is retried later;
- two sweeps at once fire each timer once;
- a batch reads the clock once, and the statements per timer are those of its effect and its savepoint.
"""
from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date, timedelta

import sqlalchemy as sa

from models import Case, CaseHistory, SchedulerRun, Timer, db
from models.audit import verify_chain
from scheduler.sweep import sweep
from tests.support.app_services import rules_of, unit_of_work
from tests.support.reads import read
from tests.support.settings import CLOCK_START as STARTED  # every probation below has ended by then
from tests.support.statements import counting
from workflow.services import due
from workflow.services.accounts import OPERATOR
from workflow.services.managers import register_manager


def on_probation(app, count: int, prefix: str = "P") -> list[str]:
    """`count` managers whose probation ended before the clock's start: a due probation_end timer each."""
    numbers = [f"{prefix}{i:04d}" for i in range(count)]
    with app.app_context():
        with unit_of_work()() as uow:
            for no in numbers:
                register_manager(uow, rules_of(app), OPERATOR, employee_no=no, name=f"见习{no}", org_unit="北京分行",
                                 grade="probation", grade_since=date(2026, 5, 1), hire_date=date(2026, 5, 1))
        db.session.remove()
    return numbers


def swept(app, rules=None, **options):
    with app.app_context():
        try:
            return sweep(unit_of_work(), rules or rules_of(app), trigger="test", **options)
        finally:
            db.session.remove()


def confirmation_cases(app) -> dict[str, list[int]]:
    """employee_no → the probation confirmation cases opened for the manager."""
    found = {}
    for no, case_id in read(app, lambda s: s.execute(sa.select(Case.employee_no, Case.id).where(
            Case.kind == "probation_confirmation").order_by(Case.id)).all()):
        found.setdefault(no, []).append(case_id)
    return found


def chain(app):
    return read(app, lambda s: (verify_chain(s)[:2], s.scalar(sa.select(sa.func.count()).select_from(CaseHistory))))


# --- a failing timer -----------------------------------------------------------------------------

def test_a_timer_failing_in_a_batch_rolls_back_its_own_effect_only_and_is_retried_later(app, monkeypatch):
    managers = on_probation(app, 5)
    original = due._HANDLERS["probation_end"]

    def fails_after_writing(uow, rules, timer):
        outcome = original(uow, rules, timer)  # a case, its history entry and its first reminder, written
        if timer.employee_no == "P0002":
            raise RuntimeError("the directory service is down")
        return outcome

    monkeypatch.setitem(due._HANDLERS, "probation_end", fails_after_writing)
    with counting(app) as seen:
        run = swept(app)

    [(failing_id, error)] = run.failed.items()
    assert "the directory service is down" in error
    assert sorted(confirmation_cases(app)) == ["P0000", "P0001", "P0003", "P0004"]  # nothing of P0002's effect
    assert chain(app) == ((4, None), 4)  # the others' history entries are all linked
    timer = read(app, lambda s: s.get(Timer, failing_id))
    assert (timer.employee_no, timer.fired_at, timer.run_id, timer.attempts) == ("P0002", None, None, 1)
    assert "the directory service is down" in timer.last_error
    assert timer.retry_at == STARTED + timedelta(minutes=2)
    [record] = read(app, lambda s: s.scalars(sa.select(SchedulerRun)).all())
    assert (record.fired, record.failed) == (4, 1) == (len(run.fired), len(run.failed))
    # one batch: the claims in one statement, the chain extended once for the four entries
    assert len([s for s in seen if s.startswith("UPDATE timers SET") and "run_id" in s.split(" WHERE ")[0]
                and " WHERE timers.id IN (" in s]) == 1
    assert len([s for s in seen if s.startswith("INSERT INTO audit_chain")]) == 1

    monkeypatch.setitem(due._HANDLERS, "probation_end", original)
    assert swept(app).fired == []  # not before its retry time
    with app.app_context():
        app.extensions["gradeflow"]["manual_clock"].move_to(STARTED + timedelta(minutes=2))
        db.session.commit()
        db.session.remove()
    retried = swept(app)

    assert [(kind, result.split(" case ")[0]) for _, kind, result in retried.fired] == [
        ("probation_end", "opened probation confirmation")]
    assert {no: len(ids) for no, ids in confirmation_cases(app).items()} == {no: 1 for no in managers}
    assert chain(app) == ((5, None), 5)
    timer = read(app, lambda s: s.get(Timer, failing_id))
    assert (timer.attempts, timer.last_error, timer.retry_at) == (1, None, None) and timer.fired_at is not None


# --- two sweeps at once --------------------------------------------------------------------------

def test_two_sweeps_at_once_fire_each_timer_once(app):
    managers = on_probation(app, 60)
    runs, problems = [], []
    start = threading.Barrier(2)

    def one_sweep():
        try:
            start.wait(timeout=30)
            runs.append(swept(app, batch=5))
        except Exception as exc:  # reported below
            problems.append(exc)
    threads = [threading.Thread(target=one_sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert problems == [] and len(runs) == 2
    assert {no: len(ids) for no, ids in confirmation_cases(app).items()} == {no: 1 for no in managers}
    fired = [timer_id for run in runs for timer_id, _, _ in run.fired]
    assert len(fired) == len(set(fired)) == 60
    assert read(app, lambda s: s.scalar(sa.select(sa.func.count()).select_from(Timer).where(
        Timer.kind == "probation_end", Timer.run_id.in_([r.run_id for r in runs])))) == 60
    assert chain(app) == ((60, None), 60)


# --- the clock and the statements ----------------------------------------------------------------

class CountingClock:
    def __init__(self, clock):
        self.clock, self.reads = clock, 0

    def now(self):
        self.reads += 1
        return self.clock.now()


def counted_sweep(app, timers: int, prefix: str, **options) -> tuple[int, list[str]]:
    on_probation(app, timers, prefix)
    clock = CountingClock(rules_of(app).clock)
    with counting(app) as seen:
        run = swept(app, replace(rules_of(app), clock=clock), **options)
    assert len(run.fired) == timers and not run.failed
    return clock.reads, seen


def test_a_batch_reads_the_clock_once_whatever_it_fires(app):
    swept(app)  # the standing timers (the next quarter close) are in place
    few, _ = counted_sweep(app, 3, "A")
    many, _ = counted_sweep(app, 30, "B")
    in_three_batches, _ = counted_sweep(app, 30, "C", batch=10)

    assert many == few
    assert in_three_batches == few + 2


def test_firing_a_timer_costs_the_statements_of_its_effect_and_its_savepoint_and_no_more(app, monkeypatch):
    swept(app)
    _, ten = counted_sweep(app, 10, "A")
    _, forty = counted_sweep(app, 40, "B")
    per_timer = (len(forty) - len(ten)) / 30
    # a probation end opens a case with its history entry and first reminder: its savepoint, the manager, their
    # cases, and the three inserts. The batch reads the calendar and stores the policy version once (before
    # batches, a timer took 21 statements and 5 readings of the clock; before the batch's memo, 11)
    assert per_timer == 7, str(forty)

    monkeypatch.setitem(due._HANDLERS, "probation_end", lambda uow, rules, timer: "done")
    _, ten = counted_sweep(app, 10, "C")
    _, forty = counted_sweep(app, 40, "D")
    # the sweep's own statements are per batch: the claims, the results, the run's counts (a savepoint costs its
    # SAVEPOINT and RELEASE only when the effect uses the database)
    assert len(forty) == len(ten), str(forty)
    assert len([s for s in forty if s.startswith("UPDATE timers SET result")]) == 1


# --- progress (issue 15, point 4: run-due and audit verify tell how far they are) -------------------------

def test_a_sweep_tells_its_progress_after_each_batch_counting_what_firing_makes_due(app):
    on_probation(app, 7)
    heard = []
    run = swept(app, batch=3, progress=lambda done, of: heard.append((done, of)))
    # each probation end opens a confirmation case with its first reminder, due later: none more due now
    assert len(run.fired) == 7
    assert [done for done, _of in heard] == [3, 6, 7]
    assert all(of >= done for done, of in heard) and heard[-1] == (7, 7)


def test_audit_verify_tells_how_many_links_it_checked_of_how_many(app):
    on_probation(app, 3)
    swept(app)
    heard = []
    checked = read(app, lambda s: verify_chain(s, lambda done, of: heard.append((done, of)))[0])
    assert checked > 0 and heard[-1] == (checked, checked)
