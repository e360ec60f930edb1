"""The scheduler process: APScheduler runs one job, the sweep, at a fixed interval.

No business timer lives in APScheduler: its job store holds only the sweep (in memory), and the
timers are rows. The first tick runs at start, so that whatever fell due while nothing ran fires
at once (catch-up); a late or missed tick is simply the next one (the sweep reads every due row,
so there is no misfire window to skip anything). Only the leader sweeps.

Whoever starts the scheduler (api/server.py, api/cli.py) hands it the rules and the unit of work factory
that its sweeps use: the scheduler knows nothing of the HTTP layer.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from models import db
from scheduler.delivery import deliver
from scheduler.leader import leader_for
from scheduler.sweep import sweep
from workflow.services.context import Rules
from workflow.services.outbox import notify_and_send

log = logging.getLogger("gradeflow.scheduler")


class SweepJob:
    """One tick: lead if possible, then sweep."""

    def __init__(self, app: Flask, rules: Rules, unit_of_work: Callable):
        self._app, self._rules, self._unit_of_work = app, rules, unit_of_work
        with app.app_context():
            self._leader = leader_for(db.engine)
        self.leading = False

    def __call__(self) -> None:
        with self._app.app_context():
            try:
                leading = self._leader.acquire()
                if leading != self.leading:
                    log.info("this process %s the scheduler's leader", "is now" if leading else "is no longer")
                    self.leading = leading
                if leading:
                    sweep(self._unit_of_work, self._rules, trigger="scheduler")
                    self._send_the_outbox()
            except Exception:  # a database outage: try again at the next tick
                log.exception("the scheduler's tick failed")
            finally:
                db.session.remove()

    def _send_the_outbox(self) -> None:
        """After the sweep, which writes the reminders: the notices of what happened, then what the outbox holds
        goes to the deployment's channels."""
        run = notify_and_send(self._unit_of_work, self._rules, self._app.config.get("GRADEFLOW_NOTIFY_CHANNELS", ()),
                              deliver)
        if run.notices or run.sent or run.retried or run.dead:
            log.info("outbox: notices written %s, sent %s, to try again %s, dead %s", run.notices, run.sent,
                     run.retried, run.dead)

    def stop(self) -> None:
        self._leader.release()


def build_scheduler(app: Flask, rules: Rules, unit_of_work: Callable, *, background: bool):
    """`unit_of_work`: makes the unit of work of each of the sweep's transactions, inside the app's context."""
    job = SweepJob(app, rules, unit_of_work)
    scheduler = (BackgroundScheduler if background else BlockingScheduler)(timezone=timezone.utc)
    scheduler.add_job(job, "interval", seconds=app.config["GRADEFLOW_SCHEDULER_INTERVAL"], id="sweep",
                      next_run_time=datetime.now(timezone.utc), coalesce=True, max_instances=1,
                      misfire_grace_time=None)
    return scheduler, job
