"""The service as a newcomer starts it: `make run` and `make demo`, their own command lines (the defaults
of `gradeflow serve`: two workers, the scheduler in them), on a brand-new SQLite database in tmp_path;
and the README's walk-through, run as written against `make demo`.

make is given the port and the instance folder only; the virtualenv is the one this suite runs in (its
install stamp is current, so make installs nothing).
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.support.commands import GRADEFLOW, free_port

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
START_TIMEOUT = 120  # make, migrations, the demo with the production password hash, gunicorn
SLOW = 2.0  # seconds: no answer of a fresh server may take longer


def _make_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRADEFLOW_", "FLASK_", "MAKE"))}
    env.update(extra)
    return env


@contextmanager
def _make(target: str, tmp_path: Path, port: int, **extra: str):
    """`make TARGET PORT=port …` in the project folder, in a process group of its own; stopped afterwards."""
    log = tmp_path / f"make-{target}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(["make", "--no-print-directory", target, f"PORT={port}",
                                    *(f"{k}={v}" for k, v in extra.items())],
                                   cwd=ROOT, env=_make_env(**({"GRADEFLOW_INSTANCE_PATH": str(tmp_path / "instance")}
                                                              if target == "run" else {})),
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        yield process, log
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)


def _call(port: int, method: str, path: str, *, token: str | None = None, body: dict | None = None):
    """(status, JSON body, seconds taken) of one request to /api/v1."""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1{path}", method=method, headers=headers,
                                     data=json.dumps(body).encode() if body is not None else None)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            status, raw = answer.status, answer.read()
    except urllib.error.HTTPError as answer:
        status, raw = answer.code, answer.read()
    return status, json.loads(raw) if raw else None, time.monotonic() - started


def _wait_until_serving(process: subprocess.Popen, log: Path, port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text("utf-8", errors="replace")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=5):
                return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"nothing served on {port} within {START_TIMEOUT}s: {log.read_text('utf-8', errors='replace')}")


def _logins(path: Path) -> dict[str, str]:
    return {line.split("\t")[0]: line.split("\t")[1] for line in path.read_text("utf-8").splitlines()}


def _sign_in(port: int, username: str, password: str) -> str:
    status, body, _ = _call(port, "POST", "/auth/token", body={"username": username, "password": password})
    assert status == 200, (username, body)
    return body["access_token"]


def test_make_run_serves_a_brand_new_database_whose_first_reads_and_writes_succeed_at_once(tmp_path):
    port = free_port()
    with _make("run", tmp_path, port) as (process, log):
        _wait_until_serving(process, log, port)
        output = log.read_text("utf-8")
        assert f"open http://127.0.0.1:{port}/" in output, output
        assert "Who may apply for promotion now" in output, output
        logins = _logins(tmp_path / "instance" / "demo-logins.txt")
        hr, admin = _sign_in(port, "hr.chen", logins["hr.chen"]), _sign_in(port, "admin", logins["admin"])
        chair = _sign_in(port, "committee.qian", logins["committee.qian"])
        applicant = _sign_in(port, "liuyang", logins["liuyang"])
        supervisor = _sign_in(port, "liqiang", logins["liqiang"])
        today = time.strftime("%Y-%m-%d")
        answers = [
            ("GET /cases", _call(port, "GET", "/cases", token=hr)),
            ("GET /cases/1", _call(port, "GET", "/cases/1", token=hr)),
            ("GET /calendar/days", _call(port, "GET", f"/calendar/days?from={today}&to={today}", token=hr)),
            ("GET /managers", _call(port, "GET", "/managers", token=hr)),
            ("POST /users", _call(port, "POST", "/users", token=admin,
                                  body={"username": "li", "password": "a long enough passphrase", "roles": ["hr"]})),
            ("POST /cycles", _call(port, "POST", "/cycles", token=hr, body={"code": "NEXT", "name": "下一轮"})),
        ]
        status, case, _ = _call(port, "POST", "/cases", token=applicant, body={
            "kind": "promotion", "cycle": next(c["code"] for c in _call(port, "GET", "/cycles", token=hr)[1]
                                               if c["code"] != "NEXT"),
            "target_grade": "mid", "statement": "申请晋升"})
        answers.append(("POST /cases", (status, case, 0.0)))
        answers.append(("POST /cases/{id}/events", _call(port, "POST", f"/cases/{case['id']}/events", token=supervisor,
                                                         body={"event": "approve_materials", "supervisor_score": 80})))
        answers.append(("POST /cycles/{code}/decide (not ready)", _call(
            port, "POST", f"/cycles/{case['cycle']}/decide", token=chair)))
    statuses = {name: status for name, (status, _, _) in answers}
    assert statuses == {"GET /cases": 200, "GET /cases/1": 200, "GET /calendar/days": 200, "GET /managers": 200,
                        "POST /users": 201, "POST /cycles": 201, "POST /cases": 201,
                        "POST /cases/{id}/events": 200, "POST /cycles/{code}/decide (not ready)": 409}, answers
    assert [name for name, (_, _, took) in answers if took > SLOW] == [], answers
    assert answers[-1][1][1]["code"] == "cycle_not_ready"  # the chair may decide; liuyang's case blocks it
    assert "Traceback" not in log.read_text("utf-8"), log.read_text("utf-8")


# --- the README's walk-through -------------------------------------------------------------------

def walkthrough() -> str:
    text = README.read_text("utf-8")
    block = re.search(r"<!-- walkthrough:start -->\n```sh\n(.*?)```\n<!-- walkthrough:end -->", text, re.S)
    assert block, "README.md has no walk-through block"
    return block.group(1)


def test_the_readmes_walkthrough_runs_as_written_against_make_demo(tmp_path):
    port = free_port()
    instance = tmp_path / "demo"
    with _make("demo", tmp_path, port, DEMO_INSTANCE=str(instance)) as (process, log):
        _wait_until_serving(process, log, port)
        result = subprocess.run(["bash", "-euo", "pipefail", "-c", walkthrough()], cwd=tmp_path, capture_output=True,
                                text=True, timeout=300,
                                env=_make_env(GRADEFLOW_URL=f"http://127.0.0.1:{port}",
                                              DEMO_LOGINS=str(instance / "demo-logins.txt")))
        server_log = log.read_text("utf-8")
    assert result.returncode == 0, (result.stdout, result.stderr, server_log)
    out = [line for line in result.stdout.splitlines() if line.strip()]
    decided = {d["final_score"]: (d["outcome"], d["reasons"]) for d in json.loads(out[4])}
    assert decided == {87.9: ("approved", []), 57.6: ("denied", ["below_pass_mark"]), 87.4: ("approved", [])}, out
    assert out[:4] == ["interview", "interview", "interview", "deliberation"], out
    assert json.loads(out[5])["now"] == "2026-09-30T09:00:00+08:00"
    assert out[6:9] == ["2026-10-10T23:59:59+08:00", "appealed", "published"], out
    assert json.loads(out[9])["now"] == "2026-10-11T09:00:00+08:00"
    assert out[10:12] == ["effective", "mid"], out
    [moved] = json.loads(out[12])
    assert (moved["from_grade"], moved["to_grade"], moved["effective_on"]) == ("junior", "mid", "2026-10-11")
    assert out[13:] == ["closed"], out
    assert " 500 " not in server_log and "Traceback" not in server_log, server_log
    verified = subprocess.run([str(GRADEFLOW), "audit", "verify"], capture_output=True,
                              text=True, timeout=60, cwd=tmp_path,
                              env=_make_env(GRADEFLOW_ENV="development", GRADEFLOW_INSTANCE_PATH=str(instance)))
    assert verified.returncode == 0 and "history intact" in verified.stdout, (verified.stdout, verified.stderr)
