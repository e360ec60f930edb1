"""The sweep fires due timers in batches (issue "Speed and shape of the hot paths", point 3): one transaction
per batch claims its timers (FOR UPDATE SKIP LOCKED on PostgreSQL), reads the clock once, fires the timers in
savepoints (a run of probation ends together, other kinds each in its own) and extends the history's hash chain
once; still each timer's effect happens once.

- a timer failing in a batch rolls back its own effect only (firing it together with others fails, and they are
  fired one at a time): the others fire, their history is linked, and it keeps its error and is retried later;
- probation ends fired together write what firing them one at a time writes; two of one manager are fired one
  at a time;
- two sweeps at once fire each timer once;
- a batch reads the clock once; timers fired together cost the statements of their batch whatever their number,
  and a timer fired alone those of its effect and its savepoint.
"""
from __future__ import annotations

import re
import threading
from dataclasses import replace
from datetime import date, timedelta

import sqlalchemy as sa

from models import Case, CaseHistory, Manager, SchedulerRun, Timer, db
from models.audit import verify_chain
from scheduler.sweep import sweep
from tests.support.app_services import rules_of, unit_of_work
from tests.support.reads import read
from tests.support.settings import CLOCK_START as STARTED  # every probation below has ended by then
from tests.support.statements import counting
from workflow.services import due
from workflow.services.accounts import OPERATOR
from workflow.case_machine import EXIT, PROBATION_CONFIRMATION
from workflow.services.managers import register_manager
from workflow.services.opening import open_automatic_case


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
    original, together = due._HANDLERS["probation_end"], due._TOGETHER["probation_end"]

    def fails_after_writing(uow, rules, timer):
        outcome = original(uow, rules, timer)  # a case, its history entry and its first reminder, written
        if timer.employee_no == "P0002":
            raise RuntimeError("the directory service is down")
        return outcome

    def fails_together_after_writing(uow, rules, timers):
        outcomes = together(uow, rules, timers)  # the five cases, their history entries and reminders, written
        if "P0002" in [timer.employee_no for timer in timers]:
            raise RuntimeError("the directory service is down")
        return outcomes

    monkeypatch.setitem(due._HANDLERS, "probation_end", fails_after_writing)
    # firing the five together fails, and is undone: then each is fired in a savepoint of its own
    monkeypatch.setitem(due._TOGETHER, "probation_end", fails_together_after_writing)
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
    monkeypatch.setitem(due._TOGETHER, "probation_end", together)
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


# --- firing together --------------------------------------------------------------------------------

def six_ways(app, prefix: str) -> list[str]:
    """Six managers whose probation has ended: 0, 4 and 5 to be confirmed; 1 no longer on probation; 2 with a
    confirmation case already; 3 with an exit case open."""
    numbers = on_probation(app, 6, prefix)
    with app.app_context():
        with unit_of_work()() as uow:
            rules = rules_of(app)
            # confirmed meanwhile (the row only: its grade history is not what this test is about)
            uow.session.execute(sa.update(Manager).where(Manager.employee_no == numbers[1]).values(grade="junior"))
            for no, kind in ((numbers[2], PROBATION_CONFIRMATION), (numbers[3], EXIT)):
                open_automatic_case(uow, rules, uow.managers.get(no), kind, "opened before", {})
        db.session.remove()
    return numbers


