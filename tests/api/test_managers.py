"""/managers: registration, reading, corrections, listing (issue 2, "Managers and performance").

Every refusal names the field and the rule it broke, and stores nothing.
The manual clock stands at 2026-09-01T09:00+08:00, so "today" is 2026-09-01.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from tests.support.answers import assert_problem
from tests.support.driver import Driver
from tests.support.worlds import world_fixture

HR = "hr1"


def registration(**overrides) -> dict:
    body = {"employee_no": "M100", "name": "王芳", "org_unit": "北京分行", "grade": "junior",
            "grade_since": "2025-03-01", "hire_date": "2024-12-01", "supervisor": None}
    body.update(overrides)
    return body


@pytest.fixture
@world_fixture
def hr(gf):
    return gf.user(HR, "hr")


def _is_absent(gf, employee_no: str) -> None:
    """Nothing was stored: the number is unknown to hr, and the list is as it was."""
    assert_problem(gf.get(f"/managers/{employee_no}", as_=HR), 404, "not_found")


# --- registration -----------------------------------------------------------------------

def test_hr_registers_a_manager_with_every_field(gf, hr):
    gf.manager("S1", "senior")
    created = gf.post("/managers", as_=HR, json=registration(supervisor="S1", education="硕士", birth_date="1990-05-17",
                                                             certificates=["营销师", "理财规划师"]))
    assert created.status_code == 201, created.get_json()
    expected = {"employee_no": "M100", "name": "王芳", "org_unit": "北京分行", "grade": "junior",
                "grade_since": "2025-03-01", "hire_date": "2024-12-01", "supervisor": "S1",
                "education": "硕士", "birth_date": "1990-05-17", "certificates": ["营销师", "理财规划师"],
                "status": "active"}
    body = created.get_json()
    assert {k: body[k] for k in expected} == expected
    assert body["created_at"] == "2026-09-01T09:00:00+08:00"
    read = gf.get("/managers/M100", as_=HR)
    assert read.status_code == 200
    assert {k: read.get_json()[k] for k in expected} == expected


def test_registration_trims_names_and_defaults_education_to_null(gf, hr):
    created = gf.post("/managers", as_=HR, json=registration(name="  王芳 ", org_unit=" 北京分行"))
    assert created.status_code == 201, created.get_json()
    body = gf.get("/managers/M100", as_=HR).get_json()
    assert (body["name"], body["org_unit"], body["education"], body["supervisor"]) == ("王芳", "北京分行", None, None)
    assert (body["birth_date"], body["certificates"]) == (None, [])


@pytest.mark.parametrize("fields, field, rule", [
    ({"birth_date": "2008-12-02"}, "birth_date", "working_age"),  # 15 on the hire date 2024-12-01
    ({"certificates": ["营销师", "营销师"]}, "certificates", "listed_twice"),
    ({"certificates": ["营销师", " "]}, "certificates.1", "length"),
    ({"certificates": "营销师"}, "certificates", "type"),
    ({"certificates": [f"证书{i}" for i in range(21)]}, "certificates", "length"),
    ({"birth_date": "1990-13-01"}, "birth_date", "type"),
], ids=["under_sixteen_when_hired", "certificate_twice", "blank_certificate", "not_a_list", "too_many", "bad_date"])
def test_a_birth_date_and_certificates_are_checked_and_nothing_is_stored(gf, hr, fields, field, rule):
    refused = gf.post("/managers", as_=HR, json=registration(**fields))
    assert_problem(refused, 422, "validation_error", field=field, rule=rule)
    _is_absent(gf, "M100")


def test_hr_records_and_corrects_a_birth_date_and_certificates(gf, hr):
    assert gf.post("/managers", as_=HR, json=registration()).status_code == 201
    corrected = gf.patch("/managers/M100", as_=HR, json={"birth_date": "2008-12-01", "certificates": ["营销师"]})
    assert corrected.status_code == 200, corrected.get_json()  # exactly sixteen on the hire date
    assert (corrected.get_json()["birth_date"], corrected.get_json()["certificates"]) == ("2008-12-01", ["营销师"])
    refused = gf.patch("/managers/M100", as_=HR, json={"birth_date": "2008-12-02"})
    assert_problem(refused, 422, "validation_error", field="birth_date", rule="working_age")
    cleared = gf.patch("/managers/M100", as_=HR, json={"birth_date": None, "certificates": []})
    assert (cleared.get_json()["birth_date"], cleared.get_json()["certificates"]) == (None, [])


@pytest.mark.parametrize("grade", ["probation", "junior", "mid", "senior"])
def test_a_manager_is_registered_on_any_active_grade(gf, hr, grade):
    created = gf.post("/managers", as_=HR, json=registration(grade=grade))
    assert created.status_code == 201, created.get_json()
    assert gf.get("/managers/M100", as_=HR).get_json()["grade"] == grade


def test_dates_of_today_are_not_in_the_future(gf, hr):
    created = gf.post("/managers", as_=HR, json=registration(hire_date="2026-09-01", grade_since="2026-09-01"))
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["grade_since"] == "2026-09-01"


@pytest.fixture
def early_morning(app, make_app):
    """A second app on the same (emptied afterwards) database whose clock reads 2026-09-01T07:00+08:00."""
    early = make_app(GRADEFLOW_CLOCK_START=datetime(2026, 9, 1, 7, 0, tzinfo=timezone(timedelta(hours=8))))
    return Driver(early)


def test_today_is_the_policy_timezones_date(early_morning):
    """At 07:00 in Shanghai it is still the previous day in UTC: 'today' is Shanghai's day."""
    early = early_morning
    early.user(HR, "hr")
    created = early.post("/managers", as_=HR, json=registration(hire_date="2026-09-01", grade_since="2026-09-01"))
    assert created.status_code == 201, created.get_json()
    refused = early.post("/managers", as_=HR,
                         json=registration(employee_no="M101", hire_date="2026-09-02", grade_since="2026-09-02"))
    assert_problem(refused, 422, "validation_error", field="hire_date", rule="not_in_future")


