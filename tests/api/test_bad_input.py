"""Hostile and sloppy input (issue 5, "Bad input"): bodies too large, of the wrong type or malformed;
text too long, beyond the Basic Multilingual Plane, carrying SQL or markup, NUL bytes or lone surrogates.

What tests/api/test_input_hygiene.py and tests/api/test_errors.py already show is not repeated here
(control characters in manager fields and query parameters; 413 with MAX_CONTENT_LENGTH on sign-in and
POST /users; 415 on sign-in, PUT /clock and PATCH /users; malformed JSON on sign-in and PUT /clock).

Free text is stored and returned exactly as sent (after the trimming of surrounding white space that
`Text` fields do by design; no value here has any), as JSON, and never interpreted. A NUL byte is refused
(422 `no_control_characters`), and so is a lone surrogate, which UTF-8 cannot store (422 `no_lone_surrogates`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

import pytest
import sqlalchemy as sa

from models import db
from tests.support.answers import assert_problem, ok
from tests.support.driver import Driver
from tests.support.steps import apply, decide, in_deliberation, publish, review
from tests.support.world import BOSS, COMMITTEE, HR, candidate, open_cycle, organisation

OPEN = "2027H1"  # a cycle still taking applications, next to CYCLE (decided and published)
DEFAULT_LIMIT = 1024 * 1024  # GRADEFLOW_MAX_BODY_BYTES's default (api/config.py)
MANAGER = {"employee_no": "M1", "name": "王芳", "org_unit": "北京分行", "grade": "junior",
           "grade_since": "2025-03-01", "hire_date": "2024-12-01", "supervisor": None}
DAY = "2026-10-09"


def send(gf, method: str, path: str, as_: str | None, body, *, escaped: bool = True) -> object:
    """`body` as JSON: non-ASCII characters escaped (\\uXXXX, a surrogate pair beyond the BMP: the only way
    to send a lone surrogate or NUL), or as raw UTF-8."""
    data = json.dumps(body, ensure_ascii=escaped).encode("utf-8")
    return gf.request(method, path, as_, data=data, content_type="application/json")


# --- an organisation, built as far as a field needs it ----------------------------------------

class World:
    """The standard organisation (tests.support.world: hr1, root, the committee, S900) with a second, open
    cycle; cases are added on demand, each only once."""

    def __init__(self, gf, *, escaped: bool = True):
        self.gf, self.escaped = gf, escaped
        self._built: dict[str, object] = {}
        organisation(gf)
        open_cycle(gf, OPEN)

    def send(self, method: str, path: str, as_: str | None, body) -> object:
        return send(self.gf, method, path, as_, body, escaped=self.escaped)

    def _once(self, name: str, build: Callable[[], object]):
        if name not in self._built:
            self._built[name] = build()
        return self._built[name]

    def manager(self) -> str:
        """M1, for corrections."""
        return self._once("manager", lambda: self.gf.manager("M1", "junior"))

    def applicant(self) -> str:
        """E010, who may apply in the open cycle."""
        return self._once("applicant", lambda: candidate(self.gf, "E010"))

    def submitted(self) -> int:
        """E011's application in the open cycle, waiting for the supervisor."""
        return self._once("submitted", lambda: (candidate(self.gf, "E011"), apply(self.gf, "E011", cycle=OPEN))[1])

    def interview(self) -> int:
        """E012's application in the open cycle, in interview."""
        def build():
            candidate(self.gf, "E012")
            case_id = apply(self.gf, "E012", cycle=OPEN)
            review(self.gf, case_id, 80)
            return case_id
        return self._once("interview", build)

    def published(self) -> dict[str, int]:
        """CYCLE decided and published, the appeal window open: E001's promotion approved, E002's and
        E003's denied (each org unit ranks its own juniors: these do not compete with the others)."""
        def build():
            candidate(self.gf, "E001", performance="80", org_unit="广州分行")
            candidate(self.gf, "E002", performance="50", org_unit="广州分行")
            candidate(self.gf, "E003", performance="50", org_unit="上海分行")
            cases = {"approved": in_deliberation(self.gf, "E001", supervisor=80, scores=80),
                     "denied": in_deliberation(self.gf, "E002", supervisor=50, scores=50),
                     "to_appeal": in_deliberation(self.gf, "E003", supervisor=50, scores=50)}
            decide(self.gf)
            publish(self.gf)
            return cases
        return self._once("published", build)

    def appealed(self) -> int:
        """E003's denied promotion, appealed."""
        def build():
            case_id = self.published()["to_appeal"]
            ok(send(self.gf, "POST", f"/cases/{case_id}/appeal", "e003", {"reason": "评分有误"}), 201)
            return case_id
        return self._once("appealed", build)

    def case(self, case_id: int) -> dict:
        return self.gf.case(case_id, HR)

    def history_comment(self, case_id: int, event_name: str) -> str | None:
        [entry] = [e for e in self.gf.history(case_id, HR) if e["event"] == event_name]
        return entry["comment"]

    def everything(self) -> dict:
        """What hr can read of the whole organisation: to show that a refused request changed nothing."""
        return {"cases": ok(self.gf.get("/cases?per_page=500", as_=HR)),
                "cycles": ok(self.gf.get("/cycles", as_=HR)),
                "managers": ok(self.gf.get("/managers?per_page=500", as_=HR)),
                "days": ok(self.gf.get(f"/calendar/days?from={DAY}&to={DAY}", as_=HR)),
                "histories": {c["id"]: self.gf.history(c["id"], HR)
                              for c in ok(self.gf.get("/cases?per_page=500", as_=HR))}}


