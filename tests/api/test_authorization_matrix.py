"""The authorization suite (issue 5, point 5): who may call which route, what a refusal gives away,
separation of duties, mass assignment, and tokens that must stop working.

1. MATRIX below is the expected answer of every route of the app (`app.url_map`, under /api/v1,
   every method but HEAD and OPTIONS) for every kind of caller: the seven of issue 5 (applicant,
   another employee, a supervisor of another team, a committee member outside the cycle, a recused
   member, hr, admin), three who must be let in where the others are refused (the applicant's own
   supervisor, a member and the chair of the case's cycle), and no token at all. It is written by
   hand from api.md, docs/api-extensions.md and domain.md, never from the code, so that a reader can
   check each row. The routes are read from the app at collection time: a route that MATRIX does not
   cover is a failing test, and so is a row for a route that no longer exists.
2. Every refusal is checked for leaks: problem-details fields only, none of the case's or the
   people's data, no ETag; where the rule hides an object (cases, managers, users) the refusal of an
   existing object the caller may not see is the same as the answer for an object that does not exist.
   A refused write changes nothing in the database.
3. Separation of duties (domain.md "Recusal", api-extensions.md "Nobody acts on their own case").
4. Mass assignment: fields a client must never set, in every write body, are 422 naming the field,
   and nothing changes; so are a body sent to a POST that takes none (decide, publish, the quarter
   close) and query parameters sent to a route that takes none.
5. Tokens: what tests/api/test_auth.py, tests/api/test_token_revocation.py, tests/unit/test_tokens.py and
   tests/api/test_users.py already cover (expired, wrong key, alg none, tampered, other issuer, unknown
   user, password change and switching off on /me; hr role removed on POST /managers) is not repeated;
   here every protected route refuses each bad token before anything else, an algorithm other than
   HS256 with the right key is refused, and a removed role stops working on every route at once.

The world of the matrix (users are employee numbers in lower case):

    S900 上级乙 (employee, supervisor) ── E001 申请人甲 (employee): the applicant, junior → mid in cycle C1
    T900 他组主管丙 (employee, supervisor) ── E002 同事丁 (employee): another team
    M500 委员戊 (employee, committee): a member of C1's committee with no relation to E001

    C1: chair1 (chair), cm2, cm3, cm4, m500;  C2: ox1 (chair), ox2, ox3;  hr1 (hr);  root (admin)

E001's case is in `interview`: S900 approved the materials (supervisor score 87.5), cm4 declared a
conflict of interest (recused), cm2 and cm3 scored; chair1 and m500 have not scored yet.
"""
from __future__ import annotations

import io
import json
import re
import time
from dataclasses import dataclass, field

import jwt
import pytest
import sqlalchemy as sa

from api import create_app
from api.app import API_PREFIX
from models import db
from tests.support.answers import assert_problem, ok
from tests.support.reads import case_of
from tests.support.settings import PASSWORD, config_for
from tests.support.steps import appeal, decide, event, in_deliberation, move_clock, publish
from tests.support.world import COMMITTEE, HR, candidate, organisation
from tests.support.worlds import world_fixture
from workflow.policy import load_policy

# --- the roles -------------------------------------------------------------------------------

# column of MATRIX: (role, username or None for no token)
COLUMNS = {
    "app": ("applicant", "e001"),  # the manager whose case it is
    "sup": ("supervisor", "s900"),  # the applicant's direct supervisor, who reviewed the materials
    "emp": ("other_employee", "e002"),  # a manager with no relation to the applicant
    "osu": ("other_supervisor", "t900"),  # the supervisor of another team
    "mem": ("member", "m500"),  # a member of the case's cycle's committee, not recused, unrelated
    "chr": ("chair", "chair1"),  # the chair of the case's cycle
    "out": ("outside_member", "ox1"),  # on another cycle's committee (its chair), not on this one
    "rec": ("recused_member", "cm4"),  # on this cycle's committee, recused from this case
    "hr": ("hr", "hr1"),
    "adm": ("admin", "root"),
    "anon": ("anonymous", None),  # no token at all
}
ROLES = tuple(COLUMNS)

