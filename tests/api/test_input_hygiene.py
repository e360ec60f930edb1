"""Hostile or sloppy input is refused before it reaches the database, and strangers learn nothing."""
from __future__ import annotations

import pytest

from tests.support.answers import assert_problem

MANAGER = {"employee_no": "M1", "name": "王芳", "org_unit": "北京分行", "grade": "junior",
           "grade_since": "2025-03-01", "hire_date": "2024-12-01", "supervisor": None}


def test_unknown_query_parameter_is_refused_naming_it(gf):
    gf.user("hr1", "hr")
    body = assert_problem(gf.get("/managers?orgunit=北京分行", as_="hr1"), 422, "validation_error",
                          field="orgunit", rule="unknown_field")
    assert body["errors"][0]["location"] == "query"


def test_authentication_comes_before_validation(gf):
    response = gf.post("/managers", json={"bogus": 1})
    body = assert_problem(response, 401, "invalid_token")
    assert "errors" not in body and "bogus" not in response.get_data(as_text=True)


def test_authentication_comes_before_validation_of_query_parameters(gf):
    assert_problem(gf.get("/managers?per_page=0"), 401, "invalid_token")


@pytest.mark.parametrize("field, value", [
    ("name", "王\x00芳"), ("org_unit", "北京\x07分行"), ("grade", "jun\x00ior"), ("education", "本科\x1b"),
])
def test_control_characters_are_refused_in_text_fields(gf, field, value):
    gf.user("hr1", "hr")
    response = gf.post("/managers", as_="hr1", json={**MANAGER, field: value})
    assert_problem(response, 422, "validation_error", field=field, rule="no_control_characters")
    assert_problem(gf.get("/managers/M1", as_="hr1"), 404, "not_found")


def test_control_characters_are_refused_in_query_parameters(gf):
    gf.user("hr1", "hr")
    assert_problem(gf.get("/managers?org_unit=a%00b", as_="hr1"), 422, "validation_error",
                   field="org_unit", rule="no_control_characters")


def test_sign_in_with_a_control_character_in_the_username_is_refused(gf):
    response = gf.client.post("/api/v1/auth/token", json={"username": "a\u0000b", "password": "whatever-it-is"})
    assert_problem(response, 422, "validation_error", field="username", rule="no_control_characters")


@pytest.mark.parametrize("path", ["/managers/A%00B", "/managers/A%00B/grade-history", "/managers/%E7%8E%8B",
                                  "/managers/-M1/performance", "/users/a%00b"])
def test_a_path_that_cannot_name_a_record_is_not_found(gf, path):
    gf.user("hr1", "hr")
    assert_problem(gf.get(path, as_="hr1"), 404, "not_found")


def test_non_bmp_and_markup_text_is_stored_and_returned_verbatim(gf):
    gf.user("hr1", "hr")
    name = "𠮷野家 <script>alert(1)</script> '; DROP TABLE managers; --"
    created = gf.post("/managers", as_="hr1", json={**MANAGER, "name": name})
    assert created.status_code == 201, created.get_json()
    assert gf.get("/managers/M1", as_="hr1").get_json()["name"] == name