@dataclass(frozen=True)
class TextField:
    """A free-text field: what it needs, how to send a value (a response), how to read back what was stored."""
    name: str  # as the problem details name it
    limit: int
    prepare: Callable[[World], object]
    write: Callable[[World, str], object]
    read: Callable[[World, object], str | None]


def _nothing(w: World) -> None:
    return None


TEXT_FIELDS = {
    "POST /cycles name": TextField(
        "name", 200, _nothing,
        lambda w, v: w.send("POST", "/cycles", HR, {"code": "X1", "name": v}),
        lambda w, r: ok(w.gf.get("/cycles/X1", as_=HR))["name"]),
    "POST /managers name": TextField(
        "name", 100, _nothing,
        lambda w, v: w.send("POST", "/managers", HR, {**MANAGER, "employee_no": "N1", "name": v}),
        lambda w, r: ok(w.gf.get("/managers/N1", as_=HR))["name"]),
    "POST /managers org_unit": TextField(
        "org_unit", 100, _nothing,
        lambda w, v: w.send("POST", "/managers", HR, {**MANAGER, "employee_no": "N2", "org_unit": v}),
        lambda w, r: ok(w.gf.get("/managers/N2", as_=HR))["org_unit"]),
    "POST /managers education": TextField(
        "education", 100, _nothing,
        lambda w, v: w.send("POST", "/managers", HR, {**MANAGER, "employee_no": "N3", "education": v}),
        lambda w, r: ok(w.gf.get("/managers/N3", as_=HR))["education"]),
    "PATCH /managers name": TextField(
        "name", 100, World.manager,
        lambda w, v: w.send("PATCH", f"/managers/{w.manager()}", HR, {"name": v}),
        lambda w, r: ok(w.gf.get(f"/managers/{w.manager()}", as_=HR))["name"]),
    "PUT /calendar/days name": TextField(
        "name", 100, _nothing,
        lambda w, v: w.send("PUT", f"/calendar/days/{DAY}", HR, {"working": False, "name": v}),
        lambda w, r: ok(w.gf.get(f"/calendar/days?from={DAY}&to={DAY}", as_=HR))[0]["name"]),
    "POST /cases statement": TextField(
        "statement", 4000, World.applicant,
        lambda w, v: w.send("POST", "/cases", w.applicant().lower(),
                          {"cycle": OPEN, "target_grade": "mid", "statement": v}),
        lambda w, r: w.case(r.get_json()["id"])["statement"]),
    "POST /cases/{id}/events comment": TextField(
        "comment", 2000, World.submitted,
        lambda w, v: w.send("POST", f"/cases/{w.submitted()}/events", BOSS,
                          {"event": "approve_materials", "supervisor_score": 80, "comment": v}),
        lambda w, r: w.history_comment(w.submitted(), "approve_materials")),
    "PUT /cases/{id}/score comment": TextField(
        "comment", 2000, World.interview,
        lambda w, v: w.send("PUT", f"/cases/{w.interview()}/score", COMMITTEE[0], {"score": 80, "comment": v}),
        lambda w, r: w.case(w.interview())["interview"]["scores"][0]["comment"]),
    "POST /cases/{id}/recusal comment": TextField(
        "comment", 2000, World.interview,
        lambda w, v: w.send("POST", f"/cases/{w.interview()}/recusal", COMMITTEE[1], {"comment": v}),
        lambda w, r: w.history_comment(w.interview(), "recusal")),
    "POST /cases/{id}/appeal reason": TextField(
        "reason", 4000, World.published,
        lambda w, v: w.send("POST", f"/cases/{w.published()['denied']}/appeal", "e002", {"reason": v}),
        lambda w, r: w.case(w.published()["denied"])["appeal"]["reason"]),
    "POST /cases/{id}/events appeal reason": TextField(
        "reason", 4000, World.published,
        lambda w, v: w.send("POST", f"/cases/{w.published()['approved']}/events", "e001",
                          {"event": "appeal", "reason": v}),
        lambda w, r: w.case(w.published()["approved"])["appeal"]["reason"]),
    "POST /cases/{id}/events uphold comment": TextField(
        "comment", 2000, World.appealed,
        lambda w, v: w.send("POST", f"/cases/{w.appealed()}/events", HR, {"event": "uphold", "comment": v}),
        lambda w, r: w.case(w.appealed())["appeal"]["resolution"]),
}
# test_input_hygiene.py shows NUL refused in these already
NUL_COVERED = {"POST /managers name", "POST /managers org_unit", "POST /managers education"}


