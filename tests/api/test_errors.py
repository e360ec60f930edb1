"""Every error under /api/v1 is RFC 9457 problem details with a machine-readable code (issue 2)."""
from __future__ import annotations

import json
import logging

import pytest

from tests.support.answers import assert_problem
from tests.support.driver import Driver
from tests.support.settings import PASSWORD




def assert_not_html(response) -> None:
    text = response.get_data(as_text=True)
    assert "<html" not in text.lower() and "<!doctype" not in text.lower(), text[:200]
    assert "Traceback" not in text, text[:200]
    assert json.loads(text)["status"] == response.status_code


# --- 404 / 405 -------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/api/v1/users/alice/nothing-here",
                                  "/api/v1/docs/assets/no-such-asset.js", "/api/v1/"])
def test_unknown_path_is_problem_json_not_html(gf, path):
    response = gf.client.get(path)
    assert_problem(response, 404, "not_found")
    assert_not_html(response)


@pytest.mark.parametrize("method, path, allowed", [
    ("DELETE", "/api/v1/me", {"GET"}),
    ("POST", "/api/v1/clock", {"GET", "PUT"}),
    ("GET", "/api/v1/auth/token", {"POST"}),
    ("DELETE", "/api/v1/users/alice", {"GET", "PATCH"}),
])
def test_wrong_method_is_405_with_an_allow_header(gf, method, path, allowed):
    response = gf.client.open(path, method=method)
    body = assert_problem(response, 405, "method_not_allowed")
    assert_not_html(response)
    allow = {m.strip() for m in response.headers.get("Allow", "").split(",") if m.strip()}
    assert allowed <= allow, response.headers
    assert method not in allow
    assert method in body["detail"], body


# --- 413 / 415 / 400 -------------------------------------------------------------------------

def test_body_larger_than_the_limit_is_413(gf, build):
    gf.user("alice", "committee")
    client = build(MAX_CONTENT_LENGTH=2048).test_client()
    small = client.post("/api/v1/auth/token", json={"username": "alice", "password": PASSWORD})
    assert small.status_code == 200, small.get_json()
    big = client.post("/api/v1/auth/token", json={"username": "alice", "password": "x" * 4096})
    assert_problem(big, 413, "payload_too_large")
    assert_not_html(big)


def test_large_body_on_an_authenticated_endpoint_is_413(gf, build):
    gf.user("root", "admin")
    driver = Driver(build(MAX_CONTENT_LENGTH=2048))
    response = driver.post("/users", as_="root", json={"username": "bigone", "password": "y" * 5000,
                                                      "roles": ["committee"]})
    assert_problem(response, 413, "payload_too_large")
    assert gf.get("/users/bigone", as_="root").status_code == 404


@pytest.mark.parametrize("content_type, data", [
    ("text/plain", "username=alice&password=x"),
    ("application/x-www-form-urlencoded", "username=alice&password=x"),
    ("application/xml", "<token><username>alice</username></token>"),
])
def test_non_json_body_is_415(gf, content_type, data):
    gf.user("alice", "committee")
    response = gf.client.post("/api/v1/auth/token", data=data, content_type=content_type)
    body = assert_problem(response, 415, "unsupported_media_type")
    assert_not_html(response)
    assert "access_token" not in body


def test_non_json_body_is_415_on_put_and_patch(gf):
    gf.user("root", "admin")
    gf.user("alice", "committee")
    headers = {"Authorization": f"Bearer {gf.token('root')}"}
    put = gf.client.put("/api/v1/clock", data="now=2027-01-01T00:00:00+08:00", content_type="text/plain",
                        headers=headers)
    assert_problem(put, 415, "unsupported_media_type")
    patch = gf.client.patch("/api/v1/users/alice", data="active=false", content_type="text/plain", headers=headers)
    assert_problem(patch, 415, "unsupported_media_type")
    assert gf.get("/users/alice", as_="root").get_json()["active"] is True


@pytest.mark.parametrize("data", [b'{"username": "alice", "password": ', b"{bad json}", b"\xff\xfe{}",
                                  b"{'username': 'alice'}"])
def test_malformed_json_is_400_malformed_json(gf, data):
    gf.user("alice", "committee")
    response = gf.client.post("/api/v1/auth/token", data=data, content_type="application/json")
    body = assert_problem(response, 400, "malformed_json")
    assert_not_html(response)
    assert "access_token" not in body


