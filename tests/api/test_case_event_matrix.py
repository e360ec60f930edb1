"""Every case event, fired by every kind of caller, in every state: the answer api.md promises.

The expectation comes from the table below, copied by hand from api.md's "Case events" table
(and the "who may see a case" column of `GET /cases/{id}`), never from workflow.case_machine: a
test that read WHO/MOVES could not fail. For each state the test builds the cases it needs
directly in the database (every CHECK constraint of models/cases.py respected), then:

- fires each of CALLER_EVENTS as each role at one probe case and compares the answer:
  404 when the caller may not see the case, 403 when the event is not theirs, 409
  invalid_transition (with `state` and `available_events`) when it does not apply there;
  afterwards the probe case must be untouched (same version, no new history entry);
- fires every allowed (role, event) pair at a fresh case of its own: 200, the state the table
  names, the version one up, and exactly one new history entry for that event;
- compares `available_events` of `GET /cases/{id}` with the table, for every role who sees the case.

The organisation (users are the employee numbers in lower case):

    E100 (supervisor: a higher line manager)
    └── E101 (supervisor: the applicant's direct supervisor)
        ├── A0nn (employee: one applicant per case, so that each may have its open case)
        └── E200 (employee: a colleague, "another employee")

Cycle C1: chair1 (chair), mem1, mem2, mem3; cycle C2: chair2 (chair), mem4, mem5. hr1 (hr),
adm1 (admin). Promotions belong to C1; demotions, exits and probation confirmations to no cycle.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from models import db
from models.cases import Appeal, Case, CaseHistory, CommitteeScore
from tests.support.settings import SHANGHAI
from tests.support.worlds import world_fixture
from workflow.case_machine import CALLER_EVENTS, STATES

# --- api.md, "Case events" ----------------------------------------------------------------
PROMOTION, PROBATION, DEMOTION, EXIT = "promotion", "probation_confirmation", "demotion", "exit"
STAGE_PARTY = "the stage's party"

# which cases an event applies to, beyond its source states
PROMOTIONS = "promotions"  # promotion cases (their path: materials, exception, interview)
PROBATIONS = "probation confirmations"
SINGLE_CASE = "single case"  # outside a cycle, or a re-decision after an overturned appeal
ANY_CASE = "any case"

# event: (from states, which cases, who, to state)
CONTRACT = {
    "approve_materials": ({"submitted"}, PROMOTIONS, {"supervisor"}, "interview"),  # hr_review if exceptional
    "return_materials": ({"submitted"}, PROMOTIONS, {"supervisor"}, "returned"),
    "reject_materials": ({"submitted"}, PROMOTIONS, {"supervisor"}, "rejected"),
    "resubmit": ({"returned"}, PROMOTIONS, {"applicant"}, "submitted"),
    "withdraw": ({"submitted", "returned", "hr_review", "interview"}, PROMOTIONS, {"applicant"}, "withdrawn"),
    "approve_exception": ({"hr_review"}, PROMOTIONS, {"hr"}, "interview"),
    "reject_exception": ({"hr_review"}, PROMOTIONS, {"hr"}, "rejected"),
    "pass_probation": ({"submitted"}, PROBATIONS, {"supervisor"}, "decided"),
    "fail_probation": ({"submitted"}, PROBATIONS, {"supervisor"}, "decided"),
    "close_interview": ({"interview"}, PROMOTIONS, {"chair"}, "deliberation"),
    "approve": ({"deliberation"}, SINGLE_CASE, {"chair", "hr"}, "decided"),
    "deny": ({"deliberation"}, SINGLE_CASE, {"chair", "hr"}, "decided"),
    "publish": ({"decided"}, SINGLE_CASE, {"hr"}, "published"),
    "appeal": ({"published"}, ANY_CASE, {"applicant"}, "appealed"),
    "uphold": ({"appealed"}, ANY_CASE, {"hr"}, "published"),
    "overturn": ({"appealed"}, ANY_CASE, {"hr"}, "deliberation"),
    # a policy's own stages (docs/api-extensions.md): the party the case's stage names; under the default policy,
    # which declares none, no case is in a stage, so they apply nowhere (tests/api/test_policy_stages.py)
    "pass_stage": ({"in_stage"}, PROMOTIONS, {STAGE_PARTY}, "in_stage"),
    "fail_stage": ({"in_stage"}, PROMOTIONS, {STAGE_PARTY}, "rejected"),
}
NEEDS_SUPERVISOR_SCORE = {"approve_materials", "pass_probation", "fail_probation"}

# The roles of the matrix and who sees a case (GET /cases/{id}: "applicant, their supervisors,
# the cycle's committee, hr, admin (others: 404)").
ROLES = ("applicant", "supervisor", "line_manager", "employee", "member", "chair", "other_member", "hr", "admin")
ALWAYS_SEE = {"applicant", "supervisor", "line_manager", "hr", "admin"}
SEE_IF_IN_CYCLE = {"member", "chair"}  # the committee of the case's cycle
USERNAMES = {"supervisor": "e101", "line_manager": "e100", "employee": "e200", "member": "mem1", "chair": "chair1",
             "other_member": "chair2", "hr": "hr1", "admin": "adm1"}  # "applicant": the case's own


@dataclass(frozen=True)
class Variant:
    """One kind of case in one state: what the table needs to tell apart."""
    state: str
    kind: str = PROMOTION
    exceptional: bool = False
    appeal: str | None = None  # the status of the case's appeal: None, "pending" or "overturned"
    outcome: str | None = None

    @property
    def in_cycle(self) -> bool:
        return self.kind == PROMOTION

    @property
    def single_case(self) -> bool:
        return not self.in_cycle or self.appeal == "overturned"

    def __str__(self) -> str:
        extra = [x for x in ("exceptional" if self.exceptional else None,
                             f"appeal {self.appeal}" if self.appeal else None, self.outcome) if x]
        return f"{self.state} {self.kind}" + (f" ({', '.join(extra)})" if extra else "")


APPROVED, DENIED = "approved", "denied"
VARIANTS = {
    "submitted": [Variant("submitted"), Variant("submitted", exceptional=True), Variant("submitted", PROBATION)],
    "returned": [Variant("returned")],
    "hr_review": [Variant("hr_review", exceptional=True)],
    "interview": [Variant("interview")],
    "deliberation": [Variant("deliberation"), Variant("deliberation", appeal="overturned"),
                     Variant("deliberation", DEMOTION)],
    "decided": [Variant("decided", outcome=APPROVED), Variant("decided", appeal="overturned", outcome=APPROVED),
                Variant("decided", DEMOTION, outcome=APPROVED)],
    "published": [Variant("published", outcome=APPROVED), Variant("published", DEMOTION, outcome=APPROVED)],
    "appealed": [Variant("appealed", appeal="pending", outcome=APPROVED),
                 Variant("appealed", EXIT, appeal="pending", outcome=DENIED)],
    "effective": [Variant("effective", outcome=APPROVED), Variant("effective", DEMOTION, outcome=APPROVED)],
    "closed": [Variant("closed", outcome=DENIED), Variant("closed", EXIT, outcome=DENIED)],
    "rejected": [Variant("rejected")],
    "withdrawn": [Variant("withdrawn")],
}


def _applies(event: str, variant: Variant) -> bool:
    sources, cases, _, _ = CONTRACT[event]
    return variant.state in sources and {
        PROMOTIONS: variant.kind == PROMOTION,
        PROBATIONS: variant.kind == PROBATION,
        SINGLE_CASE: variant.single_case,
        ANY_CASE: True,
    }[cases]


def _destination(event: str, variant: Variant) -> str:
    if event == "approve_materials" and variant.exceptional:
        return "hr_review"
    return CONTRACT[event][3]


def _appeal_refusal(variant: Variant) -> str:
    """api.md's "(appeal, see above)": the codes of POST /cases/{id}/appeal, appeal_exists checked first."""
    if variant.appeal is not None:
        return "appeal_exists"
    if variant.state in ("effective", "closed"):
        return "appeal_window_closed"
    return "not_published"


