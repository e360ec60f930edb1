"""Fire what is due, earliest first, exactly once.

Due timers are fired in batches, one transaction each: the batch claims up to `batch` timers (on
PostgreSQL SELECT ... FOR UPDATE SKIP LOCKED LIMIT n; on SQLite the unit of work's BEGIN IMMEDIATE
serializes sweeps), reads the clock once, fires the timers in savepoints (those of one kind due one after the
other together, where their kind allows: workflow.services.due.fire_together; each in its own otherwise, and when
firing them together failed) and commits the claims, the effects, the run's counts and one extension of the
history's hash chain together. A sweep killed half-way loses nothing and repeats nothing. Several sweeps may
run at once (the scheduler and the manual clock, two scheduler processes during a takeover): PostgreSQL skips
rows another sweep has locked, and the conditional claim makes the later of two sweeps do nothing. A failing
timer's savepoint is rolled back alone: the timer is kept with its error, retried later, and holds up no other.

A timer whose work is too big for one transaction (a quarter close: workflow.services.due.preparation)
ends the batch before it; once it is the next due, its preparation runs in transactions of its own, then
it fires in the next batch.
"""
from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from contextlib import AbstractContextManager as ContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from itertools import groupby
from operator import attrgetter

from workflow.clock import FixedClock
from workflow.services.context import Rules
from workflow.services.due import Reschedule, fire, fire_together, preparation
from workflow.services.timers import ensure_standing_timers

log = logging.getLogger("gradeflow.scheduler")

MAX_RETRY_DELAY = timedelta(hours=1)
# timers per transaction: a tenth of a second or so of ordinary effects, small enough that two sweeps share them
BATCH = 100


@dataclass
class SweepRun:
    run_id: int
    until: datetime
    wait: bool  # wait for timers another sweep is firing, rather than skip them
    fired: list[tuple[int, str, str]] = field(default_factory=list)  # (timer id, kind, result)
    failed: dict[int, str] = field(default_factory=dict)
    put_off: set[int] = field(default_factory=set)  # rescheduled, yet still within `until`: not again this run
    prepared: set[int] = field(default_factory=set)  # their preparation has run: fire them
    still_due: int | None = None  # counted at the end of each batch, in its transaction, for a progress report

    @property
    def dealt_with(self) -> int:
        return len(self.fired) + len(self.failed) + len(self.put_off)


@dataclass(frozen=True)
class _Failed:
    error: str


def sweep(unit_of_work: Callable, rules: Rules, *, until: datetime | None = None, trigger: str = "scheduler",
          batch: int = BATCH, progress: Callable[[int, int], None] | None = None,
          part_progress: Callable[[str], ContextManager[Callable[[int, int], None]]] | None = None) -> SweepRun:
    """Fire every timer due at `until` (default: now), in due order, including those that firing
    makes due (a close schedules the next quarter's). The manual clock and run-due promise that all is
    done when they return, so they wait for what another sweep is firing; the scheduler skips it.
    `progress(done, of)` hears after each batch how many timers were dealt with and how many that makes
    with those still due (run-due's progress); `part_progress(what)` gives the report of a timer's preparation
    (a quarter close's managers, part by part)."""
    with unit_of_work() as uow:
        until = until or rules.now()
        ensure_standing_timers(uow, rules)
        runner = f"{socket.gethostname()}:{os.getpid()}"
        run = SweepRun(uow.timers.start_run(trigger=trigger, runner=runner, until=until, started_at=rules.now()).id,
                       until, wait=trigger != "scheduler")
    while _fire_batch(unit_of_work, rules, run, batch, count_still_due=progress is not None,
                      part_progress=part_progress):
        if progress is not None:
            progress(run.dealt_with, run.dealt_with + run.still_due)
    with unit_of_work() as uow:
        record = uow.timers.run(run.run_id)
        record.finished_at, record.fired, record.failed = rules.now(), len(run.fired), len(run.failed)
    return run


