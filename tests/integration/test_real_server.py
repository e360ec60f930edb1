"""A real server under concurrent use and under crashes (issue 5, points 1 and 4).

`gradeflow serve --workers 2 --no-scheduler` (gunicorn: a master and two worker processes, each with its own app and
connection pool) runs as a subprocess on 127.0.0.1, against the test database: a SQLite file (WAL and
busy timeout, set by models/base.py) and PostgreSQL. The data (people, cycle, cases) is prepared in this
process through the `app` fixture before the server starts; the manual clock stands still in the
database (GRADEFLOW_CLOCK=manual), and the server runs no scheduler (`--no-scheduler`), so
nothing moves a case but the requests sent here. Requests are real HTTP (http.client), one connection
each, from threads; "at once" means every thread has its connection open and waits on a barrier.

- optimistic concurrency: 50 identical events with the same If-Match → one succeeds, 49 get 409
  version_conflict (If-Match is checked before the event's transition, so it is never invalid_transition),
  one history entry, version + 1; N committee members scoring at once (a member whose write lost the race
  reloads the case and scores again) → every score stored, deliberation begins exactly once;
- crash safety: a stream of transitions over many cases from several client threads while a gunicorn
  worker is killed with SIGKILL (the master starts another), and while the whole server (master and
  workers) is killed and started again; a client that loses its connection treats the outcome as unknown,
  reads the case again and only then retries. Afterwards each case's state is the replay of its history,
  nothing is half-written, nothing lost or doubled, and `gradeflow audit verify` finds the chain intact.

The figures of each run (requests, successes, conflicts, connection errors, entries lost, time) are
printed on a line starting with FIGURES (see them with `pytest -s` or `-rP`) for docs/reliability.md.
"""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa

from models import AuditLink, CalendarChange, Case, CaseHistory, CommitteeScore, PerformanceVersion, Timer, db
from tests.support.commands import gradeflow
from tests.support.live_server import (CONNECTION_ERRORS, STREAM_TIMEOUT, WORKERS, Answer, at_once, call, connect,
                                       report, send, sign_in, start_server)
from tests.support.processes import Process, children, wait_for
from tests.support.reads import read
from tests.support.steps import apply, review
from tests.support.world import BOSS, COMMITTEE, CYCLE, FIVE, HR, candidate, organisation
from workflow.services.case_steps import SYSTEM_ACTOR

RECOVERY_TIMEOUT = 90  # seconds a client keeps trying to reach the server again (a restart takes a few)


# --- the server and its processes (HTTP to it: tests.support.live_server) --------------------------------

def started_at(pid: int) -> int:
    """When the process started (clock ticks since boot), from /proc; 0 if it is gone."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return 0


def sqlite_path(url: str) -> str | None:
    return url[len("sqlite:///"):] if url.startswith("sqlite:///") else None


def journal_mode(path: str, change_to: str | None = None) -> str:
    """The file's journal mode, read (or set) through a plain sqlite3 connection of this process."""
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(f"PRAGMA journal_mode={change_to}" if change_to else "PRAGMA journal_mode").fetchone()[0]


def close_connections(app) -> None:
    """This process lets go of the database (so that the server's connections are the only ones)."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# --- point 1a: identical events at once ---------------------------------------------------------------

def _submitted_case(gf) -> int:
    """hr, the committee (three), the supervisor S900 and one applicant's submitted promotion case (version 1)."""
    organisation(gf)
    candidate(gf, "E001")
    return apply(gf, "E001")