# --- the matrix --------------------------------------------------------------------------------
# A  allowed: the route's "allowed answer" (authorization passed; a 409/422 there is the business rule)
# F  403 forbidden        R  403 recused        H  404 not_found (hidden like a missing object)
# U  401 invalid_token
# Paths are filled from the world: {case_id} E001's case, {employee_no} E001, {username} e001, {code} C1,
# {day} 2026-09-02; {period} 2025 for performance, 2026Q2 for the quarter close; {reference} the policy in force.
# Bodies: see BODIES. POST /cases opens a promotion for E001 (employee_no "E001" in the body);
# POST /cases/{id}/events fires close_interview (every event × role × state: tests/api/test_case_event_matrix.py).
MATRIX_TEXT = """
method path                                          app sup emp osu mem chr out rec hr  adm anon  allowed answer
POST   /auth/token                                   A   A   A   A   A   A   A   A   A   A   A     200
GET    /me                                           A   A   A   A   A   A   A   A   A   A   U     200
PUT    /me/password                                  A   A   A   A   A   A   A   A   A   A   U     204
GET    /users                                        F   F   F   F   F   F   F   F   A   A   U     200
POST   /users                                        F   F   F   F   F   F   F   F   A   A   U     201
GET    /users/{username}                             A   H   H   H   H   H   H   H   A   A   U     200
PATCH  /users/{username}                             F   F   F   F   F   F   F   F   A   A   U     200
GET    /managers                                     F   F   F   F   A   A   A   A   A   A   U     200
POST   /managers                                     F   F   F   F   F   F   F   F   A   F   U     201
GET    /managers/{employee_no}                       A   A   H   H   A   A   A   A   A   A   U     200
PATCH  /managers/{employee_no}                       F   F   F   F   F   F   F   F   A   F   U     200
GET    /managers/{employee_no}/grade-history         A   A   H   H   A   A   A   A   A   A   U     200
GET    /managers/{employee_no}/performance           A   A   H   H   A   A   A   A   A   A   U     200
PUT    /managers/{employee_no}/performance/{period}  F   F   F   F   F   F   F   F   A   F   U     200
GET    /managers/{employee_no}/performance/{period}/versions  A   A   H   H   A   A   A   A   A   A   U     200
GET    /managers/{employee_no}/exam-results          A   A   H   H   A   A   A   A   A   A   U     200
POST   /managers/{employee_no}/exam-results          F   F   F   F   F   F   F   F   A   F   U     201
GET    /managers/{employee_no}/events                A   A   H   H   A   A   A   A   A   A   U     200
GET    /managers.xlsx                                F   F   F   F   A   A   A   A   A   A   U     200
GET    /managers.csv                                 F   F   F   F   A   A   A   A   A   A   U     200
GET    /managers/{employee_no}/file.xlsx             A   A   H   H   A   A   A   A   A   A   U     200
POST   /managers/{employee_no}/events                F   F   F   F   F   F   F   F   A   F   U     201
GET    /cycles                                       A   A   A   A   A   A   A   A   A   A   U     200
POST   /cycles                                       F   F   F   F   F   F   F   F   A   F   U     201
GET    /cycles/{code}                                A   A   A   A   A   A   A   A   A   A   U     200
PUT    /cycles/{code}/committee                      F   F   F   F   F   F   F   F   A   F   U     200
POST   /cycles/{code}/decide                         F   F   F   F   F   A   F   F   A   F   U     409 cycle_not_ready
POST   /cycles/{code}/publish                        F   F   F   F   F   F   F   F   A   F   U     409 nothing_to_publish
GET    /cycles/{code}/publication                    A   A   A   A   A   A   A   A   A   A   U     200
GET    /cycles/{code}/publication.xlsx               A   A   A   A   A   A   A   A   A   A   U     200
GET    /cycles/{code}/publication.csv                A   A   A   A   A   A   A   A   A   A   U     200
GET    /cycles/{code}/decisions.xlsx                 A   A   A   A   A   A   A   A   A   A   U     200
GET    /cycles/{code}/decisions.csv                  A   A   A   A   A   A   A   A   A   A   U     200
GET    /cycles/{code}/report.xlsx                    F   F   F   F   F   F   F   F   A   A   U     200
GET    /cases                                        A   A   A   A   A   A   A   A   A   A   U     200
POST   /cases                                        A   F   F   F   F   F   F   F   A   F   U     422 not_eligible
GET    /cases/{case_id}                              A   A   H   H   A   A   H   A   A   A   U     200
GET    /cases/{case_id}/history                      A   A   H   H   A   A   H   A   A   A   U     200
POST   /cases/events                                 A   A   A   A   A   A   A   A   A   A   U     200
POST   /cycles/{code}/scores                         H   H   H   H   A   A   H   A   A   A   U     200
POST   /cases/{case_id}/events                       F   F   H   H   F   A   H   F   F   F   U     409 quorum_not_met
PUT    /cases/{case_id}/score                        F   F   H   H   A   A   H   R   F   F   U     200
POST   /cases/{case_id}/recusal                      F   F   H   H   A   A   H   R   F   F   U     200
POST   /cases/{case_id}/appeal                       A   F   H   H   F   F   H   F   F   F   U     409 not_published
GET    /calendar/days                                A   A   A   A   A   A   A   A   A   A   U     200
PUT    /calendar/days/{day}                          F   F   F   F   F   F   F   F   A   F   U     200
POST   /evaluations/{period}/close                   F   F   F   F   F   F   F   F   A   F   U     200
GET    /evaluations/{period}/preview                 F   F   F   F   F   F   F   F   A   F   U     200
GET    /evaluations/{period}/results.xlsx            F   F   F   F   F   F   F   F   A   F   U     200
GET    /evaluations/{period}/results.csv             F   F   F   F   F   F   F   F   A   F   U     200
GET    /outbox                                       F   F   F   F   F   F   F   F   A   F   U     200
POST   /outbox/{message_id}/resend                   F   F   F   F   F   F   F   F   A   F   U     404 not_found
POST   /imports/{kind}                               F   F   F   F   F   F   F   F   A   F   U     200
GET    /imports/{kind}/template                      F   F   F   F   F   F   F   F   A   F   U     200
GET    /policies/{reference}                         A   A   A   A   A   A   A   A   A   A   U     200
GET    /delegations                                  A   A   A   A   A   A   A   A   A   A   U     200
POST   /delegations                                  F   A   F   A   A   A   A   A   A   F   U     201
DELETE /delegations/{delegation_id}                  A   A   A   A   A   A   A   A   A   A   U     404 not_found
GET    /clock                                        F   F   F   F   F   F   F   F   F   A   U     200
PUT    /clock                                        F   F   F   F   F   F   F   F   F   A   U     200
GET    /openapi.json                                 A   A   A   A   A   A   A   A   A   A   A     200
GET    /docs                                         A   A   A   A   A   A   A   A   A   A   A     200
GET    /docs/assets/{filename}                       A   A   A   A   A   A   A   A   A   A   A     200
"""
DENIALS = {"F": (403, "forbidden"), "R": (403, "recused"), "H": (404, "not_found"), "U": (401, "invalid_token")}


@dataclass(frozen=True)
class Row:
    letters: dict[str, str]  # column -> letter
    allowed: tuple[int, str | None]  # status, code

    def expected(self, column: str) -> tuple[int, str | None]:
        letter = self.letters[column]
        return self.allowed if letter == "A" else DENIALS[letter]


