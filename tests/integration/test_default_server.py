"""`gradeflow serve` exactly as users start it: no flags but the address, so two gunicorn workers with a
scheduler thread in each (one leads), on SQLite and on PostgreSQL.

- a whole promotion cycle over HTTP on the manual clock, from the applications to the changed grades,
  with an appeal that is overturned and decided again, and the finalization done by the server's own
  scheduler once time has passed the appeal deadline (nobody moves the clock through the API then);
- eight clients mixing reads and writes for 12 seconds while the scheduler sweeps the timers that the
  writes create: no answer 5xx, none slower than 2 seconds, every acknowledged change in the history,
  every timer fired once, and the hash chain intact;
- twenty identical appeals at once: one filed, nineteen told appeal_exists;
- connections that send nothing (a browser's preconnect sockets) do not hold up anybody's requests;
- kept-alive connections opened at once spread evenly over the workers.

The people are registered in this process before the server starts; everything after that is HTTP.
"""
from __future__ import annotations

import http.client
import itertools
import random
import socket
import threading
import time
from collections import Counter
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from api.config import DEFAULT_WORKERS
from models import Case, CaseHistory, ManualClockState, Timer, db
from tests.support.commands import gradeflow
from tests.support.cycles import published_cycle
from tests.support.live_server import CONNECTION_ERRORS, at_once, call, connect, report, send, sign_in
from tests.support.processes import HOST, children, serve, wait_for, workers_holding
from tests.support.reads import read, runs
from tests.support.settings import CLOCK_START, SHANGHAI
from tests.support.world import ADMIN, BOSS, CYCLE, FIVE, HR, SUPERVISOR, candidate, organisation

LOAD_SECONDS = 12  # about 2,000 requests here: each answered, none lost (30 s took a tenth of the suite's time)
SLOWEST_ALLOWED = 2.0  # seconds for any one answer under load
CLIENTS = 8


def _ok(answer, status: int = 200):
    assert answer.status == status, (answer.status, answer.body)
    return answer.body


def _audit_verify(tmp_path, database_url: str) -> str:
    result = gradeflow(tmp_path, "audit", "verify", GRADEFLOW_DATABASE_URL=database_url)
    assert result.returncode == 0, (result.stdout, result.stderr)
    return result.stdout


def _let_time_pass(app, instant: datetime) -> None:
    """Time passes with nobody calling the API: the manual clock's row moves, as the wall clock would."""
    with app.app_context():
        clock = db.session.get(ManualClockState, 1)
        if clock is None:
            db.session.add(ManualClockState(id=1, now=instant, moved=True))
        else:
            clock.now, clock.moved = instant, True
        db.session.commit()
        db.session.remove()


# --- a whole cycle ------------------------------------------------------------------------------------

PUBLISHED_ON = "2026-09-30T09:00:00+08:00"
DEADLINE = "2026-10-10T23:59:59+08:00"  # three working days after Sep 30: Oct 8, 9 and Saturday Oct 10 (调休)
AFTER_DEADLINE = datetime(2026, 10, 11, 9, 0, tzinfo=SHANGHAI)


