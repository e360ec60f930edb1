"""Error documents never repeat the caller's raw input (issue 10, point 4): markup sent in the path, in query
parameters, in field names, in field values or in headers comes back in no problem, neither as the bytes of
the answer nor in any string of the parsed document.

A path is never repeated (404 "nothing at this address"; 405 names the route as the OpenAPI document writes
it); values are quoted only when they are plain codes (workflow.errors.quoted); a field the caller named is
named back with each markup character written as its JSON escape (api.problems.harmless), so that it can
still be recognised; and as a second line, '<', '>' and '&' are JSON escapes in every problem's bytes.
"""
from __future__ import annotations

import base64
import json

import pytest

from tests.support.answers import assert_problem, ok
from tests.support.settings import PASSWORD
from tests.support.world import BOSS, CYCLE, HR, candidate, organisation
from tests.support.worlds import world_fixture

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
SVG = "<svg/onload=alert(1)>"
MARKUP = (SCRIPT, IMG, SVG)
MARKERS = ("<script", "<img", "<svg", "</", "<")  # "<" last: no string of a problem holds one at all
ENCODED = {SCRIPT: "%3Cscript%3Ealert(1)%3C%2Fscript%3E", IMG: "%3Cimg%20src=x%20onerror=alert(1)%3E",
           SVG: "%3Csvg%2Fonload=alert(1)%3E"}
MANAGER = {"employee_no": "M1", "name": "王芳", "org_unit": "北京分行", "grade": "junior",
           "grade_since": "2025-03-01", "hire_date": "2024-12-01", "supervisor": None}