def test_fifty_identical_events_sent_at_once_to_two_workers_move_the_case_exactly_once(app, gf, migrated,
                                                                                     gradeflow_process):
    """The supervisor's approve_materials, sent 50 times at once with If-Match "1" to a server of two worker
    processes: exactly one 200; the other 49 are 409 version_conflict (the version is checked before the
    transition, so none is invalid_transition and none is a 5xx); one new history entry; version 1 → 2."""
    case_id = _submitted_case(gf)
    server, port = start_server(gradeflow_process)
    token = sign_in(port, BOSS)
    started = time.monotonic()

    def approve(barrier):
        connection = connect(port)
        barrier.wait()
        return send(connection, "POST", f"/cases/{case_id}/events", token=token, if_match=1,
                    body={"event": "approve_materials", "supervisor_score": 80})

    answers = at_once([approve] * 50)
    elapsed = time.monotonic() - started

    errors = [a for a in answers if not isinstance(a, Answer)]
    assert errors == [], errors[:3]
    statuses = Counter(a.status for a in answers)
    conflict_codes = Counter(a.code for a in answers if a.status == 409)
    assert statuses == {200: 1, 409: 49}, (statuses, [a.body for a in answers if a.status not in (200, 409)][:3])
    [winner] = [a for a in answers if a.status == 200]
    assert conflict_codes == {"version_conflict": 49}, conflict_codes
    assert all(a.headers["content-type"].startswith("application/problem+json") for a in answers if a.status == 409)
    assert (winner.etag, winner.body["version"], winner.body["state"]) == (2, 2, "interview")

    hr = sign_in(port, HR)
    shown = call(port, "GET", f"/cases/{case_id}", token=hr)
    assert (shown.status, shown.etag, shown.body["state"]) == (200, 2, "interview")
    history = call(port, "GET", f"/cases/{case_id}/history", token=hr).body
    assert [(h["seq"], h["event"], h["from_state"], h["to_state"]) for h in history] == [
        (1, "submit", None, "submitted"), (2, "approve_materials", "submitted", "interview")]
    assert read(app, lambda s: s.scalar(sa.select(sa.func.count()).select_from(CaseHistory))) == 2
    assert server.alive() and len(children(server.pid)) == WORKERS  # no worker fell over
    report(f"1a identical events ({migrated.split(':')[0]})",
           {"requests": 50, "successes": statuses[200], "conflicts": conflict_codes["version_conflict"],
            "other": sum(statuses.values()) - statuses[200] - statuses[409], "history_entries_added": 1,
            "seconds": round(elapsed, 2)})


def test_twenty_retries_of_one_request_with_its_idempotency_key_at_once_on_two_workers_are_done_once(
        app, gf, migrated, gradeflow_process):
    """A client resending approve_materials with one Idempotency-Key (and no If-Match), 20 times at once
    to both workers: every copy gets the same 200 body, one of them fresh and 19 replayed; one history
    entry, version 1 → 2."""
    case_id = _submitted_case(gf)
    server, port = start_server(gradeflow_process)
    token = sign_in(port, BOSS)

    def approve(barrier):
        connection = connect(port)
        barrier.wait()
        return send(connection, "POST", f"/cases/{case_id}/events", token=token, idempotency_key="retry-1",
                    body={"event": "approve_materials", "supervisor_score": 80})

    answers = at_once([approve] * 20)

    errors = [a for a in answers if not isinstance(a, Answer)]
    assert errors == [], errors[:3]
    assert [a.status for a in answers] == [200] * 20, [a.body for a in answers if a.status != 200][:3]
    assert len({json.dumps(a.body, sort_keys=True) for a in answers}) == 1
    replayed = sum(a.headers.get("idempotent-replayed") == "true" for a in answers)
    assert replayed == 19
    assert (answers[0].body["version"], answers[0].body["state"]) == (2, "interview")
    history = read(app, lambda s: s.scalars(sa.select(CaseHistory.event).order_by(CaseHistory.seq)).all())
    assert history == ["submit", "approve_materials"]
    report(f"2 idempotent retries ({migrated.split(':')[0]})",
           {"requests": 20, "done": 20 - replayed, "replayed": replayed, "history_entries_added": 1})


def test_a_server_on_a_sqlite_file_runs_it_in_wal_mode(app, gf, migrated, gradeflow_process):
    """The file is switched back to a rollback journal before the server starts; after the server has
    written to it (through either worker), a plain sqlite3 connection finds it in WAL mode again."""
    path = sqlite_path(migrated)
    if path is None:
        pytest.skip("WAL is a SQLite journal mode")
    case_id = _submitted_case(gf)
    close_connections(app)
    assert journal_mode(path, change_to="DELETE") == "delete"
    assert journal_mode(path) == "delete"

    server, port = start_server(gradeflow_process)
    answer = call(port, "POST", f"/cases/{case_id}/events", token=sign_in(port, BOSS), if_match=1,
                  body={"event": "approve_materials", "supervisor_score": 80})

    assert answer.status == 200, answer.body
    assert journal_mode(path) == "wal"


# --- point 1b: the committee scoring at once ----------------------------------------------------------