def test_a_whole_cycle_over_http_on_the_default_server_ends_in_changed_grades_finalized_by_its_own_scheduler(
        app, gf, migrated, gradeflow_process, tmp_path):
    organisation(gf)
    candidate(gf, "E001", performance="80")
    candidate(gf, "E002", performance="50")
    server, port = serve(gradeflow_process)
    tokens = {name: sign_in(port, name) for name in (HR, ADMIN, BOSS, "e001", "e002", *FIVE[:3])}

    def act(login, method, path, status=200, **body):
        return _ok(call(port, method, path, token=tokens[login], body=body or None), status)

    cases = {}
    for no, supervisor_score, interview in (("E001", 80, 80), ("E002", 50, 50)):
        case = act(no.lower(), "POST", "/cases", 201, kind="promotion", cycle=CYCLE, target_grade="mid",
                   statement="申请晋升中级客户经理")
        cases[no] = case["id"]
        assert act(BOSS, "POST", f"/cases/{case['id']}/events", event="approve_materials",
                   supervisor_score=supervisor_score)["state"] == "interview"
        states = [act(member, "PUT", f"/cases/{case['id']}/score", score=interview)["state"] for member in FIVE[:3]]
        assert states == ["interview", "interview", "deliberation"]
    decided = {d["case_id"]: d for d in act(FIVE[0], "POST", f"/cycles/{CYCLE}/decide")["decided"]}
    assert (decided[cases["E001"]]["outcome"], decided[cases["E002"]]["outcome"]) == ("approved", "denied")

    assert act(ADMIN, "PUT", "/clock", now=PUBLISHED_ON)["now"] == PUBLISHED_ON
    board = act(HR, "POST", f"/cycles/{CYCLE}/publish")
    assert (board["appeal_deadline"], board["deadline_confirmed"]) == (DEADLINE, True)

    # E002 appeals; hr overturns; the decision is taken again (still below the pass mark) and published again
    appeal = act("e002", "POST", f"/cases/{cases['E002']}/appeal", 201, reason="面试评分有误, 申请复核")
    assert appeal["case"]["state"] == "appealed"
    assert act(HR, "POST", f"/cases/{cases['E002']}/events", event="overturn",
               comment="复核: 重新评定")["state"] == "deliberation"
    assert act(HR, "POST", f"/cases/{cases['E002']}/events", event="deny", comment="复核后仍未达及格线")["state"] == "decided"
    republished = act(HR, "POST", f"/cases/{cases['E002']}/events", event="publish")
    assert (republished["state"], republished["appeal_deadline"]) == ("published", DEADLINE)

    # time passes the deadline; nobody calls the API: the server's scheduler finalizes both cases by itself
    _let_time_pass(app, AFTER_DEADLINE)
    wait_for(lambda: all(call(port, "GET", f"/cases/{c}", token=tokens[HR]).body["state"] in ("effective", "closed")
                         for c in cases.values()), "the server's scheduler finalized both cases", [server], timeout=60)

    assert act(HR, "GET", f"/cases/{cases['E001']}")["state"] == "effective"
    assert act(HR, "GET", f"/cases/{cases['E002']}")["state"] == "closed"
    assert (act(HR, "GET", "/managers/E001")["grade"], act(HR, "GET", "/managers/E002")["grade"]) == ("mid", "junior")
    [moved] = act(HR, "GET", "/managers/E001/grade-history")
    assert (moved["from_grade"], moved["to_grade"], moved["effective_on"], moved["case_id"]) == (
        "junior", "mid", "2026-10-11", cases["E001"])
    assert act(HR, "GET", "/managers/E002/grade-history") == []
    finals = [act(HR, "GET", f"/cases/{c}/history")[-1] for c in cases.values()]
    assert [(h["event"], h["actor"], h["to_state"]) for h in finals] == [
        ("finalize", "(gradeflow)", "effective"), ("finalize", "(gradeflow)", "closed")]
    finalizing = read(app, lambda s: set(s.scalars(sa.select(Timer.run_id).where(
        Timer.kind == "appeal_window_end", Timer.fired_at.is_not(None)))))
    [runner] = {r.runner for r in runs(app) if r.id in finalizing}
    assert runner in {f"{HOST}:{pid}" for pid in children(server.pid)}  # a worker's scheduler, not PUT /clock
    assert "history intact" in _audit_verify(tmp_path, migrated)


# --- eight clients for twelve seconds ------------------------------------------------------------------

