"""The SpiffWorkflow peer of bench/lifecycle.py: run by the peer's own virtualenv (bench/.peer-venv, made by
bench/peer_env.py), so it imports nothing of gradeflow.

    bench/.peer-venv/bin/python bench/peer/spiff_lifecycle.py --cases 1000 --db /tmp/peer.db \
        [--pragma "journal_mode=WAL" ...] [--persist-state]

Runs `--cases` cases of bench/peer/lifecycle.bpmn one after another in this one process: apply, review and
score are user tasks completed with their data, decide and finalize script tasks the engine runs, publish a
user task. Every completed step is one SQLite transaction: UPDATE of the case's row (its step and version) +
INSERT of a history row + COMMIT, on a connection with the pragmas given (the harness passes gradeflow's
own). With --persist-state the UPDATE also stores the workflow serialized to JSON, as an engine that
resumes a case after a restart must. Prints one JSON line: {"cases", "seconds", "cases_per_second", ...}.
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import time
from datetime import datetime, timezone
from pathlib import Path

from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

STEPS = ("apply", "review", "score", "decide", "publish", "finalize")
USER_DATA = {
    "apply": lambda n: {"employee_no": f"A{n:06d}", "from_grade": "junior", "target_grade": "mid",
                        "statement": "申请晋级", "performance_score": 80},
    "review": lambda n: {"supervisor_score": 80},
    "score": lambda n: {"interview_score": 80},
    "publish": lambda n: {"published": True},
}


def _connect(path: Path, pragmas: list[str]) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in pragmas:
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("CREATE TABLE IF NOT EXISTS cases (id INTEGER PRIMARY KEY, step VARCHAR(32), version INTEGER, "
                 "state TEXT, updated_at VARCHAR(40))")
    conn.execute("CREATE TABLE IF NOT EXISTS case_history (id INTEGER PRIMARY KEY AUTOINCREMENT, case_id INTEGER "
                 "NOT NULL REFERENCES cases (id), step VARCHAR(32) NOT NULL, at VARCHAR(40) NOT NULL, data TEXT)")
    return conn


def run(cases: int, db: Path, pragmas: list[str], persist_state: bool) -> dict:
    parser = BpmnParser()
    parser.add_bpmn_file(str(Path(__file__).with_name("lifecycle.bpmn")))
    spec = parser.get_spec("case_lifecycle")
    serializer = BpmnWorkflowSerializer() if persist_state else None
    conn = _connect(db, pragmas)

    def one(n: int) -> str:
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        recorded: set = set()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO cases (id, step, version, state, updated_at) VALUES (?, NULL, 0, NULL, ?)",
                     (n, _now()))
        conn.execute("COMMIT")

        def record_completed() -> None:
            for task in workflow.get_tasks(state=TaskState.COMPLETED):
                name = task.task_spec.name
                if name in STEPS and task.id not in recorded:
                    recorded.add(task.id)
                    state = json.dumps(serializer.to_dict(workflow)) if serializer else None
                    at = _now()
                    conn.execute("BEGIN IMMEDIATE")
                    conn.execute("UPDATE cases SET step = ?, version = version + 1, state = ?, updated_at = ? "
                                 "WHERE id = ?", (name, state, at, n))
                    conn.execute("INSERT INTO case_history (case_id, step, at, data) VALUES (?, ?, ?, ?)",
                                 (n, name, at, json.dumps(task.data, default=str)))
                    conn.execute("COMMIT")

        while not workflow.is_completed():
            task = workflow.get_next_task(state=TaskState.READY, manual=True)
            if task is None:
                raise RuntimeError(f"case {n}: no ready user task and the workflow is not completed")
            task.set_data(**USER_DATA[task.task_spec.name](n))
            task.run()
            workflow.do_engine_steps()
            record_completed()
        if len(recorded) != len(STEPS):
            raise RuntimeError(f"case {n}: {len(recorded)} steps recorded, not {len(STEPS)}")
        return workflow.data.get("state") or workflow.last_task.data["state"]

    warm = min(10, cases)
    for n in range(warm):
        one(n)
    began = time.perf_counter()
    states = [one(n) for n in range(warm, warm + cases)]
    seconds = time.perf_counter() - began
    steps = conn.execute("SELECT COUNT(*) FROM case_history WHERE case_id >= ?", (warm,)).fetchone()[0]
    conn.close()
    import SpiffWorkflow.version as version
    return {"cases": cases, "seconds": seconds, "cases_per_second": cases / seconds, "steps_recorded": steps,
            "effective": states.count("effective"), "persist_state": persist_state,
            "spiffworkflow": getattr(version, "__version__", "3")}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--pragma", action="append", default=[])
    parser.add_argument("--persist-state", action="store_true")
    args = parser.parse_args()
    print(json.dumps(run(args.cases, args.db, args.pragma, args.persist_state)))


if __name__ == "__main__":
    main()
