"""Notifications delivered from the outbox (issue 15, point 1; workflow/services/outbox.py, scheduler/delivery.py)
to real HTTP receivers on 127.0.0.1: a generic JSON webhook and the group robots of WeCom and DingTalk (its signed
URL checked as DingTalk checks it). A reminder (a case waiting on its supervisor past three working days, on
2026-09-07) is the message. A receiver that fails is tried again with backoff and the channels that acknowledged are
not sent it twice; after the last try the message is dead, listed for hr, who sends it again; a sender that dies
mid-send leaves its message to be tried again once its lease is over."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote_plus, urlsplit

import pytest
import sqlalchemy as sa

from models import OutboxMessage, db
from tests.support.answers import assert_problem, ok
from tests.support.app_services import rules_of, unit_of_work
from tests.support.driver import Driver
from tests.support.outbox import send
from tests.support.steps import apply, move_clock
from tests.support.world import HR, candidate, organisation
from workflow.notifications import DINGTALK, MAX_ATTEMPTS, WEBHOOK, WECOM, Channel
from workflow.services import outbox

SECRET = "SEC-robot-secret"


class Receiver:
    """An HTTP server recording every POST; `failing[path]` requests to that path answer 500 first (or the given
    answer body with 200, where it is bytes)."""

    def __init__(self):
        self.received: list[tuple[str, dict, dict]] = []  # (path, query, JSON body)
        self.failing: dict[str, int] = {}
        self.refusal: dict[str, bytes] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                parts = urlsplit(self.path)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                receiver.received.append((parts.path, parse_qs(parts.query), body))
                if receiver.failing.get(parts.path, 0) > 0:
                    receiver.failing[parts.path] -= 1
                    self.send_response(500)
                    self.end_headers()
                    self.wfile.write(b"busy")
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(receiver.refusal.get(parts.path, b'{"errcode": 0, "errmsg": "ok"}'))

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_port}"

    def paths(self) -> list[str]:
        return [path for path, _, _ in self.received]


@pytest.fixture
def receiver():
    served = Receiver()
    yield served
    served.server.shutdown()


@pytest.fixture
def overdue(build, receiver):
    """An app whose channels are the receiver's, with one reminder written to the outbox (to s900)."""
    app = build(GRADEFLOW_NOTIFY_CHANNELS=(Channel(WEBHOOK, f"{receiver.base}/hook"),
                                           Channel(WECOM, f"{receiver.base}/wecom?key=K"),
                                           Channel(DINGTALK, f"{receiver.base}/ding?access_token=T", SECRET)))
    gf = Driver(app)
    organisation(gf)
    candidate(gf, "E001")
    apply(gf, "E001")
    move_clock(gf, "2026-09-07T09:30:00+08:00")  # overdue since 09:00: one reminder to the supervisor
    return gf


def the_message(gf) -> OutboxMessage:
    with gf.app.app_context():
        [row] = db.session.scalars(sa.select(OutboxMessage)).all()
        db.session.remove()
        return row


def test_a_reminder_reaches_every_channel_once_and_dingtalk_s_signed_url_checks_out(overdue, receiver):
    run = send(overdue)

    message = the_message(overdue)
    assert run.sent == [message.id] and (message.status, sorted(message.delivered_to)) == (
        "sent", sorted([WEBHOOK, WECOM, DINGTALK]))
    assert receiver.paths() == ["/hook", "/wecom", "/ding"]
    hook, wecom, ding = (body for _, _, body in receiver.received)
    assert (hook["recipient"], hook["case_id"], hook["dedupe_key"]) == (
        "s900", message.case_id, f"gradeflow-outbox-{message.id}")
    assert wecom["msgtype"] == "text" and message.subject in wecom["text"]["content"]
    query = receiver.received[2][1]
    timestamp, sign = query["timestamp"][0], query["sign"][0]
    expected = base64.b64encode(hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest())
    assert unquote_plus(sign) == sign and sign.encode() == expected  # parse_qs decoded it once: as DingTalk does
    assert query["access_token"] == ["T"] and ding["text"]["content"] == wecom["text"]["content"]
    assert send(overdue).sent == [] and len(receiver.received) == 3  # sent: never again