class Tally:
    """What the clients were told, for the checks afterwards (thread-safe)."""

    def __init__(self):
        self._lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.slowest: list[tuple[float, str]] = []
        self.acknowledged: Counter = Counter()  # (case id, event, actor) → 2xx answers
        self.registered: list[str] = []  # probation managers registered (201)
        self.failures: list = []
        self.latencies: list[float] = []

    def answer(self, what: str, started: float, answer) -> None:
        took = time.monotonic() - started
        with self._lock:
            self.statuses[answer.status] += 1
            self.latencies.append(took)
            if took > SLOWEST_ALLOWED or answer.status >= 500:
                self.failures.append((what, answer.status, round(took, 3), answer.body))

    def acknowledge(self, key) -> None:
        with self._lock:
            self.acknowledged[key] += 1


def _timed(port: int, tally: Tally, method: str, path: str, **kw):
    started = time.monotonic()
    try:
        answer = call(port, method, path, **kw)
    except CONNECTION_ERRORS as exc:  # the server never drops a connection here: that is a failure too
        tally.failures.append((f"{method} {path}", "connection", round(time.monotonic() - started, 3), repr(exc)))
        return None
    tally.answer(f"{method} {path}", started, answer)
    return answer


def _load_organisation(gf) -> dict[str, int]:
    """Two applications shuttled between their supervisor and applicant (submitted ↔ returned), and one in
    interview that four of the five members score again and again (the fifth never does, so it stays there)."""
    organisation(gf, committee=FIVE)
    for no in ("E001", "E002", "E003"):
        candidate(gf, no, performance="80")
    cases = {}
    for no in ("E001", "E002", "E003"):
        cases[no] = _ok_json(gf.post("/cases", as_=no.lower(), json={"cycle": CYCLE, "target_grade": "mid",
                                                                      "statement": "申请晋级"}), 201)["id"]
    _ok_json(gf.post(f"/cases/{cases['E003']}/events", as_=BOSS,
                     json={"event": "approve_materials", "supervisor_score": 80}))
    return cases


def _ok_json(response, status: int = 200) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()


