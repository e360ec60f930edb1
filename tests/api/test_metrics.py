"""`GET /metrics` (api.md; issue 15, point 2) in one process: Prometheus's text format, no sign-in; the requests
answered by method, route and status with their latency (a path no route took is counted as "(none)", never by
itself); and what the database says at the scrape: transitions by event, timers due and how late the oldest is,
overdue cases, the outbox's depth and the audit chain's length. (Across gunicorn's workers:
tests/integration/test_default_server.py.)"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from models import AuditLink, CaseHistory, ManualClockState, Timer, db
from tests.support.steps import apply, review
from tests.support.world import candidate, organisation


def scrape(app) -> dict[tuple[str, tuple], float]:
    answer = app.test_client().get("/metrics")
    assert answer.status_code == 200
    assert answer.mimetype == "text/plain" and answer.headers["Cache-Control"] == "no-store"
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(answer.get_data(as_text=True)) for sample in family.samples}


def requests_of(figures, route: str, status: str = "200", method: str = "GET") -> float:
    return figures.get(("gradeflow_http_requests_total",
                        (("method", method), ("route", route), ("status", status))), 0)


def test_requests_are_counted_by_method_route_and_status(app):
    client = app.test_client()
    before = scrape(app)
    for _ in range(3):
        client.get("/healthz")
    client.get("/api/v1/cases/1")  # 401: no sign-in
    client.get("/no/such/page/anyone/typed")
    after = scrape(app)
    assert requests_of(after, "/healthz") - requests_of(before, "/healthz") == 3
    route = "/api/v1/cases/<int(max=2147483647):case_id>"
    assert requests_of(after, route, "401") - requests_of(before, route, "401") == 1
    assert requests_of(after, "(none)", "404") - requests_of(before, "(none)", "404") == 1
    assert not any("anyone" in str(labels) for _name, labels in after)
    latency = ("gradeflow_http_request_duration_seconds_count", (("method", "GET"), ("route", "/healthz")))
    assert after[latency] - before.get(latency, 0) == 3
    refused = ("gradeflow_http_request_duration_seconds_count", (("method", "GET"), ("route", route)))
    assert after[refused] - before.get(refused, 0) == 1  # refused by the sign-in check, before any view: timed too


def test_a_method_nobody_uses_is_counted_as_other_and_adds_no_series_of_its_own(app):
    before = scrape(app)
    app.test_client().open("/healthz", method="FOOBAR")
    after = scrape(app)
    assert not any("FOOBAR" in str(labels) for _name, labels in after)
    assert sum(v for (name, labels), v in after.items() if name == "gradeflow_http_requests_total"
               and ("method", "other") in labels) - sum(
        v for (name, labels), v in before.items() if name == "gradeflow_http_requests_total"
        and ("method", "other") in labels) == 1


def test_a_database_that_does_not_answer_leaves_the_requests_counts_and_says_so(tmp_path):
    from api import create_app
    from tests.support.settings import config_for
    (tmp_path / "a-folder").mkdir()
    app = create_app(config_for(f"sqlite:///{tmp_path}/a-folder", GRADEFLOW_CLOCK="system"))
    app.test_client().get("/healthz")
    figures = scrape(app)
    assert figures[("gradeflow_database_up", ())] == 0
    assert requests_of(figures, "/healthz") >= 1
    assert not [name for name, _labels in figures if name == "gradeflow_audit_chain_length"]


def test_the_databases_figures_are_read_at_the_scrape(app, gf):
    organisation(gf)
    candidate(gf, "E001")
    case_id = apply(gf, "E001")
    review(gf, case_id, 80)
    with app.app_context():
        events = dict(db.session.execute(sa.select(CaseHistory.event, sa.func.count())
                                         .group_by(CaseHistory.event)).all())
        links = db.session.scalar(sa.select(sa.func.count()).select_from(AuditLink))
        first_due = db.session.scalar(sa.select(sa.func.min(Timer.due_at)).where(Timer.fired_at.is_(None)))
        db.session.remove()
    figures = scrape(app)
    assert figures[("gradeflow_database_up", ())] == 1
    assert {labels[0][1]: value for (name, labels), value in figures.items()
            if name == "gradeflow_case_transitions_total"} == events
    assert events["submit"] == 1 and events["approve_materials"] == 1
    assert figures[("gradeflow_audit_chain_length", ())] == links > 0
    assert figures[("gradeflow_outbox_depth", ())] == 0
    assert figures[("gradeflow_cases_overdue", ())] == 0
    assert figures[("gradeflow_sweep_lag_seconds", ())] == 0
    assert not [name for name, _labels in figures if name == "gradeflow_timers_due"]

    with app.app_context():  # an hour past the first timer, and nobody has swept
        db.session.merge(ManualClockState(id=1, now=first_due + timedelta(hours=1), moved=True))
        db.session.commit()
        db.session.remove()
    figures = scrape(app)
    assert sum(v for (name, _labels), v in figures.items() if name == "gradeflow_timers_due") >= 1
    assert figures[("gradeflow_sweep_lag_seconds", ())] == 3600