def written(app, numbers: list[str]) -> list:
    """What the managers' cases, history entries and timers hold, the managers and cases named by their place, so
    that two sets of managers compare."""
    def read_all(s):
        cases = s.scalars(sa.select(Case).where(Case.employee_no.in_(numbers)).order_by(Case.id)).all()
        places = {case.id: place for place, case in enumerate(cases)}
        managers = {no: place for place, no in enumerate(numbers)}

        def named(text):
            for no, place in managers.items():
                text = text.replace(no, f"manager #{place}")
            text = re.sub(r"case (\d+)", lambda m: f"case #{places[int(m[1])]}", text)
            return re.sub(r"^(\w+):(\d+):", lambda m: f"{m[1]}:case #{places[int(m[2])]}:", text)

        def row(obj, *skip):
            values = {c.key: getattr(obj, c.key) for c in sa.inspect(obj).mapper.column_attrs
                      if c.key not in {"id", "run_id", *skip}}
            if values.get("case_id") is not None:
                values["case_id"] = places[values["case_id"]]
            if values.get("employee_no") is not None:
                values["employee_no"] = managers[values["employee_no"]]
            for text in ("key", "result"):
                if values.get(text) is not None:
                    values[text] = named(values[text])
            return values
        timers = s.scalars(sa.select(Timer).where(sa.or_(Timer.employee_no.in_(numbers), Timer.case_id.in_(places)))
                           .order_by(Timer.id)).all()
        history = s.scalars(sa.select(CaseHistory).where(CaseHistory.case_id.in_(places))
                            .order_by(CaseHistory.id)).all()
        return [row(case) for case in cases], [row(entry) for entry in history], [row(timer) for timer in timers]
    return read(app, read_all)


def test_probation_ends_fired_together_write_what_firing_them_one_at_a_time_writes(app, monkeypatch):
    swept(app)  # the standing timers (the next quarter close) are in place
    alone_ones = six_ways(app, "A")
    with monkeypatch.context() as one_at_a_time:
        one_at_a_time.setattr(due, "_TOGETHER", {})
        alone = swept(app)
    together_ones = six_ways(app, "T")  # at the same moment: the manual clock stands still
    with counting(app) as seen:
        together = swept(app)

    assert len([s for s in seen if s.startswith("INSERT INTO cases ")]) == 1  # the three opened together
    assert len(together.fired) == len(alone.fired) == 5 and not together.failed  # and one rescheduled
    assert written(app, together_ones) == written(app, alone_ones)
    assert chain(app)[0][1] is None  # the history's chain holds


def test_two_probation_ends_of_one_manager_in_a_batch_are_fired_one_at_a_time(app):
    [no] = on_probation(app, 1)
    with app.app_context():
        db.session.add(Timer(kind="probation_end", key=f"probation_end:{no}:again", due_at=STARTED, employee_no=no,
                             created_at=STARTED, attempts=0, data={}))
        db.session.commit()
        db.session.remove()

    run = swept(app)

    [(_, _, first), (_, _, second)] = run.fired
    case_id = confirmation_cases(app)[no]
    assert first == f"opened probation confirmation case {case_id[0]}" and len(case_id) == 1
    assert second == f"nothing to do: probation confirmation case {case_id[0]} exists"


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


def test_timers_fired_together_cost_the_statements_of_their_batch_whatever_their_number(app):
    swept(app)
    _, ten = counted_sweep(app, 10, "A")
    _, forty = counted_sweep(app, 40, "B")
    # forty probation ends open forty cases with their history entries and first reminders in one savepoint: the
    # managers, their cases, the three inserts (on SQLite with the two tables' last ids); the batch reads the
    # calendar and stores the policy version once (before batches, a timer took 21 statements; before firing
    # together, 7)
    assert len(forty) == len(ten), str(forty)
    assert len([s for s in forty if s.startswith("INSERT INTO cases ")]) == 1


def test_firing_a_timer_alone_costs_the_statements_of_its_effect_and_its_savepoint_and_no_more(app, monkeypatch):
    monkeypatch.delitem(due._TOGETHER, "probation_end")  # one at a time, as a kind that cannot be fired together
    swept(app)
    _, ten = counted_sweep(app, 10, "A")
    _, forty = counted_sweep(app, 40, "B")
    per_timer = (len(forty) - len(ten)) / 30
    # a probation end opens a case with its history entry and first reminder: its savepoint, the manager, their
    # cases, and the three inserts
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
