"""Bearer tokens: signed HS256, naming the user and a stamp of their credentials, expiring by the wall clock."""
from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone

import jwt
import pytest

from api.tokens import ALGORITHM, ISSUER, TokenService, credential_stamp
from workflow.clock import FixedClock
from workflow.errors import InvalidToken

SECRET = "unit-test-secret-key-that-is-long-enough-for-hs256"
OTHER_SECRET = "another-secret-key-that-is-also-long-enough-for-hs256"
TTL = 3600
PASSWORD_HASH = "$argon2id$v=19$m=64,t=1,p=2$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
ISSUED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock():
    return FixedClock(ISSUED_AT)


@pytest.fixture
def tokens(clock):
    return TokenService(SECRET, TTL, clock)


def b64url(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def b64url_decode(segment: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def claims(**overrides) -> dict:
    now = int(ISSUED_AT.timestamp())
    values = {"sub": "42", "cst": credential_stamp(PASSWORD_HASH), "iss": ISSUER, "iat": now, "exp": now + TTL}
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def assert_refused(tokens: TokenService, token: str, reason: str = "not valid") -> None:
    with pytest.raises(InvalidToken) as refused:
        tokens.subject(token)
    assert refused.value.code == "invalid_token"
    assert reason in refused.value.detail


def test_issued_token_names_its_user(tokens):
    assert tokens.subject(tokens.issue(42, PASSWORD_HASH)).user_id == 42
    assert tokens.subject(tokens.issue(7, PASSWORD_HASH)).user_id == 7


def test_issued_token_carries_issuer_and_ttl(tokens):
    payload = b64url_decode(tokens.issue(42, PASSWORD_HASH).split(".")[1])
    assert payload == claims()
    assert tokens.ttl_seconds == TTL


def test_token_is_valid_until_its_ttl_ends(tokens, clock):
    token = tokens.issue(42, PASSWORD_HASH)
    clock.set(ISSUED_AT + timedelta(seconds=TTL - 1))
    assert tokens.subject(token).user_id == 42


@pytest.mark.parametrize("after", [timedelta(seconds=TTL), timedelta(seconds=TTL + 1), timedelta(days=30)])
def test_token_expires_by_the_wall_clock(tokens, clock, after):
    token = tokens.issue(42, PASSWORD_HASH)
    clock.set(ISSUED_AT + after)
    assert_refused(tokens, token, "expired")


def test_token_validity_follows_only_the_injected_wall_clock():
    clock = FixedClock(datetime(2099, 1, 1, tzinfo=timezone.utc))
    tokens = TokenService(SECRET, TTL, clock)
    assert tokens.subject(tokens.issue(42, PASSWORD_HASH)).user_id == 42


def test_token_signed_with_another_key_is_refused(tokens, clock):
    forged = TokenService(OTHER_SECRET, TTL, clock).issue(42, PASSWORD_HASH)
    assert_refused(tokens, forged)


@pytest.mark.parametrize("forge", [
    lambda: jwt.encode(claims(), key=None, algorithm="none"),
    lambda: f"{b64url({'alg': 'none', 'typ': 'JWT'})}.{b64url(claims())}.",
], ids=["pyjwt", "hand_crafted"])
def test_unsigned_alg_none_token_is_refused(tokens, forge):
    assert_refused(tokens, forge())


def test_tampered_payload_is_refused(tokens):
    header, _, signature = tokens.issue(42, PASSWORD_HASH).split(".")
    tampered = f"{header}.{b64url(claims(sub='1'))}.{signature}"
    assert_refused(tokens, tampered)


@pytest.mark.parametrize("missing", ["exp", "sub", "cst", "iat", "iss"])
def test_token_missing_a_required_claim_is_refused(tokens, missing):
    token = jwt.encode(claims(**{missing: None}), SECRET, algorithm=ALGORITHM)
    assert_refused(tokens, token)


def test_token_from_another_issuer_is_refused(tokens):
    assert_refused(tokens, jwt.encode(claims(iss="someone-else"), SECRET, algorithm=ALGORITHM))


def test_token_with_a_non_numeric_subject_is_refused(tokens):
    assert_refused(tokens, jwt.encode(claims(sub="admin"), SECRET, algorithm=ALGORITHM), "bad subject")


@pytest.mark.parametrize("garbage", ["", "garbage", "a.b.c", "Bearer x.y.z", "..."])
def test_garbage_token_is_refused(tokens, garbage):
    assert_refused(tokens, garbage)


def test_token_carries_a_stamp_that_changes_with_the_password(tokens):
    subject = tokens.subject(tokens.issue(42, PASSWORD_HASH))
    assert subject.credential_stamp == credential_stamp(PASSWORD_HASH)
    assert credential_stamp(PASSWORD_HASH + "x") != subject.credential_stamp
    assert PASSWORD_HASH not in tokens.issue(42, PASSWORD_HASH)
