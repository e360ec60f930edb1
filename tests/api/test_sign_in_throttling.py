"""Repeated wrong passwords are slowed down (issue 10, point 4; api.md 429 `too_many_attempts`).

After 5 failed sign-ins for one username within 15 minutes (wall clock), every attempt for it gets 429 with
Retry-After, the right password too, until the oldest of those failures is 15 minutes old; a success ends the run;
unknown usernames count and answer exactly like known ones; one address may fail 100 times in the window, so that a
colleague's typos lock out nobody else; the attempts live in the database, so every worker counts them all. The
apps here get a wall clock the test moves (GRADEFLOW_WALL_CLOCK); the manual clock does not count.
"""
from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from models import SignInAttempt, db
from models.sign_in_attempts import SignInAttemptRepository
from tests.support.answers import assert_problem
from tests.support.driver import Driver
from tests.support.settings import PASSWORD
from workflow.clock import FixedClock

WRONG = "not the password at all"
WINDOW = timedelta(minutes=15)
START = datetime(2026, 11, 30, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock():
    return FixedClock(START)


@pytest.fixture
def office(build, clock) -> Driver:
    """An app on the test database with a wall clock the test moves; alice and bob work in one office."""
    driver = Driver(build(GRADEFLOW_WALL_CLOCK=clock))
    driver.user("alice", "committee")
    driver.user("bob", "committee")
    return driver


def sign_in(client, username, password=PASSWORD, address="10.1.1.1"):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def fail(client, username, times=1, address="10.1.1.1"):
    for _ in range(times):
        assert_problem(sign_in(client, username, WRONG, address), 401, "invalid_credentials")


def assert_throttled(response, retry_after: int | None = None) -> dict:
    body = assert_problem(response, 429, "too_many_attempts")
    assert "access_token" not in body, body
    assert response.headers["Retry-After"].isdigit(), response.headers
    if retry_after is not None:
        assert int(response.headers["Retry-After"]) == retry_after, (response.headers, body)
    assert response.headers["Retry-After"] in body["detail"], body
    return body


def attempts(app) -> list[tuple]:
    with app.app_context():
        try:
            return [(a.username, a.address, a.outcome) for a in
                    db.session.scalars(sa.select(SignInAttempt).order_by(SignInAttempt.id))]
        finally:
            db.session.remove()


# --- per username --------------------------------------------------------------------------------------------

def test_five_failures_then_429_with_retry_after_also_for_the_right_password(office, clock):
    for second in range(0, 50, 10):
        clock.set(START + timedelta(seconds=second))
        fail(office.client, "alice")
    # the fifth failure came 40 s after the first; the first leaves the window 15 minutes after it happened
    assert_throttled(sign_in(office.client, "alice", WRONG), retry_after=15 * 60 - 40)
    assert_throttled(sign_in(office.client, "alice", PASSWORD), retry_after=15 * 60 - 40)
    clock.set(START + WINDOW - timedelta(seconds=1))
    assert_throttled(sign_in(office.client, "alice", PASSWORD), retry_after=1)


def test_the_fifth_failure_is_still_judged_by_the_password(office):
    fail(office.client, "alice", 4)
    assert sign_in(office.client, "alice").status_code == 200


def test_another_username_from_the_same_address_still_signs_in(office):
    fail(office.client, "alice", 5)
    assert_throttled(sign_in(office.client, "alice"))
    signed_in = sign_in(office.client, "bob")
    assert signed_in.status_code == 200, signed_in.get_json()


def test_the_right_password_works_again_once_the_window_has_passed(office, clock):
    fail(office.client, "alice", 5)
    clock.set(START + WINDOW - timedelta(microseconds=1))
    assert_throttled(sign_in(office.client, "alice"), retry_after=1)
    clock.set(START + WINDOW)
    signed_in = sign_in(office.client, "alice")
    assert signed_in.status_code == 200, signed_in.get_json()
    me = office.client.get("/api/v1/me", headers={"Authorization": f"Bearer {signed_in.get_json()['access_token']}"})
    assert me.status_code == 200 and me.get_json()["username"] == "alice"


def test_a_refused_attempt_counts_for_nothing(office, clock):
    """Attempts while the username is held do not hold it longer (and write nothing)."""
    fail(office.client, "alice", 5)
    before = attempts(office.app)
    for _ in range(20):
        assert_throttled(sign_in(office.client, "alice", WRONG))
    assert attempts(office.app) == before
    clock.set(START + WINDOW)
    assert sign_in(office.client, "alice").status_code == 200


def test_once_the_oldest_failure_leaves_the_window_one_more_attempt_is_judged(office, clock):
    fail(office.client, "alice")  # at START
    clock.set(START + timedelta(minutes=5))
    fail(office.client, "alice", 4)
    clock.set(START + WINDOW)  # the first failure has left the window: four remain
    fail(office.client, "alice")
    assert_throttled(sign_in(office.client, "alice"), retry_after=5 * 60)


def test_a_success_ends_the_run_of_failures(office, clock):
    fail(office.client, "alice", 4)
    clock.set(START + timedelta(seconds=1))
    assert sign_in(office.client, "alice").status_code == 200
    clock.set(START + timedelta(seconds=2))
    fail(office.client, "alice", 5)  # five more are judged: the four before the success no longer count
    clock.set(START + timedelta(seconds=10))
    assert_throttled(sign_in(office.client, "alice"), retry_after=15 * 60 - 8)


def test_a_switched_off_account_fails_like_a_wrong_password(office):
    root = office.user("root", "admin")
    assert office.patch("/users/bob", as_=root, json={"active": False}).status_code == 200
    fail(office.client, "bob", 4)
    assert_problem(sign_in(office.client, "bob"), 401, "invalid_credentials")
    assert_throttled(sign_in(office.client, "bob"))


# --- unknown usernames ---------------------------------------------------------------------------------------

def test_unknown_usernames_are_throttled_identically(office, clock):
    """The same attempts for a known and an unknown name get the same answers, status, headers and body, all the
    way through: nothing tells whether the name exists."""
    def answers(username):
        out = []
        for step in range(8):
            clock.set(START + timedelta(seconds=7 * step))
            response = sign_in(office.client, username, WRONG)
            out.append((response.status_code, response.headers.get("Retry-After"), response.get_json()))
        clock.set(START + WINDOW)
        response = sign_in(office.client, username, WRONG)
        out.append((response.status_code, response.headers.get("Retry-After"), response.get_json()))
        return out

    known, unknown = answers("alice"), answers("nobody-here")
    assert known == unknown
    assert [status for status, _, _ in known] == [401] * 5 + [429] * 3 + [401]


# --- per address ---------------------------------------------------------------------------------------------

def test_one_address_may_fail_a_hundred_times_in_the_window_then_waits(office, clock):
    """100 failures from one address (25 people, 4 typos each: none of them held by name) hold the address: a
    colleague there with the right password waits too, while another address is not held."""
    for person in range(25):
        office.user(f"p{person}", "committee")
        fail(office.client, f"p{person}", 4)
    clock.set(START + timedelta(minutes=1))
    assert_throttled(sign_in(office.client, "alice"), retry_after=14 * 60)
    assert_throttled(sign_in(office.client, "nobody-here"), retry_after=14 * 60)
    assert sign_in(office.client, "alice", address="10.2.2.2").status_code == 200
    clock.set(START + WINDOW)
    assert sign_in(office.client, "alice").status_code == 200


def test_a_success_from_the_address_does_not_end_its_run(office, build, clock):
    strict = Driver(build(GRADEFLOW_WALL_CLOCK=clock, GRADEFLOW_SIGNIN_MAX_FAILURES_PER_ADDRESS=6))
    fail(strict.client, "nobody-1", 3)
    fail(strict.client, "nobody-2", 3)
    assert_throttled(sign_in(strict.client, "alice"))
    assert sign_in(strict.client, "alice", address="10.2.2.2").status_code == 200
    assert_throttled(sign_in(strict.client, "bob"))


def test_no_limit_per_address_when_configured_off(office, build, clock):
    """GRADEFLOW_SIGNIN_MAX_FAILURES_PER_ADDRESS=0: for servers behind a proxy, where every caller shares its address."""
    open_ = Driver(build(GRADEFLOW_WALL_CLOCK=clock, GRADEFLOW_SIGNIN_MAX_FAILURES=2,
                         GRADEFLOW_SIGNIN_MAX_FAILURES_PER_ADDRESS=0))
    for n in range(30):
        fail(open_.client, f"nobody-{n}", 2)
    assert open_.client.post("/api/v1/auth/token", json={"username": "alice", "password": PASSWORD}).status_code == 200


def test_the_limits_follow_the_configuration(office, build, clock):
    quick = Driver(build(GRADEFLOW_WALL_CLOCK=clock, GRADEFLOW_SIGNIN_MAX_FAILURES=2, GRADEFLOW_SIGNIN_WINDOW=60))
    fail(quick.client, "alice", 2)
    assert_throttled(sign_in(quick.client, "alice"), retry_after=60)
    clock.set(START + timedelta(seconds=60))
    assert sign_in(quick.client, "alice").status_code == 200


# --- time ----------------------------------------------------------------------------------------------------

def test_the_window_is_wall_clock_time_not_the_manual_clock(office):
    root = office.user("root", "admin")
    office.token(root)
    fail(office.client, "alice", 5)
    moved = office.put("/clock", as_=root, json={"now": "2027-09-01T09:00:00+08:00"})
    assert moved.status_code == 200, moved.get_json()
    assert_throttled(sign_in(office.client, "alice"), retry_after=15 * 60)


def test_old_attempts_are_forgotten_when_new_ones_are_recorded(office, clock):
    fail(office.client, "alice", 3)
    fail(office.client, "nobody-here", 2)
    assert len(attempts(office.app)) == 5
    clock.set(START + WINDOW + timedelta(seconds=1))
    fail(office.client, "bob")
    assert attempts(office.app) == [("bob", "10.1.1.1", "failed")]


# --- across processes ----------------------------------------------------------------------------------------

def test_the_count_is_shared_by_two_app_instances_on_one_database(office, build, clock):
    """Two apps (two gunicorn workers, or two hosts) on the same database count the same attempts."""
    other = build(GRADEFLOW_WALL_CLOCK=clock).test_client()
    for client in (office.client, other, office.client, other, office.client):
        fail(client, "alice")
    assert_throttled(sign_in(other, "alice"))
    assert_throttled(sign_in(office.client, "alice"))
    assert sign_in(other, "bob").status_code == 200


def test_wrong_passwords_sent_at_once_do_not_get_past_the_limit(office):
    """Each attempt is recorded (pending) before its password is verified, under a lock per username: of 20
    wrong passwords sent at once, 5 are judged and 15 refused."""
    barrier = threading.Barrier(20)
    answers = [None] * 20

    def attempt(i):
        client = office.app.test_client()
        barrier.wait()
        answers[i] = sign_in(client, "alice", WRONG).status_code

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert Counter(answers) == {401: 5, 429: 15}, answers
    assert Counter(outcome for _, _, outcome in attempts(office.app)) == {"failed": 5}


# --- failures of the service itself --------------------------------------------------------------------------

def test_nothing_is_half_written_when_recording_the_attempt_fails(office, clock, monkeypatch):
    """The check, the forgetting of old attempts and the new attempt are one transaction: if it fails, none of it
    happened (500), and no password was checked."""
    fail(office.client, "alice", 2)
    clock.set(START + WINDOW + timedelta(seconds=1))

    def broken(self, *args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(SignInAttemptRepository, "begin", broken)
    assert_problem(sign_in(office.client, "alice"), 500, "internal_error")
    assert attempts(office.app) == [("alice", "10.1.1.1", "failed")] * 2  # not forgotten: rolled back


def test_nothing_is_half_written_when_recording_the_outcome_fails(office, build, clock, monkeypatch, app):
    """If the outcome cannot be recorded, there is no token and no rehash, and the attempt stays pending: it counts
    as a failure until it leaves the window."""
    stronger = Driver(build(GRADEFLOW_WALL_CLOCK=clock, GRADEFLOW_HASH_TIME_COST=2))  # every stored hash is rehashed
    hash_before = _password_hash(app, "alice")

    def broken(self, *args, **kwargs):
        raise RuntimeError("the connection dropped")

    with monkeypatch.context() as patched:
        patched.setattr(SignInAttemptRepository, "finish", broken)
        body = assert_problem(sign_in(stronger.client, "alice"), 500, "internal_error")
    assert "access_token" not in body
    assert _password_hash(app, "alice") == hash_before
    assert attempts(app) == [("alice", "10.1.1.1", "pending")]
    fail(stronger.client, "alice", 4)
    assert_throttled(sign_in(stronger.client, "alice"))  # the pending attempt counted as the fifth failure
    clock.set(START + WINDOW)
    signed_in = sign_in(stronger.client, "alice")
    assert signed_in.status_code == 200, signed_in.get_json()
    assert _password_hash(app, "alice") != hash_before and ",t=2," in _password_hash(app, "alice")
    # the token names the rehashed password, so it works
    me = stronger.client.get("/api/v1/me", headers={"Authorization": f"Bearer {signed_in.get_json()['access_token']}"})
    assert me.status_code == 200, me.get_json()


def _password_hash(app, username) -> str:
    with app.app_context():
        try:
            return db.session.execute(sa.text("SELECT password_hash FROM users WHERE username = :u"),
                                      {"u": username}).scalar_one()
        finally:
            db.session.remove()


def test_the_password_is_verified_with_no_transaction_open(office, monkeypatch):
    """Argon2 is slow: on SQLite a unit of work holds the database's write lock, so the verification and the rehash
    happen between the two short transactions, never inside one."""
    from workflow.passwords import Passwords
    seen = []
    verify = Passwords.verify

    def spying(self, password_hash, password):
        seen.append(db.session().in_transaction())
        return verify(self, password_hash, password)

    monkeypatch.setattr(Passwords, "verify", spying)
    assert sign_in(office.client, "alice").status_code == 200
    assert_problem(sign_in(office.client, "nobody-here"), 401, "invalid_credentials")
    assert seen == [False, False]


# --- the document --------------------------------------------------------------------------------------------

def test_the_openapi_document_lists_429_with_retry_after_on_sign_in(office):
    spec = office.client.get("/api/v1/openapi.json").get_json()
    answer = spec["paths"]["/api/v1/auth/token"]["post"]["responses"]["429"]
    assert "too_many_attempts" in answer["description"]
    assert answer["headers"]["Retry-After"]["schema"]["type"] == "integer"
    assert set(answer["content"]) == {"application/problem+json"}