def test_eight_clients_reading_and_writing_while_the_scheduler_sweeps_lose_nothing(
        app, gf, migrated, gradeflow_process, tmp_path):
    cases = _load_organisation(gf)
    server, port = serve(gradeflow_process)
    tokens = {name: sign_in(port, name) for name in (HR, BOSS, "e001", "e002", *FIVE[1:])}
    tally = Tally()
    stop_at = time.monotonic() + LOAD_SECONDS
    today = CLOCK_START.date()
    probation_since = date(today.year, today.month - 4, 1)  # probation (3 months) over: due at once
    numbers = itertools.count(1)

    def shuttle(login: str, case_id: int, event: str, turn: str, seed: int):
        """Act on the case whenever it waits on this login (If-Match of what was read), reading in between."""
        rng = random.Random(seed)
        while time.monotonic() < stop_at:
            seen = _timed(port, tally, "GET", f"/cases/{case_id}", token=tokens[login])
            if seen is not None and seen.status == 200 and seen.body["state"] == turn:
                moved = _timed(port, tally, "POST", f"/cases/{case_id}/events", token=tokens[login],
                               if_match=seen.etag, body={"event": event, "comment": f"第{rng.randint(1, 99)}次"})
                if moved is not None and moved.status == 200:
                    tally.acknowledge((case_id, event, login))
            _timed(port, tally, "GET", f"/cases/{case_id}/history", token=tokens[login])

    def scorer(member: str, seed: int):
        rng = random.Random(seed)
        case_id = cases["E003"]
        while time.monotonic() < stop_at:
            scored = _timed(port, tally, "PUT", f"/cases/{case_id}/score", token=tokens[member],
                            body={"score": rng.randint(60, 95)})
            if scored is not None and scored.status == 200:
                tally.acknowledge((case_id, "score", member))
            _timed(port, tally, "GET", "/cases?per_page=50", token=tokens[member])

    def registrar():
        """hr registers probation managers whose probation is over: the scheduler opens their confirmations."""
        while time.monotonic() < stop_at:
            no = f"P{next(numbers):04d}"
            answer = _timed(port, tally, "POST", "/managers", token=tokens[HR], body={
                "employee_no": no, "name": f"见习{no}", "org_unit": "北京分行", "grade": "probation",
                "grade_since": probation_since.isoformat(), "hire_date": probation_since.isoformat(),
                "supervisor": SUPERVISOR})
            if answer is not None and answer.status == 201:
                with tally._lock:
                    tally.registered.append(no)
            _timed(port, tally, "GET", "/managers?per_page=50", token=tokens[HR])
            _timed(port, tally, "GET", f"/calendar/days?from={today}&to={today + timedelta(days=60)}",
                   token=tokens[HR])

    def reader():
        while time.monotonic() < stop_at:
            listed = _timed(port, tally, "GET", "/cases?per_page=50", token=tokens[HR])
            if listed is not None and listed.status == 200 and listed.body:
                some = random.choice(listed.body)["id"]
                _timed(port, tally, "GET", f"/cases/{some}", token=tokens[HR])
                _timed(port, tally, "GET", f"/cases/{some}/history", token=tokens[HR])
            _timed(port, tally, "GET", f"/cycles/{CYCLE}/publication", token=tokens[HR])

    clients = [
        lambda: shuttle(BOSS, cases["E001"], "return_materials", "submitted", 1),
        lambda: shuttle("e001", cases["E001"], "resubmit", "returned", 2),
        lambda: shuttle(BOSS, cases["E002"], "return_materials", "submitted", 3),
        lambda: shuttle("e002", cases["E002"], "resubmit", "returned", 4),
        lambda: scorer(FIVE[1], 5),
        lambda: scorer(FIVE[2], 6),
        registrar,
        reader,
    ]
    assert len(clients) == CLIENTS
    threads = [threading.Thread(target=client) for client in clients]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=LOAD_SECONDS + 60)
    elapsed = time.monotonic() - started
    assert not any(t.is_alive() for t in threads), "a client never finished"

    latencies = sorted(tally.latencies)
    report(f"default server, {CLIENTS} clients for {LOAD_SECONDS} s ({migrated.split(':')[0]})", {
        "requests": len(latencies), "statuses": dict(tally.statuses), "seconds": round(elapsed, 1),
        "p50_ms": round(1000 * latencies[len(latencies) // 2]), "p99_ms": round(1000 * latencies[int(len(latencies) * .99)]),
        "max_ms": round(1000 * latencies[-1]), "acknowledged_writes": sum(tally.acknowledged.values()),
        "probation_managers": len(tally.registered)})
    assert tally.failures == [], tally.failures[:5]
    assert {status for status in tally.statuses} <= {200, 201, 409}, tally.statuses
    assert all(tally.acknowledged[(cases[no], "return_materials", BOSS)] > 0 for no in ("E001", "E002")), tally.acknowledged
    assert tally.registered, "hr registered nobody"

    # the scheduler opens a probation confirmation for every manager registered, each once
    def confirmations():
        return read(app, lambda s: Counter(s.scalars(sa.select(Case.employee_no).where(
            Case.kind == "probation_confirmation"))))
    wait_for(lambda: set(confirmations()) >= set(tally.registered), "a confirmation case for each", [server], timeout=60)
    assert confirmations() == Counter({no: 1 for no in tally.registered})
    assert read(app, lambda s: s.scalar(sa.select(sa.func.count()).select_from(Timer).where(
        Timer.kind == "probation_end", Timer.fired_at.is_(None)))) == 0

    # every acknowledged change is in the history, once
    recorded = read(app, lambda s: Counter(
        (case_id, event, actor) for case_id, event, actor in s.execute(sa.select(
            CaseHistory.case_id, CaseHistory.event, CaseHistory.actor).where(
            CaseHistory.event.in_(("return_materials", "resubmit", "score"))))))
    assert recorded == tally.acknowledged
    # each shuttled case is the replay of its history
    for no in ("E001", "E002"):
        history = read(app, lambda s: s.scalars(sa.select(CaseHistory).where(
            CaseHistory.case_id == cases[no]).order_by(CaseHistory.seq)).all())
        assert [h.seq for h in history] == list(range(1, len(history) + 1))
        assert all(a.to_state == b.from_state for a, b in zip(history, history[1:]))
    assert server.alive() and len(children(server.pid)) == DEFAULT_WORKERS
    assert "history intact" in _audit_verify(tmp_path, migrated)


def test_twenty_identical_appeals_sent_at_once_to_the_default_server_file_one_and_nineteen_are_appeal_exists(
        app, gf, migrated, gradeflow_process):
    approved, _ = published_cycle(gf)
    server, port = serve(gradeflow_process)
    token = sign_in(port, "e001")

    def appeal(barrier):
        connection = connect(port)
        barrier.wait()
        return send(connection, "POST", f"/cases/{approved}/appeal", token=token, body={"reason": "评分有误"})

    answers = at_once([appeal] * 20)

    assert Counter((a.status, a.code) for a in answers) == {(201, None): 1, (409, "appeal_exists"): 19}, answers
    events = read(app, lambda s: s.scalars(sa.select(CaseHistory.event).where(CaseHistory.case_id == approved)).all())
    assert events.count("appeal") == 1


# --- probes --------------------------------------------------------------------------------------------------

def test_the_default_server_answers_its_probes(app, gradeflow_process):
    """/healthz and /readyz (api.md), as a container's healthcheck or a load balancer asks them: no sign-in."""
    import json
    import urllib.request

    from api.migrations import head_revision
    server, port = serve(gradeflow_process)
    answers = {}
    for path in ("/healthz", "/readyz"):
        asked = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"X-Request-ID": f"probe-{path[1:]}"})
        with urllib.request.urlopen(asked, timeout=10) as response:
            answers[path] = (response.status, json.loads(response.read()), response.headers["X-Request-ID"])
    assert answers == {"/healthz": (200, {"status": "ok"}, "probe-healthz"),
                       "/readyz": (200, {"status": "ready", "database": "ok", "schema": head_revision()},
                                   "probe-readyz")}, server.output()


