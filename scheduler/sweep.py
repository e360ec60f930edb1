"""Fire what is due, earliest first, exactly once.

Each timer is claimed, fired and marked in one transaction with its effect, so a sweep killed
half-way loses nothing and repeats nothing. Several sweeps may run at once (the scheduler and the
manual clock, two scheduler processes during a takeover): PostgreSQL skips rows another sweep has
locked, and the conditional claim makes the later of two sweeps do nothing. A failing timer is
logged, kept with its error, retried later, and holds up no other.
"""
from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from workflow.services.context import Rules
from workflow.services.due import Reschedule, fire
from workflow.services.timers import ensure_standing_timers

log = logging.getLogger("gradeflow.scheduler")

MAX_RETRY_DELAY = timedelta(hours=1)


@dataclass
class SweepRun:
    run_id: int
    until: datetime
    wait: bool  # wait for timers another sweep is firing, rather than skip them
    fired: list[tuple[int, str, str]] = field(default_factory=list)  # (timer id, kind, result)
    failed: dict[int, str] = field(default_factory=dict)
    put_off: set[int] = field(default_factory=set)  # rescheduled, yet still within `until`: not again this run


def sweep(unit_of_work: Callable, rules: Rules, *, until: datetime | None = None,
          trigger: str = "scheduler") -> SweepRun:
    """Fire every timer due at `until` (default: now), in due order, including those that firing
    makes due (a close schedules the next quarter's). The manual clock and run-due promise that all is
    done when they return, so they wait for what another sweep is firing; the scheduler skips it."""
    with unit_of_work() as uow:
        until = until or rules.now()
        ensure_standing_timers(uow, rules)
        runner = f"{socket.gethostname()}:{os.getpid()}"
        run = SweepRun(uow.timers.start_run(trigger=trigger, runner=runner, until=until, started_at=rules.now()).id,
                       until, wait=trigger != "scheduler")
    while (fired := _fire_next(unit_of_work, rules, run)) is not None:
        if fired:
            log.info("timer %s (%s): %s", *run.fired[-1])
    with unit_of_work() as uow:
        record = uow.timers.run(run.run_id)
        record.finished_at, record.fired, record.failed = rules.now(), len(run.fired), len(run.failed)
    return run


def _fire_next(unit_of_work: Callable, rules: Rules, run: SweepRun) -> bool | None:
    """Fire the earliest due timer: True when fired, False when another sweep had it or it failed,
    None when nothing is due any more."""
    timer_id = None
    try:
        with unit_of_work() as uow:
            now = rules.now()
            timer = uow.timers.next_due(run.until, now, skip=run.failed.keys() | run.put_off, wait=run.wait)
            if timer is None:
                return None
            timer_id, kind = timer.id, timer.kind
            if not uow.timers.claim(timer, run.run_id, now):
                return False
            outcome = fire(uow, rules, timer)
            if isinstance(outcome, Reschedule):
                timer.fired_at = timer.run_id = None
                timer.due_at, timer.result = outcome.at, f"rescheduled: {outcome.why}"
                if outcome.at <= run.until:  # leave it to a later sweep rather than loop on it
                    run.put_off.add(timer.id)
                return False
            timer.result, timer.retry_at, timer.last_error = outcome, None, None
        run.fired.append((timer_id, kind, outcome))
        return True
    except Exception as exc:  # one timer's failure holds up no other
        if timer_id is None:
            raise
        log.exception("timer %s could not be fired", timer_id)
        run.failed[timer_id] = getattr(exc, "detail", None) or f"{type(exc).__name__}: {exc}"
        _record_failure(unit_of_work, rules, timer_id, run.failed[timer_id])
        return False


def _record_failure(unit_of_work: Callable, rules: Rules, timer_id: int, error: str) -> None:
    """Keep the error on the timer and retry it later, sooner at first."""
    try:
        with unit_of_work() as uow:
            timer = uow.timers.get(timer_id)
            if timer is not None and timer.fired_at is None:
                timer.attempts += 1
                timer.last_error = error[:2000]
                timer.retry_at = rules.now() + min(timedelta(minutes=2 ** timer.attempts), MAX_RETRY_DELAY)
    except Exception:
        log.exception("the failure of timer %s could not be recorded", timer_id)
