"""Schemathesis over the OpenAPI document, as every role (issue 5, "Bad input").

The document is read from the app (GET /api/v1/openapi.json). Each test sends one operation a bounded,
seeded number of generated requests as one role (applicant, supervisor, committee member, hr, admin;
sign-in, the one public operation, without a token): requests that fit the document and requests that
break it. They run in-process (WSGI) against a real organisation: cycles, cases in several states,
managers and users, built once per database through the API and put back before every test, so that
what one test changes (a case moved on, a password changed, a user switched off) never reaches the
next. Path parameters are drawn from the organisation's real keys as well as generated, so that
requests reach real objects; some body fields (cycle, employee_no, grade, chair, password...) likewise.
The operations that change global state are included for that reason: a quarter close (POST
/evaluations/{period}/close) or a moved clock lasts one test. The admin moves the clock only to a few
instants near its start (PUT /clock), since a generated instant centuries ahead would fire every
quarter close and daily reminder in between, and take as long.

Every response must:
- not be a server error (5xx);
- conform to the document: a documented status (and a success status must be the one documented,
  since the document's `default` entry is the error response), a documented content type, the
  documented body and headers;
- and a request that breaks the document's request schema must be refused (4xx).

The problems of all examples of an operation are reported together rather than shrunk: the requests
change the organisation, so a shrunk replay would not meet the same state.

Figures: GRADEFLOW_SCHEMATHESIS_STATS=<file> writes examples, statuses and problems per test as JSON;
GRADEFLOW_SCHEMATHESIS_EXAMPLES and GRADEFLOW_SCHEMATHESIS_SEED change the number of examples and the
seed (the known mismatches below hold for the defaults).
"""
from __future__ import annotations

import functools
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (content_type_conformance, negative_data_rejection,
                                              response_headers_conformance, response_schema_conformance,
                                              status_code_conformance)

from api import create_app
from tests.support.answers import ok
from tests.support.settings import PASSWORD, config_for
from tests.support.steps import apply, decide, hr_case, in_deliberation, publish, review
from tests.support.world import ADMIN, BOSS, HR, candidate, open_cycle, organisation
from tests.support.worlds import built_once
from workflow.policy import load_policy

OPENAPI = "/api/v1/openapi.json"
EXAMPLES = int(os.environ.get("GRADEFLOW_SCHEMATHESIS_EXAMPLES", "20"))
SEED = int(os.environ.get("GRADEFLOW_SCHEMATHESIS_SEED", "20260901"))
STATS_FILE = os.environ.get("GRADEFLOW_SCHEMATHESIS_STATS")

OLD_CYCLE, CYCLE = "2026H1", "2026H2"
APPLICANT = "e004"  # the applicant whose promotion was denied and published: the appeal window is open
POLICY_REFERENCE = load_policy().reference  # read once: parsing the policy file took 6 ms of every test
ROLES = {"applicant": APPLICANT, "supervisor": BOSS, "committee": "cm2", "hr": HR, "admin": ADMIN}
ANONYMOUS = "anonymous"


def _operations() -> list[tuple[str, str, bool]]:
    """(method, path, public) of every operation in the document, read from an app built for the purpose."""
    app = create_app(config_for("sqlite://"))
    document = app.test_client().get(OPENAPI).get_json()
    return [(method.upper(), path, operation.get("security") == [])
            for path, item in document["paths"].items()
            for method, operation in item.items() if method in ("get", "put", "post", "patch", "delete")]


OPERATIONS = _operations()

# Known mismatches, for the default seed and number of examples: (role, method, path) -> reason.
# 1. The document's problem schema (api/problems.py ProblemSchema, a marshmallow schema that refuses unknown
#    fields, hence "additionalProperties": false) lists type, title, status, detail, code and errors only,
#    yet problems carry extension members (RFC 9457 section 3.2): version (version_conflict), state and
#    available_events (invalid_transition), field (cycle_exists, username_taken, manager_exists...),
#    blocking_cases (cycle_not_ready), period (period_not_over), case_id and members (committee_locked),
#    now (clock_backwards), reasons (not_eligible). test_problem_extension_members_are_in_the_document
#    below sends one request of each.
# 2. A page number so large that (page - 1) * per_page passes 2**63 - 1 is a 500 (test_bad_input.py,
#    test_a_page_number_past_what_the_database_counts_is_refused_or_empty_not_a_server_error).