def test_the_default_server_counts_its_requests_for_prometheus(app, gradeflow_process):
    import urllib.request

    from tests.integration.test_real_server import _healthz_counted
    server, port = serve(gradeflow_process)
    for _ in range(5):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            assert response.status == 200
    assert _healthz_counted(port) == 5, server.output()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    assert "gradeflow_audit_chain_length" in text and "gradeflow_sweep_lag_seconds" in text


def test_the_default_server_logs_json_lines_with_each_requests_id(app, gradeflow_process):
    """Its log is not read at a terminal here: one JSON object per line, gunicorn's own lines included, and each
    request's line names the id its answer carried."""
    import json
    import urllib.request
    server, port = serve(gradeflow_process)
    asked = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"X-Request-ID": "trace-42"})
    with urllib.request.urlopen(asked, timeout=10) as response:
        assert response.headers["X-Request-ID"] == "trace-42"

    def logged():
        return [json.loads(line) for line in server.output().splitlines() if line.startswith("{")]
    wait_for(lambda: any(e.get("request_id") == "trace-42" for e in logged()), "the request's log line", (server,),
             timeout=10)
    line = next(e for e in logged() if e.get("request_id") == "trace-42")
    assert (line["logger"], line["route"], line["status"], line["message"]) == (
        "gradeflow.request", "/healthz", 200, "GET /healthz 200")
    assert any(e["logger"] == "gunicorn.error" and e["message"].startswith("Listening at") for e in logged())


# --- silent connections --------------------------------------------------------------------------------

SILENT_CONNECTIONS = 3  # Chromium opens spare sockets to a site it expects to load more from