# (overrides of a valid registration, the field named, the rule named)
REGISTRATION_REFUSALS = [
    pytest.param({"grade": "chief"}, "grade", "known_grade", id="unknown_grade"),
    pytest.param({"grade": "Junior"}, "grade", "known_grade", id="grade_codes_are_case_sensitive"),
    pytest.param({"grade": "exited"}, "grade", "active_grade", id="exited_grade"),
    pytest.param({"supervisor": "NOBODY"}, "supervisor", "known_supervisor", id="unknown_supervisor"),
    pytest.param({"supervisor": "M100"}, "supervisor", "no_supervisor_cycle", id="own_supervisor"),
    pytest.param({"hire_date": "2025-03-02", "grade_since": "2025-03-01"}, "grade_since",
                 "hire_date_before_grade_since", id="grade_since_before_hire_date"),
    pytest.param({"hire_date": "2026-09-02", "grade_since": "2026-09-02"}, "hire_date", "not_in_future",
                 id="hire_date_tomorrow"),
    pytest.param({"hire_date": "2026-01-01", "grade_since": "2026-09-02"}, "grade_since", "not_in_future",
                 id="grade_since_tomorrow"),
    pytest.param({"salary": 10000}, "salary", "unknown_field", id="unknown_body_field"),
    pytest.param({"status": "active"}, "status", "unknown_field", id="status_is_not_an_input"),
    pytest.param({"name": None}, "name", "not_null", id="null_name"),
    pytest.param({"name": "   "}, "name", "length", id="blank_name"),
    pytest.param({"org_unit": "x" * 101}, "org_unit", "length", id="long_org_unit"),
    pytest.param({"employee_no": "M 100"}, "employee_no", "pattern", id="employee_no_with_space"),
    pytest.param({"grade_since": "2025-02-30"}, "grade_since", "type", id="impossible_date"),
    pytest.param({"hire_date": "01/12/2024"}, "hire_date", "type", id="date_not_iso"),
]


@pytest.mark.parametrize("overrides, field, rule", REGISTRATION_REFUSALS)
def test_registration_names_the_broken_rule_and_stores_nothing(gf, hr, overrides, field, rule):
    response = gf.post("/managers", as_=HR, json=registration(**overrides))
    body = assert_problem(response, 422, "validation_error", field=field, rule=rule)
    assert field in body["detail"]
    _is_absent(gf, "M100")
    listed = gf.get("/managers", as_=HR)
    assert listed.get_json() == [] and listed.headers["X-Total-Count"] == "0"


@pytest.mark.parametrize("missing", ["employee_no", "name", "org_unit", "grade", "grade_since", "hire_date",
                                     "supervisor"])
def test_every_registration_field_is_required(gf, hr, missing):
    body = registration()
    del body[missing]
    assert_problem(gf.post("/managers", as_=HR, json=body), 422, "validation_error", field=missing, rule="required")
    if missing != "employee_no":
        _is_absent(gf, "M100")