# Operations whose generated requests are known not to conform, each with its reason. Empty: every
# mismatch found so far was fixed; add one only with a strict xfail reason naming what is wrong.
KNOWN_MISMATCHES: dict[tuple[str, str, str], str] = {}


# --- the organisation -------------------------------------------------------------------------

@dataclass
class Organisation:
    """The organisation's real keys (for path parameters) and each role's token."""
    app: object = None
    path_values: dict[str, list] = field(default_factory=dict)
    cases: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str | None] = field(default_factory=dict)


def prepare(gf) -> tuple[dict[str, int], int]:
    """An organisation with something in every state that matters; returns its cases (and its delegation's id).

    - cycle 2026H1 decided and published: E003's promotion approved, E004's denied (appeal window open);
    - cycle 2026H2 open: E001 submitted, E002 in interview (the chair scored), E005 in deliberation;
    - outside cycles: hr's demotion of M006 (in deliberation), a probation confirmation for P007.
    """
    organisation(gf, cycle=OLD_CYCLE)
    candidate(gf, "E003", performance="80")
    candidate(gf, "E004", performance="50")
    approved = in_deliberation(gf, "E003", supervisor=80, scores=80, cycle=OLD_CYCLE)
    denied = in_deliberation(gf, "E004", supervisor=50, scores=50, cycle=OLD_CYCLE)
    decide(gf, OLD_CYCLE)
    publish(gf, OLD_CYCLE)
    open_cycle(gf, CYCLE)
    candidate(gf, "E001")
    submitted = apply(gf, "E001")
    candidate(gf, "E002")
    interviewing = apply(gf, "E002")
    review(gf, interviewing, 75)
    ok(gf.put(f"/cases/{interviewing}/score", as_="chair", json={"score": 70, "comment": "清楚"}))
    candidate(gf, "E005")
    deliberating = in_deliberation(gf, "E005", supervisor=70, scores=70)
    gf.manager("M006", "mid", supervisor="S900")
    demotion = hr_case(gf, "demotion", "M006")["id"]
    gf.manager("P007", "probation", supervisor="S900", grade_since=date(2026, 5, 1))  # probation is over
    probation = hr_case(gf, "probation_confirmation", "P007")["id"]
    # a substitute for the chair in December (no standing now: the other operations are judged as without it)
    delegation = ok(gf.post("/delegations", as_=HR, json={
        "principal": "chair", "substitute": "cm4", "scope": "committee", "starts_on": "2026-12-01",
        "ends_on": "2026-12-31"}), 201)["id"]
    return {"approved": approved, "denied": denied, "submitted": submitted, "interviewing": interviewing,
            "deliberating": deliberating, "demotion": demotion, "probation": probation}, delegation


def path_values(cases: dict[str, int], delegation: int) -> dict[str, list]:
    """Path parameters naming the organisation's records (and one of each that names nothing)."""
    return {
        "case_id": [*cases.values(), 2147483647],
        "employee_no": ["S900", "E001", "E002", "E003", "E004", "E005", "M006", "P007", "NOSUCH1"],
        "username": [ADMIN, HR, "chair", "cm2", "cm4", BOSS, "e001", APPLICANT, "nosuch"],
        "code": [OLD_CYCLE, CYCLE, "NOSUCH"],
        "period": ["2025", "2026", "2026Q2", "2026Q3", "2026Q4"],
        "day": ["2026-09-02", "2026-09-27", "2026-10-01", "2027-02-30"],
        "reference": [POLICY_REFERENCE, "default@000000000000", "nosuch"],
        "message_id": [1, 2147483647],  # the organisation writes no notification: none of them exists
        "kind": ["roster", "users", "performance", "events", "payroll"],  # an import's kinds, and one that is not
        "delegation_id": [delegation, 2147483647],  # the chair's substitute, and none
    }