def test_malformed_json_on_an_authenticated_endpoint_is_400(gf):
    gf.user("root", "admin")
    response = gf.put("/clock", as_="root", data=b'{"now": "2027-01-01T00:00:00+08:00"', content_type="application/json")
    assert_problem(response, 400, "malformed_json")
    assert gf.get("/clock", as_="root").get_json()["now"] == "2026-09-01T09:00:00+08:00"


@pytest.mark.parametrize("data", [b"[1, 2]", b'"alice"', b"42", b"null"])
def test_json_that_is_not_an_object_is_422(gf, data):
    response = gf.client.post("/api/v1/auth/token", data=data, content_type="application/json")
    body = assert_problem(response, 422, "validation_error")
    assert body["errors"] and all(e["rule"] for e in body["errors"]), body


# --- 422 -------------------------------------------------------------------------------------

def test_validation_error_names_each_field_with_its_rule(gf):
    gf.user("root", "admin")
    response = gf.post("/users", as_="root", json={"username": "newbie", "roles": "admin", "nickname": "nb",
                                                   "shoe_size": 44})
    body = assert_problem(response, 422, "validation_error")
    found = {(e["field"], e["rule"]) for e in body["errors"]}
    assert found == {("password", "required"), ("roles", "type"), ("nickname", "unknown_field"),
                     ("shoe_size", "unknown_field")}, body
    assert all(e["message"] for e in body["errors"]), body
    for field in ("password", "roles", "nickname", "shoe_size"):
        assert field in body["detail"], body
    assert gf.get("/users/newbie", as_="root").status_code == 404


MANAGER = {"employee_no": "M1", "name": "王芳", "org_unit": "北京分行", "grade": "junior",
           "grade_since": "2025-03-01", "hire_date": "2024-12-01", "supervisor": None}


@pytest.mark.parametrize("method, path, as_, body", [
    ("POST", "/auth/token", None, {"username": "alice", "password": PASSWORD, "otp": "123456"}),
    ("PUT", "/me/password", "alice", {"current_password": PASSWORD, "new_password": "a long new one!", "otp": "1"}),
    ("POST", "/users", "root", {"username": "bob", "password": PASSWORD, "roles": ["committee"], "otp": "x"}),
    ("PATCH", "/users/alice", "root", {"active": False, "otp": "x"}),
    ("PUT", "/clock", "root", {"now": "2027-01-01T00:00:00+08:00", "otp": "x"}),
    ("POST", "/managers", "hr1", MANAGER | {"otp": "x"}),
])
def test_unknown_fields_are_refused_naming_them(gf, method, path, as_, body):
    gf.user("root", "admin")
    gf.user("hr1", "hr")
    gf.user("alice", "committee")
    response = gf.request(method, path, as_, json=body)
    problem = assert_problem(response, 422, "validation_error", field="otp", rule="unknown_field")
    assert [e["field"] for e in problem["errors"]] == ["otp"], problem
    # nothing happened
    assert gf.get("/users/alice", as_="root").get_json()["active"] is True
    assert gf.get("/users/bob", as_="root").status_code == 404
    assert gf.get("/clock", as_="root").get_json()["now"] == "2026-09-01T09:00:00+08:00"
    assert gf.get("/managers/M1", as_="hr1").status_code == 404


# --- 401 / 403 -------------------------------------------------------------------------------

def test_unauthenticated_and_forbidden_are_problem_json(gf):
    gf.user("alice", "committee")
    unauthenticated = gf.get("/users")
    assert_problem(unauthenticated, 401, "invalid_token")
    assert_not_html(unauthenticated)
    forbidden = gf.get("/users", as_="alice")
    assert_problem(forbidden, 403, "forbidden")
    assert_not_html(forbidden)


# --- 500 -------------------------------------------------------------------------------------

def test_unexpected_error_is_500_without_internals(build, caplog):
    app = build()

    @app.get("/api/v1/_boom")
    def boom():
        raise RuntimeError("secret internals")

    caplog.set_level(logging.ERROR)
    driver = Driver(app)
    driver.user("alice", "committee")
    response = driver.get("/_boom", as_="alice")
    body = assert_problem(response, 500, "internal_error")
    text = response.get_data(as_text=True)
    assert "secret internals" not in text
    assert "Traceback" not in text and "RuntimeError" not in text
    assert "<html" not in text.lower()
    assert set(body) <= {"type", "title", "status", "detail", "code"}, body
    # the internals go to the log instead
    assert "secret internals" in caplog.text