EIGHT = FIVE + ("cm6", "cm7", "cm8")


def test_eight_committee_members_scoring_at_once_on_a_real_server_all_count_and_deliberation_begins_once(
        app, gf, migrated, gradeflow_process):
    """Eight members score the case in interview at once, each with If-Match of the version they read; a
    member who gets 409 version_conflict reads the case again (GET, ETag) and scores again. In the end every
    score is stored (eight score entries, eight rows), the interview completes exactly once (one history entry
    to deliberation, by the service), and the version grew by one per successful score (2 → 10)."""
    for member in EIGHT[len(FIVE):]:
        gf.user(member, "committee")
    organisation(gf, committee=EIGHT)
    candidate(gf, "E001")
    case_id = apply(gf, "E001")
    assert review(gf, case_id, 80)["version"] == 2
    server, port = start_server(gradeflow_process)
    tokens = {member: sign_in(port, member) for member in EIGHT}
    sent, conflicts = Counter(), Counter()
    started = time.monotonic()

    def scorer(member, score):
        def request(barrier):
            connection, version = connect(port), 2
            barrier.wait()
            for _ in range(100):
                sent[member] += 1
                answer = send(connection, "PUT", f"/cases/{case_id}/score", token=tokens[member],
                              if_match=version, body={"score": score})
                if not (answer.status == 409 and answer.code == "version_conflict"):
                    return answer
                conflicts[member] += 1
                reread = call(port, "GET", f"/cases/{case_id}", token=tokens[member])
                assert reread.status == 200, reread.body
                version, connection = reread.etag, connect(port)
            raise AssertionError(f"{member} never got a score in: {answer.body}")
        return request

    scores = {member: 60 + 4 * i for i, member in enumerate(EIGHT)}
    answers = at_once([scorer(m, s) for m, s in scores.items()])
    elapsed = time.monotonic() - started

    assert [a.status if isinstance(a, Answer) else a for a in answers] == [200] * len(EIGHT), answers
    assert sum(sent.values()) == len(EIGHT) + sum(conflicts.values())
    hr = sign_in(port, HR)
    shown = call(port, "GET", f"/cases/{case_id}", token=hr)
    assert (shown.etag, shown.body["state"]) == (2 + len(EIGHT), "deliberation")
    assert sorted(shown.body["interview"]["scored"]) == sorted(EIGHT)
    history = call(port, "GET", f"/cases/{case_id}/history", token=hr).body
    score_entries = [h for h in history if h["event"] == "score"]
    assert sorted(h["data"]["member"] for h in score_entries) == sorted(EIGHT)
    assert all(h["data"]["replaces_earlier"] is False for h in score_entries)
    into_deliberation = [(h["event"], h["actor"], h["from_state"]) for h in history if h["to_state"] == "deliberation"]
    assert into_deliberation == [("interview_complete", SYSTEM_ACTOR, "interview")]
    assert history[-1]["event"] == "interview_complete"  # after the eighth score, not before it
    assert [h["seq"] for h in history] == list(range(1, 2 + len(EIGHT) + 2))
    stored = read(app, lambda s: {c.username: int(c.score) for c in s.scalars(
        sa.select(CommitteeScore).where(CommitteeScore.case_id == case_id))})
    assert stored == scores
    report(f"1b committee scoring at once ({migrated.split(':')[0]})",
           {"members": len(EIGHT), "score_requests": sum(sent.values()), "successes": len(EIGHT),
            "conflicts_retried": sum(conflicts.values()),
            "most_retries_of_one_member": max(conflicts.values(), default=0),
            "moves_to_deliberation": len(into_deliberation), "seconds": round(elapsed, 2)})


# --- point 4: crash safety ----------------------------------------------------------------------------

APPLICANTS = [f"E{i:03d}" for i in range(1, 31)]  # thirty cases
CLIENTS = 6  # client threads; each drives its own cases, one step after the other
# Each case: applied for (submit), sent back and resubmitted twice, approved by the supervisor, scored by the
# three members; the third score completes the interview (deliberation).
STEPS = (("return_materials", BOSS), ("resubmit", "applicant"), ("return_materials", BOSS),
         ("resubmit", "applicant"), ("approve_materials", BOSS)) + tuple(("score", m) for m in COMMITTEE)
