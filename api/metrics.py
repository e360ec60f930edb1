"""`GET /metrics` in Prometheus's text format (api.md), for whoever runs the service.

Two kinds of figures. The HTTP requests each process answered (by method, route and status, with their latency)
are counted in the process; under `gradeflow serve` every worker writes them to a folder the master made for the
run (prometheus-client's multiprocess mode, api/metrics_folder.py), so that whichever worker answers a scrape
reports them all. Everything else is read from the database at the scrape, so it is the same whichever process
answers and survives restarts: case transitions by event (history entries), timers due and failing, how late the
oldest due timer is (the sweep's lag), the last sweep's duration, overdue cases, the outbox's depth and the audit
chain's length. No figure names a person or a case.
"""
from __future__ import annotations

import os
import time

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, g, request
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from api.context import rules
from api.metrics_folder import SHARED_FOLDER
from models import AuditLink, Case, CaseHistory, OutboxMessage, SchedulerRun, Timer, audit, db
from workflow.notifications import DEAD, PENDING

# whether this process counts in the shared folder: decided once, as prometheus-client decided it on its import
# (just above), so that a folder named later in this process's life is not read for counts it never wrote there
COUNTED_IN_FOLDER = SHARED_FOLDER in os.environ
NO_ROUTE = "(none)"  # a path no route took: never the path itself, which the caller chose
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})  # any other method: "other"

REQUESTS = Counter("gradeflow_http_requests", "HTTP requests answered, by method, route and status",
                   ["method", "route", "status"])
LATENCY = Histogram("gradeflow_http_request_duration_seconds", "Time to answer an HTTP request, by method and route",
                    ["method", "route"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))

bp = Blueprint("metrics", __name__)


def init_app(app: Flask) -> None:
    """Call it before any other hook that may refuse a request, so that refusals are timed too."""
    @app.before_request
    def start_timing():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def count(response):
        # labels from fixed sets only: a caller who invents methods or paths adds no series
        method = request.method if request.method in METHODS else "other"
        route = request.url_rule.rule if request.url_rule is not None else NO_ROUTE
        REQUESTS.labels(method, route, str(response.status_code)).inc()
        started = g.get("metrics_started")
        if started is not None:
            LATENCY.labels(method, route).observe(time.perf_counter() - started)
        return response

    app.register_blueprint(bp)


@bp.get("/metrics")
def metrics():
    registry = CollectorRegistry()
    if COUNTED_IN_FOLDER:
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(_DatabaseFigures())
    response = Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


class _ThisProcess:
    """The counts of this process (outside `gradeflow serve`: the tests, a development server)."""

    def collect(self):
        yield from REGISTRY.collect()


class _DatabaseFigures:
    """What the database says at the scrape."""

    def collect(self):
        """Every figure, or none and gradeflow_database_up 0 when the database does not answer (the requests'
        counts are still reported: they matter most then)."""
        session = db.session
        try:
            figures = list(self._figures(session, rules().now()))
        except sa.exc.SQLAlchemyError:
            figures = []
        finally:
            session.rollback()
        yield _gauge("gradeflow_database_up", "1 when the database answered this scrape's queries, else 0",
                     1 if figures else 0)
        yield from figures

    @staticmethod
    def _figures(session, now):
        transitions = CounterMetricFamily("gradeflow_case_transitions", "Entries written to the cases' histories, "
                                          "by event", labels=["event"])
        for event, count in session.execute(sa.select(CaseHistory.event, sa.func.count())
                                            .group_by(CaseHistory.event).order_by(CaseHistory.event)):
            transitions.add_metric([event], count)
        yield transitions

        unfired = Timer.fired_at.is_(None)
        due = GaugeMetricFamily("gradeflow_timers_due", "Timers due and not fired yet, by kind", labels=["kind"])
        for kind, count in session.execute(sa.select(Timer.kind, sa.func.count()).where(unfired, Timer.due_at <= now)
                                           .group_by(Timer.kind).order_by(Timer.kind)):
            due.add_metric([kind], count)
        yield due
        yield _gauge("gradeflow_timers_failing", "Timers not fired whose last attempt failed (retried later)",
                     session.scalar(sa.select(sa.func.count()).where(unfired, Timer.last_error.is_not(None))))
        oldest = session.scalar(sa.select(sa.func.min(Timer.due_at)).where(unfired, Timer.due_at <= now))
        yield _gauge("gradeflow_sweep_lag_seconds", "How long the oldest due timer has waited to be fired (0: none "
                     "waits)", (now - oldest).total_seconds() if oldest is not None else 0)
        last = session.execute(sa.select(SchedulerRun.started_at, SchedulerRun.finished_at)
                               .where(SchedulerRun.finished_at.is_not(None))
                               .order_by(SchedulerRun.id.desc()).limit(1)).first()
        if last is not None:
            yield _gauge("gradeflow_sweep_last_duration_seconds", "How long the last finished sweep took",
                         (last.finished_at - last.started_at).total_seconds())
            yield _gauge("gradeflow_sweep_last_finished_timestamp_seconds", "When the last finished sweep ended",
                         last.finished_at.timestamp())
        yield _gauge("gradeflow_cases_overdue", "Open cases waiting on someone for longer than the policy allows",
                     session.scalar(sa.select(sa.func.count()).where(Case.overdue_since.is_not(None))))
        yield _gauge("gradeflow_outbox_depth", "Notifications written and not sent yet (pending)",
                     session.scalar(sa.select(sa.func.count()).where(OutboxMessage.status == PENDING)))
        yield _gauge("gradeflow_outbox_dead", "Notifications given up after their last try, until hr sends them again",
                     session.scalar(sa.select(sa.func.count()).where(OutboxMessage.status == DEAD)))
        yield _gauge("gradeflow_audit_chain_length",
                     f"Links of the audit chain (entries of {', '.join(audit.SOURCES)})",
                     session.scalar(sa.select(sa.func.max(AuditLink.seq))) or 0)


def _gauge(name: str, documentation: str, value) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)
