"""A case's whole lifecycle over HTTP, against SpiffWorkflow running the equivalent BPMN.

gradeflow: `cases` promotion cases of one cycle go through the real server (its default 2 workers × 4
threads unless --workers/--threads say otherwise), `clients` clients at once, each taking its share of the
applicants: the applicant applies (POST /cases), the supervisor approves the materials, the three members of
the committee score (the policy's quorum; the third score opens deliberation); then the chair decides the
cycle, hr publishes it and the admin moves the manual clock past the appeal deadline, which finalizes every
case (effective, grade moved). cases/s = cases / the seconds from the first application to the clock's
answer. Every case is checked to have ended `effective`.

The peer: bench/peer/lifecycle.bpmn (apply, review, score, decide, publish, finalize) run by SpiffWorkflow
3 in its own virtualenv, one case after another in one process, one SQLite transaction per step on a file
beside gradeflow's with gradeflow's own pragmas (bench/peer/spiff_lifecycle.py). With a row per step (the
peer the issue measured, and the target: run before and after gradeflow's lifecycle, the higher counts), and
once more storing the serialized workflow at every step too.

Target: gradeflow's cases/s >= the peer's (row per step).
"""
from __future__ import annotations

import json
import subprocess
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from bench.databases import Database
from bench.load import Client, in_threads, sign_in
from bench.peer_env import peer_python
from bench.raw import Ceiling
from bench.report import INFO, Result, verdict
from bench.server import Server
from bench.settings import Settings
from bench.world import ADMIN, BOSS, HR, PASSWORD, SHANGHAI, World, committee, organisation

CYCLE = "2026L1"
CLOCK_START = datetime(2026, 9, 1, 9, 0, tzinfo=SHANGHAI)  # a Tuesday: published today, the window ends Friday
AFTER_WINDOW = "2026-09-07T09:00:00+08:00"
PEER_SCRIPT = Path(__file__).resolve().parent / "peer" / "spiff_lifecycle.py"


def run_lifecycle(settings: Settings, database: Database) -> list[Result]:
    cases = settings.size(20, 200)
    peer_cases = settings.size(200, 2000)
    python = peer_python()  # before anything is timed: the first run installs SpiffWorkflow
    world = World(database, clock_start=CLOCK_START)
    members = committee(3)
    numbers = organisation(world, applicants=cases, committee_size=len(members), cycle=CYCLE, applicant_logins=cases)
    pragmas = _project_pragmas(database)
    world.settle()
    ceiling = Ceiling(database, settings.raw_seconds).read()
    before = _peer(python, settings.folder, peer_cases, pragmas, persist_state=False)
    env = {"GRADEFLOW_ENV": "development", "GRADEFLOW_CLOCK": "manual", "GRADEFLOW_CLOCK_START": CLOCK_START.isoformat()}
    with Server(database, settings.folder, workers=settings.workers, threads=settings.threads, env=env) as server:
        seconds = _lifecycle(server.port, numbers, members, settings.clients)
    effective = world.scalar(sa.text("SELECT COUNT(*) FROM cases WHERE cycle_code = :c AND state = 'effective'")
                             .bindparams(c=CYCLE))
    world.close()
    ceiling.read()
    rate = cases / seconds
    after = _peer(python, settings.folder, peer_cases, pragmas, persist_state=False)
    peers = {False: max(before, after, key=lambda figures: figures["cases_per_second"]),
             True: _peer(python, settings.folder, peer_cases, pragmas, persist_state=True)}
    peer = peers[False]["cases_per_second"]
    label = (f"{cases} cases, {settings.clients} clients, {settings.workers} worker(s) × {settings.threads} thread(s)")
    result = Result("lifecycle", database.kind, label,
                    f"{rate:,.1f} cases/s ({seconds:.1f} s; {5 * cases + 3} requests)",
                    ratio=f"×{rate / peer:.3f} the peer", target=">= 1× SpiffWorkflow (row per step)",
                    verdict=verdict(rate >= peer and effective == cases)).against(ceiling)
    if effective != cases:
        result.notes.append(f"only {effective} of {cases} cases ended effective")
    results = [result]
    for persist, figures in peers.items():
        results.append(Result("lifecycle", "sqlite", f"SpiffWorkflow {figures['spiffworkflow']} peer, "
                              + ("row + serialized workflow per step" if persist else
                                 "row per step (the higher of a run before and one after gradeflow's)"),
                              f"{figures['cases_per_second']:,.1f} cases/s ({figures['cases']} cases, "
                              f"{figures['seconds']:.1f} s)", verdict=INFO))
    return results


def _lifecycle(port: int, numbers: list[str], members: list[str], clients: int) -> float:
    """The timed lifecycle of every applicant's case; the seconds it took."""
    tokens = {name: sign_in(port, name, PASSWORD) for name in [BOSS, HR, ADMIN, *members]}
    applicants = {no: sign_in(port, no.lower(), PASSWORD) for no in numbers}

    def expect(answer, status: int, what: str):
        if answer[0] != status:
            raise RuntimeError(f"{what}: {answer[0]} {json.dumps(answer[1])[:500]}")
        return answer[1]

    def cases_of(k: int) -> None:
        client = Client(port)
        try:
            for no in numbers[k::clients]:
                case = expect(client.call("POST", "/cases", token=applicants[no], body={
                    "kind": "promotion", "cycle": CYCLE, "target_grade": "mid", "statement": "申请晋级"}), 201, "apply")
                path = f"/cases/{case['id']}"
                expect(client.call("POST", f"{path}/events", token=tokens[BOSS],
                                   body={"event": "approve_materials", "supervisor_score": 80}), 200, "review")
                for member in members:
                    expect(client.call("PUT", f"{path}/score", token=tokens[member], body={"score": 80}), 200, "score")
        finally:
            client.close()

    def cycle_end() -> None:
        client = Client(port)
        try:
            expect(client.call("POST", f"/cycles/{CYCLE}/decide", token=tokens[members[0]]), 200, "decide")
            expect(client.call("POST", f"/cycles/{CYCLE}/publish", token=tokens[HR]), 200, "publish")
            expect(client.call("PUT", "/clock", token=tokens[ADMIN], body={"now": AFTER_WINDOW}), 200, "finalize")
        finally:
            client.close()

    return in_threads(clients, cases_of) + in_threads(1, lambda _k: cycle_end())


def _project_pragmas(database: Database) -> list[str]:
    """The SQLite settings gradeflow's own connections have (models/base.py), for the peer's connection."""
    if database.kind != "sqlite":
        return ["foreign_keys=ON", "busy_timeout=10000", "journal_mode=WAL"]
    engine = sa.create_engine(database.url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return [f"{name}={conn.exec_driver_sql(f'PRAGMA {name}').scalar()}"
                    for name in ("foreign_keys", "busy_timeout", "journal_mode", "synchronous")]
    finally:
        engine.dispose()


def _peer(python: Path, folder: Path, cases: int, pragmas: list[str], persist_state: bool) -> dict:
    db = folder / f"peer-{'state' if persist_state else 'row'}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    args = [str(python), str(PEER_SCRIPT), "--cases", str(cases), "--db", str(db)]
    args += [f"--pragma={p}" for p in pragmas] + (["--persist-state"] if persist_state else [])
    done = subprocess.run(args, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"the SpiffWorkflow peer failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
