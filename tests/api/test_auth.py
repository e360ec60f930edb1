"""Sign-in, bearer tokens, /me, password changes and the secret that signs tokens (issue 2)."""
from __future__ import annotations

import logging
import time

import jwt
import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from click.testing import CliRunner

from api.config import ConfigError, require_serving_config
from models import db
from tests.support.answers import assert_problem
from tests.support.settings import PASSWORD

TEST_KEY = "test-secret-key-that-is-long-enough-for-hs256"
ISSUER = "gradeflow"
DEFAULT_TTL = 8 * 3600




def sign_in(client, username, password=PASSWORD):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def identity(token: str) -> dict:
    """The claims naming a user in a token the service issued (subject and credential stamp)."""
    claims = claims_of(token)
    return {"sub": claims["sub"], "cst": claims["cst"]}


def craft(who: dict, *, key=TEST_KEY, algorithm="HS256", iss=ISSUER, iat=None, exp=None, drop=()) -> str:
    now = int(time.time())
    claims = {**who, "iss": iss, "iat": now if iat is None else iat, "exp": now + 600 if exp is None else exp}
    for name in drop:
        claims.pop(name)
    return jwt.encode(claims, key, algorithm=algorithm)


def stored_password_hash(app, username: str) -> str:
    with app.app_context():
        try:
            return db.session.execute(sa.text("SELECT password_hash FROM users WHERE username = :u"),
                                      {"u": username}).scalar_one()
        finally:
            db.session.remove()


# --- sign-in ---------------------------------------------------------------------------------

def test_sign_in_issues_a_signed_expiring_bearer_token(gf):
    gf.user("alice", "committee")
    response = sign_in(gf.client, "alice")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) == {"access_token", "token_type", "expires_in"}, body
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == DEFAULT_TTL
    # signed with the configured key (HS256), by the gradeflow issuer, expiring after expires_in
    claims = jwt.decode(body["access_token"], TEST_KEY, algorithms=["HS256"], issuer=ISSUER)
    assert claims["exp"] - claims["iat"] == body["expires_in"]
    assert PASSWORD not in body["access_token"] and PASSWORD not in str(claims)
    me = gf.client.get("/api/v1/me", headers=bearer(body["access_token"]))
    assert me.status_code == 200 and me.get_json()["username"] == "alice", me.get_json()


def test_token_lifetime_follows_configured_ttl(gf, build):
    gf.user("alice", "committee")
    short = build(GRADEFLOW_TOKEN_TTL=60)
    body = sign_in(short.test_client(), "alice").get_json()
    assert body["expires_in"] == 60, body
    claims = claims_of(body["access_token"])
    assert claims["exp"] - claims["iat"] == 60


def test_token_expiry_is_counted_from_the_wall_clock(gf):
    gf.user("root", "admin")
    # move the manual clock far away from the wall clock: the token must not follow it
    moved = gf.put("/clock", as_="root", json={"now": "2030-01-01T00:00:00+08:00"})
    assert moved.status_code == 200, moved.get_json()
    before = time.time()
    body = sign_in(gf.client, "root").get_json()
    claims = claims_of(body["access_token"])
    assert before - 5 <= claims["iat"] <= time.time() + 5, claims
    assert abs(claims["exp"] - (before + DEFAULT_TTL)) <= 10, claims


def test_wrong_password_is_invalid_credentials(gf):
    gf.user("alice", "committee")
    response = sign_in(gf.client, "alice", "not the password at all")
    body = assert_problem(response, 401, "invalid_credentials")
    assert "access_token" not in body


def test_unknown_user_is_invalid_credentials_like_a_wrong_password(gf):
    gf.user("alice", "committee")
    unknown = assert_problem(sign_in(gf.client, "nobody-here"), 401, "invalid_credentials")
    wrong = assert_problem(sign_in(gf.client, "alice", "not the password at all"), 401, "invalid_credentials")
    # the same answer, so that the response does not tell which usernames exist
    assert unknown == wrong


def test_switched_off_user_cannot_sign_in(gf):
    gf.user("root", "admin")
    gf.user("alice", "committee")
    switched = gf.patch("/users/alice", as_="root", json={"active": False})
    assert switched.status_code == 200 and switched.get_json()["active"] is False, switched.get_json()
    body = assert_problem(sign_in(gf.client, "alice"), 401, "invalid_credentials")
    assert "access_token" not in body


def test_sign_in_refuses_unknown_fields_naming_them(gf):
    gf.user("alice", "committee")
    response = gf.client.post("/api/v1/auth/token",
                              json={"username": "alice", "password": PASSWORD, "remember_me": True})
    assert_problem(response, 422, "validation_error", field="remember_me", rule="unknown_field")


def test_sign_in_names_missing_fields(gf):
    response = gf.client.post("/api/v1/auth/token", json={"username": "alice"})
    body = assert_problem(response, 422, "validation_error", field="password", rule="required")
    assert [e["field"] for e in body["errors"]] == ["password"], body