def strings_in(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from strings_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings_in(value)


def assert_no_markup(response) -> dict:
    """A problem (4xx, problem+json) whose bytes and parsed strings hold no markup."""
    text = response.get_data(as_text=True)
    assert 400 <= response.status_code < 500, (response.status_code, text[:300])
    assert response.mimetype == "application/problem+json", text[:300]
    assert "<" not in text and ">" not in text, text
    body = json.loads(text)
    for string in strings_in(body):
        for marker in MARKERS:
            assert marker not in string, (marker, body)
    return body


@pytest.fixture
@world_fixture
def world(gf):
    organisation(gf)
    gf.manager("M1", "junior")
    candidate(gf, "E001")  # may apply in CYCLE; signs in as e001
    return gf


def submitted_case(gf) -> int:
    return ok(gf.post("/cases", as_="e001", json={"cycle": CYCLE, "target_grade": "mid", "statement": "x"}), 201)["id"]


# --- the path ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("markup", MARKUP, ids=["script", "img", "svg"])
@pytest.mark.parametrize("template", ["/api/v1/cases/{}", "/api/v1/{}", "/api/v1/users/{}", "/api/v1/managers/{}",
                                      "/api/v1/managers/{}/grade-history", "/api/v1/cycles/{}/decide",
                                      "/api/v1/calendar/days/{}", "/api/v1/evaluations/{}/close"])
def test_a_404_repeats_none_of_the_path(world, template, markup):
    path = template.format(ENCODED[markup])
    for response in (world.client.get(path), world.get(path.removeprefix("/api/v1"), as_=HR)
                     if path.startswith("/api/v1") else world.client.get(path, headers={"X-Any": "1"})):
        body = assert_no_markup(response)
        assert body["code"] in ("not_found", "invalid_token"), body
        assert "alert" not in json.dumps(body) and "onerror" not in json.dumps(body), body


def test_a_404_says_nothing_at_this_address(world):
    body = assert_problem(world.get(f"/cases/{ENCODED[SCRIPT]}", as_=HR), 404, "not_found")
    assert body["detail"] == "nothing at this address", body


@pytest.mark.parametrize("method, path, route", [
    ("DELETE", f"/api/v1/users/{ENCODED[SCRIPT]}", None),  # no route takes that path: 404 before 405
    ("DELETE", "/api/v1/users/li", "/api/v1/users/{username}"),
    ("PUT", "/api/v1/cases/12", "/api/v1/cases/{case_id}"),
    ("DELETE", "/api/v1/managers/M1/grade-history", "/api/v1/managers/{employee_no}/grade-history"),
    ("GET", "/api/v1/auth/token", "/api/v1/auth/token"),
])
def test_a_405_names_the_route_as_the_document_writes_it_never_the_path(world, method, path, route):
    response = world.client.open(path, method=method, headers={"Authorization": f"Bearer {world.token(HR)}"})
    body = assert_no_markup(response)
    if route is None:
        assert body["code"] == "not_found", body
        return
    assert body["code"] == "method_not_allowed", body
    assert body["detail"] == f"{method} is not allowed on {route}", body


def test_a_method_that_is_no_plain_word_is_not_repeated(world):
    response = world.client.open("/api/v1/me", method="<SCRIPT>", headers={"Authorization": f"Bearer {world.token(HR)}"})
    body = assert_no_markup(response)
    assert body["code"] == "method_not_allowed", body
    assert body["detail"] == "this method is not allowed on /api/v1/me", body


# --- query parameters -------------------------------------------------------------------------------------

@pytest.mark.parametrize("markup", MARKUP, ids=["script", "img", "svg"])
@pytest.mark.parametrize("query", ["/managers?{}=1", "/managers?grade=junior&{}=x", "/me?{}", "/cases?state={}",
                                   "/cases?kind={}", "/cases?mine={}", "/cases?page={}", "/users?per_page={}",
                                   "/calendar/days?from={}&to=2026-10-01", "/calendar/days?from=2026-10-01&to={}",
                                   "/cycles?{}={}"])
def test_markup_in_a_query_parameter_name_or_value_is_never_repeated(world, query, markup):
    response = world.get(query.format(ENCODED[markup], ENCODED[markup]), as_=HR)
    body = assert_no_markup(response)
    assert body["code"] == "validation_error", body


def test_an_unknown_query_parameter_is_named_with_its_markup_escaped(world):
    body = assert_problem(world.get(f"/managers?{ENCODED[SCRIPT]}=1", as_=HR), 422, "validation_error",
                          field="\\u003cscript\\u003ealert(1)\\u003c/script\\u003e", rule="unknown_field")
    assert body["errors"][0]["location"] == "query", body


# --- field names ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("markup", MARKUP, ids=["script", "img", "svg"])
@pytest.mark.parametrize("method, path, as_, body", [
    ("POST", "/auth/token", None, {"username": HR, "password": PASSWORD}),
    ("POST", "/users", "root", {"username": "li", "password": PASSWORD, "roles": ["committee"]}),
    ("PATCH", "/users/cm2", "root", {"active": False}),
    ("POST", "/managers", HR, MANAGER | {"employee_no": "M2"}),
    ("POST", "/cycles", HR, {"code": "X1", "name": "n"}),
    ("PUT", f"/cycles/{CYCLE}/committee", HR, {"chair": "chair", "members": ["chair", "cm2", "cm3"]}),
    ("POST", f"/cycles/{CYCLE}/decide", HR, {}),
    ("PUT", "/managers/M1/performance/2025", HR, {"score": 80, "months_worked": 12}),
    ("POST", "/cases", "e001", {"cycle": CYCLE, "target_grade": "mid", "statement": "申请"}),
    ("PUT", "/calendar/days/2026-10-09", HR, {"working": True, "name": "调休"}),
])
def test_markup_in_a_field_name_comes_back_escaped(world, method, path, as_, body, markup):
    response = world.request(method, path, as_, json=body | {markup: 1})
    problem = assert_no_markup(response)
    escaped = markup.replace("<", "\\u003c").replace(">", "\\u003e")
    assert_problem(response, 422, "validation_error", field=escaped, rule="unknown_field")
    assert escaped in problem["detail"], problem


def test_a_nested_field_name_is_escaped_too(world):
    response = world.put(f"/cycles/{CYCLE}/committee", as_=HR, json={"chair": "chair", "members": {SCRIPT: "cm2"}})
    assert_no_markup(response)


# --- field values -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("markup", MARKUP, ids=["script", "img", "svg"])
@pytest.mark.parametrize("method, path, as_, body", [
    ("POST", "/users", "root", {"username": "{}", "password": PASSWORD, "roles": ["committee"]}),
    ("POST", "/users", "root", {"username": "li", "password": PASSWORD, "roles": ["{}"]}),
    ("POST", "/users", "root", {"username": "li", "password": PASSWORD, "roles": ["employee"], "employee_no": "{}"}),
    ("PATCH", "/users/cm2", "root", {"roles": ["{}"]}),
    ("PATCH", "/users/cm2", "root", {"active": "{}"}),
    ("POST", "/managers", HR, MANAGER | {"employee_no": "M2", "grade": "{}"}),
    ("POST", "/managers", HR, MANAGER | {"employee_no": "M2", "supervisor": "{}"}),
    ("POST", "/managers", HR, MANAGER | {"employee_no": "{}"}),
    ("POST", "/managers", HR, MANAGER | {"employee_no": "M2", "hire_date": "{}"}),
    ("PATCH", "/managers/M1", HR, {"supervisor": "{}"}),
    ("POST", "/cycles", HR, {"code": "{}", "name": "n"}),
    ("PUT", f"/cycles/{CYCLE}/committee", HR, {"chair": "{}", "members": ["chair", "cm2", "cm3"]}),
    ("PUT", f"/cycles/{CYCLE}/committee", HR, {"chair": "chair", "members": ["chair", "cm2", "{}"]}),
    ("PUT", "/managers/M1/performance/2025", HR, {"score": "{}", "months_worked": 12}),
    ("POST", "/cases", "e001", {"cycle": "{}", "target_grade": "mid", "statement": "申请"}),
    ("POST", "/cases", "e001", {"cycle": CYCLE, "target_grade": "{}", "statement": "申请"}),
    ("POST", "/cases", HR, {"kind": "{}", "employee_no": "E001", "statement": "申请"}),
    ("POST", "/cases", HR, {"cycle": CYCLE, "target_grade": "mid", "employee_no": "{}", "statement": "申请"}),
    ("POST", "/cases/{case}/events", BOSS, {"event": "{}"}),
    ("POST", "/cases/{case}/events", BOSS, {"event": "approve_materials", "supervisor_score": "{}"}),
    ("POST", "/cases/{case}/events", BOSS, {"event": "approve_materials", "supervisor_score": 80, "version": "{}"}),
    ("PUT", "/cases/{case}/score", "cm2", {"score": "{}"}),
    ("PUT", "/clock", "root", {"now": "{}"}),
    ("PUT", "/calendar/days/2026-10-09", HR, {"working": "{}", "name": "调休"}),
    ("PUT", "/me/password", "cm2", {"current_password": "{}", "new_password": "a long new passphrase"}),
])
def test_markup_in_a_field_value_is_never_repeated(world, method, path, as_, body, markup):
    if "{case}" in path:
        path = path.replace("{case}", str(submitted_case(world)))
    sent = json.loads(json.dumps(body).replace('"{}"', json.dumps(markup)))
    assert_no_markup(world.request(method, path, as_, json=sent))


@pytest.mark.parametrize("markup", MARKUP, ids=["script", "img", "svg"])
def test_markup_as_a_username_at_sign_in_is_not_repeated_and_answers_like_any_unknown_name(world, markup):
    answer = assert_no_markup(world.client.post("/api/v1/auth/token", json={"username": markup, "password": "x"}))
    plain = assert_problem(world.client.post("/api/v1/auth/token", json={"username": "nobody", "password": "x"}),
                           401, "invalid_credentials")
    assert answer == plain


# --- headers ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("markup", MARKUP, ids=["script", "img", "svg"])
def test_markup_in_a_content_type_is_not_repeated(world, markup):
    response = world.post("/cycles", as_=HR, data='{"code": "X1", "name": "n"}', content_type=markup)
    body = assert_no_markup(response)
    assert body["code"] == "unsupported_media_type" and "application/json" in body["detail"], body


def test_a_plain_content_type_is_still_named(world):
    body = assert_problem(world.post("/cycles", as_=HR, data="x", content_type="text/plain"), 415,
                          "unsupported_media_type")
    assert "text/plain" in body["detail"], body


def _segment(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize("markup", MARKUP, ids=["script", "img", "svg"])
def test_markup_inside_a_token_is_not_repeated(world, markup):
    """PyJWT's message for an unsupported `crit` header quotes it: the answer names the kind of flaw only."""
    crafted = f"{_segment({'alg': 'HS256', 'typ': 'JWT', 'crit': [markup]})}.{_segment({'sub': '1'})}.c2ln"
    body = assert_no_markup(world.client.get("/api/v1/me", headers={"Authorization": f"Bearer {crafted}"}))
    assert body["code"] == "invalid_token", body


@pytest.mark.parametrize("markup", MARKUP, ids=["script", "img", "svg"])
@pytest.mark.parametrize("header", ["If-Match", "Idempotency-Key"])
def test_markup_in_if_match_or_idempotency_key_is_not_repeated(world, markup, header):
    """(A key of visible ASCII, `<script>` too, is a valid key: the request without its score fails anyway.)"""
    response = world.post(f"/cases/{submitted_case(world)}/events", as_=BOSS, headers={header: markup},
                          json={"event": "approve_materials"})
    assert_no_markup(response)