EXPECTED_EVENTS = ["submit"] + [event for event, _ in STEPS] + ["interview_complete"]
EXPECTED_VERSION = 1 + len(STEPS)  # one per use case: the application and each step


class Failed(Exception):
    """A client met something it cannot explain; the test fails with it."""


@dataclass
class Stream:
    """Client threads driving cases through STEPS against a server that may die under them. An unknown
    outcome (the connection broke, or there was nobody to connect to) is resolved by reading the case again:
    the version moved by one → the step was applied; it did not → it was not, send it again."""
    port: int
    tokens: dict[str, str]
    figures: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    errors: list = field(default_factory=list)
    cases: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, n: int = 1) -> None:
        with self.lock:
            self.figures[what] += n

    # --- one request, and what a client makes of it ---
    def attempt(self, method: str, path: str, *, as_: str, write: bool, **kw) -> Answer | None:
        """The answer, or None when the outcome is unknown (connection refused, reset, cut short)."""
        self.count("requests")
        if write:
            self.count("writes_sent")
        try:
            answer = call(self.port, method, path, token=self.tokens[as_], **kw)
        except ConnectionRefusedError:
            self.count("connections_refused")
            time.sleep(0.1)
            return None
        except CONNECTION_ERRORS:
            self.count("connections_broken" if write else "reads_broken")
            return None
        if answer.status >= 500:
            self.count("server_errors")
            return None
        return answer

    def reread(self, method: str, path: str, as_: str) -> Answer:
        """A read that must get through: retried until the server answers again."""
        deadline = time.monotonic() + RECOVERY_TIMEOUT
        while time.monotonic() < deadline:
            answer = self.attempt(method, path, as_=as_, write=False)
            if answer is not None:
                if answer.status != 200:
                    raise Failed(f"{method} {path} as {as_}: {answer.status} {answer.body}")
                return answer
            time.sleep(0.05)
        raise Failed(f"the server did not answer {method} {path} within {RECOVERY_TIMEOUT}s")

    # --- the steps of a case ---
    def open_case(self, no: str) -> tuple[int, int]:
        applicant, unknown = no.lower(), False
        body = {"cycle": CYCLE, "target_grade": "mid", "statement": "申请晋级"}
        for _ in range(50):
            answer = self.attempt("POST", "/cases", as_=applicant, write=True, body=body)
            if answer is not None and answer.status == 201:
                self.count("successes")
                return answer.body["id"], answer.etag
            if answer is not None and not (unknown and answer.status == 422 and answer.code == "not_eligible"):
                raise Failed(f"{no} could not apply: {answer.status} {answer.body}")
            unknown = True
            mine = self.reread("GET", "/cases?mine=true", applicant).body
            if len(mine) == 1:
                self.count("unknown_outcomes_applied")
                return mine[0]["id"], mine[0]["version"]
            if mine:
                raise Failed(f"{no} has {len(mine)} cases: {mine}")
            self.count("unknown_outcomes_not_applied")
        raise Failed(f"{no}: no application went through")

    def step(self, case_id: int, version: int, event: str, actor: str) -> int:
        """Do the step with If-Match `version`; the case's version after it."""
        if event == "score":
            method, path, body = "PUT", f"/cases/{case_id}/score", {"score": 75}
        else:
            method, path = "POST", f"/cases/{case_id}/events"
            body = {"event": event, **({"supervisor_score": 80} if event == "approve_materials" else {})}
        for _ in range(50):
            answer = self.attempt(method, path, as_=actor, write=True, body=body, if_match=version)
            if answer is not None and answer.status == 200:
                self.count("successes")
                if answer.etag != version + 1:
                    raise Failed(f"case {case_id}: {event} took version {version} to {answer.etag}")
                return answer.etag
            if answer is not None and not (answer.status == 409 and answer.code == "version_conflict"):
                raise Failed(f"case {case_id}: {event} as {actor}: {answer.status} {answer.body}")
            if answer is not None:
                self.count("conflicts")
            now = self.reread("GET", f"/cases/{case_id}", HR).etag
            if now == version + 1:
                last = [h for h in self.reread("GET", f"/cases/{case_id}/history", HR).body
                        if h["actor"] != SYSTEM_ACTOR][-1]
                if (last["event"], last["actor"]) != (event, actor):
                    raise Failed(f"case {case_id} moved by {last} while {actor} sent {event}")
                self.count("unknown_outcomes_applied")
                return now
            if now != version:
                raise Failed(f"case {case_id} went from version {version} to {now} on one {event}")
            self.count("unknown_outcomes_not_applied")
        raise Failed(f"case {case_id}: {event} never went through")

    def drive(self, applicants: list[str]) -> None:
        try:
            for no in applicants:
                case_id, version = self.open_case(no)
                with self.lock:
                    self.cases[no] = case_id
                for event, actor in STEPS:
                    version = self.step(case_id, version, event, no.lower() if actor == "applicant" else actor)
                self.count("cases_done")
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.errors.append(exc)

    def run(self, in_between) -> float:
        """Drive every case from CLIENTS threads; `in_between(stream)` runs meanwhile (the crash). Seconds taken."""
        started = time.monotonic()
        threads = [threading.Thread(target=self.drive, args=(APPLICANTS[i::CLIENTS],)) for i in range(CLIENTS)]
        for t in threads:
            t.start()
        try:
            in_between(self)
        finally:
            for t in threads:
                t.join(timeout=STREAM_TIMEOUT)
        assert not any(t.is_alive() for t in threads), f"the stream did not end: {self.figures}"
        assert self.errors == [], self.errors
        return time.monotonic() - started

    def wait_until_written(self, fraction: float) -> None:
        total = len(APPLICANTS) * (1 + len(STEPS))
        deadline = time.monotonic() + STREAM_TIMEOUT
        while self.figures["successes"] + self.figures["unknown_outcomes_applied"] < fraction * total:
            if time.monotonic() > deadline or self.errors:
                raise AssertionError(f"the stream stalled: {self.figures} {self.errors}")
            time.sleep(0.01)