def _fire_batch(unit_of_work: Callable, rules: Rules, run: SweepRun, size: int, *,
                count_still_due: bool = False, part_progress: Callable | None = None) -> bool:
    """Fire the next due timers, up to `size`, in one transaction; False when nothing is due any more. With
    `count_still_due`, also count in that transaction (no other lock taken) the timers still due after them."""
    fired, failed, put_off, prepare = [], {}, set(), None
    with unit_of_work() as uow:
        now = rules.now()  # the batch's one reading of the clock
        due = uow.timers.due(run.until, now, skip=run.failed.keys() | run.put_off, wait=run.wait, limit=size)
        if not due:
            return False
        for position, timer in enumerate(due):
            if timer.id not in run.prepared and (prepare := preparation(timer)) is not None:
                # not before the timers due earlier
                prepare = (timer.id, f"{timer.kind} {timer.period or ''}".strip(), prepare) if position == 0 else None
                due = due[:position]
                break
        at_now, outcomes = replace(rules, clock=FixedClock(now)), []
        for _, timers in groupby(uow.timers.claim(due, run.run_id, now), key=attrgetter("kind")):
            outcomes += _fire_all(uow, at_now, list(timers))
        for timer, outcome in outcomes:  # written together, after the effects
            if isinstance(outcome, _Failed):
                failed[timer.id] = outcome.error
                timer.fired_at = timer.run_id = None
                _keep_failure(timer, failed[timer.id], now)
            elif isinstance(outcome, Reschedule):
                timer.fired_at = timer.run_id = None
                timer.due_at, timer.result = outcome.at, f"rescheduled: {outcome.why}"
                if outcome.at <= run.until:  # leave it to a later sweep rather than loop on it
                    put_off.add(timer.id)
            else:
                timer.result, timer.retry_at, timer.last_error = outcome, None, None
                fired.append((timer.id, timer.kind, outcome))
        uow.timers.count(run.run_id, fired=len(fired), failed=len(failed))
        if count_still_due:
            run.still_due = uow.timers.count_due(run.until, now, run.failed.keys() | failed.keys() | run.put_off
                                                 | put_off)
    run.fired += fired
    run.failed |= failed
    run.put_off |= put_off
    for entry in fired:
        log.info("timer %s (%s): %s", *entry)
    if prepare is not None:
        _prepare(unit_of_work, rules, run, *prepare, part_progress=part_progress)
    return True


def _fire_all(uow, rules: Rules, timers: list) -> list[tuple]:
    """(timer, outcome) of each of these timers of one kind: fired together where the kind allows, each in a savepoint
    of its own otherwise, and when firing them together failed (then the one that fails holds up no other)."""
    if len(timers) > 1:
        try:
            with uow.timers.attempt():
                together = fire_together(uow, rules, timers)
        except Exception as exc:  # with its traceback: a failure of firing together alone would go unseen
            log.warning("%d %s timers could not be fired together (%s): firing them one at a time", len(timers),
                        timers[0].kind, _error(exc), exc_info=True)
        else:
            if together is not None:
                return list(zip(timers, together))
    return [(timer, _fire_one(uow, rules, timer)) for timer in timers]


def _fire_one(uow, rules: Rules, timer):
    try:
        with uow.timers.attempt():
            return fire(uow, rules, timer)
    except Exception as exc:  # one timer's failure holds up no other
        log.exception("timer %s could not be fired", timer.id)
        return _Failed(_error(exc))


def _prepare(unit_of_work: Callable, rules: Rules, run: SweepRun, timer_id: int, what: str, prepare: Callable, *,
             part_progress: Callable | None) -> None:
    try:
        if part_progress is None:
            prepare(unit_of_work, rules)
        else:
            with part_progress(what) as progress:
                prepare(unit_of_work, rules, progress)
    except Exception as exc:
        log.exception("timer %s could not be fired", timer_id)
        run.failed[timer_id] = _error(exc)
        _record_failure(unit_of_work, rules, run, timer_id)
    else:
        run.prepared.add(timer_id)


def _error(exc: Exception) -> str:
    return getattr(exc, "detail", None) or f"{type(exc).__name__}: {exc}"


def _keep_failure(timer, error: str, now: datetime) -> None:
    """Keep the error on the timer and retry it later, sooner at first."""
    timer.attempts += 1
    timer.last_error = error[:2000]
    timer.retry_at = now + min(timedelta(minutes=2 ** timer.attempts), MAX_RETRY_DELAY)


def _record_failure(unit_of_work: Callable, rules: Rules, run: SweepRun, timer_id: int) -> None:
    """A preparation's failure, kept on its timer in a transaction of its own."""
    try:
        with unit_of_work() as uow:
            timer = uow.timers.get(timer_id)
            if timer is not None and timer.fired_at is None:
                _keep_failure(timer, run.failed[timer_id], rules.now())
            uow.timers.count(run.run_id, fired=0, failed=1)
    except Exception:
        log.exception("the failure of timer %s could not be recorded", timer_id)
