"""The demo on a real `gradeflow serve` for the browser tests (tests/web/conftest.py demo_server): a fresh SQLite
file that `gradeflow db upgrade` and `gradeflow demo` prepared, served with the default flags in development mode,
as `make run` starts it. Each test process prepares the demo once (for each environment) and gives every server a
copy of it, so that what one module's browser changes never reaches another's."""
from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from tests.support.commands import GRADEFLOW, command_env, first_answer, free_port, gradeflow
from tests.support.processes import Process


@contextmanager
def serve_demo(folder: Path, **env: str):
    """The demo served from `folder` as demo_server describes, with `env` added to every command's environment
    (e.g. GRADEFLOW_CLOCK=manual): yields (base URL, {username: password})."""
    shutil.copytree(_prepared_demo(env), folder, dirs_exist_ok=True)
    logins = {}
    for line in (folder / "instance" / "demo-logins.txt").read_text().splitlines():
        username, password, *_ = line.split("\t")
        logins[username] = password
    port = free_port()
    log = folder / "serve.log"
    with open(log, "wb") as out:
        popen = subprocess.Popen([str(GRADEFLOW), "serve", "--host", "127.0.0.1", "--port", str(port)],
                                 env=command_env(folder, **env), cwd=folder, stdin=subprocess.DEVNULL, stdout=out,
                                 stderr=subprocess.STDOUT, start_new_session=True)
    server = Process(popen, log)
    try:
        base = f"http://127.0.0.1:{port}"
        answer = first_answer(popen, urllib.request.Request(f"{base}/sign-in"))
        assert answer is not None and answer[0] == 200, (answer, server.output())
        yield base, logins
    finally:
        server.stop()


_prepared: dict[tuple, Path] = {}  # the environment's settings → the folder where the demo was prepared


def _prepared_demo(env: dict[str, str]) -> Path:
    """A folder where `gradeflow db upgrade` and `gradeflow demo` ran with `env` (once per process)."""
    key = tuple(sorted(env.items()))
    if key not in _prepared:
        folder = Path(tempfile.mkdtemp(prefix="gradeflow-demo-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        (folder / "home").mkdir()
        for step in (("db", "upgrade"), ("demo",)):
            done = gradeflow(folder, *step, **env)
            assert done.returncode == 0, (step, done.stdout, done.stderr)
        _prepared[key] = folder
    return _prepared[key]