def _stream_ready(gf, port: int) -> Stream:
    """The organisation and thirty eligible applicants (nothing applied yet), and everyone's token."""
    organisation(gf)
    for no in APPLICANTS:
        candidate(gf, no)
    users = [HR, BOSS, *COMMITTEE, *(no.lower() for no in APPLICANTS)]
    return Stream(port, {user: sign_in(port, user) for user in users})


def assert_every_case_is_the_replay_of_its_history(app, stream: Stream) -> dict:
    """Per promotion case (the stream's; other kinds a scheduler opened meanwhile are left to their own checks),
    from the database: history seqs 1..n; the first entry opens the case, each entry starts
    where the one before ended and the last ends in cases.state; the version counts the use cases (one per
    entry not written by the service itself); exactly the expected events, each once; one score row per
    score entry; one reminder per state entered, the one pending being that of the current state; and an
    audit link for every entry of every case (besides those of the calendar changes and performance versions).
    Returns the figures."""
    def query(s):
        cases = {c.id: c for c in s.scalars(sa.select(Case).where(Case.kind == "promotion"))}
        history, entries_of_any_kind = {}, 0
        for entry in s.scalars(sa.select(CaseHistory).order_by(CaseHistory.case_id, CaseHistory.seq)):
            entries_of_any_kind += 1
            if entry.case_id in cases:
                history.setdefault(entry.case_id, []).append(entry)
        scores = Counter(s.scalars(sa.select(CommitteeScore.case_id)))
        reminders = {}
        for timer in s.scalars(sa.select(Timer).where(Timer.kind == "reminder")):
            reminders.setdefault(timer.case_id, []).append(timer)
        links = s.scalar(sa.select(sa.func.count()).select_from(AuditLink))
        others = sum(s.scalar(sa.select(sa.func.count()).select_from(model))
                     for model in (CalendarChange, PerformanceVersion))
        return cases, history, entries_of_any_kind, scores, reminders, links, others
    cases, history, entries_of_any_kind, scores, reminders, links, others = read(app, query)

    assert sorted(cases) == sorted(stream.cases.values()) and len(cases) == len(APPLICANTS)
    assert set(history) <= set(cases), "history of a case that does not exist"
    wrong = {}
    for case_id, case in cases.items():
        entries = history.get(case_id, [])
        moves = [e for e in entries if e.from_state != e.to_state]
        pending = sorted(t.key for t in reminders.get(case_id, []) if t.fired_at is None)
        problems = [
            what for what, bad in [
                ("seqs not 1..n", [e.seq for e in entries] != list(range(1, len(entries) + 1))),
                ("does not start with submit",
                 not entries or (entries[0].event, entries[0].from_state) != ("submit", None)),
                ("an entry does not start where the one before ended",
                 any(b.from_state != a.to_state for a, b in zip(entries, entries[1:]))),
                ("state is not the last entry's", not entries or entries[-1].to_state != case.state),
                ("version is not the number of use cases",
                 case.version != sum(e.actor != SYSTEM_ACTOR for e in entries)),
                ("events lost or doubled", [e.event for e in entries] != EXPECTED_EVENTS),
                ("not in deliberation at the end", (case.state, case.version) != ("deliberation", EXPECTED_VERSION)),
                ("score rows and score entries differ", scores[case_id] != sum(e.event == "score" for e in entries)),
                ("not one reminder per state entered", len(reminders.get(case_id, [])) != len(moves)),
                ("the pending reminder is not the current state's",
                 pending != [f"reminder:{case_id}:entered:{moves[-1].seq}"]),
            ] if bad]
        if problems:
            wrong[case_id] = (problems, case.state, case.version, [(e.seq, e.event, e.from_state, e.to_state)
                                                                   for e in entries])
    assert wrong == {}, wrong
    entries = sum(len(h) for h in history.values())
    assert links == entries_of_any_kind + others, (links, entries_of_any_kind, others)
    return {"cases": len(cases), "history_entries": entries, "links": links,
            "entries_lost": len(APPLICANTS) * len(EXPECTED_EVENTS) - entries}


