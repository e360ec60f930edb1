"""A sender process killed mid-send (issue 15, point 1): the real `gradeflow outbox send` delivers a notice to a webhook
that acknowledges at once and to a WeCom robot that hangs; the process is killed (SIGKILL) while the robot holds it.
Nothing is lost (the message is tried again once its lease is over, by the next run) and nothing is sent twice to the
receiver that acknowledged (each acknowledgement is recorded as it comes)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.support.commands import GRADEFLOW, command_env
from tests.support.driver import Driver
from tests.support.outbox import messages, notify
from tests.support.settings import CLOCK_START
from tests.support.steps import apply, move_clock
from tests.support.world import BOSS, candidate, organisation


class Receivers:
    """/hook acknowledges at once; /wecom holds each request until `release` is set (then acknowledges)."""

    def __init__(self):
        self.received: list[str] = []
        self.holding, self.release = threading.Event(), threading.Event()
        receivers = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                receivers.received.append(self.path)
                if self.path == "/wecom" and not receivers.release.is_set():
                    receivers.holding.set()
                    receivers.release.wait(30)
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"errcode": 0, "errmsg": "ok"}')
                except OSError:
                    pass  # the sender is gone

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_port}"


@pytest.fixture
def receivers():
    served = Receivers()
    yield served
    served.release.set()
    served.server.shutdown()


def sender(tmp_path, database_url: str, receivers: Receivers) -> subprocess.Popen:
    (tmp_path / "home").mkdir(exist_ok=True)
    env = command_env(tmp_path, GRADEFLOW_DATABASE_URL=database_url, GRADEFLOW_CLOCK="manual",
                      GRADEFLOW_CLOCK_START=CLOCK_START.isoformat(),
                      GRADEFLOW_NOTIFY_WEBHOOK=f"{receivers.base}/hook", GRADEFLOW_NOTIFY_WECOM=f"{receivers.base}/wecom")
    return subprocess.Popen([str(GRADEFLOW), "outbox", "send"], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def test_a_sender_killed_mid_send_loses_nothing_and_sends_nothing_twice_to_a_receiver_that_acknowledged(
        app, migrated, receivers, tmp_path):
    gf = Driver(app)
    organisation(gf)
    candidate(gf, "E001")
    apply(gf, "E001")
    notify(gf)
    [message] = messages(gf)
    assert message.recipient == BOSS

    killed = sender(tmp_path, migrated, receivers)
    assert receivers.holding.wait(30), killed.communicate()
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait(10)
    assert killed.returncode == -signal.SIGKILL

    [held] = messages(gf)
    assert (held.status, held.attempts, held.delivered_to) == ("pending", 1, ["webhook"])
    assert receivers.received == ["/hook", "/wecom"]
    receivers.release.set()

    early = sender(tmp_path, migrated, receivers)
    assert early.wait(60) == 0 and "sent 0" in early.stdout.read()  # still under the dead sender's lease
    move_clock(gf, "2026-09-01T09:02:01+08:00")
    again = sender(tmp_path, migrated, receivers)
    assert again.wait(60) == 0 and "sent 1" in again.stdout.read()

    [sent] = messages(gf)
    assert (sent.status, sorted(sent.delivered_to)) == ("sent", ["webhook", "wecom"])
    assert receivers.received == ["/hook", "/wecom", "/wecom"]  # the webhook acknowledged: never sent it again
