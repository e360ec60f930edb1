"""The scheduler as real processes: `gradeflow scheduler` (and `gradeflow serve`) run as subprocesses
against the test database (SQLite file and PostgreSQL), with the manual clock kept in that database.

- any number of scheduler processes: one leader sweeps, every due timer fires exactly once;
- a scheduler killed (SIGKILL) in the middle of a sweep and restarted loses nothing and repeats nothing;
- when the leader dies another process takes over within a minute;
- catch-up: what fell due while nothing ran fires once at the next start, and only once;
- `gradeflow serve` runs the scheduler in its workers: one leads, the others stand by (none with --no-scheduler).

Each process runs in a session of its own and is killed (by process group) at the end of its test,
before the `app` fixture empties the tables.
"""
from __future__ import annotations

import os
import signal
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from api.context import rules, uow
from models import Case, CaseHistory, ManualClockState, QuarterClose, QuarterResult, SchedulerRun, Timer, db
from tests.support.commands import snapshot
from tests.support.cycles import published_cycle
from tests.support.processes import HOST, INTERVAL, Process, children, logs_of, serve, wait_for
from tests.support.reads import case_of, read, runs
from tests.support.settings import SHANGHAI
from tests.support.steps import move_clock
from tests.support.world import HR
from scheduler.leader import ADVISORY_LOCK_KEY
from workflow.services.accounts import OPERATOR
from workflow.services.managers import register_manager

TAKEOVER_LIMIT = 60  # "another takes over within a minute"
PROBATION_START = date(2026, 5, 1)  # probation (3 months) ended on 2026-08-01, before the clock's start


# --- the database -------------------------------------------------------------------------------

def probation_managers(app, count: int, prefix: str = "P") -> list[str]:
    """`count` probation managers whose probation has ended, registered in one transaction (each
    registration writes its probation_end timer, due on 2026-08-01, in that transaction)."""
    numbers = [f"{prefix}{i:04d}" for i in range(count)]
    with app.app_context():
        try:
            with uow() as u:
                for no in numbers:
                    register_manager(u, rules(), OPERATOR, employee_no=no, name=f"试用{no}", org_unit="北京分行",
                                     grade="probation", grade_since=PROBATION_START, hire_date=PROBATION_START)
        finally:
            db.session.remove()
    return numbers


def _probation_timers(session) -> list[Timer]:
    return list(session.scalars(sa.select(Timer).where(Timer.kind == "probation_end").order_by(Timer.id)))


def fired_count(app) -> int:
    return read(app, lambda s: s.scalar(sa.select(sa.func.count()).select_from(Timer).where(
        Timer.kind == "probation_end", Timer.fired_at.is_not(None))))


def all_probation_ends_fired(app) -> bool:
    """No probation_end timer pending."""
    def query(s):
        pending = s.scalar(sa.select(sa.func.count()).select_from(Timer).where(
            Timer.kind == "probation_end", Timer.fired_at.is_(None)))
        return pending == 0
    return read(app, query)


def sweeps_that_fired_finished(app, *, but=()) -> bool:
    """Every sweep that fired a timer has finished (its counts are written), except those of `but`
    (runners killed in the middle of one)."""
    def query(s):
        unfinished = s.scalar(sa.select(sa.func.count()).select_from(SchedulerRun).where(
            SchedulerRun.id.in_(sa.select(Timer.run_id).where(Timer.run_id.is_not(None))),
            SchedulerRun.finished_at.is_(None), SchedulerRun.runner.not_in(list(but) or [""])))
        return unfinished == 0
    return read(app, query)


