"""The real server: `gradeflow serve` (gunicorn) on a free port of 127.0.0.1, in a process group of its own,
its output in a log file of the run's folder."""
from __future__ import annotations

import os
import secrets
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.databases import Database
from tests.support.commands import GRADEFLOW, free_port
from tests.support.processes import Process, children

START_TIMEOUT = 90


def rss_kib(pid: int) -> int:
    """VmRSS of a process, in KiB (/proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime, in clock ticks


class Server:
    """`gradeflow serve --workers W --threads T --no-scheduler` on `database`. Production mode on the system
    clock unless `env` says otherwise (the lifecycle benchmark runs the manual clock). The scheduler is off:
    nothing but the benchmark's requests runs in the workers (the lifecycle's PUT /clock fires its timers)."""

    def __init__(self, database: Database, folder: Path, *, workers: int, threads: int,
                 env: dict[str, str] | None = None):
        self.database, self.folder, self.workers, self.threads = database, folder, workers, threads
        self.port = free_port()
        self.log = folder / f"serve-{self.port}.log"
        base = {k: v for k, v in os.environ.items() if not k.startswith(("GRADEFLOW_", "FLASK_"))}
        self.env = {**base, "GRADEFLOW_DATABASE_URL": database.url, "GRADEFLOW_ENV": "production",
                    "GRADEFLOW_SECRET_KEY": secrets.token_urlsafe(32), "GRADEFLOW_INSTANCE_PATH": str(folder),
                    "PYTHONIOENCODING": "utf-8", **(env or {})}
        self.process: Process | None = None

    def __enter__(self) -> "Server":
        self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def start(self) -> None:
        args = [str(GRADEFLOW), "serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers",
                str(self.workers), "--threads", str(self.threads), "--no-scheduler"]
        with open(self.log, "ab") as out:
            popen = subprocess.Popen(args, env=self.env, cwd=self.folder, stdin=subprocess.DEVNULL,
                                     stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.process = Process(popen, self.log)
        deadline = time.monotonic() + START_TIMEOUT
        while not (self._answers() and len(children(popen.pid)) == self.workers):
            if not self.process.alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"`gradeflow serve` did not come up; its log:\n{self.output()[-3000:]}")
            time.sleep(0.2)

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/v1/openapi.json", timeout=5) as r:
                return r.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def worker_pids(self) -> list[int]:
        return children(self.process.pid)

    def workers_cpu(self) -> dict[int, float]:
        """{worker pid: CPU seconds it has used (user + system, /proc/<pid>/stat)}."""
        return {pid: cpu_seconds(pid) for pid in self.worker_pids()}

    def output(self) -> str:
        return self.log.read_text("utf-8", errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        """SIGTERM to the server's process group (the master and its workers), SIGKILL if it lingers."""
        process, self.process = self.process, None
        if process is not None:
            process.stop()