@pytest.fixture
def org(gf) -> Organisation:
    """The organisation, built through the API once per database and put back for every test
    (tests/support/worlds.py); the `app` fixture empties the tables afterwards."""
    cases, delegation = built_once(gf, ("schemathesis organisation",), lambda: prepare(gf))
    return Organisation(app=gf.app, path_values=path_values(cases, delegation), cases=cases,
                        tokens={role: gf.token(username) for role, username in ROLES.items()} | {ANONYMOUS: None})


# --- checks ---------------------------------------------------------------------------------------

def success_status_is_the_documented_one(ctx, response, case):
    """A 2xx or 3xx status must be listed for the operation: `default` documents the error response."""
    if response.status_code < 400 and str(response.status_code) not in case.operation.responses.status_codes:
        raise AssertionError(f"{response.status_code} is not documented for {case.operation.label}; "
                             f"documented: {', '.join(case.operation.responses.status_codes)}")


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance, negative_data_rejection, success_status_is_the_documented_one]
# The token is ours: no generated, altered or removed Authorization header.
CONFIG = schemathesis.Config.from_dict({"generation": {"with-security-parameters": False}})

KEEP, DROP = object(), object()  # keep the generated value; leave the field out
# Real values for body fields of valid requests, so that some requests get past the lookups
BODY_VALUES = {
    "cycle": [CYCLE, OLD_CYCLE],
    "employee_no": ["E001", "E002", "M006", "P007", "NEW01"],
    "supervisor": ["S900", None],
    "target_grade": ["mid", "senior"],
    "grade": ["junior", "mid", "probation"],
    "chair": ["chair", "cm2"],
    "members": [["chair", "cm2", "cm3"], ["cm4", "cm5", "cm2"]],
    "username": [HR, APPLICANT, "chair"],
    "password": [PASSWORD],
    "current_password": [PASSWORD],
    "version": [DROP],
}
# The admin moves the manual clock only to these instants (valid requests only): a generated instant years
# ahead would fire every quarter close and every daily reminder in between, and take as long.
CLOCK_MOVES = ["2026-08-31T09:00:00+08:00", "2026-09-01T09:00:00+08:00", "2026-09-02T18:30:00+08:00",
               "2026-10-08T00:00:00+08:00"]


# --- figures --------------------------------------------------------------------------------------

FIGURES: dict[str, dict] = {}


@pytest.fixture(scope="module", autouse=True)
def _write_figures():
    yield
    if STATS_FILE:
        with open(STATS_FILE, "w") as f:
            json.dump(FIGURES, f, ensure_ascii=False, indent=1, sort_keys=True)


@functools.cache
def document_of(app):
    """The app's OpenAPI document, loaded once per app (one per database): loading it and extracting the app's
    constants that generation draws from (schemathesis parses the app's modules) cost 0.2 s, every test again."""
    return schemathesis.openapi.from_wsgi(OPENAPI, app, config=CONFIG)


# --- the run --------------------------------------------------------------------------------------

def _params():
    for method, path, public in OPERATIONS:
        for role in [ANONYMOUS] if public else ROLES:
            key = (role, method, path)
            marks = [pytest.mark.xfail(strict=True, reason=KNOWN_MISMATCHES[key])] if key in KNOWN_MISMATCHES else []
            yield pytest.param(role, method, path, id=f"{role}-{method} {path.removeprefix('/api/v1')}", marks=marks)