def _parse(text: str) -> dict[tuple[str, str], Row]:
    lines = [line.split() for line in text.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    assert header[2:2 + len(ROLES)] == list(ROLES), header
    matrix = {}
    for cells in rows:
        method, path, letters, answer = cells[0], cells[1], cells[2:2 + len(ROLES)], cells[2 + len(ROLES):]
        assert set(letters) <= {"A", *DENIALS} and len(answer) in (1, 2), cells
        assert (method, path) not in matrix, f"two rows for {method} {path}"
        allowed = (int(answer[0]), answer[1] if len(answer) > 1 else None)
        matrix[(method, path)] = Row(dict(zip(ROLES, letters)), allowed)
    return matrix


MATRIX = _parse(MATRIX_TEXT)
PUBLIC = {route for route, row in MATRIX.items() if row.letters["anon"] == "A"}


def app_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every rule under /api/v1, path parameters written {name}."""
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len(API_PREFIX):])
        routes.update((method, path) for method in rule.methods - {"HEAD", "OPTIONS"})
    return sorted(routes, key=lambda r: (r[1], r[0]))


# The route map, read at collection time from an app that never opens its database.
ROUTES = app_routes(create_app(config_for("sqlite://")))
WRITES = [r for r in ROUTES if r[0] != "GET"]  # POST, PUT, PATCH (and DELETE, should one appear)


def _route_id(route) -> str:
    return f"{route[0]} {route[1]}"


# --- the world ----------------------------------------------------------------------------------

C1, C2 = "C1", "C2"
STATEMENT = "本人业绩突出, 申请晋升中级 (机密陈述)"
RECUSAL_COMMENT = "与申请人有亲属关系"
SCORE_COMMENT = "案例分析清晰, 表现优秀"
NAMES = {"E001": "申请人甲", "S900": "上级乙", "T900": "他组主管丙", "E002": "同事丁", "M500": "委员戊"}
FILL = {"employee_no": "E001", "username": "e001", "code": C1, "kind": "roster", "day": "2026-09-02",
        "filename": "swagger-ui.css",
        "message_id": 999999,  # the world writes no notification: hr is told there is none
        "delegation_id": 999999,  # the world names no substitute: the caller is told there is none
        "reference": load_policy().reference}
PERIOD = {"/managers/{employee_no}/performance/{period}": "2025",
          "/managers/{employee_no}/performance/{period}/versions": "2025", "/evaluations/{period}/close": "2026Q2",
          "/evaluations/{period}/preview": "2026Q2", "/evaluations/{period}/results.xlsx": "2026Q2",
          "/evaluations/{period}/results.csv": "2026Q2"}
QUERY = {("GET", "/calendar/days"): "?from=2026-09-01&to=2026-09-30"}
MISSING_OBJECT = {"case_id": 999999, "employee_no": "Z999", "username": "nobody"}
# where the rule says hide: the GET that decides whether a caller may see the object of a path parameter
HIDING = {"case_id": ("GET", "/cases/{case_id}"), "employee_no": ("GET", "/managers/{employee_no}"),
          "username": ("GET", "/users/{username}")}
STATES = ("submitted", "returned", "hr_review", "interview", "deliberation", "decided", "published", "appealed",
          "effective", "closed", "rejected", "withdrawn")
COMMITTEE_C1 = ["cm2", "cm3", "cm4", "m500"]
PROBLEM_FIELDS = {"type", "title", "status", "detail", "code"}

# A valid body for each write; callables take the role, so that each allowed call makes its own object.
BODIES = {
    ("POST", "/auth/token"): lambda role: {"username": COLUMNS[role][1] or "e001", "password": PASSWORD},
    ("PUT", "/me/password"): {"current_password": PASSWORD, "new_password": PASSWORD},
    ("POST", "/users"): lambda role: {"username": f"new.{role}", "password": "a new user's passphrase",
                                      "roles": ["committee"]},
    ("PATCH", "/users/{username}"): {"active": True},
    ("POST", "/managers"): lambda role: {"employee_no": f"N{ROLES.index(role):03d}", "name": "新经理",
                                         "org_unit": "北京分行", "grade": "junior", "grade_since": "2025-03-01",
                                         "hire_date": "2024-12-01", "supervisor": None},
    ("PATCH", "/managers/{employee_no}"): {"education": "本科"},
    ("PUT", "/managers/{employee_no}/performance/{period}"): {"score": 88, "months_worked": 12, "violation": False},
    ("POST", "/managers/{employee_no}/exam-results"): {"exam": "skills_test", "taken_on": "2026-06-20", "score": 75},
    ("POST", "/managers/{employee_no}/events"): {"kind": "complaint", "occurred_on": "2026-08-03"},
    ("POST", "/cycles"): lambda role: {"code": f"X-{role}", "name": "新批次"},
    ("PUT", "/cycles/{code}/committee"): {"chair": "chair1", "members": COMMITTEE_C1},
    ("POST", "/cases"): {"cycle": C1, "target_grade": "mid", "statement": "代为申请", "employee_no": "E001"},
    ("POST", "/cases/{case_id}/events"): {"event": "close_interview"},
    # the bulk routes: each case is checked on its own and refused in the answer (200): here a case that is not
    ("POST", "/cases/events"): {"event": "publish", "case_ids": [2147483647]},
    ("POST", "/cycles/{code}/scores"): [{"case_id": 2147483647, "score": 80}],
    ("PUT", "/cases/{case_id}/score"): {"score": 80},
    ("POST", "/cases/{case_id}/recusal"): {"comment": "利益冲突"},
    ("POST", "/cases/{case_id}/appeal"): {"reason": "评分有误"},
    ("PUT", "/calendar/days/{day}"): {"working": True},
    ("POST", "/delegations"): lambda role: _delegation(role),
    ("PUT", "/clock"): {"now": "2026-09-01T09:00:00+08:00"},
    ("POST", "/imports/{kind}"): {"dry_run": "false"},  # with a roster of no rows (MULTIPART)
}
# Writes that take a file (multipart/form-data): the body's fields go as form fields beside it.
MULTIPART = {("POST", "/imports/{kind}"): ("roster.csv", "工号,姓名,机构,等级,定级日期,入职日期,上级工号\n")}


def _delegation(role: str) -> dict:
    """A substitute for the caller (hr: for cm2): a supervisor for a supervisor, a member for a member."""
    days = {"starts_on": "2026-09-01", "ends_on": "2026-09-30"}
    if role == "hr":
        return {"principal": "cm2", "substitute": "cm3", "scope": "committee", **days}
    if role in ("sup", "osu"):
        return {"substitute": "t900" if role == "sup" else "s900", "scope": "supervisor", **days}
    return {"substitute": "ox2", "scope": "committee", **days}


# Written by every sign-in, also the ones World.token makes on the way to a request (again after a password
# change), and by nothing else: not part of what a refused request could change.
SIGN_IN_BOOKKEEPING = {"sign_in_attempts"}


def snapshot(app) -> dict[str, list[str]]:
    """Every row of every table (but the sign-in attempts), straight from the database."""
    with app.app_context():
        with db.engine.connect() as conn:
            return {table.name: sorted(repr(tuple(row)) for row in conn.execute(sa.select(table)))
                    for table in db.metadata.sorted_tables if table.name not in SIGN_IN_BOOKKEEPING}


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before if before[name] != after.get(name))


@dataclass
class World:
    gf: object
    case_id: int
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def app(self):
        return self.gf.app

    def token(self, username: str) -> str:
        if username not in self.tokens:
            response = self.gf.client.post(f"{API_PREFIX}/auth/token",
                                           json={"username": username, "password": PASSWORD})
            assert response.status_code == 200, response.get_json()
            self.tokens[username] = response.get_json()["access_token"]
        return self.tokens[username]

    def path(self, method: str, template: str, **override) -> str:
        values = {**FILL, "case_id": self.case_id, "period": PERIOD.get(template), **override}
        return template.format(**values) + QUERY.get((method, template), "")

    def body(self, method: str, template: str, role: str):
        body = BODIES.get((method, template))
        return body(role) if callable(body) else body

    def call(self, role: str, method: str, template: str, *, body="(route's)", token: str | None = None,
             query: str = "", **override):
        username = COLUMNS[role][1]
        headers = {}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        elif username is not None:
            headers["Authorization"] = f"Bearer {self.token(username)}"
        body = self.body(method, template, role) if body == "(route's)" else body
        path = self.path(method, template, **override)
        if query:
            path += ("&" if "?" in path else "?") + query
        if (method, template) in MULTIPART and body is not None:
            name, content = MULTIPART[(method, template)]
            form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
            sent = {"data": {**form, "file": (io.BytesIO(content.encode("utf-8")), name)},
                    "content_type": "multipart/form-data"}
        else:
            sent = {"json": body} if body is not None else {}
        response = self.gf.client.open(f"{API_PREFIX}{path}", method=method, headers=headers, **sent)
        if (method, template) == ("PUT", "/me/password") and response.status_code == 204:
            self.tokens.pop(username, None)  # the new password hash ends the old token
        return response


def build_world(gf) -> World:
    gf.user("hr1", "hr")
    gf.user("root", "admin")
    supervisor = ("employee", "supervisor")
    gf.manager("S900", "senior", org_unit="总行", name=NAMES["S900"], login=True, roles=supervisor)
    gf.manager("E001", "junior", supervisor="S900", name=NAMES["E001"], login=True)
    gf.performance("E001", "2025", "88")
    gf.manager("T900", "senior", org_unit="上海分行", name=NAMES["T900"], login=True, roles=supervisor)
    gf.manager("E002", "junior", supervisor="T900", org_unit="上海分行", name=NAMES["E002"], login=True)
    gf.manager("M500", "senior", org_unit="广州分行", name=NAMES["M500"], login=True, roles=("employee", "committee"))
    for username in ("chair1", "cm2", "cm3", "cm4", "ox1", "ox2", "ox3"):
        gf.user(username, "committee")
    for code, chair, members in ((C1, "chair1", COMMITTEE_C1), (C2, "ox1", ["ox2", "ox3"])):
        ok(gf.post("/cycles", as_="hr1", json={"code": code, "name": f"评审批次 {code}"}), 201)
        ok(gf.put(f"/cycles/{code}/committee", as_="hr1", json={"chair": chair, "members": members}))
    case_id = ok(gf.post("/cases", as_="e001", json={"cycle": C1, "target_grade": "mid", "statement": STATEMENT}),
                 201)["id"]
    ok(gf.post(f"/cases/{case_id}/events", as_="s900", json={"event": "approve_materials", "supervisor_score": 87.5}))
    ok(gf.post(f"/cases/{case_id}/recusal", as_="cm4", json={"comment": RECUSAL_COMMENT}))
    ok(gf.put(f"/cases/{case_id}/score", as_="cm2", json={"score": 91.25, "comment": SCORE_COMMENT}))
    shown = ok(gf.put(f"/cases/{case_id}/score", as_="cm3", json={"score": 89.75}))
    assert shown["state"] == "interview" and shown["interview"]["scored"] == ["cm2", "cm3"], shown
    return World(gf, case_id)


@pytest.fixture
@world_fixture
def world(gf) -> World:
    return build_world(gf)


# --- 1. the matrix ------------------------------------------------------------------------------

def test_the_matrix_has_a_row_for_every_route_and_method_of_the_app_and_no_other():
    """The matrix stays complete: every (method, path) of the route map has a row, and no row names a
    route that is gone."""
    assert set(ROUTES) - set(MATRIX) == set(), "routes with no row in MATRIX: add one"
    assert set(MATRIX) - set(ROUTES) == set(), "rows of MATRIX for routes the app no longer has"


def test_every_route_is_allowed_to_someone_and_refused_to_strangers_unless_public():
    """A row that allows nobody would test nothing; every route but sign-in and the documentation needs a token."""
    for route, row in MATRIX.items():
        assert "A" in row.letters.values(), route
        assert (row.letters["anon"] == "A") == (route in {("POST", "/auth/token"), ("GET", "/openapi.json"),
                                                         ("GET", "/docs"), ("GET", "/docs/assets/{filename}")}), route


def _answer(response) -> tuple[int, str | None]:
    body = response.get_json(silent=True)
    return response.status_code, body.get("code") if isinstance(body, dict) and response.status_code >= 400 else None


def _matches(response, expected: tuple[int, str | None]) -> bool:
    """The status, and the problem code where the matrix names one."""
    status, code = expected
    return _answer(response)[0] == status and (code is None or _answer(response) == expected)


def _leaks(role: str, request_text: str, response) -> list[str]:
    """What a refusal gives away beyond the problem details: names, numbers, scores, texts, states."""
    found = []
    body = response.get_json(silent=True)
    if not isinstance(body, dict) or set(body) != PROBLEM_FIELDS:
        found.append(f"body {sorted(body) if isinstance(body, dict) else body!r}, expected {sorted(PROBLEM_FIELDS)}")
    for header in ("ETag", "X-Total-Count"):
        if header in response.headers:
            found.append(f"header {header}: {response.headers[header]}")
    text = response.get_data(as_text=True)
    own = {COLUMNS[role][1], (COLUMNS[role][1] or "").upper(), NAMES.get((COLUMNS[role][1] or "").upper())}
    secrets = [*NAMES, *NAMES.values(), *(n.lower() for n in NAMES), STATEMENT, RECUSAL_COMMENT, SCORE_COMMENT,
               "87.5", "91.25", "89.75", "cm2", "cm3", "cm4"]
    for secret in secrets:
        if secret and secret not in own and secret not in request_text and secret in text:
            found.append(f"{secret!r} in the body")
    state = re.search(rf"\b({'|'.join(STATES)})\b", text)
    if state:
        found.append(f"state {state.group(1)!r} in the body")
    return found


def _normalized(response, value) -> tuple:
    """Status, headers that matter and the body, with the path value the caller sent replaced."""
    body = response.get_json(silent=True) or {}
    pattern = re.compile(rf"(?<![\w.]){re.escape(str(value))}(?![\w])")
    headers = sorted(h for h in ("ETag", "X-Total-Count") if h in response.headers)
    return (response.status_code, response.mimetype, headers,
            {k: pattern.sub("<x>", v) if isinstance(v, str) else v for k, v in body.items()})


def _check_cells(world: World, route) -> list[str]:
    """Each (route, method, role) cell: the allowed answer or the refusal the matrix names; a refusal has
    problem-details fields only and none of the object's data; a hidden object is refused exactly like a
    missing one; a refused write changes nothing. Returns the mismatches."""
    method, template = route
    row = MATRIX.get(route)
    if row is None:
        return [f"{method} {template} is not in MATRIX: add a row saying who may call it"]
    hidden_params = [p for p in HIDING if f"{{{p}}}" in template]
    mismatches = []
    for role in ROLES:
        letter, (status, code) = row.letters[role], row.expected(role)
        where = f"{role} ({COLUMNS[role][1] or 'no token'}) {method} {template}"
        before = snapshot(world.app) if letter != "A" and method != "GET" else None
        body = world.body(method, template, role)
        response = world.call(role, method, template, body=body)
        if not _matches(response, (status, code)):
            mismatches.append(f"{where}: expected {status} {code or ''}, got {_answer(response)}: "
                              f"{(response.get_json(silent=True) or {}).get('detail')}")
            continue
        if letter == "A":
            continue
        request_text = f"{world.path(method, template)} {body!r}"
        mismatches.extend(f"{where}: {leak}" for leak in _leaks(role, request_text, response))
        if before is not None and (changed := changed_tables(before, snapshot(world.app))):
            mismatches.append(f"{where}: the refused request changed {changed}")
        for param in hidden_params:
            if MATRIX[HIDING[param]].letters[role] == "A":
                continue  # the caller may see the object: telling it apart is no leak
            missing = world.call(role, method, template, body=body, **{param: MISSING_OBJECT[param]})
            real_value = world.case_id if param == "case_id" else FILL[param]
            if _normalized(response, real_value) != _normalized(missing, MISSING_OBJECT[param]):
                mismatches.append(f"{where}: an existing {param} it may not see is told apart from a missing one: "
                                  f"{response.status_code} {response.get_json(silent=True)} vs "
                                  f"{missing.status_code} {missing.get_json(silent=True)}")
    return mismatches


def test_every_read_route_answers_each_role_as_the_matrix_says_and_a_refusal_leaks_nothing(world):
    """Every GET route of the route map, every role: the matrix's answer; refusals leak nothing and a hidden
    object is refused like a missing one. (Reads change nothing, so they share one world.)"""
    mismatches = [m for route in ROUTES if route[0] == "GET" for m in _check_cells(world, route)]
    assert not mismatches, f"{len(mismatches)} cell(s) differ from MATRIX:\n" + "\n".join(mismatches)


@pytest.mark.parametrize("route", WRITES, ids=_route_id)
def test_every_write_route_answers_each_role_as_the_matrix_says_and_a_refusal_leaks_nothing_and_changes_nothing(
        world, route):
    """Every POST/PUT/PATCH route of the route map (each in a world of its own), every role: the matrix's
    answer; refusals leak nothing, change nothing in the database, and a hidden object is refused like a
    missing one."""
    mismatches = _check_cells(world, route)
    assert not mismatches, f"{len(mismatches)} cell(s) differ from MATRIX:\n" + "\n".join(mismatches)


def test_case_lists_show_the_case_exactly_to_those_who_may_open_it(world):
    """GET /cases filters to what the caller may see: the same people as GET /cases/{id}, with a matching total."""
    row = MATRIX[("GET", "/cases/{case_id}")]
    for role in ROLES:
        if role == "anon":
            continue
        response = world.call(role, "GET", "/cases")
        assert response.status_code == 200, (role, response.get_json())
        ids = [c["id"] for c in response.get_json()]
        assert (world.case_id in ids) == (row.letters[role] == "A"), (role, ids)
        assert int(response.headers["X-Total-Count"]) == len(ids), role
        mine = world.call(role, "GET", "/cases?mine=true").get_json()
        assert [c["id"] for c in mine] == ([world.case_id] if role == "app" else []), role


# --- 3. separation of duties ---------------------------------------------------------------------

# The conflicted user chairs cycle C1 (the most a committee member can do) and is, to E001's case:
RELATIONS = {
    # relation: (username, how they get there, the recusal reason recorded for them)
    "the applicant themselves": ("e001", "applicant", "applicant"),
    "the supervisor who reviewed the materials": ("s900", "reviewer", "line_manager"),
    "a higher line manager": ("s800", "higher", "line_manager"),
    "the reviewer once the reporting line moved away": ("s900", "reviewer_moved", "reviewed_materials"),
    "the new direct supervisor after the review": ("t900", "new_supervisor", "line_manager"),
}


def _conflicted_chair(gf, how: str) -> tuple[int, str]:
    """E001's case in interview, reviewed by S900, with the conflicted user as chair of C1 (cm2, cm3, cm5 members)."""
    gf.user("hr1", "hr")
    everything = ("employee", "supervisor", "committee")
    gf.manager("S800", "senior", org_unit="总行", login=True, roles=everything)
    gf.manager("S900", "senior", org_unit="总行", supervisor="S800", login=True, roles=everything)
    gf.manager("T900", "senior", org_unit="上海分行", login=True, roles=everything)
    gf.manager("E001", "junior", supervisor="S900", login=True, roles=("employee", "committee"))
    gf.performance("E001", "2025", "88")
    for username in ("cm2", "cm3", "cm5"):
        gf.user(username, "committee")
    chair = {"applicant": "e001", "reviewer": "s900", "higher": "s800", "reviewer_moved": "cm2",
             "new_supervisor": "cm2"}[how]
    ok(gf.post("/cycles", as_="hr1", json={"code": C1, "name": "C1"}), 201)
    ok(gf.put(f"/cycles/{C1}/committee", as_="hr1", json={"chair": chair, "members": ["cm2", "cm3", "cm5"]}))
    case_id = ok(gf.post("/cases", as_="e001", json={"cycle": C1, "target_grade": "mid", "statement": "申请"}), 201)["id"]
    ok(gf.post(f"/cases/{case_id}/events", as_="s900", json={"event": "approve_materials", "supervisor_score": 80}))
    if how in ("reviewer_moved", "new_supervisor"):  # E001 moves under T900, then the conflicted user chairs
        ok(gf.patch("/managers/E001", as_="hr1", json={"supervisor": "T900"}))
        chair = "s900" if how == "reviewer_moved" else "t900"
        ok(gf.put(f"/cycles/{C1}/committee", as_="hr1", json={"chair": chair, "members": ["cm2", "cm3", "cm5"]}))
    return case_id, chair


@pytest.mark.parametrize("relation", list(RELATIONS))
def test_nobody_scores_or_decides_a_case_they_are_party_to_even_as_the_chair(gf, relation):
    """domain.md: a member never scores a case whose applicant is themselves, whom they (directly or
    higher up) supervise, or whose materials they reviewed; api-extensions.md: a recused chair closes no
    interview and decides nothing of the case, and nobody acts on their own case except as the
    applicant. hr decides instead. Every refusal leaves the case as it was."""
    username, how, reason = RELATIONS[relation]
    case_id, conflicted = _conflicted_chair(gf, how)
    assert conflicted == username
    interview = case_of(gf, case_id)["interview"]
    assert {"member": username, "reason": reason} in interview["recusals"], interview
    assert username not in interview["counting_members"]
    before = case_of(gf, case_id)
    history = gf.history(case_id, HR)

    score = gf.put(f"/cases/{case_id}/score", as_=username, json={"score": 100})
    assert_problem(score, 403, "forbidden" if relation == "the applicant themselves" else "recused")
    for attempt in (gf.post(f"/cases/{case_id}/recusal", as_=username, json={}),
                    event(gf, case_id, "close_interview", username)):
        assert attempt.status_code == 403, attempt.get_json()
    assert case_of(gf, case_id)["version"] == before["version"] and gf.history(case_id, HR) == history

    for member in ("cm2", "cm3", "cm5"):  # the members who count score: the interview ends by itself
        ok(gf.put(f"/cases/{case_id}/score", as_=member, json={"score": 85}))
    shown = case_of(gf, case_id)
    assert shown["state"] == "deliberation"
    assert [s["member"] for s in shown["interview"]["scores"]] == ["cm2", "cm3", "cm5"]

    refused = assert_problem(gf.post(f"/cycles/{C1}/decide", as_=username), 403, "forbidden")
    assert refused["case_id"] == case_id
    assert case_of(gf, case_id)["version"] == shown["version"]
    assert decide(gf, C1, as_="hr1")[case_id]["outcome"] == "approved"


def test_scores_cannot_be_changed_once_deliberation_has_begun_whatever_the_later_state(gf):
    """domain.md: each member scores once, replaceable until deliberation; afterwards no score, no
    declared recusal (which would drop a score) and no second review changes the figures, in
    deliberation, decided, published, appealed, back in deliberation after an overturn, and final."""
    organisation(gf)
    candidate(gf, "E001", performance="90")
    case_id = in_deliberation(gf, "E001", supervisor=80, scores=[70, 80, 90])
    scores = case_of(gf, case_id)["interview"]["scores"]
    supervisor_score = case_of(gf, case_id)["supervisor_score"]

    def nothing_moves(state: str):
        before, history = case_of(gf, case_id), gf.history(case_id, HR)
        assert before["state"] == state
        for member in COMMITTEE:
            for attempt in (gf.put(f"/cases/{case_id}/score", as_=member, json={"score": 100}),
                            gf.post(f"/cases/{case_id}/recusal", as_=member, json={"comment": "迟到的回避"})):
                assert assert_problem(attempt, 409, "invalid_transition")["state"] == state
        again = event(gf, case_id, "approve_materials", "s900", supervisor_score=100)
        assert_problem(again, 409, "invalid_transition")
        after = case_of(gf, case_id)
        assert after["interview"]["scores"] == scores and after["supervisor_score"] == supervisor_score
        assert after["version"] == before["version"] and gf.history(case_id, HR) == history

    nothing_moves("deliberation")
    decide(gf)
    nothing_moves("decided")
    publish(gf)
    nothing_moves("published")
    ok(appeal(gf, case_id, "e001"), 201)
    nothing_moves("appealed")
    ok(event(gf, case_id, "overturn", HR))
    nothing_moves("deliberation")
    ok(event(gf, case_id, "approve", HR))
    ok(event(gf, case_id, "publish", HR))
    move_clock(gf, "2026-09-20T10:00:00+08:00")
    nothing_moves("effective")


# --- 4. mass assignment ---------------------------------------------------------------------------

# Fields no client sets (the service derives them); each is refused wherever the route's own body
# schema does not declare it.
FORBIDDEN_EXTRAS = {
    "id": 424242, "state": "effective", "grade": "senior", "version": 99, "outcome": "approved",
    "scores": [{"member": "cm2", "score": 100}], "score": 100, "supervisor_score": 100, "interview_score": 100,
    "performance_score": 100, "final_score": 100, "rank": 1, "reasons": [], "employee_no": "E002",
    "applicant_name": "冒名", "created_by": "root", "created_at": "2026-01-01T00:00:00+08:00",
    "updated_at": "2026-01-01T00:00:00+08:00", "reviewed_by": "s900", "decided_by": "hr1", "published_at":
    "2026-09-01T09:00:00+08:00", "appeal_deadline": "2027-01-01T00:00:00+08:00", "effective_on": "2026-09-02",
    "appeal": None, "interview": None, "member": "cm2", "roles": ["admin"], "active": True, "password_hash": "x",
    "status": "active", "username": "root", "chair": "m500", "members": ["m500"], "target_grade": "senior",
}
# The first role the matrix allows, for the caller of each write.
CALLER_PREFERENCE = ("hr", "adm", "app", "chr", "mem")


def _declared_fields(app, method: str, template: str) -> set[str]:
    document = app.test_client().get(f"{API_PREFIX}/openapi.json").get_json()
    operation = document["paths"][f"{API_PREFIX}{template}"][method.lower()]
    content = (operation.get("requestBody") or {}).get("content", {}).get("application/json")
    if content is None:
        return set()
    schema = content["schema"]
    schema = schema.get("items", schema)  # a body that is a list of rows (a scoring sheet): the row's fields
    name = schema["$ref"].rsplit("/", 1)[1]
    return set(document["components"]["schemas"][name].get("properties", {}))


@pytest.mark.parametrize("route", [pytest.param(route, id=_route_id(route)) for route in WRITES])
def test_fields_a_client_never_sets_are_refused_in_every_write_body_and_nothing_changes(world, route):
    """Mass assignment: state, grade, version (where the body takes none), outcome, scores, id,
    employee_no (where not the route's own) ... in a write body are 422 validation_error naming the
    field (rule unknown_field), and the database is unchanged; the same body without them is accepted."""
    method, template = route
    row = MATRIX[route]
    role = next(r for r in CALLER_PREFERENCE + ROLES if row.letters[r] == "A")
    declared = _declared_fields(world.app, method, template)
    extras = {name: value for name, value in FORBIDDEN_EXTRAS.items() if name not in declared}
    assert {"state", "outcome", "id"} <= set(extras), declared
    base = world.body(method, template, role) or {}
    rows = isinstance(base, list)  # a list of rows: the field slips into the first
    before = snapshot(world.app)
    wrong = []
    for name, value in extras.items():
        sent = [{**base[0], name: value}, *base[1:]] if rows else {**base, name: value}
        response = world.call(role, method, template, body=sent)
        body = response.get_json(silent=True) or {}
        named = [(e.get("field"), e.get("rule")) for e in body.get("errors", [])]
        field = f"0.{name}" if rows else name
        if (response.status_code, body.get("code"), named) != (422, "validation_error", [(field, "unknown_field")]):
            wrong.append(f"{name}: {response.status_code} {body.get('code')} {named or body.get('detail')}")
    assert not wrong, f"{method} {template} as {role} took fields it must refuse:\n" + "\n".join(wrong)
    assert changed_tables(before, snapshot(world.app)) == []
    # the control: without the extras the body is good, and the caller is allowed
    control = world.call(role, method, template, body=world.body(method, template, role))
    assert _matches(control, row.allowed), control.get_json(silent=True)


def test_fields_a_client_never_sets_are_refused_in_the_query_string_of_every_route(world):
    """api-extensions.md: unknown query parameters are refused like unknown body fields (422 validation_error,
    rule unknown_field, location query), so ?outcome=...&final_score=... cannot slip past the body's schema."""
    wrong = []
    for route in ROUTES:
        if route in PUBLIC:
            continue
        method, template = route
        role = next(r for r in CALLER_PREFERENCE + ROLES if MATRIX[route].letters[r] == "A")
        response = world.call(role, method, template, query="outcome=approved&final_score=100")
        problem = response.get_json(silent=True)
        problem = problem if isinstance(problem, dict) else {}
        named = sorted((e.get("field"), e.get("rule"), e.get("location")) for e in problem.get("errors", []))
        if (response.status_code, named) != (422, [("final_score", "unknown_field", "query"),
                                                   ("outcome", "unknown_field", "query")]):
            wrong.append(f"{method} {template} as {role}: {response.status_code} {named}")
    assert not wrong, f"{len(wrong)} route(s) took ?outcome=approved&final_score=100:\n" + "\n".join(wrong)


# --- 5. tokens ------------------------------------------------------------------------------------

KEY = "test-secret-key-that-is-long-enough-for-hs256"  # tests/support/settings.py's SECRET_KEY
BOSS = "boss"  # hr and admin at once: with a good token, every hr or admin route would let them in


def _claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def _crafted(who: dict, *, key, algorithm: str, times: dict | None = None) -> str:
    now = int(time.time())
    return jwt.encode({**who, "iat": now, "exp": now + 600, **(times or {})}, key, algorithm=algorithm)


def _bad_token(world: World, kind: str) -> str:
    """A token for BOSS that must not work any more, or never did."""
    good = world.token(BOSS)
    claims = {k: v for k, v in _claims_of(good).items() if k in ("sub", "cst", "iss")}
    now = int(time.time())
    if kind == "expired":
        return _crafted(claims, key=KEY, algorithm="HS256", times={"iat": now - 120, "exp": now - 60})
    if kind == "wrong_key":
        return _crafted(claims, key="another-secret-key-that-is-long-enough-for-hs256", algorithm="HS256")
    if kind == "alg_none":
        return _crafted(claims, key=None, algorithm="none")
    if kind in ("hs384", "hs512"):  # the right key, another algorithm than the one the service signs with
        return _crafted(claims, key=KEY, algorithm=kind.upper())
    if kind == "switched_off":
        ok(world.gf.patch(f"/users/{BOSS}", as_="root", json={"active": False}))
        return good
    if kind == "password_changed":
        response = world.gf.client.put(f"{API_PREFIX}/me/password", headers={"Authorization": f"Bearer {good}"},
                                       json={"current_password": PASSWORD, "new_password": "a brand new passphrase"})
        assert response.status_code == 204, response.get_json()
        return good
    raise AssertionError(kind)


TOKEN_KINDS = {
    "forged or expired": ("expired", "wrong_key", "alg_none", "hs384", "hs512"),
    "user switched off": ("switched_off",),
    "password changed": ("password_changed",),
}


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # HS384/HS512 with the HS256 key
@pytest.mark.parametrize("kinds", list(TOKEN_KINDS))
def test_every_protected_route_refuses_a_bad_token_with_401_before_anything_else(world, kinds):
    """api-extensions.md: every path under /api/v1 but sign-in and the documentation needs a valid token,
    checked before anything else: an expired token, one signed with another key or another algorithm than
    HS256 (also with the right key), alg none, one of a user switched off or whose password changed since
    are 401 invalid_token on every route and method (never 403, 404, 409 or 422), with nothing changed."""
    world.gf.user(BOSS, "hr", "admin")
    control = world.call("hr", "GET", "/users", token=world.token(BOSS))
    assert control.status_code == 200, control.get_json()  # the same user with a good token gets in
    wrong = []
    for kind in TOKEN_KINDS[kinds]:
        token = _bad_token(world, kind)
        before = snapshot(world.app)
        for method, template in ROUTES:
            if (method, template) in PUBLIC:
                continue
            response = world.call("hr", method, template, token=token)
            body = response.get_json(silent=True)
            body = body if isinstance(body, dict) else {"(body)": body}
            if (response.status_code, body.get("code"), set(body)) != (401, "invalid_token", PROBLEM_FIELDS) \
                    or not response.headers.get("WWW-Authenticate", "").startswith("Bearer"):
                wrong.append(f"{kind}: {method} {template}: {response.status_code} {body}")
        if changed := changed_tables(before, snapshot(world.app)):
            wrong.append(f"{kind}: requests with the token changed {changed}")
    assert not wrong, "\n".join(wrong)


# role removed: (the world user, the roles left, the column of the matrix they must now answer like)
REMOVALS = {
    "hr loses hr": ("hr1", ["committee"], "out"),  # a committee user on no committee of C1
    "member loses committee": ("m500", ["employee"], "emp"),  # a manager with no relation to E001
    "supervisor loses supervisor": ("s900", ["employee"], "emp"),
}
# the caller's own: their sign-in, their password, and a substitute for themselves (which the column they now answer
# like may name: a write, as the role they still hold allows)
SELF_ROUTES = {("POST", "/auth/token"), ("PUT", "/me/password"), ("POST", "/delegations")}


@pytest.mark.parametrize("removal", list(REMOVALS))
def test_a_role_removed_after_the_token_was_issued_stops_working_on_every_route_at_once(world, removal):
    """Roles are read fresh on every request: the token issued while the user held the role now gets, on
    every route, exactly what the matrix gives a user without it (hr-only routes 403, the case and its
    people hidden), and none of the refused writes changes anything."""
    username, remaining, like = REMOVALS[removal]
    column = next(c for c, (_, u) in COLUMNS.items() if u == username)
    token = world.token(username)
    assert world.call(column, "GET", "/managers/{employee_no}", token=token).status_code == 200
    ok(world.gf.patch(f"/users/{username}", as_="root", json={"roles": remaining}))
    before = snapshot(world.app)
    wrong = []
    for route in ROUTES:
        if route in SELF_ROUTES:
            continue
        method, template = route
        response = world.call(like, method, template, token=token)
        expected = MATRIX[route].expected(like)
        if not _matches(response, expected):
            wrong.append(f"{method} {template}: expected {expected}, got {_answer(response)}")
    assert not wrong, f"{username}'s old token after {removal}:\n" + "\n".join(wrong)
    assert world.call(like, "GET", "/me", token=token).get_json()["roles"] == remaining
    assert changed_tables(before, snapshot(world.app)) == []