def test_registration_names_every_broken_rule_at_once(gf, hr):
    response = gf.post("/managers", as_=HR, json=registration(grade="chief", supervisor="NOBODY",
                                                              hire_date="2026-09-03", grade_since="2026-09-02"))
    body = assert_problem(response, 422, "validation_error")
    named = {(e["field"], e["rule"]) for e in body["errors"]}
    assert named == {("grade", "known_grade"), ("supervisor", "known_supervisor"),
                     ("grade_since", "hire_date_before_grade_since"), ("hire_date", "not_in_future"),
                     ("grade_since", "not_in_future")}
    _is_absent(gf, "M100")


def test_an_employee_number_is_registered_once(gf, hr):
    assert gf.post("/managers", as_=HR, json=registration()).status_code == 201
    again = gf.post("/managers", as_=HR, json=registration(name="李强", grade="mid"))
    assert_problem(again, 409, "manager_exists")
    kept = gf.get("/managers/M100", as_=HR).get_json()
    assert (kept["name"], kept["grade"]) == ("王芳", "junior")
    assert gf.get("/managers", as_=HR).headers["X-Total-Count"] == "1"


@pytest.mark.parametrize("roles", [("committee",), ("admin",), ("employee",), ("employee", "supervisor")],
                         ids=lambda r: "+".join(r))
def test_only_hr_registers_managers(gf, hr, roles):
    gf.manager("U1", "senior")
    gf.user("other", *roles, employee_no="U1" if "employee" in roles else None)
    response = gf.post("/managers", as_="other", json=registration())
    assert_problem(response, 403, "forbidden")
    _is_absent(gf, "M100")


def test_registration_needs_a_signed_in_caller(gf, hr):
    response = gf.post("/managers", json=registration())
    assert_problem(response, 401, "invalid_token")
    _is_absent(gf, "M100")


@pytest.fixture
def exited(app, gf, hr):
    """X9 has left the ladder (written directly: no case exists yet that could move them)."""
    from models import db
    from models.managers import Manager
    with app.app_context():
        now = datetime(2026, 9, 1, 1, 0, tzinfo=timezone.utc)
        db.session.add(Manager(employee_no="X9", name="离职者", org_unit="北京分行", grade="exited",
                               grade_since=date(2026, 6, 1), hire_date=date(2020, 1, 1), created_at=now,
                               updated_at=now))
        db.session.commit()
    return "X9"


def test_an_exited_manager_shows_as_exited(gf, exited):
    body = gf.get(f"/managers/{exited}", as_=HR).get_json()
    assert (body["grade"], body["status"]) == ("exited", "exited")


def test_an_exited_manager_supervises_nobody(gf, exited):
    refused = gf.post("/managers", as_=HR, json=registration(supervisor=exited))
    assert_problem(refused, 422, "validation_error", field="supervisor", rule="active_supervisor")
    _is_absent(gf, "M100")
    gf.manager("M1")
    refused = gf.patch("/managers/M1", as_=HR, json={"supervisor": exited})
    assert_problem(refused, 422, "validation_error", field="supervisor", rule="active_supervisor")
    assert gf.get("/managers/M1", as_=HR).get_json()["supervisor"] is None


# --- reading ----------------------------------------------------------------------------

def test_an_unknown_manager_is_not_found(gf, hr):
    assert_problem(gf.get("/managers/NOPE", as_=HR), 404, "not_found")
    assert_problem(gf.get("/managers/NOPE/grade-history", as_=HR), 404, "not_found")


def test_a_new_manager_has_an_empty_grade_history(gf, hr):
    gf.manager("M1")
    response = gf.get("/managers/M1/grade-history", as_=HR)
    assert response.status_code == 200
    assert response.get_json() == [] and response.headers["X-Total-Count"] == "0"


# --- corrections ------------------------------------------------------------------------