@pytest.mark.parametrize("role, method, path", list(_params()))
def test_every_response_is_no_server_error_and_conforms_to_the_openapi_document(org, database_url, role, method,
                                                                                 path):
    """Generated requests to one operation as one role: no 5xx, every response conforms to the OpenAPI
    document (status, content type, body, headers), and requests that break it are refused."""
    schema = document_of(org.app)
    operation = schema[path][method]
    headers = {"Authorization": f"Bearer {org.tokens[role]}"} if org.tokens[role] else {}
    moves_clock = (role, method, path) == ("admin", "PUT", "/api/v1/clock")
    modes = [GenerationMode.POSITIVE] if moves_clock else list(GenerationMode)
    strategies = {mode: operation.as_strategy(generation_mode=mode) for mode in modes}
    statuses, problems = Counter(), []

    @seed(SEED)
    @settings(max_examples=EXAMPLES, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data):
        mode = data.draw(st.sampled_from(modes), label="mode")
        case = data.draw(strategies[mode], label="case")
        for name in sorted(case.path_parameters or {}):
            value = data.draw(st.sampled_from([KEEP, *org.path_values[name]]), label=name)
            if value is not KEEP:
                case.path_parameters[name] = value
        if mode is GenerationMode.POSITIVE and isinstance(case.body, dict):
            for name in sorted(case.body.keys() & BODY_VALUES.keys()):
                value = data.draw(st.sampled_from([KEEP, *BODY_VALUES[name]]), label=name)
                if value is DROP:
                    del case.body[name]
                elif value is not KEEP:
                    case.body[name] = value
            if moves_clock:
                case.body["now"] = data.draw(st.sampled_from(CLOCK_MOVES), label="now")
        response = case.call(headers=headers)
        statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (FailureGroup, AssertionError) as error:
            failures = error.exceptions if isinstance(error, FailureGroup) else [error]
            for failure in failures:
                problems.append({"mode": mode.value, "request": case.as_curl_command(headers=headers),
                                 "status": response.status_code, "response": response.text[:600],
                                 "failure": (f"{failure.title}: {failure.message}" if hasattr(failure, "title")
                                             else str(failure))[:2000]})

    run()
    db_name = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    FIGURES[f"{db_name} {role} {method} {path}"] = {
        "examples": sum(statuses.values()), "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "problems": problems}
    assert sum(statuses.values()) >= 1
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)


# --- problems' extension members, one request each ---------------------------------------------------

EXTENSION_REQUESTS = [
    pytest.param("supervisor", "POST", "/api/v1/cases/{case_id}/events", {"case_id": "submitted"},
                 {"event": "approve_materials", "supervisor_score": 80, "version": 99}, 409, "version_conflict",
                 "version", id="version_conflict"),
    pytest.param("hr", "POST", "/api/v1/cases/{case_id}/events", {"case_id": "submitted"},
                 {"event": "approve_exception"}, 409, "invalid_transition", "available_events",
                 id="invalid_transition"),
    pytest.param("hr", "POST", "/api/v1/cycles", {}, {"code": CYCLE, "name": "again"}, 409, "cycle_exists", "field",
                 id="cycle_exists"),
    pytest.param("hr", "POST", "/api/v1/cycles/{code}/decide", {"code": CYCLE}, None, 409, "cycle_not_ready",
                 "blocking_cases", id="cycle_not_ready"),
    pytest.param("hr", "POST", "/api/v1/evaluations/{period}/close", {"period": "2026Q3"}, None, 409,
                 "period_not_over", "period", id="period_not_over"),
    pytest.param("hr", "PUT", "/api/v1/cycles/{code}/committee", {"code": CYCLE},
                 {"chair": "cm4", "members": ["cm4", "cm5", "cm3"]}, 409, "committee_locked", "members",
                 id="committee_locked"),
    pytest.param("admin", "PUT", "/api/v1/clock", {}, {"now": "2026-08-31T09:00:00+08:00"}, 409, "clock_backwards",
                 "now", id="clock_backwards"),
    pytest.param("applicant", "POST", "/api/v1/cases", {},
                 {"cycle": CYCLE, "target_grade": "mid", "statement": "again"}, 422, "not_eligible", "reasons",
                 id="not_eligible"),
]


@pytest.mark.parametrize("role, method, path, parameters, body, status, code, member", EXTENSION_REQUESTS)
def test_problem_extension_members_are_in_the_document(org, role, method, path, parameters, body, status, code,
                                                       member):
    """A problem's extension members (RFC 9457) are part of the response the document describes."""
    schema = document_of(org.app)
    operation = schema[path][method]
    parameters = {name: org.cases.get(value, value) for name, value in parameters.items()}
    case = operation.Case(path_parameters=parameters, **({} if body is None else {"body": body}))
    response = case.call(headers={"Authorization": f"Bearer {org.tokens[role]}"})
    problem = response.json()
    assert (response.status_code, problem["code"]) == (status, code), problem
    assert member in problem, problem
    case.validate_response(response, checks=[response_schema_conformance])