def _long(length: int) -> str:
    """`length` code points, most of them outside the BMP or CJK, none of them white space."""
    return ("𠀀a😀中" * length)[:length]


def _refused_changing_nothing(world: World, spec: TextField, value: str, rule: str | None) -> dict:
    before = world.everything()
    body = assert_problem(spec.write(world, value), 422, "validation_error", field=spec.name, rule=rule)
    assert world.everything() == before
    return body


# --- very long text ---------------------------------------------------------------------------

@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_text_one_character_over_its_limit_is_refused_naming_field_and_rule_and_at_the_limit_is_stored_whole(
        gf, field):
    """Each free-text field holds up to its limit in characters (code points, non-BMP ones included) and
    returns them whole; one more is 422 naming the field with rule `length`, and changes nothing."""
    spec, world = TEXT_FIELDS[field], World(gf)
    spec.prepare(world)

    _refused_changing_nothing(world, spec, _long(spec.limit + 1), "length")

    at_limit = _long(spec.limit)
    response = spec.write(world, at_limit)
    assert response.status_code in (200, 201), response.get_json()
    assert spec.read(world, response) == at_limit


@pytest.mark.parametrize("field, limit", [("username", 64), ("password", 1024)])
def test_sign_in_with_a_field_over_its_limit_is_refused_naming_field_and_rule(gf, field, limit):
    """Sign-in takes a username of at most 64 characters and a password of at most 1024: beyond, 422
    `length`; at the limit, just wrong credentials."""
    gf.user(HR, "hr")
    body = {"username": HR, "password": "correct horse battery"}
    over = send(gf, "POST", "/auth/token", None, {**body, field: _long(limit + 1)})
    assert_problem(over, 422, "validation_error", field=field, rule="length")
    assert_problem(send(gf, "POST", "/auth/token", None, {**body, field: _long(limit)}), 401, "invalid_credentials")


# --- SQL, markup and text beyond the BMP ----------------------------------------------------------

HOSTILE = {
    "sql_drop": "'; DROP TABLE cases; --",
    "sql_delete": "Robert'); DELETE FROM users;--",
    "script": "<script>alert(1)</script>",
    "img_onerror": "<img src=x onerror=alert(1)>",
    "non_bmp": "𠀀𠮷野家 😀 👩\u200d💻 👍🏽",
    "quotes_and_escapes": 'x" OR "1"="1 \\ %s %% {{7*7}} ${7*7} \u2028\u2029 \u202e',
}


def _counts(app) -> dict[str, int]:
    with app.app_context():
        with db.engine.connect() as conn:
            names = set(sa.inspect(conn).get_table_names())
            counts = {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                      for t in db.metadata.sorted_tables if t.name in names}
        db.session.remove()
    return counts


