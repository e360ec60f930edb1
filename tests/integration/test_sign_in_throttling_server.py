"""Sign-in throttling on a real server of two gunicorn workers (issue 10, point 4): the failed attempts are
counted in the database, so both worker processes see every one of them.

`gradeflow serve --workers 2` runs as in tests/integration/test_real_server.py (tests/support/live_server.py
starts it and sends real HTTP from threads), with a sign-in window of WINDOW seconds of wall-clock time, so that
the test can wait it out. Twenty wrong passwords for one username, sent at once (both workers busy), get five 401
and fifteen 429: were the count kept per process, up to ten would be judged.
"""
from __future__ import annotations

import time
from collections import Counter

import sqlalchemy as sa

from models import SignInAttempt
from tests.support.live_server import WORKERS, Answer, at_once, call, connect, send, start_server
from tests.support.processes import children
from tests.support.reads import read
from tests.support.settings import PASSWORD

WINDOW = 10  # seconds: GRADEFLOW_SIGNIN_WINDOW of the server
WRONG = "not the password at all"


def _token_request(username: str, password: str) -> dict:
    return {"username": username, "password": password}


def test_wrong_passwords_at_once_on_two_workers_are_counted_together_until_the_window_passes(app, gf,
                                                                                           gradeflow_process):
    gf.user("alice", "committee")
    gf.user("bob", "committee")

    def with_short_window(*args, **env):
        return gradeflow_process(*args, GRADEFLOW_SIGNIN_WINDOW=str(WINDOW), **env)

    server, port = start_server(with_short_window)
    started = time.monotonic()

    def wrong(barrier):
        connection = connect(port)
        barrier.wait()
        return send(connection, "POST", "/auth/token", body=_token_request("alice", WRONG))

    answers = at_once([wrong] * 20)
    elapsed = time.monotonic() - started
    assert elapsed < WINDOW, f"the attempts took {elapsed:.1f}s, longer than the window: the count below is moot"
    errors = [a for a in answers if not isinstance(a, Answer)]
    assert errors == [], errors[:3]
    assert Counter((a.status, a.code) for a in answers) == {(401, "invalid_credentials"): 5,
                                                          (429, "too_many_attempts"): 15}
    assert all(1 <= int(a.headers["retry-after"]) <= WINDOW for a in answers if a.status == 429)
    assert read(app, lambda s: s.scalar(sa.select(sa.func.count()).select_from(SignInAttempt))) == 5

    # the right password waits too, on whichever worker answers; a colleague at the same address does not
    for _ in range(2 * WORKERS):
        held = call(port, "POST", "/auth/token", body=_token_request("alice", PASSWORD))
        assert (held.status, held.code) == (429, "too_many_attempts"), held
        assert "access_token" not in held.body
    colleague = call(port, "POST", "/auth/token", body=_token_request("bob", PASSWORD))
    assert colleague.status == 200, colleague

    time.sleep(int(held.headers["retry-after"]))
    for _ in range(2 * WORKERS):
        again = call(port, "POST", "/auth/token", body=_token_request("alice", PASSWORD))
        assert again.status == 200, again
        me = call(port, "GET", "/me", token=again.body["access_token"])
        assert (me.status, me.body["username"]) == (200, "alice")
    assert server.alive() and len(children(server.pid)) == WORKERS