def assert_the_chain_verifies(tmp_path, migrated, links: int) -> None:
    verified = gradeflow(tmp_path, "audit", "verify", GRADEFLOW_DATABASE_URL=migrated)
    assert verified.returncode == 0, (verified.stdout, verified.stderr)
    assert verified.stdout.startswith(f"history intact: {links} entries, head "), verified.stdout


def test_a_worker_killed_in_the_middle_of_a_stream_of_transitions_leaves_every_case_the_replay_of_its_history(
        app, gf, migrated, gradeflow_process, tmp_path):
    """Six clients drive thirty cases through nine requests and ten history entries each (300 entries) while gunicorn
    workers are killed with SIGKILL: when a sixth, two, three and four sixths of the changes are written (each
    time worker after worker, until a client saw its request cut off; the last third of the stream leaves time for
    a kill that cut nothing to be followed by one that does, also where the stream is fast). The master starts new
    workers; the clients resolve every unknown outcome by reading the case again. Afterwards every case is the replay of
    its history, nothing is lost, doubled or half-written, and `gradeflow audit verify` exits 0."""
    server, port = start_server(gradeflow_process)
    stream = _stream_ready(gf, port)
    killed: list[int] = []

    def cut_off(stream: Stream) -> int:
        return stream.figures["connections_broken"] + stream.figures["reads_broken"]

    def kill_workers(stream: Stream) -> None:
        for fraction in (1 / 6, 2 / 6, 3 / 6, 4 / 6):
            stream.wait_until_written(fraction)
            for _ in range(6):  # until a request in flight was cut off
                cut_before = cut_off(stream)
                live = wait_for(lambda: [pid for pid in children(server.pid) if pid not in killed],
                                "a worker to kill", [server], timeout=60, every=0.05)
                worker = min(live, key=started_at)  # the one up longest: serving, not still starting
                os.kill(worker, signal.SIGKILL)
                killed.append(worker)
                # half a second at most for its clients to notice (a cut connection is seen at once; one noticed
                # later still counts at the end); no longer, or a fast stream ends before the next kill
                noticed_by = time.monotonic() + 0.5
                while cut_off(stream) == cut_before and time.monotonic() < noticed_by:
                    time.sleep(0.02)
                if cut_off(stream) > cut_before:
                    break

    elapsed = stream.run(kill_workers)

    assert server.alive(), server.output()[-3000:]
    assert cut_off(stream) >= 4, stream.figures
    wait_for(lambda: len(children(server.pid)) == WORKERS, "the master replaced the killed workers", [server],
             timeout=60)
    assert not set(children(server.pid)) & set(killed)
    assert stream.figures["server_errors"] == 0, stream.figures
    assert stream.figures["cases_done"] == len(APPLICANTS)
    figures = assert_every_case_is_the_replay_of_its_history(app, stream)
    assert figures["entries_lost"] == 0
    assert_the_chain_verifies(tmp_path, migrated, figures["links"])
    report(f"4 worker killed ({migrated.split(':')[0]})",
           {**stream.figures, **figures, "workers_killed": len(killed), "seconds": round(elapsed, 2)})


