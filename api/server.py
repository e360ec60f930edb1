"""`gradeflow serve`: gunicorn, run from Python, each worker building its own app.

gunicorn's master process forks the workers, at start and again whenever one dies. Whatever the master
holds at that moment is copied into the child: SQLite's per-process lock bookkeeping (a write transaction
of the master's becomes, in the child, a lock that a connection of its own holds forever: every write
waits for the busy timeout and fails with "database is locked"), mutexes held by the master's other
threads (the child's first connect or mapper configuration waits forever), half-configured mappers
(`AttributeError: strategy`). So the master runs no thread and holds no connection; the scheduler runs
inside the workers, started in each once it has loaded its app: one leads (scheduler/leader.py), the others
stand by and take over when it dies.
"""
from __future__ import annotations

import logging
from pathlib import Path

from gunicorn.app.base import BaseApplication

from api.balanced_worker import BalancedThreadWorker, ConnectionCounts
from api.metrics_folder import forget_worker, remove_shared_folder

log = logging.getLogger("gradeflow.scheduler")


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict):
        self._options = options
        super().__init__()

    def load_config(self):
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        from api import create_app
        return create_app()


def _start_scheduler(worker) -> None:
    """gunicorn's post_worker_init hook: the worker's app is loaded; sweep in a thread of this worker while it
    leads."""
    from models import db
    from models.unit_of_work import unit_of_work_factory
    from scheduler.process import build_scheduler
    app = worker.wsgi
    worker.gradeflow_scheduler = build_scheduler(app, app.extensions["gradeflow"]["rules"],
                                                 unit_of_work_factory(db.session), background=True)
    worker.gradeflow_scheduler[0].start()


def _stop_scheduler(_arbiter, worker) -> None:
    """gunicorn's worker_exit hook (run in the worker): finish the tick under way, give up the lead."""
    scheduler = getattr(worker, "gradeflow_scheduler", None)
    if scheduler is not None:
        aps, job = scheduler
        aps.shutdown(wait=True)
        job.stop()


def run_gunicorn(*, host: str, port: int, workers: int, threads: int, with_scheduler: bool,
                 metrics_folder: Path | None) -> None:
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        # gthread even with one thread: the sync worker blocks reading the first connection it accepts, and a
        # browser's preconnect socket, which sends nothing, would stall every other request for `timeout`;
        # balanced: the worker holding the fewest connections takes the next (api/balanced_worker.py)
        "worker_class": BalancedThreadWorker,
        "pre_fork": ConnectionCounts(slots=2 * workers).assign,  # twice: a reload starts the new before the old end
        # no access log: each request ends with a line of the service's own log (api/logs.py), and gunicorn's
        # lines take its form, JSON lines unless a person reads them at a terminal. gunicorn applies this over
        # its defaults key by key, so the root logger is named too (as Python leaves it: warnings to stderr)
        "logconfig_dict": {
            "root": {"level": "WARNING", "handlers": []},
            "loggers": {"gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
                        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False}},
            "formatters": {"generic": {"()": "api.logs.stderr_formatter"}},
        },
        "control_socket_disable": True,
        # /metrics: every worker counts in the run's folder (api/metrics_folder.py); one made for the run goes with it
        "child_exit": lambda _arbiter, worker: forget_worker(worker.pid),
        "on_exit": lambda _arbiter: remove_shared_folder(metrics_folder),
        "timeout": 60,
    }
    if with_scheduler:
        options.update(post_worker_init=_start_scheduler, worker_exit=_stop_scheduler)
    _Gunicorn(options).run()
