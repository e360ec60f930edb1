"""Long-running `gradeflow` processes (schedulers, servers), started by the `gradeflow_process` fixture of
tests/integration/conftest.py: the process and its output, its children, a server answering on a free port,
and waiting for what they are to do."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.commands import first_answer, free_port

HOST = socket.gethostname()
INTERVAL = 1  # seconds between two ticks of every scheduler process started here
DONE_TIMEOUT = 120  # for a whole batch of timers to fire


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


def logs_of(processes) -> str:
    return "\n".join(f"--- pid {p.pid} (alive: {p.alive()}):\n{p.output()[-3000:]}" for p in processes)


def workers_holding(port: int, workers: list[int]) -> dict[int, int]:
    """{client port: the worker pid holding its connection} for the established connections to `port` on
    127.0.0.1 that one of `workers` holds (Linux: the workers' socket inodes in /proc/<pid>/fd, matched with
    /proc/net/tcp)."""
    owner = {}
    for pid in workers:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:  # closed meanwhile
                continue
            if link.startswith("socket:["):
                owner[link[len("socket:["):-1]] = pid
    held = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
        if int(local.split(":")[1], 16) == port and state == "01" and inode in owner:  # 01: ESTABLISHED
            held[int(remote.split(":")[1], 16)] = owner[inode]
    return held


def wait_for(condition, what: str, processes=(), timeout: float = DONE_TIMEOUT, every: float = 0.2):
    """Poll `condition()` until it returns something true; fail with the processes' output after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout}s: {what}\n{logs_of(processes)}")
        if processes and not any(p.alive() for p in processes):
            result = condition()
            if result:
                return result
            pytest.fail(f"every process ended before {what}\n{logs_of(processes)}")
        time.sleep(every)


def serve(gradeflow_process, *args: str) -> tuple[Process, int]:
    """`gradeflow serve <args>` on a free port of 127.0.0.1, answering."""
    port = free_port()
    server = gradeflow_process("serve", "--host", "127.0.0.1", "--port", str(port), *args)
    answer = first_answer(server.popen, urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/openapi.json"))
    assert answer is not None and answer[0] == 200, (answer, server.output())
    return server, port