def assert_each_probation_ended_exactly_once(app, managers: list[str]) -> dict[int, int]:
    """One probation_confirmation case per manager, opened by one firing of its timer; returns
    {run id: timers it fired}."""
    def query(s):
        cases = list(s.scalars(sa.select(Case).where(Case.kind == "probation_confirmation")))
        timers = _probation_timers(s)
        submits = Counter(s.scalars(sa.select(CaseHistory.case_id).where(CaseHistory.event == "submit")))
        return cases, timers, submits
    cases, timers, submits = read(app, query)
    assert len(cases) == len(managers)
    assert sorted(c.employee_no for c in cases) == sorted(managers)  # one each, nobody twice
    case_of_manager = {c.employee_no: c.id for c in cases}
    assert all(submits[c.id] == 1 for c in cases)
    assert sorted(t.employee_no for t in timers) == sorted(managers)
    wrong = [(t.id, t.employee_no, t.fired_at, t.run_id, t.attempts, t.last_error, t.retry_at, t.result)
             for t in timers
             if t.fired_at is None or t.run_id is None or t.attempts != 0 or t.last_error is not None
             or t.retry_at is not None
             or t.result != f"opened probation confirmation case {case_of_manager[t.employee_no]}"]
    assert wrong == [], wrong[:10]
    return Counter(t.run_id for t in timers)


def is_postgresql(url: str) -> bool:
    return url.startswith("postgresql")


def leader_lock(locks: str) -> str:
    """SQL matching the scheduler's advisory lock in `locks` (a pg_locks alias), not the audit chain's
    transaction lock that any writer holds for an instant while it commits."""
    return f"{locks}.classid = 0 AND {locks}.objid = {ADVISORY_LOCK_KEY} AND {locks}.objsubid = 1"


def many(url: str) -> int:
    """1,000 timers on PostgreSQL; fewer on SQLite, whose sweep is the same code, run by one writer at a time."""
    return 1000 if is_postgresql(url) else 200


# --- any number of scheduler processes: one leader, each timer fired once -----------------------

def test_three_scheduler_processes_fire_each_of_many_due_timers_exactly_once_from_one_leader(
        app, migrated, gradeflow_process):
    managers = probation_managers(app, many(migrated))
    assert fired_count(app) == 0

    schedulers = [gradeflow_process("scheduler") for _ in range(3)]
    wait_for(lambda: all_probation_ends_fired(app), "every probation_end timer fired", schedulers)
    wait_for(lambda: sweeps_that_fired_finished(app), "the sweeps finished", schedulers, timeout=30)

    assert all(p.alive() for p in schedulers), logs_of(schedulers)  # three ran all along
    fired_by_run = assert_each_probation_ended_exactly_once(app, managers)
    recorded = runs(app)
    leaders = {r.runner for r in recorded}
    assert len(leaders) == 1, leaders  # only the leader sweeps; the others stand by
    assert leaders <= {p.runner for p in schedulers}
    assert {r.trigger for r in recorded} == {"scheduler"}
    by_id = {r.id: r for r in recorded}
    assert {by_id[run_id].runner for run_id in fired_by_run} == leaders
    assert sum(r.fired for r in recorded) == len(managers) == sum(fired_by_run.values())
    assert all(r.fired == fired_by_run.get(r.id, 0) and r.failed == 0 for r in recorded)