@pytest.mark.parametrize("payload", HOSTILE.values(), ids=HOSTILE.keys())
def test_sql_markup_and_non_bmp_text_in_every_free_text_field_is_stored_and_returned_verbatim_and_never_run(
        gf, payload):
    """Every free-text field takes the text as it is (sent as raw UTF-8): stored and returned exactly (the
    same UTF-8 bytes), in application/json bodies; no SQL in it runs (every table is still there, no row
    went away)."""
    world = World(gf, escaped=False)
    for spec in TEXT_FIELDS.values():
        spec.prepare(world)
    before = _counts(gf.app)
    users_before = {u["username"] for u in ok(gf.get("/users?per_page=500", as_=HR))}

    returned, responses = {}, []
    for field, spec in TEXT_FIELDS.items():
        response = spec.write(world, payload)
        assert response.status_code in (200, 201), (field, response.get_json())
        responses.append(response)
        value = spec.read(world, response)
        returned[field] = value.encode("utf-8") if value is not None else None

    assert returned == {field: payload.encode("utf-8") for field in TEXT_FIELDS}
    assert {r.mimetype for r in responses} == {"application/json"}
    after = _counts(gf.app)
    assert set(after) == {t.name for t in db.metadata.sorted_tables}  # no table dropped
    assert all(after[name] >= before[name] for name in before), (before, after)  # no row deleted
    assert after["users"] == before["users"]
    assert {u["username"] for u in ok(gf.get("/users?per_page=500", as_=HR))} == users_before


def test_markup_in_a_field_name_comes_back_inside_a_json_problem_not_as_html(gf):
    """An unknown field is named in the 422 problem, its markup characters escaped, inside
    application/problem+json: never an HTML page that would render it."""
    gf.user(HR, "hr")
    markup = "<img src=x onerror=alert(1)>"
    in_query = gf.get("/managers?%3Cscript%3Ealert(1)%3C%2Fscript%3E=1", as_=HR)
    # named with its markup characters written as JSON escapes (tests/api/test_errors_repeat_no_markup.py)
    assert_problem(in_query, 422, "validation_error", field="\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
                   rule="unknown_field")
    in_body = send(gf, "POST", "/cycles", HR, {"code": "X1", "name": "n", markup: 1})
    assert_problem(in_body, 422, "validation_error", field="\\u003cimg src=x onerror=alert(1)\\u003e", rule="unknown_field")
    assert "<" not in in_query.get_data(as_text=True) + in_body.get_data(as_text=True)
    assert_problem(gf.get("/cycles/X1", as_=HR), 404, "not_found")
    assert in_query.headers["X-Content-Type-Options"] == in_body.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path, body", [
    ("/cycles", '{"code": "C2", "name": "x", "\\ud800": 1}'),  # a body with a schema
    (f"/cycles/{OPEN}/decide", '{"\\ud800": 1}'),  # a body where none is taken
], ids=["declared-body", "no-body"])
def test_an_unknown_field_named_by_a_lone_surrogate_is_named_back_as_its_json_escape(gf, path, body):
    """The 422 names the field as it was sent: a lone surrogate cannot be UTF-8, so it comes back as the
    JSON escape it arrived as, not as a 500."""
    gf.user(HR, "hr")
    response = gf.post(path, as_=HR, data=body, content_type="application/json")
    assert b'"field": "\\ud800"' in response.get_data()
    assert_problem(response, 422, "validation_error", field="\ud800", rule="unknown_field")


def test_head_refuses_undeclared_query_parameters_as_get_does(gf):
    gf.user(HR, "hr")
    assert gf.get("/me?outcome=approved", as_=HR).status_code == 422
    assert gf.request("HEAD", "/me?outcome=approved", as_=HR).status_code == 422
    assert gf.request("HEAD", "/me", as_=HR).status_code == 200


def test_no_answer_may_be_sniffed_into_another_type(gf):
    """Every answer, success or problem, signed in or not, tells browsers not to guess its type."""
    gf.user(HR, "hr")
    answers = [gf.get("/managers", as_=HR), gf.get("/managers"), gf.get("/nowhere", as_=HR),
               gf.client.get("/api/v1/openapi.json")]
    assert [a.headers.get("X-Content-Type-Options") for a in answers] == ["nosniff"] * 4


# --- NUL bytes and lone surrogates -------------------------------------------------------------------

@pytest.mark.parametrize("field", [f for f in TEXT_FIELDS if f not in NUL_COVERED])
def test_a_nul_byte_in_free_text_is_refused_naming_the_field_and_changes_nothing(gf, field):
    """NUL is a control character: 422 `no_control_characters` naming the field (PostgreSQL could not
    store it in text anyway); nothing changes."""
    spec, world = TEXT_FIELDS[field], World(gf)
    spec.prepare(world)
    _refused_changing_nothing(world, spec, "意见\x00正文", "no_control_characters")