def test_connections_that_send_nothing_do_not_hold_up_other_requests(app, gradeflow_process):
    """A browser's preconnect sockets connect and send nothing until it needs them. gunicorn's sync worker
    blocks reading the first connection it accepts until its timeout (60 s); its gthread worker lets each such
    connection hold a thread for up to 5 s. The default server (four threads a worker) answers at once behind
    three."""
    server, port = serve(gradeflow_process)
    waited = _seconds_to_answer_behind_silent_connections(port, SILENT_CONNECTIONS)
    assert waited < 5, f"{waited:.1f} s behind {SILENT_CONNECTIONS} silent connections: {server.output()}"


def test_one_thread_waits_seconds_behind_a_silent_connection_not_the_workers_timeout(app, gradeflow_process):
    """`serve --threads 1` runs gunicorn's gthread worker too, which sets a silent connection aside after 5 s; its
    sync worker would block on it until the 60-second worker timeout killed the worker (and its scheduler)."""
    server, port = serve(gradeflow_process, "--threads", "1")
    waited = _seconds_to_answer_behind_silent_connections(port, 1)
    assert waited < 20, f"{waited:.1f} s behind one silent connection: {server.output()}"


def _seconds_to_answer_behind_silent_connections(port: int, silent_connections: int) -> float:
    """Open connections that send nothing (as a browser's preconnect does), then time one request (a 200)."""
    silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(silent_connections)]
    try:
        started = time.monotonic()
        answer = call(port, "GET", "/openapi.json")
        waited = time.monotonic() - started
        assert answer.status == 200, answer
        return waited
    finally:
        for connection in silent:
            connection.close()


# --- kept-alive connections spread over the workers --------------------------------------------------------

BURSTS = 3


def test_kept_alive_connections_opened_at_once_spread_evenly_over_the_default_servers_workers(app, gradeflow_process):
    """Four clients connecting at once and keeping their connections, as the benchmark's four do or a reverse
    proxy's upstream connections: each of the two workers holds two. gunicorn's own gthread worker let whichever
    worker was awake take three or all four in about half such bursts, and one core served them all while the
    other stood idle (api/balanced_worker.py)."""
    server, port = serve(gradeflow_process)
    workers = wait_for(lambda: (pids if len(pids := children(server.pid)) == DEFAULT_WORKERS else None),
                       "both gunicorn workers up", [server], timeout=60)
    answered_by = set()
    wait_for(lambda: answered_by.update(_worker_answering(port, workers)) or answered_by == set(workers),
             "each worker answering (one may still be loading the app)", [server], timeout=60, every=0.05)
    for burst in range(BURSTS):
        connections = _connections_opened_at_once(port, 2 * DEFAULT_WORKERS)
        ours = {c.sock.getsockname()[1] for c in connections}
        held = wait_for(lambda: (h if ours <= (h := workers_holding(port, workers)).keys() else None),
                        "the workers holding every connection", [server], timeout=10)
        spread = Counter(held[p] for p in ours)
        for connection in connections:
            connection.close()
        assert sorted(spread.values()) == [2] * DEFAULT_WORKERS, (burst, spread)
        wait_for(lambda: not ours & workers_holding(port, workers).keys(), "the workers letting the connections go",
                 [server], timeout=10)


def _worker_answering(port: int, workers: list[int]) -> set[int]:
    """The worker that held a connection made for one request (empty if it let it go before it was seen)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", "/healthz")
        connection.getresponse().read()
        held = workers_holding(port, workers).get(connection.sock.getsockname()[1])
        return {held} if held else set()
    finally:
        connection.close()


def _connections_opened_at_once(port: int, count: int) -> list:
    """`count` connections, each opened by its own thread at the same moment and kept after one request."""
    def open_one(barrier):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        barrier.wait()
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        response.read()
        assert response.status == 200 and not response.will_close, (response.status, response.getheaders())
        return connection
    connections = at_once([open_one] * count)
    errors = [c for c in connections if isinstance(c, BaseException)]
    assert not errors, errors
    return connections
