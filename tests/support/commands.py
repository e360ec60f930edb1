"""The real `gradeflow` command, run as a subprocess: every run with its own HOME, its own instance folder
(GRADEFLOW_INSTANCE_PATH) and, unless told otherwise, its own SQLite file, so that nothing is written into
the working copy's instance/ folder; and what such runs need (a free port, the first answer of a server,
every row of a database)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from models import db

GRADEFLOW = Path(sys.executable).with_name("gradeflow")
TIMEOUT = 60


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'gradeflow.db'}"


def command_env(tmp_path: Path, **overrides: str | None) -> dict:
    """The environment of a `gradeflow` run in tmp_path: none of this process's GRADEFLOW_ and FLASK_
    settings, a cheap password hash; `overrides` set (None: unset) variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRADEFLOW_", "FLASK_"))}
    env.update(HOME=str(tmp_path / "home"), GRADEFLOW_INSTANCE_PATH=str(tmp_path / "instance"),
               GRADEFLOW_DATABASE_URL=sqlite_url(tmp_path), GRADEFLOW_ENV="development",
               GRADEFLOW_HASH_TIME_COST="1", GRADEFLOW_HASH_MEMORY_KIB="64", PYTHONIOENCODING="utf-8")
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def gradeflow(tmp_path: Path, *args: str, stdin: str | None = None, **env: str | None) -> subprocess.CompletedProcess:
    (tmp_path / "home").mkdir(exist_ok=True)
    try:
        return subprocess.run([str(GRADEFLOW), *args], input=stdin, capture_output=True, text=True, encoding="utf-8",
                              env=command_env(tmp_path, **env), cwd=tmp_path, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"`gradeflow {' '.join(args)}` was still running after {TIMEOUT}s "
                    f"(did it start a server?): {exc.stdout!r} {exc.stderr!r}")


def run_due(tmp_path, database_url: str, *args: str, clock_at: str):
    """`gradeflow run-due` on the test database, its manual clock standing at `clock_at` (the tests
    never move the app's clock, so the database holds no clock of its own)."""
    return gradeflow(tmp_path, "run-due", *args, GRADEFLOW_DATABASE_URL=database_url, GRADEFLOW_CLOCK="manual",
                     GRADEFLOW_CLOCK_START=clock_at)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def first_answer(server: subprocess.Popen, request: urllib.request.Request) -> tuple[int, str, bytes] | None:
    """(status, content type, body) of the first answer the server gives, error statuses included."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(request, timeout=5) as r:
                return r.status, r.headers.get_content_type(), r.read()
        except urllib.error.HTTPError as answer:
            return answer.code, answer.headers.get_content_type(), answer.read()
        except OSError:
            time.sleep(0.2)
    return None


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {t.name: sorted(tuple(map(str, row)) for row in conn.execute(sa.select(t)))
                    for t in db.metadata.sorted_tables}
    finally:
        engine.dispose()
