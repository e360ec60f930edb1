"""The scheduler's sweep: due timers fired per second, against the raw ceiling. Target: >= 10 % of raw.

Each timer is a real one: a probation manager whose probation has ended (registered through the use case,
which schedules the timer), so firing it opens a probation_confirmation case with its history and first
reminder. One sweep (as `gradeflow run-due` runs it) fires them all, in this process, on the system clock.
"""
from __future__ import annotations

import time
from datetime import date, timedelta

from bench.databases import Database
from bench.raw import Ceiling
from bench.report import Result, percent, verdict
from bench.settings import Settings
from bench.world import ManagerSpec, World

TARGET = 0.10


def run_sweep(settings: Settings, database: Database) -> list[Result]:
    timers = settings.size(300, 2000)
    world = World(database)
    started = date.today() - timedelta(days=200)  # probation (3 months) ended long ago: every timer is due
    world.managers([ManagerSpec(f"P{n:06d}", "probation", grade_since=started) for n in range(timers)])
    world.settle()
    ceiling = Ceiling(database, settings.raw_seconds).read()
    fired, failed, seconds = _sweep(world)
    world.close()
    raw = ceiling.read().value
    rate = fired / seconds
    result = Result("sweep", database.kind, f"{timers} probation ends, one sweep",
                    f"{rate:,.0f} timers/s ({fired} fired in {seconds:.1f} s)", ratio=percent(rate, raw),
                    target=">= 10 % of raw", verdict=verdict(rate / raw >= TARGET and fired >= timers and not failed)
                    ).against(ceiling)
    if failed or fired < timers:
        result.notes.append(f"fired {fired} of {timers}, {failed} failed")
    return [result]


def _sweep(world: World) -> tuple[int, int, float]:
    """One sweep as `gradeflow run-due` runs it: (timers fired, timers failed, seconds)."""
    from api.context import rules, uow
    from scheduler.sweep import sweep
    with world.app.app_context():
        began = time.perf_counter()
        run = sweep(uow, rules(), trigger="run_due")
        seconds = time.perf_counter() - began
    return len(run.fired), len(run.failed), seconds