def test_password_is_stored_as_an_argon2_hash(gf, app):
    gf.user("alice", "committee")
    stored = stored_password_hash(app, "alice")
    assert stored.startswith("$argon2id$"), stored
    assert PASSWORD not in stored
    assert PasswordHasher().verify(stored, PASSWORD)


def test_sign_in_never_logs_the_password(gf, caplog):
    secret = "unmistakable-Passw0rd-4-logs"
    gf.user("alice", "committee", password=secret)
    caplog.set_level(logging.DEBUG)
    assert sign_in(gf.client, "alice", secret).status_code == 200
    assert sign_in(gf.client, "alice", secret + "-wrong").status_code == 401
    assert sign_in(gf.client, "nobody-here", secret).status_code == 401
    assert secret not in caplog.text
    assert all(secret not in record.getMessage() for record in caplog.records)


# --- bearer tokens ---------------------------------------------------------------------------

def test_missing_token_is_invalid_token(gf):
    response = gf.client.get("/api/v1/me")
    assert_problem(response, 401, "invalid_token")
    assert response.headers.get("WWW-Authenticate", "").startswith("Bearer")


def test_non_bearer_authorization_is_invalid_token(gf):
    gf.user("alice", "committee")
    response = gf.client.get("/api/v1/me", headers={"Authorization": f"Basic {gf.token('alice')}"})
    assert_problem(response, 401, "invalid_token")


def test_malformed_token_is_invalid_token(gf):
    response = gf.client.get("/api/v1/me", headers=bearer("not-a-jwt"))
    assert_problem(response, 401, "invalid_token")


def test_crafted_token_with_the_right_key_is_accepted(gf):
    """The control for the refusals below: a token crafted like the service's own works."""
    gf.user("alice", "committee")
    who = identity(gf.token("alice"))
    response = gf.client.get("/api/v1/me", headers=bearer(craft(who)))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["username"] == "alice"


def test_expired_token_is_invalid_token(gf, build):
    gf.user("alice", "committee")
    short = build(GRADEFLOW_TOKEN_TTL=60)
    client = short.test_client()
    who = identity(sign_in(client, "alice").get_json()["access_token"])
    now = int(time.time())
    fresh = client.get("/api/v1/me", headers=bearer(craft(who, iat=now - 30, exp=now + 30)))
    assert fresh.status_code == 200 and fresh.get_json()["username"] == "alice", fresh.get_json()
    expired = client.get("/api/v1/me", headers=bearer(craft(who, iat=now - 120, exp=now - 60)))
    assert_problem(expired, 401, "invalid_token")


def test_token_without_expiry_is_invalid_token(gf):
    gf.user("alice", "committee")
    who = identity(gf.token("alice"))
    response = gf.client.get("/api/v1/me", headers=bearer(craft(who, drop=("exp",))))
    assert_problem(response, 401, "invalid_token")


def test_forged_token_is_invalid_token(gf):
    gf.user("alice", "admin")
    who = identity(gf.token("alice"))
    forged = craft(who, key="another-secret-key-that-is-long-enough-for-hs256")
    assert_problem(gf.client.get("/api/v1/me", headers=bearer(forged)), 401, "invalid_token")
    assert_problem(gf.client.get("/api/v1/clock", headers=bearer(forged)), 401, "invalid_token")


def test_tampered_token_is_invalid_token(gf):
    gf.user("alice", "committee")
    gf.user("root", "admin")
    header, _, signature = gf.token("alice").split(".")
    root_payload = gf.token("root").split(".")[1]
    response = gf.client.get("/api/v1/me", headers=bearer(f"{header}.{root_payload}.{signature}"))
    assert_problem(response, 401, "invalid_token")


def test_alg_none_token_is_refused(gf):
    gf.user("alice", "admin")
    who = identity(gf.token("alice"))
    unsigned = craft(who, key=None, algorithm="none")
    assert jwt.get_unverified_header(unsigned)["alg"] == "none"
    assert_problem(gf.client.get("/api/v1/me", headers=bearer(unsigned)), 401, "invalid_token")
    # the same with the signature of a real token appended is still refused
    signature = gf.token("alice").split(".")[2]
    assert_problem(gf.client.get("/api/v1/me", headers=bearer(unsigned + signature)), 401, "invalid_token")


def test_token_from_another_issuer_is_invalid_token(gf):
    gf.user("alice", "committee")
    who = identity(gf.token("alice"))
    response = gf.client.get("/api/v1/me", headers=bearer(craft(who, iss="someone-else")))
    assert_problem(response, 401, "invalid_token")


def test_token_of_unknown_user_is_invalid_token(gf):
    gf.user("alice", "committee")
    who = identity(gf.token("alice"))
    response = gf.client.get("/api/v1/me", headers=bearer(craft({**who, "sub": str(int(who["sub"]) + 1000)})))
    assert_problem(response, 401, "invalid_token")