def test_the_whole_server_killed_in_the_middle_of_a_stream_and_restarted_leaves_every_case_the_replay_of_its_history(
        app, gf, migrated, gradeflow_process, tmp_path):
    """The same stream; halfway through, master and workers are killed together with SIGKILL and the server is
    started again (a new `gradeflow serve --workers 2` on the same database). The clients find it again and
    carry on; afterwards every case is the replay of its history and the chain verifies."""
    first, port = start_server(gradeflow_process)
    stream = _stream_ready(gf, port)
    restarted: list[Process] = []

    def crash_and_restart(stream: Stream) -> None:
        stream.wait_until_written(1 / 2)
        first.kill9()
        assert not first.alive() and children(first.pid) == []
        second, new_port = start_server(gradeflow_process)
        restarted.append(second)
        stream.port = new_port

    elapsed = stream.run(crash_and_restart)

    [second] = restarted
    assert second.alive(), second.output()[-3000:]
    assert stream.figures["connections_broken"] + stream.figures["reads_broken"] \
        + stream.figures["connections_refused"] >= 1, stream.figures
    assert stream.figures["server_errors"] == 0, stream.figures
    assert stream.figures["cases_done"] == len(APPLICANTS)
    figures = assert_every_case_is_the_replay_of_its_history(app, stream)
    assert figures["entries_lost"] == 0
    assert_the_chain_verifies(tmp_path, migrated, figures["links"])
    report(f"4 whole server killed ({migrated.split(':')[0]})",
           {**stream.figures, **figures, "seconds": round(elapsed, 2)})


# --- /metrics across workers ------------------------------------------------------------------------------

def _healthz_counted(port: int) -> float:
    """The /healthz requests answered 200, as one scrape of /metrics reports them (whichever worker answers)."""
    import urllib.request

    from prometheus_client.parser import text_string_to_metric_families
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    return sum(sample.value for family in text_string_to_metric_families(text) for sample in family.samples
               if sample.name == "gradeflow_http_requests_total" and sample.labels["route"] == "/healthz"
               and sample.labels["status"] == "200")


def test_metrics_count_every_workers_requests_whichever_worker_answers_the_scrape(app, gradeflow_process, tmp_path):
    """Two workers each count what they answer in the run's folder (the operator's PROMETHEUS_MULTIPROC_DIR here,
    so that the test sees both workers' files); every scrape, whichever worker answers it, reports the sum."""
    import urllib.request

    from tests.support.commands import first_answer, free_port
    folder, port = tmp_path / "metrics", free_port()
    folder.mkdir()
    (folder / "counter_1.db").write_bytes(b"an earlier run's counts")  # emptied at start: not added to this run's
    server = gradeflow_process("serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2",
                               "--no-scheduler", PROMETHEUS_MULTIPROC_DIR=str(folder))
    ready = first_answer(server.popen, urllib.request.Request(f"http://127.0.0.1:{port}/readyz"))
    assert ready is not None and ready[0] == 200, (ready, server.output())
    sent, deadline = 0, time.monotonic() + 30
    while len({path.stem.rsplit("_", 1)[1] for path in folder.glob("counter_*.db")}) < 2:  # until both answered
        assert time.monotonic() < deadline, server.output()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            assert response.status == 200
        sent += 1
    assert [_healthz_counted(port) for _ in range(6)] == [sent] * 6, server.output()


def test_a_killed_servers_metrics_folder_is_removed_by_the_next_start_and_a_stopped_ones_at_once(
        app, gradeflow_process, tmp_path):
    from tests.support.processes import serve
    runs = tmp_path / "metrics"
    killed, _port = serve(gradeflow_process, "--no-scheduler")
    assert (runs / str(killed.pid)).is_dir()
    killed.kill9()
    assert (runs / str(killed.pid)).is_dir()  # nobody to remove it
    stopped, _port = serve(gradeflow_process, "--no-scheduler")
    assert sorted(p.name for p in runs.iterdir()) == [str(stopped.pid)]
    stopped.stop()
    assert list(runs.iterdir()) == []