@pytest.mark.parametrize("change, field, expected", [
    ({"name": "王芳芳"}, "name", "王芳芳"),
    ({"name": "  王芳芳  "}, "name", "王芳芳"),
    ({"org_unit": "上海分行"}, "org_unit", "上海分行"),
    ({"supervisor": "S2"}, "supervisor", "S2"),
    ({"supervisor": None}, "supervisor", None),
    ({"education": "硕士"}, "education", "硕士"),
    ({"education": None}, "education", None),
])
def test_hr_corrects_a_record(gf, hr, change, field, expected):
    gf.manager("S1", "senior")
    gf.manager("S2", "senior")
    created = gf.post("/managers", as_=HR, json=registration(supervisor="S1", education="本科"))
    assert created.status_code == 201
    before = created.get_json()
    response = gf.patch("/managers/M100", as_=HR, json=change)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()[field] == expected
    after = gf.get("/managers/M100", as_=HR).get_json()
    assert after[field] == expected
    unchanged = {k for k in ("employee_no", "name", "org_unit", "grade", "grade_since", "hire_date", "supervisor",
                             "education", "status")} - {field}
    assert {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}


def test_several_fields_are_corrected_together(gf, hr):
    gf.manager("S1", "senior")
    gf.manager("M1")
    response = gf.patch("/managers/M1", as_=HR, json={"name": "李强", "org_unit": "上海分行", "supervisor": "S1"})
    assert response.status_code == 200, response.get_json()
    body = gf.get("/managers/M1", as_=HR).get_json()
    assert (body["name"], body["org_unit"], body["supervisor"]) == ("李强", "上海分行", "S1")


@pytest.mark.parametrize("change", [
    {"grade": "senior"},
    {"name": "王芳芳", "grade": "senior"},
    {"grade_since": "2026-01-01"},
    {"hire_date": "2020-01-01"},
    {"employee_no": "M999"},
    {"status": "exited"},
], ids=lambda c: "+".join(c))
def test_grade_and_fixed_fields_are_not_mass_assignable(gf, hr, change):
    gf.manager("M1", "junior", grade_since=date(2025, 1, 1))
    before = gf.get("/managers/M1", as_=HR).get_json()
    response = gf.patch("/managers/M1", as_=HR, json=change)
    refused = next(k for k in change if k != "name")
    assert_problem(response, 422, "validation_error", field=refused, rule="unknown_field")
    assert gf.get("/managers/M1", as_=HR).get_json() == before
    history = gf.get("/managers/M1/grade-history", as_=HR)
    assert history.get_json() == [] and history.headers["X-Total-Count"] == "0"
    _is_absent(gf, "M999")


def test_a_correction_names_something_to_correct(gf, hr):
    gf.manager("M1")
    before = gf.get("/managers/M1", as_=HR).get_json()
    body = assert_problem(gf.patch("/managers/M1", as_=HR, json={}), 422, "validation_error")
    assert body["errors"], body
    assert gf.get("/managers/M1", as_=HR).get_json() == before


@pytest.fixture
def chain(gf, hr):
    """A supervises B, B supervises C."""
    gf.manager("A", "senior")
    gf.manager("B", "mid", supervisor="A")
    gf.manager("C", "junior", supervisor="B")
    return gf


@pytest.mark.parametrize("new_supervisor", ["A", "B", "C"],
                         ids=["self", "direct_report", "report_of_a_report"])
def test_supervision_never_forms_a_cycle(chain, new_supervisor):
    response = chain.patch("/managers/A", as_=HR, json={"supervisor": new_supervisor, "name": "改名"})
    assert_problem(response, 422, "validation_error", field="supervisor", rule="no_supervisor_cycle")
    body = chain.get("/managers/A", as_=HR).get_json()
    assert (body["supervisor"], body["name"]) == (None, "经理A")


def test_a_manager_may_move_below_a_peer(chain):
    """Not a cycle: C moves from B to A (a supervisor higher up)."""
    response = chain.patch("/managers/C", as_=HR, json={"supervisor": "A"})
    assert response.status_code == 200, response.get_json()
    assert chain.get("/managers/C", as_=HR).get_json()["supervisor"] == "A"


@pytest.mark.parametrize("supervisor, rule", [("NOBODY", "known_supervisor"), ("bad no", "pattern")])
def test_a_correction_to_an_unknown_supervisor_is_refused(chain, supervisor, rule):
    response = chain.patch("/managers/C", as_=HR, json={"supervisor": supervisor})
    assert_problem(response, 422, "validation_error", field="supervisor", rule=rule)
    assert chain.get("/managers/C", as_=HR).get_json()["supervisor"] == "B"


@pytest.mark.parametrize("change, field, rule", [
    ({"name": ""}, "name", "length"),
    ({"org_unit": "   "}, "org_unit", "length"),
    ({"name": None}, "name", "not_null"),
    ({"education": "x" * 101}, "education", "length"),
])
def test_a_correction_is_validated_like_a_registration(chain, change, field, rule):
    before = chain.get("/managers/C", as_=HR).get_json()
    assert_problem(chain.patch("/managers/C", as_=HR, json=change), 422, "validation_error", field=field, rule=rule)
    assert chain.get("/managers/C", as_=HR).get_json() == before


