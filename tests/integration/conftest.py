"""Fixtures for the tests that start real `gradeflow` processes (schedulers, servers)."""
from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import CLOCK_START
from tests.integration.test_cli import GRADEFLOW, _env

HOST = socket.gethostname()
INTERVAL = 1  # seconds between two ticks of every scheduler process started here


@dataclass
class Process:
    """A `gradeflow` subprocess, in a process group of its own; its output goes to `log`."""
    popen: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def runner(self) -> str:
        """How its sweeps are named in scheduler_runs (scheduler.sweep.RUNNER)."""
        return f"{HOST}:{self.pid}"

    def alive(self) -> bool:
        return self.popen.poll() is None

    def output(self) -> str:
        return self.log.read_text("utf-8", errors="replace") if self.log.exists() else ""

    def kill9(self) -> None:
        """SIGKILL, no chance to clean up (the whole group: gunicorn's workers too)."""
        if self.alive():
            os.killpg(self.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not end."""
        if self.alive():
            os.killpg(self.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        if self.alive():
            self.kill9()
        try:  # gunicorn workers left behind by a master that did not end cleanly
            os.killpg(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def children(pid: int) -> list[int]:
    """The live child processes of `pid` (gunicorn's workers, for its master), from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == pid and state not in ("Z", "X"):
            found.append(int(entry))
    return sorted(found)


@pytest.fixture
def gradeflow_process(app, migrated, tmp_path):
    """Start `gradeflow <args>` (env overrides as keywords, None to unset) against the test database;
    every process started is killed afterwards
    (this fixture depends on `app`, so the processes end before the tables are emptied)."""
    started: list[Process] = []
    (tmp_path / "home").mkdir(exist_ok=True)
    env = _env(tmp_path, GRADEFLOW_DATABASE_URL=migrated, GRADEFLOW_ENV="test", GRADEFLOW_CLOCK="manual",
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
