"""Fixtures for the tests that start real `gradeflow` processes (schedulers, servers); the processes
themselves are tests.support.processes."""
from __future__ import annotations

import secrets
import subprocess

import pytest

from tests.support.commands import GRADEFLOW, command_env, sqlite_url
from tests.support.databases import fresh_pg_database
from tests.support.processes import INTERVAL, Process
from tests.support.settings import CLOCK_START


@pytest.fixture
def gradeflow_process(app, migrated, tmp_path):
    """Start `gradeflow <args>` (env overrides as keywords, None to unset) against the test database;
    every process started is killed afterwards
    (this fixture depends on `app`, so the processes end before the tables are emptied)."""
    started: list[Process] = []
    (tmp_path / "home").mkdir(exist_ok=True)
    env = command_env(tmp_path, GRADEFLOW_DATABASE_URL=migrated, GRADEFLOW_ENV="test", GRADEFLOW_CLOCK="manual",
                      GRADEFLOW_CLOCK_START=CLOCK_START.isoformat(), GRADEFLOW_SCHEDULER_INTERVAL=str(INTERVAL),
                      GRADEFLOW_INSTANCE_PATH=str(tmp_path), GRADEFLOW_SECRET_KEY=secrets.token_urlsafe(30))

    def start(*args: str, **overrides: str | None) -> Process:
        log = tmp_path / f"{args[0]}-{len(started)}.log"
        process_env = {**env, **overrides}
        process_env = {k: v for k, v in process_env.items() if v is not None}
        with open(log, "wb") as out:
            popen = subprocess.Popen([str(GRADEFLOW), *args], env=process_env, cwd=tmp_path, stdin=subprocess.DEVNULL,
                                     stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        started.append(Process(popen, log))
        return started[-1]

    yield start
    for process in started:
        process.stop()


# --- a fresh, empty database (PostgreSQL as conftest does it: skipped without a server, unless required) ----

@pytest.fixture
def fresh_pg_url():
    with fresh_pg_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database_url(request, tmp_path):
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    return request.getfixturevalue("fresh_pg_url")