def test_correcting_an_unknown_manager_is_not_found(gf, hr):
    assert_problem(gf.patch("/managers/NOPE", as_=HR, json={"name": "x"}), 404, "not_found")
    _is_absent(gf, "NOPE")


@pytest.mark.parametrize("roles", [("committee",), ("admin",), ("employee",), ("employee", "supervisor")],
                         ids=lambda r: "+".join(r))
def test_only_hr_corrects_records(chain, roles):
    chain.user("other", *roles, employee_no="A" if "employee" in roles else None)
    before = chain.get("/managers/C", as_=HR).get_json()
    response = chain.patch("/managers/C", as_="other", json={"name": "改名", "supervisor": "A"})
    assert_problem(response, 403, "forbidden")
    assert chain.get("/managers/C", as_=HR).get_json() == before


# --- listing ----------------------------------------------------------------------------

@pytest.fixture
def organisation(gf, hr):
    for no, grade, org in [("B1", "senior", "北京分行"), ("B2", "mid", "北京分行"), ("B3", "mid", "北京分行"),
                           ("B4", "junior", "北京分行"), ("S1", "senior", "上海分行"), ("S2", "mid", "上海分行"),
                           ("S3", "probation", "上海分行")]:
        gf.manager(no, grade, org_unit=org)
    return gf


@pytest.mark.parametrize("query, expected", [
    ("", ["B1", "B2", "B3", "B4", "S1", "S2", "S3"]),
    ("?org_unit=北京分行", ["B1", "B2", "B3", "B4"]),
    ("?grade=mid", ["B2", "B3", "S2"]),
    ("?org_unit=上海分行&grade=mid", ["S2"]),
    ("?org_unit=上海分行&grade=junior", []),
    ("?org_unit=广州分行", []),
])
def test_the_list_filters_by_org_unit_and_grade(organisation, query, expected):
    response = organisation.get(f"/managers{query}", as_=HR)
    assert response.status_code == 200, response.get_json()
    assert [m["employee_no"] for m in response.get_json()] == expected
    assert response.headers["X-Total-Count"] == str(len(expected))


def test_the_list_is_paginated_with_the_total(organisation):
    pages = []
    for page in (1, 2, 3, 4):
        response = organisation.get(f"/managers?per_page=3&page={page}", as_=HR)
        assert response.status_code == 200
        assert response.headers["X-Total-Count"] == "7"
        pages.append([m["employee_no"] for m in response.get_json()])
    assert pages == [["B1", "B2", "B3"], ["B4", "S1", "S2"], ["S3"], []]


def test_pagination_applies_after_the_filter(organisation):
    response = organisation.get("/managers?org_unit=北京分行&per_page=2&page=2", as_=HR)
    assert [m["employee_no"] for m in response.get_json()] == ["B3", "B4"]
    assert response.headers["X-Total-Count"] == "4"


def test_the_list_shows_the_full_record(organisation):
    first = organisation.get("/managers?per_page=1", as_=HR).get_json()
    assert first == [organisation.get("/managers/B1", as_=HR).get_json()]


def test_a_page_holds_up_to_500(organisation):
    response = organisation.get("/managers?per_page=500", as_=HR)
    assert response.status_code == 200, response.get_json()
    assert len(response.get_json()) == 7 and response.headers["X-Total-Count"] == "7"


def test_a_page_holds_50_by_default(gf, hr):
    for i in range(51):
        gf.manager(f"M{i:03d}")
    response = gf.get("/managers", as_=HR)
    assert len(response.get_json()) == 50 and response.headers["X-Total-Count"] == "51"
    assert [m["employee_no"] for m in gf.get("/managers?page=2", as_=HR).get_json()] == ["M050"]


@pytest.mark.parametrize("query, field", [
    ("per_page=501", "per_page"),
    ("per_page=0", "per_page"),
    ("page=0", "page"),
    ("page=abc", "page"),
])
def test_page_arguments_out_of_range_are_refused(organisation, query, field):
    body = assert_problem(organisation.get(f"/managers?{query}", as_=HR), 422, "validation_error", field=field)
    assert any(e["field"] == field and e.get("location") == "query" for e in body["errors"]), body