@pytest.mark.parametrize("field", TEXT_FIELDS)
@pytest.mark.parametrize("surrogate", ["\ud800", "\udfff"], ids=["high", "low"])
def test_a_lone_surrogate_in_free_text_is_refused_naming_the_field_and_changes_nothing(gf, field, surrogate):
    """A lone surrogate is no character: UTF-8 cannot hold it, so it cannot be stored verbatim; it is
    refused (422 naming the field) and nothing changes."""
    spec, world = TEXT_FIELDS[field], World(gf)
    spec.prepare(world)
    _refused_changing_nothing(world, spec, f"意见{surrogate}正文", "no_lone_surrogates")


@pytest.mark.parametrize("field", ["username", "password"])
def test_a_lone_surrogate_at_sign_in_is_refused_naming_the_field(gf, field):
    """Sign-in, the one request a stranger can make, refuses a lone surrogate with 422 naming the field."""
    gf.user(HR, "hr")
    body = {"username": HR, "password": "correct horse battery", field: "a\ud800b"}
    assert_problem(send(gf, "POST", "/auth/token", None, body), 422, "validation_error", field=field, rule="no_lone_surrogates")


# --- bodies too large ----------------------------------------------------------------------------

def _padded(body: dict, size: int) -> bytes:
    """`body` as JSON of exactly `size` bytes (white space before the closing brace)."""
    text = json.dumps(body)
    assert len(text) <= size
    return (text[:-1] + " " * (size - len(text)) + "}").encode()


def test_a_body_of_exactly_the_default_limit_is_taken_and_one_byte_more_is_413_storing_nothing(gf):
    """GRADEFLOW_MAX_BODY_BYTES defaults to 1 MiB: a body of exactly 1 MiB is read; one byte more is 413
    `payload_too_large` and creates nothing."""
    gf.user(HR, "hr")
    over = gf.post("/cycles", as_=HR, data=_padded({"code": "X2", "name": "太大"}, DEFAULT_LIMIT + 1),
                   content_type="application/json")
    assert_problem(over, 413, "payload_too_large")
    assert_problem(gf.get("/cycles/X2", as_=HR), 404, "not_found")

    exact = gf.post("/cycles", as_=HR, data=_padded({"code": "X1", "name": "刚好"}, DEFAULT_LIMIT),
                    content_type="application/json")
    assert ok(exact, 201)["name"] == "刚好"


def test_the_body_limit_follows_gradeflow_max_body_bytes(gf, build, monkeypatch):
    """GRADEFLOW_MAX_BODY_BYTES=2048 (api/config.py): 2048 bytes are read, 2049 are 413 on every writing
    method, and nothing changes."""
    gf.user(HR, "hr")
    gf.manager("M1", "junior", name="王芳")
    monkeypatch.setenv("GRADEFLOW_MAX_BODY_BYTES", "2048")
    small = Driver(build())
    requests = [("POST", "/cycles", {"code": "X1", "name": "周期"}),
                ("PATCH", "/managers/M1", {"name": "王芳芳"}),
                ("PUT", f"/calendar/days/{DAY}", {"working": False, "name": "调休"})]
    for method, path, body in requests:
        response = small.request(method, path, HR, data=_padded(body, 2049), content_type="application/json")
        assert_problem(response, 413, "payload_too_large")
    assert_problem(gf.get("/cycles/X1", as_=HR), 404, "not_found")
    assert ok(gf.get("/managers/M1", as_=HR))["name"] == "王芳"
    assert ok(gf.get(f"/calendar/days?from={DAY}&to={DAY}", as_=HR))[0]["working"] is True

    for method, path, body in requests:
        response = small.request(method, path, HR, data=_padded(body, 2048), content_type="application/json")
        assert response.status_code in (200, 201), response.get_json()


# --- bodies of the wrong type ---------------------------------------------------------------------

NOT_JSON = [
    pytest.param("multipart/form-data; boundary=b", '--b\r\nContent-Disposition: form-data; name="reason"\r\n\r\n'
                 'x\r\n--b--\r\n', id="multipart"),
    pytest.param("text/json", '{"reason": "x"}', id="text_json"),
    pytest.param("text/html", "<p>x</p>", id="html"),
    pytest.param(None, '{"reason": "x"}', id="no_content_type"),
]