def test_token_survives_moving_the_manual_clock_a_year_forward(gf):
    gf.user("root", "admin")
    token = gf.token("root")
    moved = gf.put("/clock", as_="root", json={"now": "2027-09-01T09:00:00+08:00"})
    assert moved.status_code == 200 and moved.get_json()["now"] == "2027-09-01T09:00:00+08:00", moved.get_json()
    me = gf.client.get("/api/v1/me", headers=bearer(token))
    assert me.status_code == 200, me.get_json()
    assert me.get_json()["username"] == "root"
    clock = gf.client.get("/api/v1/clock", headers=bearer(token))
    assert clock.status_code == 200 and clock.get_json()["now"] == "2027-09-01T09:00:00+08:00", clock.get_json()


# --- /me -------------------------------------------------------------------------------------

def test_me_returns_username_roles_and_employee_no(gf):
    gf.manager("M001", "junior", login=True, roles=("supervisor", "employee"))
    response = gf.get("/me", as_="m001")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"username": "m001", "roles": ["employee", "supervisor"], "employee_no": "M001"}


def test_me_for_a_user_without_employee_no(gf):
    gf.user("chair", "hr", "committee")
    response = gf.get("/me", as_="chair")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"username": "chair", "roles": ["committee", "hr"], "employee_no": None}


# --- PUT /me/password ------------------------------------------------------------------------

NEW_PASSWORD = "a brand new passphrase"


def test_password_change_replaces_the_old_password(gf, app):
    gf.user("alice", "committee")
    old_hash = stored_password_hash(app, "alice")
    response = gf.put("/me/password", as_="alice", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 204, response.get_json()
    assert response.get_data() == b""
    assert_problem(sign_in(gf.client, "alice", PASSWORD), 401, "invalid_credentials")
    fresh = sign_in(gf.client, "alice", NEW_PASSWORD)
    assert fresh.status_code == 200 and fresh.get_json()["token_type"] == "Bearer", fresh.get_json()
    new_hash = stored_password_hash(app, "alice")
    assert new_hash != old_hash and new_hash.startswith("$argon2id$") and NEW_PASSWORD not in new_hash


def test_password_change_with_wrong_current_password_is_refused(gf):
    gf.user("alice", "committee")
    response = gf.put("/me/password", as_="alice",
                      json={"current_password": "not the password at all", "new_password": NEW_PASSWORD})
    assert_problem(response, 401, "invalid_credentials")
    assert sign_in(gf.client, "alice", PASSWORD).status_code == 200
    assert_problem(sign_in(gf.client, "alice", NEW_PASSWORD), 401, "invalid_credentials")


def test_password_change_refuses_a_too_short_new_password(gf):
    gf.user("alice", "committee")
    response = gf.put("/me/password", as_="alice", json={"current_password": PASSWORD, "new_password": "short"})
    assert_problem(response, 422, "validation_error", field="new_password", rule="password_length")
    assert sign_in(gf.client, "alice", PASSWORD).status_code == 200


def test_password_change_needs_a_token(gf):
    gf.user("alice", "committee")
    response = gf.client.put("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert_problem(response, 401, "invalid_token")
    assert sign_in(gf.client, "alice", PASSWORD).status_code == 200


def test_password_change_never_logs_the_passwords(gf, caplog):
    gf.user("alice", "committee")
    caplog.set_level(logging.DEBUG)
    gf.token("alice")
    new = "another-unmistakable-Passw0rd"
    response = gf.put("/me/password", as_="alice", json={"current_password": PASSWORD, "new_password": new})
    assert response.status_code == 204, response.get_json()
    assert PASSWORD not in caplog.text and new not in caplog.text


# --- the signing secret ----------------------------------------------------------------------

def test_serving_in_production_refuses_a_missing_secret_key(build):
    production = build(GRADEFLOW_MODE="production", SECRET_KEY=None, GRADEFLOW_CLOCK="system")
    with pytest.raises(ConfigError, match="GRADEFLOW_SECRET_KEY"):
        require_serving_config(production)


def test_serving_in_production_accepts_a_secret_key(build):
    production = build(GRADEFLOW_MODE="production", SECRET_KEY="a-production-secret-that-is-long-enough-1234",
                       GRADEFLOW_CLOCK="system")
    assert require_serving_config(production) is None


def test_gradeflow_serve_command_refuses_production_without_secret_key(monkeypatch, tmp_path):
    import api.server
    from api.cli import cli

    started = []
    monkeypatch.setattr(api.server, "run_gunicorn", lambda **kw: started.append(kw))
    for name in ("GRADEFLOW_SECRET_KEY", "GRADEFLOW_ENV", "GRADEFLOW_CLOCK", "GRADEFLOW_CLOCK_START"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GRADEFLOW_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    monkeypatch.setenv("GRADEFLOW_INSTANCE_PATH", str(tmp_path / "instance"))
    result = CliRunner().invoke(cli, ["serve", "--port", "18999"])
    assert result.exit_code != 0, result.output
    assert "GRADEFLOW_SECRET_KEY" in result.output
    assert started == []
