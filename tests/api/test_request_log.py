"""The service's log (api.md: X-Request-ID; issue 15, point 3): every answer carries a request id, the caller's own
when it sent a usable one; every line written while a request is served carries that id, the signed-in user, the
route and the case; every request ends with a line of its method, path, status and milliseconds. JSON lines (one
object per event) unless a person reads the log at a terminal."""
from __future__ import annotations

import json
import logging
import re

import pytest

from api.logs import JsonLines, PlainText, RequestContext, stderr_formatter
from tests.support.steps import apply
from tests.support.world import HR, candidate, organisation

GENERATED = re.compile(r"[0-9a-f]{32}\Z")


class Kept(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.addFilter(RequestContext())

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def kept():
    handler, logger = Kept(), logging.getLogger("gradeflow")
    logger.addHandler(handler)
    yield handler.records
    logger.removeHandler(handler)


def test_every_answer_carries_a_request_id_the_callers_own_when_usable(app):
    client = app.test_client()
    assert GENERATED.match(client.get("/healthz").headers["X-Request-ID"])
    assert client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.2"}).headers["X-Request-ID"] == "lb-7f3a.2"
    for unusable in ("<script>", "x" * 129, "a b"):
        assert GENERATED.match(client.get("/healthz", headers={"X-Request-ID": unusable}).headers["X-Request-ID"])


def test_a_refusal_before_any_view_and_a_page_not_found_carry_it_too(app):
    client = app.test_client()
    assert client.get("/api/v1/cases/1").status_code == 401
    assert GENERATED.match(client.get("/api/v1/cases/1").headers["X-Request-ID"])
    assert GENERATED.match(client.get("/no-such-page").headers["X-Request-ID"])


def test_each_request_ends_with_a_line_naming_its_id_user_route_case_and_status(app, gf, kept):
    organisation(gf)
    candidate(gf, "E001")
    case_id = apply(gf, "E001")
    kept.clear()
    answer = gf.get(f"/cases/{case_id}", as_=HR, headers={"X-Request-ID": "trace-1"})
    assert answer.status_code == 200
    line = [r for r in kept if r.name == "gradeflow.request" and r.request_id == "trace-1"]
    assert len(line) == 1
    record = line[0]
    assert (record.user, record.route, record.case_id) == (HR, "/api/v1/cases/<int(max=2147483647):case_id>", case_id)
    assert (record.method, record.path, record.status) == ("GET", f"/api/v1/cases/{case_id}", 200)
    assert record.address == "127.0.0.1"
    assert record.ms >= 0 and record.getMessage() == f"GET /api/v1/cases/{case_id} 200"


def test_a_path_with_a_control_character_does_not_start_a_line_of_its_own(app, kept):
    app.test_client().get("/x%0Ay")
    assert [r.path for r in kept if r.name == "gradeflow.request"] == ["/x?y"]


def test_a_json_line_is_one_object_with_the_requests_fields():
    record = logging.LogRecord("gradeflow.request", logging.INFO, __file__, 1, "GET %s %d", ("/healthz", 200), None)
    record.request_id, record.route, record.status, record.user = "abc", "/healthz", 200, None
    line = JsonLines().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert {k: v for k, v in entry.items() if k != "time"} == {
        "level": "info", "logger": "gradeflow.request", "message": "GET /healthz 200", "request_id": "abc",
        "route": "/healthz", "status": 200}
    assert entry["time"].endswith("+00:00")
    assert PlainText().format(record).endswith("GET /healthz 200 [abc]")


def test_json_lines_unless_a_person_reads_the_log_at_a_terminal(monkeypatch):
    monkeypatch.setattr("sys.stderr.isatty", lambda: False)
    assert isinstance(stderr_formatter(), JsonLines)
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    assert isinstance(stderr_formatter(), PlainText)