def sees(variant: Variant, role: str) -> bool:
    return role in ALWAYS_SEE or (role in SEE_IF_IN_CYCLE and variant.in_cycle)


def expected(variant: Variant, role: str, event: str) -> tuple[int, str]:
    """(status, code or the state the case moves to)."""
    if not sees(variant, role):
        return 404, "not_found"
    if STAGE_PARTY in CONTRACT[event][2] and variant.state != "in_stage":
        return 409, "invalid_transition"  # nobody's to fire while the case is in no stage
    if role not in CONTRACT[event][2]:
        return 403, "forbidden"
    if not _applies(event, variant):
        return 409, _appeal_refusal(variant) if event == "appeal" else "invalid_transition"
    return 200, _destination(event, variant)


def allowed_events(variant: Variant, role: str) -> set[str]:
    return {e for e in CONTRACT if expected(variant, role, e)[0] == 200}


# --- building the cases -----------------------------------------------------------------
def _at(day: str, hm: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{hm}:00").replace(tzinfo=SHANGHAI)


GRADES = {PROMOTION: ("junior", "mid"), PROBATION: ("probation", "junior"), DEMOTION: ("mid", "junior"),
          EXIT: ("junior", "exited")}
REVIEWED = {"hr_review", "interview", "deliberation", "decided", "published", "appealed", "effective", "closed"}
SCORED = REVIEWED - {"hr_review"}
DECIDED_LIKE = {"decided", "published", "appealed", "effective", "closed"}
PUBLISHED_LIKE = {"published", "appealed", "effective", "closed"}
FINAL = {"effective", "closed"}


class Cases:
    """Fresh cases of a variant, each for a new applicant under E101 (one open case per manager)."""

    def __init__(self, gf):
        self.gf, self.app = gf, gf.app
        self._numbers = itertools.count(1)

    def new(self, variant: Variant) -> tuple[int, str]:
        """(case id, the applicant's username)."""
        from_grade, target = GRADES[variant.kind]
        no = f"A{next(self._numbers):03d}"
        since = date(2026, 5, 1) if variant.kind == PROBATION else date(2025, 1, 1)
        self.gf.manager(no, from_grade, supervisor="E101", grade_since=since, login=True)
        if variant.kind == PROMOTION:
            self.gf.performance(no, "2025", "88")
        with self.app.app_context():
            case = Case(kind=variant.kind, cycle_code="C1" if variant.in_cycle else None, employee_no=no,
                        from_grade=from_grade, target_grade=target, exceptional=variant.exceptional,
                        statement="(matrix)", state=variant.state, reasons=[], created_by="hr1",
                        created_at=_at("2026-08-03"), updated_at=_at("2026-08-03"), state_since=_at("2026-08-03"),
                        version=1)
            state, promotion = variant.state, variant.kind == PROMOTION
            if promotion and state in REVIEWED:
                case.supervisor_score, case.reviewed_by = Decimal("90"), "e101"
            if state in DECIDED_LIKE:
                case.outcome, case.decided_by, case.decided_at = variant.outcome, "hr1", _at("2026-08-20", "09:00")
                case.reasons = [] if variant.outcome == APPROVED else ["denied_on_review"]
            if state in FINAL:
                case.published_at, case.appeal_deadline = _at("2026-08-20"), _at("2026-08-25", "23:59:59")
                case.finalized_at = _at("2026-08-26", "00:05")
                case.effective_on = date(2026, 8, 26) if state == "effective" else None
            elif state in PUBLISHED_LIKE or variant.appeal:  # the window is open (now: 2026-09-01 09:00)
                case.published_at, case.appeal_deadline = _at("2026-08-31"), _at("2026-09-03", "23:59:59")
            if case.published_at is not None:
                case.deadline_confirmed = True
            db.session.add(case)
            db.session.flush()
            if promotion and state in SCORED:
                for member in ("mem1", "mem2", "mem3"):  # a quorum; the chair has not scored
                    db.session.add(CommitteeScore(case_id=case.id, username=member, score=Decimal("90"),
                                                  scored_at=_at("2026-08-10")))
            if variant.appeal is not None:
                resolved = variant.appeal != "pending"
                db.session.add(Appeal(case_id=case.id, filed_by=no.lower(), filed_at=_at("2026-09-01", "08:00"),
                                      reason="(matrix)", status=variant.appeal,
                                      resolved_by="hr1" if resolved else None,
                                      resolved_at=_at("2026-09-01", "08:30") if resolved else None))
            db.session.commit()
            case_id = case.id
            db.session.remove()
        return case_id, no.lower()

    def snapshot(self, case_id: int) -> tuple[int, list[tuple]]:
        """(version, [(event, from_state, to_state)] oldest first), read straight from the database."""
        with self.app.app_context():
            with db.engine.connect() as conn:
                version = conn.scalar(sa.select(Case.version).where(Case.id == case_id))
                entries = conn.execute(sa.select(CaseHistory.event, CaseHistory.from_state, CaseHistory.to_state)
                                       .where(CaseHistory.case_id == case_id).order_by(CaseHistory.seq)).all()
        return version, [tuple(e) for e in entries]


@pytest.fixture
@world_fixture
def org(gf):
    supervisor = ("employee", "supervisor")
    gf.manager("E100", "senior", login=True, roles=supervisor)
    gf.manager("E101", "mid", supervisor="E100", login=True, roles=supervisor)
    gf.manager("E200", "junior", supervisor="E101", login=True)
    for name in ("chair1", "mem1", "mem2", "mem3", "chair2", "mem4", "mem5"):
        gf.user(name, "committee")
    gf.user("hr1", "hr")
    gf.user("adm1", "admin")
    for code, chair, members in (("C1", "chair1", ["mem1", "mem2", "mem3"]), ("C2", "chair2", ["mem4", "mem5"])):
        assert gf.post("/cycles", as_="hr1", json={"code": code, "name": f"cycle {code}"}).status_code == 201
        response = gf.put(f"/cycles/{code}/committee", as_="hr1", json={"chair": chair, "members": members})
        assert response.status_code == 200, response.get_json()
    return Cases(gf)


def _fire(gf, case_id: int, username: str, event: str):
    body = {"event": event}
    if event in NEEDS_SUPERVISOR_SCORE:
        body["supervisor_score"] = 80
    if event == "appeal":
        body["reason"] = "the interview was unfair"
    return gf.post(f"/cases/{case_id}/events", as_=username, json=body)


def _answer(response) -> str:
    body = response.get_json() or {}
    return f"{response.status_code} {body.get('code') or body.get('state')}"


def _check_refusals(gf, cases: Cases, variant: Variant, mismatches: list[str]) -> None:
    """Every (role, event) that must not succeed, at one probe case, which must stay untouched."""
    case_id, applicant = cases.new(variant)
    before = cases.snapshot(case_id)
    for role, event in itertools.product(ROLES, CALLER_EVENTS):
        status, code = expected(variant, role, event)
        if status == 200:
            continue
        username = applicant if role == "applicant" else USERNAMES[role]
        response = _fire(gf, case_id, username, event)
        body = response.get_json() or {}
        where = f"{variant}: {role} ({username}) fires {event}"
        if (response.status_code, body.get("code")) != (status, code):
            mismatches.append(f"{where}: expected {status} {code}, got {_answer(response)}")
        elif code == "invalid_transition":
            wanted = sorted(allowed_events(variant, role))
            if body.get("state") != variant.state or sorted(body.get("available_events") or []) != wanted:
                mismatches.append(f"{where}: 409 should name state {variant.state} and available_events {wanted}, "
                                  f"got state {body.get('state')} and {body.get('available_events')}")
    after = cases.snapshot(case_id)
    if after != before:
        mismatches.append(f"{variant}: refused events changed the case: version {before[0]} -> {after[0]}, "
                          f"new history {after[1][len(before[1]):]}")
    for role in ROLES:  # what each caller is offered matches the table
        if not sees(variant, role):
            continue
        username = applicant if role == "applicant" else USERNAMES[role]
        response = gf.get(f"/cases/{case_id}", as_=username)
        offered = sorted(response.get_json().get("available_events") or []) if response.status_code == 200 else None
        if offered != sorted(allowed_events(variant, role)):
            mismatches.append(f"{variant}: GET as {role} ({username}) offers {offered} "
                              f"(status {response.status_code}), the table {sorted(allowed_events(variant, role))}")


def _check_allowed(gf, cases: Cases, variant: Variant, mismatches: list[str]) -> None:
    """Every allowed (role, event), each at a fresh case: 200, the table's state, one history entry."""
    for role, event in itertools.product(ROLES, CALLER_EVENTS):
        status, to_state = expected(variant, role, event)
        if status != 200:
            continue
        case_id, applicant = cases.new(variant)
        username = applicant if role == "applicant" else USERNAMES[role]
        version, history = cases.snapshot(case_id)
        response = _fire(gf, case_id, username, event)
        where = f"{variant}: {role} ({username}) fires {event}"
        body = response.get_json() or {}
        if response.status_code != 200 or body.get("state") != to_state:
            mismatches.append(f"{where}: expected 200 -> {to_state}, got {_answer(response)}: {body.get('detail')}")
            continue
        new_version, new_history = cases.snapshot(case_id)
        added = new_history[len(history):]
        if new_version != version + 1 or body.get("version") != version + 1:
            mismatches.append(f"{where}: version {version} -> {new_version} (response {body.get('version')}), "
                              "expected one up")
        if added != [(event, variant.state, to_state)]:
            mismatches.append(f"{where}: history added {added}, expected [({event!r}, {variant.state!r}, "
                              f"{to_state!r})]")


def test_the_table_covers_every_state_and_caller_event():
    # in_stage: only under a policy with stages of its own (tests/api/test_policy_stages.py)
    assert set(VARIANTS) == set(STATES) - {"in_stage"}
    assert set(CONTRACT) == set(CALLER_EVENTS), "api.md's table and the events callers may send differ"
    for state, variants in VARIANTS.items():
        assert all(v.state == state for v in variants)


@pytest.mark.parametrize("state", list(VARIANTS))
def test_every_role_and_event_gets_the_contracts_answer(org, gf, state):
    """200 / 403 forbidden / 404 not_found / 409 invalid_transition, as api.md's table says, for
    every caller event, every role, and every kind of case that the state holds."""
    mismatches: list[str] = []
    for variant in VARIANTS[state]:
        _check_refusals(gf, org, variant, mismatches)
        _check_allowed(gf, org, variant, mismatches)
    assert not mismatches, f"{len(mismatches)} mismatch(es) with api.md:\n" + "\n".join(mismatches)