def test_a_scheduler_killed_in_the_middle_of_a_sweep_and_restarted_loses_nothing_and_repeats_nothing(
        app, migrated, gradeflow_process):
    total = 500 if is_postgresql(migrated) else 300
    managers = probation_managers(app, total)

    first = gradeflow_process("scheduler")
    wait_for(lambda: fired_count(app) >= total // 5, "a fifth of the timers fired", [first], every=0.02)
    first.kill9()

    fired_before_restart = fired_count(app)
    assert 0 < fired_before_restart < total, "the sweep was not interrupted"
    killed = [r for r in runs(app) if r.runner == first.runner]
    assert [r.finished_at for r in killed if r.finished_at is None] == [None]  # it died in that sweep

    second = gradeflow_process("scheduler")
    wait_for(lambda: all_probation_ends_fired(app), "every probation_end timer fired", [second])
    wait_for(lambda: sweeps_that_fired_finished(app, but=[first.runner]), "the second scheduler's sweep finished",
             [second], timeout=30)

    fired_by_run = assert_each_probation_ended_exactly_once(app, managers)
    by_id = {r.id: r for r in runs(app)}
    by_runner = Counter()
    for run_id, count in fired_by_run.items():
        by_runner[by_id[run_id].runner] += count
    assert by_runner == {first.runner: fired_before_restart, second.runner: total - fired_before_restart}
    assert sum(r.fired for r in by_id.values() if r.runner == second.runner) == total - fired_before_restart


def _leader_and_follower(app, schedulers) -> tuple[Process, Process]:
    wait_for(lambda: runs(app), "a first sweep", schedulers, timeout=60)
    leading = {r.runner for r in runs(app)}
    assert len(leading) == 1, leading
    [leader] = [p for p in schedulers if p.runner in leading]
    [follower] = [p for p in schedulers if p is not leader]
    return leader, follower


def _fired_by(app, employee_no: str) -> int | None:
    """The run that fired the manager's probation_end timer, once it has."""
    return read(app, lambda s: s.scalar(sa.select(Timer.run_id).where(
        Timer.kind == "probation_end", Timer.employee_no == employee_no, Timer.fired_at.is_not(None))))


@pytest.mark.parametrize("interval", [str(INTERVAL), None], ids=["interval_1s", "default_interval"])
def test_another_scheduler_takes_over_within_a_minute_when_the_leader_dies(app, gradeflow_process, interval):
    """With a 1 s tick and with the shipped default (GRADEFLOW_SCHEDULER_INTERVAL unset)."""
    schedulers = [gradeflow_process("scheduler", GRADEFLOW_SCHEDULER_INTERVAL=interval) for _ in range(2)]
    wait_for(lambda: runs(app), "a first sweep", schedulers, timeout=60)
    time.sleep(2)  # both have ticked by now (the first tick is at start)
    leader, follower = _leader_and_follower(app, schedulers)

    leader.kill9()
    died = time.monotonic()
    [manager] = probation_managers(app, 1, prefix="T")
    run_id = wait_for(lambda: _fired_by(app, manager), "the follower fired the new timer", [follower],
                      timeout=TAKEOVER_LIMIT)

    assert time.monotonic() - died < TAKEOVER_LIMIT
    assert read(app, lambda s: s.get(SchedulerRun, run_id).runner) == follower.runner
    assert follower.alive()
    assert_each_probation_ended_exactly_once(app, [manager])


def test_a_leader_that_loses_its_lock_in_the_middle_of_a_sweep_shares_the_timers_with_the_new_leader_exactly_once(
        app, migrated, gradeflow_process):
    """PostgreSQL: the leader's lock session ends (an administrator, a network cut) while it sweeps; it goes
    on with its sweep while the other process takes the lock and sweeps too: still each timer once."""
    if not is_postgresql(migrated):
        pytest.skip("the lock of the SQLite scheduler is a file lock of the process itself")
    # enough timers that the leader is still sweeping when the other process's next tick (INTERVAL) takes the lock:
    # 1,500 were fired within that second once opening a probation's case became cheap
    managers = probation_managers(app, 5000)
    schedulers = [gradeflow_process("scheduler") for _ in range(2)]
    wait_for(lambda: fired_count(app) >= 50, "the leader's sweep under way", schedulers, every=0.05)
    leader, follower = _leader_and_follower(app, schedulers)

    engine = sa.create_engine(migrated)
    try:
        with engine.connect() as conn:
            ended = conn.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                f"AND {leader_lock('pg_locks')} "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")).scalars().all()
    finally:
        engine.dispose()
    assert ended == [True]
    assert fired_count(app) < len(managers), "the sweep was over before the lock was lost"

    wait_for(lambda: all_probation_ends_fired(app), "every probation_end timer fired", schedulers)
    wait_for(lambda: sweeps_that_fired_finished(app), "the sweeps finished", schedulers, timeout=30)
    fired_by_run = assert_each_probation_ended_exactly_once(app, managers)
    by_id = {r.id: r for r in runs(app)}
    fired_by_runner = Counter()
    for run_id, count in fired_by_run.items():
        fired_by_runner[by_id[run_id].runner] += count
    # both swept at once: the old leader finished its sweep, the new one took the lock and swept beside it
    assert set(fired_by_runner) == {leader.runner, follower.runner}, fired_by_runner
    assert sum(r.fired for r in by_id.values()) == len(managers) == sum(fired_by_run.values())
    assert all(p.alive() for p in schedulers), logs_of(schedulers)


# --- catch-up -----------------------------------------------------------------------------------

AFTER_QUARTER_CLOSE = datetime(2026, 10, 3, 9, 0, tzinfo=SHANGHAI)  # past the Q3 close, 2026-10-01/02 02:00


def _due_timers(session, now: datetime) -> list[Timer]:
    return list(session.scalars(sa.select(Timer).where(Timer.due_at <= now).order_by(Timer.due_at, Timer.id)))


def test_timers_that_fell_due_while_no_scheduler_ran_fire_once_at_the_next_start(
        app, gf, migrated, gradeflow_process):
    approved, denied = published_cycle(gf)  # appeal deadline 2026-09-04 23:59:59
    move_clock(gf, "2026-09-02T09:00:00+08:00")  # a sweep before the outage: the Q3 close is scheduled
    gf.manager("M100", "mid", grade_since=date(2025, 1, 1))
    gf.performance("M100", "2026Q3", "90", months_worked=3, violation=True)
    q3_close = read(app, lambda s: s.scalar(sa.select(Timer).where(Timer.kind == "quarter_close",
                                                                   Timer.period == "2026Q3")))
    assert q3_close is not None and q3_close.fired_at is None
    assert q3_close.due_at < AFTER_QUARTER_CLOSE

    # the outage: time passes the appeal deadline and the quarter's end with nothing running (no sweep)
    with app.app_context():
        clock = db.session.get(ManualClockState, 1)
        clock.now, clock.moved = AFTER_QUARTER_CLOSE, True
        db.session.commit()
        db.session.remove()
    due = read(app, lambda s: [(t.kind, t.fired_at) for t in _due_timers(s, AFTER_QUARTER_CLOSE)
                               if t.fired_at is None])
    assert sorted(kind for kind, _ in due) == ["appeal_window_end", "appeal_window_end", "quarter_close"]

    first = gradeflow_process("scheduler")
    wait_for(lambda: read(app, lambda s: all(t.fired_at for t in _due_timers(s, AFTER_QUARTER_CLOSE))),
             "every due timer fired", [first], timeout=60)
    wait_for(lambda: sweeps_that_fired_finished(app), "the sweep finished", [first], timeout=30)

    own_runs = {r.id for r in runs(app) if r.runner == first.runner}
    due = read(app, lambda s: [(t.kind, t.period or t.case_id, t.run_id, t.attempts, t.last_error, t.result)
                               for t in _due_timers(s, AFTER_QUARTER_CLOSE)])
    fired_here = [t for t in due if t[2] in own_runs]
    assert sorted((kind, about) for kind, about, *_ in fired_here) == sorted(
        [("appeal_window_end", approved), ("appeal_window_end", denied), ("quarter_close", "2026Q3")])
    assert all(attempts == 0 and error is None for *_, attempts, error, _ in fired_here), fired_here
    # whatever else was due is a reminder cancelled before the outage, when its case moved on
    assert all(run_id is None and result.startswith("cancelled") for _, _, run_id, _, _, result in due
               if run_id not in own_runs), due
    assert sum(r.fired for r in runs(app) if r.runner == first.runner) == 3

    # the appeal deadline: each case finalized once, dated the day after the deadline
    assert (case_of(gf, approved)["state"], case_of(gf, approved)["effective_on"]) == ("effective", "2026-09-05")
    assert case_of(gf, denied)["state"] == "closed"
    for case_id in (approved, denied):
        assert [h["event"] for h in gf.history(case_id, HR)].count("finalize") == 1
    # the quarter end: closed once, by the service, with its one demotion case; the next close scheduled
    closes = read(app, lambda s: [(c.period, c.closed_by) for c in s.scalars(sa.select(QuarterClose))])
    assert closes == [("2026Q3", "(gradeflow)")]
    demotions = read(app, lambda s: [c.id for c in s.scalars(sa.select(Case).where(
        Case.kind == "demotion", Case.employee_no == "M100"))])
    assert len(demotions) == 1
    result = read(app, lambda s: s.get(QuarterResult, ("2026Q3", "M100")))
    assert (result.outcome, result.case_id) == ("demotion", demotions[0])
    assert read(app, lambda s: s.scalar(sa.select(sa.func.count()).select_from(Timer).where(
        Timer.kind == "quarter_close", Timer.period == "2026Q4", Timer.fired_at.is_(None)))) == 1

    # a second start finds nothing more to do
    first.stop()
    before = {k: v for k, v in snapshot(migrated).items() if k != "scheduler_runs"}
    second = gradeflow_process("scheduler")
    wait_for(lambda: len([r for r in runs(app) if r.runner == second.runner and r.finished_at]) >= 2,
             "two sweeps of the second scheduler", [second], timeout=60)
    assert {r.fired for r in runs(app) if r.runner == second.runner and r.finished_at} == {0}
    assert {k: v for k, v in snapshot(migrated).items() if k != "scheduler_runs"} == before


# --- gradeflow serve ----------------------------------------------------------------------------

def _pending(app, employee_no: str) -> bool:
    return read(app, lambda s: s.scalar(sa.select(Timer.fired_at).where(
        Timer.kind == "probation_end", Timer.employee_no == employee_no))) is None


def database_files_open(pid: int, database_url: str) -> list[str]:
    """The files of a SQLite database (the file, its -wal and -shm) that the process holds open."""
    if is_postgresql(database_url):
        return []
    database = sa.make_url(database_url).database
    return [target for fd in Path(f"/proc/{pid}/fd").iterdir()
            if (target := os.readlink(fd)).startswith(database) and not target.endswith("scheduler-lock")]


def test_serve_sweeps_from_one_of_its_workers_and_another_takes_over_when_it_dies(app, gradeflow_process):
    """The default flags: two workers, each with a scheduler thread; one leads, the other stands by."""
    [first] = probation_managers(app, 1)
    server, _ = serve(gradeflow_process)
    wait_for(lambda: len(children(server.pid)) == 2, "both workers up", [server], timeout=60)
    wait_for(lambda: not _pending(app, first), "the due timer fired", [server], timeout=60)
    time.sleep(2 * INTERVAL)

    assert_each_probation_ended_exactly_once(app, [first])
    [leader] = {r.runner for r in runs(app)}  # every sweep so far came from one worker: the other stands by
    assert leader in {f"{HOST}:{pid}" for pid in children(server.pid)}
    os.kill(int(leader.rsplit(":", 1)[1]), signal.SIGKILL)
    [second] = probation_managers(app, 1, prefix="Q")
    wait_for(lambda: not _pending(app, second), "another worker fired the new timer", [server],
             timeout=TAKEOVER_LIMIT)
    assert_each_probation_ended_exactly_once(app, [first, second])
    assert next(r.runner for r in runs(app) if r.id == _fired_by(app, second)) != leader


def test_the_process_that_forks_the_workers_runs_no_thread_and_holds_no_database_connection(
        app, migrated, gradeflow_process):
    """gunicorn's master forks a worker at start and again after one dies: a thread or a SQLite connection of
    its own at that moment would be copied into the child half-way (api/server.py)."""
    [manager] = probation_managers(app, 1)
    server, _ = serve(gradeflow_process)
    wait_for(lambda: not _pending(app, manager), "the due timer fired", [server], timeout=60)

    assert len(list(Path(f"/proc/{server.pid}/task").iterdir())) == 1
    assert database_files_open(server.pid, migrated) == []
    leader = int(next(iter({r.runner for r in runs(app)})).rsplit(":", 1)[1])
    os.kill(leader, signal.SIGKILL)  # the master forks a new worker
    wait_for(lambda: len(children(server.pid)) == 2 and leader not in children(server.pid), "a new worker",
             [server], timeout=60)
    [manager] = probation_managers(app, 1, prefix="Q")
    wait_for(lambda: not _pending(app, manager), "a worker fired the new timer", [server], timeout=60)
    assert len(list(Path(f"/proc/{server.pid}/task").iterdir())) == 1
    assert database_files_open(server.pid, migrated) == []


def test_serve_without_its_scheduler_sweeps_nothing_and_a_scheduler_beside_it_does(app, gradeflow_process):
    [manager] = probation_managers(app, 1)

    server, _ = serve(gradeflow_process, "--workers", "2", "--no-scheduler")
    time.sleep(5 * INTERVAL)

    assert _pending(app, manager)
    assert runs(app) == []
    scheduler = gradeflow_process("scheduler")
    wait_for(lambda: not _pending(app, manager), "the due timer fired", [scheduler], timeout=60)
    assert {r.runner for r in runs(app)} == {scheduler.runner}


# --- what the processes tell their operator and the database ------------------------------------

LEADS = "now the scheduler's leader"  # scheduler.process.SweepJob's message when it takes the lead


def test_the_leading_process_says_so_in_its_log_and_a_follower_does_not(app, gradeflow_process):
    """An operator running several schedulers (or `serve`) can tell from the output which one leads."""
    server, _ = serve(gradeflow_process)
    wait_for(lambda: {r.runner for r in runs(app)} & {f"{HOST}:{pid}" for pid in children(server.pid)},
             "a sweep by one of the server's workers", [server], timeout=60)
    time.sleep(INTERVAL)

    assert LEADS in server.output(), server.output()


def test_a_scheduler_process_says_when_it_becomes_the_leader(app, gradeflow_process):
    schedulers = [gradeflow_process("scheduler") for _ in range(2)]
    leading = wait_for(lambda: {r.runner for r in runs(app)}, "a first sweep", schedulers, timeout=60)
    time.sleep(2 * INTERVAL)
    [leader] = [p for p in schedulers if p.runner in leading]
    [follower] = [p for p in schedulers if p is not leader]

    assert LEADS not in follower.output(), follower.output()
    assert LEADS in leader.output(), leader.output()


def test_the_leaders_lock_connection_does_not_stay_idle_in_a_transaction(app, migrated, gradeflow_process):
    """PostgreSQL: the leader keeps the advisory lock on a connection of its own; that session must not sit
    in an open transaction for the process's lifetime (idle_in_transaction_session_timeout would end it,
    and with it the lock, in the middle of a long sweep; monitoring flags it as a stuck transaction)."""
    if not is_postgresql(migrated):
        pytest.skip("the advisory lock connection exists on PostgreSQL only")
    scheduler = gradeflow_process("scheduler")
    wait_for(lambda: runs(app), "a first sweep", [scheduler], timeout=60)
    time.sleep(4 * INTERVAL)
    engine = sa.create_engine(migrated)
    try:
        with engine.connect() as conn:
            sessions = conn.execute(sa.text(
                "SELECT a.pid, a.state, now() - a.xact_start FROM pg_stat_activity a "
                "JOIN pg_locks l ON l.pid = a.pid AND l.locktype = 'advisory' AND l.granted "
                f"AND {leader_lock('l')} "
                "WHERE a.datname = current_database()")).all()
    finally:
        engine.dispose()
    assert len(sessions) == 1, sessions  # the leader's lock session
    [(_, state, in_transaction_for)] = sessions
    # between two ticks the session is idle; a tick's statement may be caught running, but only just started
    assert state != "idle in transaction", sessions
    assert in_transaction_for is None or in_transaction_for < timedelta(seconds=1), sessions