@pytest.mark.parametrize("content_type, data", NOT_JSON)
def test_a_case_request_in_anything_but_json_is_415_and_changes_nothing(gf, content_type, data):
    """Appeals, events and scores take JSON only: any other (or no) content type is 415
    `unsupported_media_type`, and the case stays as it was."""
    world = World(gf)
    denied, interviewing = world.published()["denied"], world.interview()
    before = world.everything()
    kwargs = {"data": data} | ({"content_type": content_type} if content_type else {})
    for response in (gf.post(f"/cases/{denied}/appeal", as_="e002", **kwargs),
                     gf.post(f"/cases/{denied}/events", as_=HR, **kwargs),
                     gf.put(f"/cases/{interviewing}/score", as_=COMMITTEE[0], **kwargs),
                     gf.post("/cases", as_="e001", **kwargs)):
        body = assert_problem(response, 415, "unsupported_media_type")
        assert "application/json" in body["detail"], body
    assert world.everything() == before


# --- malformed JSON ---------------------------------------------------------------------------------

@pytest.mark.parametrize("data", [
    b'{"reason": "x"', b'{"reason": "x",}', b"{'reason': 'x'}", b'{"reason": "x"} {"reason": "y"}',
    b'{"reason": "\xe8\xaf"}', b'{"reason": /* comment */ "x"}', b'{"reason": "x\\q"}',
], ids=["truncated", "trailing_comma", "single_quotes", "two_documents", "cut_utf8", "comment", "bad_escape"])
def test_malformed_json_on_a_case_is_400_naming_the_body_and_changes_nothing(gf, data):
    """A body that is not JSON is 400 `malformed_json`, saying it is the body, and changes nothing."""
    world = World(gf)
    denied = world.published()["denied"]
    before = world.everything()
    body = assert_problem(gf.post(f"/cases/{denied}/appeal", as_="e002", data=data, content_type="application/json"),
                          400, "malformed_json")
    assert "body" in body["detail"], body
    assert world.everything() == before


DEPTH = 100_000  # 200 kB of brackets: far below the body limit


@pytest.mark.parametrize("data", ["[" * DEPTH + "]" * DEPTH, '{"a":' * DEPTH + "1" + "}" * DEPTH],
                         ids=["arrays", "objects"])
def test_json_nested_too_deep_is_400_not_a_server_error(gf, data):
    """A body nested 100 000 levels deep (well within the size limit) is refused as malformed: 400."""
    gf.user(HR, "hr")
    assert len(data) < DEFAULT_LIMIT
    body = assert_problem(gf.post("/cycles", as_=HR, data=data, content_type="application/json"),
                          400, "malformed_json")
    assert "body" in body["detail"], body


def test_an_integer_with_thousands_of_digits_is_refused_not_a_server_error(gf):
    """A 5000-digit number is refused: 400 `malformed_json`, or 422 naming the field, never 500."""
    gf.user(HR, "hr")
    gf.manager("M1", "junior")
    data = '{"score": 80, "months_worked": ' + "9" * 5000 + "}"
    response = gf.put("/managers/M1/performance/2025", as_=HR, data=data, content_type="application/json")
    body = response.get_json()
    assert (response.status_code, body["code"]) in {(400, "malformed_json"), (422, "validation_error")}, body
    assert ok(gf.get("/managers/M1/performance", as_=HR)) == []


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_a_score_that_is_not_a_finite_number_is_refused_naming_it(gf, literal):
    """JSON has no NaN or Infinity (Python reads them, and 1e400 as infinity): a score must be a finite
    number, 422 naming `score`; nothing is recorded."""
    world = World(gf)
    interviewing = world.interview()
    before = world.everything()
    for response in (
            gf.put(f"/cases/{interviewing}/score", as_=COMMITTEE[0], data='{"score": %s}' % literal,
                   content_type="application/json"),
            gf.put("/managers/E012/performance/2026", as_=HR, data='{"score": %s, "months_worked": 8}' % literal,
                   content_type="application/json")):
        assert_problem(response, 422, "validation_error", field="score")
    assert world.everything() == before
    assert ok(gf.get("/managers/E012/performance", as_=HR))[-1]["period"] == "2025"


# --- numbers beyond the database's -----------------------------------------------------------------

@pytest.mark.parametrize("path", ["/users", "/managers", "/cycles", "/cases", "/managers/E001/grade-history"])
def test_a_page_number_past_what_the_database_counts_is_refused_or_empty_not_a_server_error(gf, path):
    """?page=2**63 asks for rows no table has: an empty page (200, []) or 422 naming `page`, never 500."""
    organisation(gf)
    candidate(gf, "E001")
    response = gf.get(f"{path}?page={2 ** 63}", as_=HR)
    body = response.get_json()
    if response.status_code == 200:
        assert body == [], body
    else:
        assert_problem(response, 422, "validation_error", field="page")