def test_a_failing_receiver_is_tried_again_with_backoff_and_no_acknowledged_channel_gets_it_twice(overdue, receiver):
    receiver.failing["/hook"] = 2
    assert send(overdue).retried == [the_message(overdue).id]
    message = the_message(overdue)
    assert (message.status, message.attempts, sorted(message.delivered_to)) == ("pending", 1, [DINGTALK, WECOM])
    assert message.last_error.startswith("webhook: HTTP 500")

    assert send(overdue, timedelta(seconds=30)).retried == []  # not due again before a minute
    assert send(overdue, timedelta(minutes=1, seconds=1)).retried == [message.id]  # fails again: two minutes now
    assert send(overdue, timedelta(minutes=2)).sent == []
    assert send(overdue, timedelta(minutes=3, seconds=2)).sent == [message.id]
    assert receiver.paths().count("/wecom") == receiver.paths().count("/ding") == 1
    assert receiver.paths().count("/hook") == 3 and the_message(overdue).status == "sent"


def test_a_robot_s_refusal_in_a_successful_answer_is_a_failure(overdue, receiver):
    receiver.refusal["/ding"] = b'{"errcode": 310000, "errmsg": "sign not match"}'
    send(overdue)
    message = the_message(overdue)
    assert message.status == "pending" and message.last_error == "dingtalk: errcode 310000: sign not match"


def test_after_the_last_try_a_message_is_dead_and_hr_sends_it_again(overdue, receiver):
    receiver.failing["/wecom"] = 10 ** 6
    after = timedelta(0)
    for _ in range(MAX_ATTEMPTS):
        send(overdue, after)
        after += timedelta(hours=1, seconds=1)
    message = the_message(overdue)
    assert (message.status, message.attempts, message.next_attempt_at) == ("dead", MAX_ATTEMPTS, None)
    assert send(overdue, after).dead == [] and receiver.paths().count("/wecom") == MAX_ATTEMPTS

    dead = ok(overdue.get("/outbox?status=dead", as_=HR))
    assert [m["id"] for m in dead] == [message.id] and dead[0]["last_error"].startswith("wecom: HTTP 500")
    assert_problem(overdue.get("/outbox", as_="s900"), 403, "forbidden")
    receiver.failing["/wecom"] = 0
    again = ok(overdue.post(f"/outbox/{message.id}/resend", as_=HR))
    assert (again["status"], again["attempts"], again["delivered_to"]) == ("pending", 0, [WEBHOOK, DINGTALK])
    assert_problem(overdue.post(f"/outbox/{message.id}/resend", as_=HR), 409, "not_dead")
    assert send(overdue, after).sent == [message.id]
    assert receiver.paths().count("/hook") == receiver.paths().count("/ding") == 1  # acknowledged once: never again


def test_a_message_claimed_by_a_sender_that_died_is_sent_once_its_lease_is_over(overdue, receiver):
    with overdue.app.app_context():  # a sender claims the message, then dies before sending or recording anything
        outbox._claim(unit_of_work(), rules_of(overdue.app))
        db.session.remove()
    assert send(overdue, timedelta(minutes=1)).sent == [] and receiver.received == []  # still another's
    assert send(overdue, timedelta(minutes=2, seconds=1)).sent == [the_message(overdue).id]
    assert len(receiver.received) == 3


def test_without_a_channel_nothing_is_sent_and_the_command_says_so(tmp_path):
    from tests.support.commands import gradeflow
    result = gradeflow(tmp_path, "outbox", "send")
    assert result.returncode == 1 and "no channel is configured" in result.stderr


@pytest.mark.parametrize("env, problem", [
    ({"GRADEFLOW_NOTIFY_WEBHOOK": "ftp://example.org/x"}, "GRADEFLOW_NOTIFY_WEBHOOK='ftp://example.org/x': must be"),
    ({"GRADEFLOW_NOTIFY_DINGTALK_SECRET": "S"}, "GRADEFLOW_NOTIFY_DINGTALK_SECRET is set without"),
])
def test_a_bad_channel_is_refused_at_start_naming_the_variable(env, problem):
    from api.config import ConfigError, notify_channels
    with pytest.raises(ConfigError) as refused:
        notify_channels(env)
    assert str(refused.value).startswith(problem)
