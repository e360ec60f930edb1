"""Model-based test (issue 5 "Trust", point 7): random multi-role sequences, sent through the Flask test
client, keep every invariant of the service.

A hypothesis RuleBasedStateMachine plays a small organisation, built afresh for every example (the tables
are emptied, the people registered again, one cycle opened):

    S800 (supervisor)            P900 (supervisor, another team)
    └── S900 (supervisor, also on the committee)          └── P101 (上海分行)
        ├── E101, E102, E103 (juniors), M201 (mid), P301 (on probation), H001 (junior, also hr)   (北京分行)

with hr1 (hr), root (admin), the cycle's committee chair, cm2, cm3, cm4 and s900 (s900 is recused from
his own reports' cases), and cm9, who holds the committee role but sits on no committee.

Each rule is a step somebody takes: a manager applies for promotion (eligible or not, for themselves or
through hr); the supervisor reviews; the applicant resubmits or withdraws; hr rules on an exception;
committee members score (in range, out of range, twice) or recuse themselves; the chair closes the
interview; the chair or hr decides the cycle or a single case; hr publishes; the applicant appeals,
within or outside the window; hr upholds or overturns; hr opens demotions, exits and probation
confirmations; the admin moves the manual clock (days, working days, to a deadline to the second), or
it moves while the scheduler is down and `gradeflow run-due` catches up; hr records quarter performance,
closes a quarter, changes the calendar; someone without business on a case tries an action; people read
cases, histories, manager records and the publication board.

Before each request the machine predicts the answer from the rules (api.md's table of case events, who
fires which event by workflow/case_access.py, the documented order of the checks) and checks it: the
status and code; a refused request changes nothing (version, history, audit chain); an accepted one moves
the case where the table says, its version up by one. After every step the invariants are read back from
the database (see `the_invariants_hold`), and every response is scanned for data its reader may not see.

CI runs GRADEFLOW_MODEL_EXAMPLES (default 30) examples of GRADEFLOW_MODEL_STEPS (default 60) steps on each
database, in 5 parts, each on a fixed seed of its own (the same sequences every run, on both databases; the
parts let the test workers share the examples), each part one example more for the simplest sequence, which
Hypothesis tries first in every run. Raise both to run it longer, e.g.
GRADEFLOW_MODEL_EXAMPLES=300 GRADEFLOW_MODEL_STEPS=80; GRADEFLOW_MODEL_SHRINK=0 skips shrinking a failure
(which may take minutes). The figures (examples, steps, requests by status, each rule's count, the outcome
of every kind of request, the states the cases ended in) are printed at the end: run with pytest -s.

This module is the machine and the test; the organisation, the oracle that predicts each answer, the invariants
and the figures are tests/support/model_based/.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import sqlalchemy as sa
import pytest
from hypothesis import HealthCheck, Phase, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import (Bundle, RuleBasedStateMachine, get_state_machine_test, initialize, invariant,
                                 multiple, precondition, rule)

from api.cli import cli
from models import Case, GradeHistory, Manager, ManualClockState, QuarterClose, Timer, User, db
from models.unit_of_work import SqlUnitOfWork
from tests.support.model_based.figures import Figures
from tests.support.model_based.invariants import (AuditChain, Snapshot, at_most_one_open_case_per_manager,
                                                  every_state_is_legal_and_the_history_replays_to_it,
                                                  scores_never_outnumber_the_members_who_count)
from tests.support.model_based.oracle import (COMMITTEE_EVENTS, EXITED, PASS_MARK, QUORUM, RESULT_FIELDS, RESULT_KEYS,
                                              SYSTEM, TZ, WINDOW_GRACE, Expect, Look, add_months, available,
                                              expect_appeal, expect_event, expect_member_work, grade_after, make_looks,
                                              quarter_of)
from tests.support.model_based.world import (APPLICANTS, BY_NO, CHAIR, COMMITTEE_MEMBERS, CYCLE_CODES, H001, HR1,
                                             HR_USERS, OUTSIDER, PEOPLE, PRIVILEGED, READERS, ROOT, SURELY_ELIGIBLE,
                                             build_world, open_cycle)
from tests.support.settings import CLOCK_START
from workflow import case_access
from workflow.accounts import ADMIN, COMMITTEE, HR, SUPERVISOR
from workflow.calendar import working_days_after
from workflow.case_machine import (APPEALED, APPROVED, BEFORE_DELIBERATION, CALLER_EVENTS, CLOSED, DECIDED,
                                   DELIBERATION, DEMOTION, EFFECTIVE, EXIT, HR_REVIEW, INITIAL_STATE, INTERVIEW,
                                   OPEN_STATES, PROBATION_CONFIRMATION, PROMOTION, PUBLISHED, PUBLISHED_STATES,
                                   RETURNED, SCORED_EVENTS, SUBMITTED)
from workflow.services.accounts import actor_for

EXAMPLES = int(os.environ.get("GRADEFLOW_MODEL_EXAMPLES", "30"))  # 40 until the suite outgrew 10 minutes
STEPS = int(os.environ.get("GRADEFLOW_MODEL_STEPS", "60"))
# The examples run in parts, each on a seed of its own (the same on both databases), so that the test workers
# share them rather than one worker running them all at the end of the suite.
PARTS = 5
SETTINGS = settings(stateful_step_count=STEPS, deadline=None, database=None, suppress_health_check=list(HealthCheck),
                    print_blob=False,
                    phases=[p for p in Phase if p != Phase.shrink or os.environ.get("GRADEFLOW_MODEL_SHRINK") != "0"])

VALID_SCORES = st.integers(0, 10000).map(lambda n: n / 100)
INVALID_SCORES = st.sampled_from([-1, -0.01, 100.01, 101, 1000, 80.005])
SCORES = st.one_of(VALID_SCORES, VALID_SCORES, VALID_SCORES, INVALID_SCORES)


# --- the state machine ------------------------------------------------------------------------------

def step(function):
    """Count the rule for the figures."""
    @functools.wraps(function)
    def counted(self, *args, **kwargs):
        self.begin_step(function.__name__)
        return function(self, *args, **kwargs)
    return counted


class GradeflowModel(RuleBasedStateMachine):
    managers = Bundle("managers")
    cases = Bundle("cases")

    def __init__(self, app, figures: Figures):
        super().__init__()
        self.app, self.figures = app, figures
        self.gf = build_world(app)
        self.cycles = [CYCLE_CODES[0]]
        self.decided_cycles: set[str] = set()
        self.known_cases: set[int] = set()
        self.now = CLOCK_START.astimezone(timezone.utc)
        self.grades = {p.no: p.grade for p in PEOPLE}
        self.grade_rows = 0
        self.deadlines: dict[int, tuple[datetime, datetime]] = {}
        self.last_rule, self.may_finalize = "(start)", False
        self.case_states: dict[int, str] = {}
        self.chain = AuditChain()
        figures.examples += 1

    def teardown(self):
        with self.app.app_context():
            self.chain.whole_chain_verifies(Snapshot.load())
            for state in db.session.scalars(sa.select(Case.state)):
                self.figures.states_reached[state] += 1
            db.session.remove()

    def begin_step(self, name: str) -> None:
        self.last_rule, self.may_finalize = name, False
        self.figures.steps += 1
        self.figures.rules[name] += 1

    def outcome(self, what: str) -> None:
        self.figures.outcomes[what] += 1

    # --- requests and what their readers may see ------------------------------------------------------

    def send(self, method: str, path: str, as_: str, body=None):
        response = self.gf.request(method, path, as_, json=body)
        self.figures.requests += 1
        self.figures.statuses[response.status_code] += 1
        payload = response.get_json(silent=True)
        assert response.status_code < 500, (method, path, as_, payload)
        if response.status_code >= 400:
            assert response.mimetype == "application/problem+json", (method, path, response.mimetype)
        self.check_nothing_leaks(as_, path, payload)
        return response, payload

    def check_nothing_leaks(self, username: str, path: str, payload) -> None:
        """No response carries another employee's number or name unless the visibility rules let its reader
        see that employee; no case view or history entry shows scores or the decision before the reader may
        see them (workflow/case_access.py: can_view, sees_scores)."""
        if payload is None:
            return
        text = json.dumps(payload, ensure_ascii=False)
        with self.app.app_context():
            actor = actor_for(db.session.scalar(sa.select(User).where(User.username == username)))
            if username not in PRIVILEGED:
                asked = {p.no for p in PEOPLE if p.no in path}  # the caller's own words, echoed back
                present = {p.no for p in PEOPLE if p.no in text or p.name in text} - {actor.employee_no} - asked
                if present:
                    allowed = self.allowed_employees(actor, path)
                    assert present <= allowed, (f"{username} got data of {sorted(present - allowed)} from {path}: "
                                                f"{text[:2000]}")
            for view in _case_views(payload):
                self.check_case_view(actor, view)
            history = re.fullmatch(r"/cases/(\d+)/history", path)
            if history and isinstance(payload, list):
                self.check_history_view(actor, int(history.group(1)), payload)
            db.session.remove()

    def allowed_employees(self, actor, path: str) -> set[str]:
        u = SqlUnitOfWork(db.session)
        allowed = set()
        if actor.employee_no:
            allowed |= {actor.employee_no, *u.managers.supervisor_chain(actor.employee_no)}
            if actor.has(SUPERVISOR):
                allowed |= u.managers.reports_of(actor.employee_no)
        if path.startswith("/managers") and actor.has(HR, COMMITTEE, ADMIN):
            allowed |= set(BY_NO)
        for case in db.session.scalars(sa.select(Case)):
            if case_access.can_view(case_access.standing(actor, u.cases.files([case])[0].people)):
                allowed.add(case.employee_no)
        board = re.fullmatch(r"/cycles/([^/]+)/publication", path)
        if board:
            allowed |= set(db.session.scalars(sa.select(Case.employee_no).where(
                Case.cycle_code == board.group(1), Case.published_at.is_not(None))))
        return allowed

    def check_case_view(self, actor, view: dict) -> None:
        case = db.session.get(Case, view["id"])
        standing = case_access.standing(actor, SqlUnitOfWork(db.session).cases.files([case])[0].people)
        assert case_access.can_view(standing), f"{actor.username} was shown case {case.id}"
        assert view["state"] == case.state and view["version"] == case.version, (view, case.state, case.version)
        look, = make_looks(SqlUnitOfWork(db.session), [case], actor, self.now)
        assert set(view["available_events"]) == set(available(look)), (actor.username, case.id, case.state,
                                                                       view["available_events"], available(look))
        if view.get("interview") is not None:
            assert standing.is_(case_access.MEMBER, case_access.HR_PARTY, case_access.ADMIN_PARTY), view
        if case_access.sees_scores(standing, state=case.state, published=case.state in PUBLISHED_STATES):
            return
        hidden = set(RESULT_FIELDS) - ({"supervisor_score"} if standing.is_(case_access.REVIEWER) else set())
        shown = {f: view[f] for f in hidden if view.get(f) is not None}
        assert not shown, f"{actor.username} sees {shown} of case {case.id} in state {case.state}"
        if view.get("interview") is not None:
            assert view["interview"]["scores"] is None, view["interview"]

    def check_history_view(self, actor, case_id: int, entries: list) -> None:
        case = db.session.get(Case, case_id)
        standing = case_access.standing(actor, SqlUnitOfWork(db.session).cases.files([case])[0].people)
        if case_access.sees_scores(standing, state=case.state, published=case.state in PUBLISHED_STATES):
            return
        hidden = RESULT_KEYS - ({"supervisor_score"} if standing.is_(case_access.REVIEWER) else set())
        for entry in entries:
            assert not hidden & set(entry["data"]), (actor.username, entry)
            if entry["event"] in COMMITTEE_EVENTS:
                assert entry["actor"] in ("(committee)", SYSTEM), (actor.username, entry)
                assert entry["comment"] is None and not {"member", "scored"} & set(entry["data"]), entry

    # --- the model's reading of the database -----------------------------------------------------------

    def look(self, case_id: int, username: str) -> Look:
        return self.looks([case_id], username)[0]

    def looks(self, case_ids, username: str) -> list[Look]:
        with self.app.app_context():
            u = SqlUnitOfWork(db.session)
            actor = actor_for(u.users.by_username(username))
            looks = make_looks(u, [u.cases.get(case_id) for case_id in case_ids], actor, self.now)
            db.session.remove()
            return looks

    def today(self) -> date:
        return self.now.astimezone(TZ).date()

    def cycle_cases(self, code: str, username: str) -> list[Look]:
        with self.app.app_context():
            ids = list(db.session.scalars(sa.select(Case.id).where(Case.cycle_code == code).order_by(Case.id)))
            db.session.remove()
        return self.looks(ids, username)

    def roles_of(self, username: str) -> frozenset[str]:
        with self.app.app_context():
            actor = actor_for(db.session.scalar(sa.select(User).where(User.username == username)))
            db.session.remove()
            return actor.roles

    def new_cases(self) -> list[int]:
        """Cases opened since the model last looked (by the service itself: probation ends, quarter closes,
        repeated demotions), to go into the bundle."""
        with self.app.app_context():
            ids = set(db.session.scalars(sa.select(Case.id)))
            db.session.remove()
        fresh = sorted(ids - self.known_cases)
        self.known_cases |= set(fresh)
        return fresh

    # --- one request on one case, predicted and checked -------------------------------------------------

    def on_case(self, case_id: int, username: str, method: str, path: str, body, expect_from):
        before = self.look(case_id, username)
        expect = expect_from(before)
        response, payload = self.send(method, path, username, body)
        self.check_answer(response, payload, expect, f"{username} {method} {path} {body} on {before}")
        after = self.look(case_id, username)
        if method == "GET" or response.status_code >= 300:
            assert after.unchanged() == before.unchanged(), (f"{method} {path} by {username} answered "
                                                            f"{response.status_code} yet changed the case", before,
                                                             after)
        else:
            assert after.version == before.version + 1, (before, after)
            assert after.history > before.history and after.links > before.links, (before, after)
            if expect.dest is not None:
                assert after.state == expect.dest, (f"{method} {path} {body}: {before.state} → {after.state}, "
                                                    f"expected {expect.dest}")
        if response.status_code < 300 and not path.endswith("/history"):
            shown = payload["case"] if "case" in payload else payload
            assert response.headers.get("ETag") == f'"{after.version}"' == f'"{shown["version"]}"', (
                response.headers.get("ETag"), after.version)
        what = re.sub(r"^/cases/\d+/?", "", path.split("?")[0]) or "case"
        self.outcome(f"{what}{'' if body is None else ' ' + str(body.get('event', ''))} → "
                     f"{response.status_code}{' ' + payload['code'] if response.status_code >= 400 else ''}")
        return response.status_code, payload, before

    @staticmethod
    def check_answer(response, payload, expect: Expect, what: str) -> None:
        status = response.status_code
        assert status in expect.statuses, f"{what}: expected {expect.statuses}, got {status} {payload}"
        codes = expect.statuses[status]
        if codes is not None and status >= 400:
            assert payload["code"] in codes, f"{what}: expected {codes}, got {payload}"

    def fire(self, case_id: int, username: str, event: str, score=None) -> dict | None:
        body = {"event": event}
        if score is not None:
            body["supervisor_score"] = score
        if event == "appeal":
            body["reason"] = "评分有误, 请复核"
        status, payload, before = self.on_case(case_id, username, "POST", f"/cases/{case_id}/events", body,
                                               lambda c: expect_event(c, event, score))
        if status == 200 and event in ("approve", "deny"):
            if before.kind == PROMOTION:
                assert Decimal(str(payload["final_score"])) == before.final, (payload, before.final)
                reasons = [] if event == "approve" else ["below_pass_mark" if before.final < PASS_MARK
                                                          else "denied_on_review"]
            else:
                reasons = [] if event == "approve" else ["denied_on_review"]
            assert (payload["outcome"], payload["reasons"]) == ({"approve": APPROVED}.get(event, "denied"),
                                                                reasons), payload
        if status == 200 and event == "publish":
            self.check_appeal_deadline(payload["published_at"], payload["appeal_deadline"])
        return payload

    def score(self, case_id: int, username: str, value) -> None:
        self.on_case(case_id, username, "PUT", f"/cases/{case_id}/score", {"score": value},
                     lambda c: expect_member_work(c, "score", value))

    def recuse(self, case_id: int, username: str) -> None:
        self.on_case(case_id, username, "POST", f"/cases/{case_id}/recusal", {"comment": "利益冲突"},
                     lambda c: expect_member_work(c, "recusal"))

    def file_appeal(self, case_id: int, username: str) -> None:
        def expect(c: Look) -> Expect:
            if not case_access.can_view(c.standing):
                return Expect.of(404, "not_found")
            if not c.standing.is_(case_access.APPLICANT):
                return Expect.of(403, "forbidden")
            return expect_appeal(c, 201)
        self.on_case(case_id, username, "POST", f"/cases/{case_id}/appeal", {"reason": "结果不公, 申请复核"}, expect)

    def read_case(self, case_id: int, username: str, what: str) -> None:
        path = f"/cases/{case_id}" + ("/history" if what == "history" else "")
        self.on_case(case_id, username, "GET", path, None,
                     lambda c: Expect.of(200) if case_access.can_view(c.standing) else Expect.of(404, "not_found"))

    # --- cycle-wide requests --------------------------------------------------------------------------

    def decide_cycle(self, code: str, username: str) -> None:
        looks = self.cycle_cases(code, username)
        roles = self.roles_of(username)
        deliberating = [c for c in looks if c.state == DELIBERATION]
        if not (HR in roles or (COMMITTEE in roles and username == CHAIR)):
            expect = Expect.of(403, "forbidden")
        elif any(c.state in BEFORE_DELIBERATION for c in looks):
            expect = Expect.of(409, "cycle_not_ready")
        elif any(not case_access.may_fire(c.standing, "decide") for c in deliberating):
            expect = Expect.of(403, "forbidden")
        elif any(len(c.scored) < QUORUM for c in deliberating):
            expect = Expect({409: frozenset({"quorum_not_met", "no_annual_performance"})})
        elif any(not c.has_annual for c in deliberating):
            expect = Expect({200: None, 409: frozenset({"no_annual_performance"})})
        else:
            expect = Expect.of(200)
        response, payload = self.send("POST", f"/cycles/{code}/decide", username)
        self.check_answer(response, payload, expect, f"{username} decides {code}: {looks}")
        after = {c.id: c for c in self.cycle_cases(code, username)}
        if response.status_code == 200:
            decided = {d["case_id"]: d for d in payload["decided"]}
            assert set(decided) == {c.id for c in deliberating}, (payload, deliberating)
            self.check_cycle_decision(deliberating, decided)
            for d in decided.values():
                self.outcome(f"decided in the cycle: {d['outcome']} {','.join(d['reasons'])}".rstrip())
            for c in looks:
                if c.id in decided:
                    assert (after[c.id].state, after[c.id].version) == (DECIDED, c.version + 1), after[c.id]
                    d = decided[c.id]
                    assert (d["outcome"] == APPROVED) == (d["final_score"] >= PASS_MARK and not d["reasons"]), d
                else:
                    assert after[c.id].unchanged()[:3] == c.unchanged()[:3], (c, after[c.id])
            if decided:
                self.decided_cycles.add(code)
        else:
            assert all(after[c.id].unchanged() == c.unchanged() for c in looks), "a refused decision changed a case"
        self.outcome(f"decide as {'hr' if HR in roles else username} → {response.status_code}"
                     + (f" {payload['code']}" if response.status_code >= 400 else f" {len(payload['decided'])}"))

    def check_cycle_decision(self, deliberating: list[Look], decided: dict) -> None:
        """Each final score follows the weights; below the pass mark is denied; among passing candidates for
        senior in an org unit, as many are approved as there are free slots, the best final scores first."""
        groups = defaultdict(list)
        for c in deliberating:
            d = decided[c.id]
            assert Decimal(str(d["final_score"])) == c.final, (d, c.final)
            if c.final < PASS_MARK:
                assert (d["outcome"], d["reasons"]) == ("denied", ["below_pass_mark"]), d
            else:
                groups[(c.org_unit, c.target)].append((c, d))
        for (org_unit, target), passing in groups.items():
            approved = [c.final for c, d in passing if d["outcome"] == APPROVED]
            refused = [c.final for c, d in passing if d["outcome"] != APPROVED]
            assert all(d["reasons"] == ["quota_exceeded"] for c, d in passing if d["outcome"] != APPROVED), passing
            slots = passing[0][0].senior_slots if target == "senior" else len(passing)
            assert len(approved) == min(len(passing), max(0, slots)), (org_unit, target, slots, passing)
            assert not refused or not approved or min(approved) >= max(refused), (approved, refused)

    def check_appeal_deadline(self, published_at: str, deadline: str) -> None:
        """domain.md: the end (23:59:59) of the 3rd working day after the publication date, which does not count."""
        with self.app.app_context():
            calendar = SqlUnitOfWork(db.session).calendar.working_calendar()
            db.session.remove()
        day, counted = datetime.fromisoformat(published_at).astimezone(TZ).date(), 0
        while counted < 3:
            day += timedelta(days=1)
            counted += calendar.day(day).working
        assert datetime.fromisoformat(deadline) == datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=TZ), (
            published_at, deadline, day)

    def publish_cycle(self, code: str, username: str) -> None:
        looks = self.cycle_cases(code, username)
        decided = [c for c in looks if c.state == DECIDED]
        if HR not in self.roles_of(username):
            expect = Expect.of(403, "forbidden")
        elif not decided:
            expect = Expect.of(409, "nothing_to_publish")
        elif any(not case_access.may_fire(c.standing, "cycle_publish") for c in decided):
            expect = Expect.of(403, "forbidden")
        else:
            expect = Expect.of(200)
        response, payload = self.send("POST", f"/cycles/{code}/publish", username)
        self.check_answer(response, payload, expect, f"{username} publishes {code}: {looks}")
        after = {c.id: c for c in self.cycle_cases(code, username)}
        if response.status_code == 200:
            assert sorted(payload["case_ids"]) == [c.id for c in decided], payload
            self.check_appeal_deadline(payload["published_at"], payload["appeal_deadline"])
            for c in decided:
                assert (after[c.id].state, after[c.id].version) == (PUBLISHED, c.version + 1), after[c.id]
        else:
            assert all(after[c.id].unchanged() == c.unchanged() for c in looks), "a refused publication changed a case"
        self.outcome(f"publish cycle → {response.status_code}" +
                     (f" {payload['code']}" if response.status_code >= 400 else ""))

    # --- time -----------------------------------------------------------------------------------------

    def move_clock(self, instant: datetime) -> list[int]:
        """PUT /clock (admin): time moves forward and everything due fires before the answer."""
        self.may_finalize = True
        response, payload = self.send("PUT", "/clock", ROOT, {"now": instant.isoformat()})
        assert response.status_code == 200, payload
        assert datetime.fromisoformat(payload["now"]) == instant, payload
        self.now = instant.astimezone(timezone.utc)
        self.check_nothing_due()
        return self.new_cases()

    def check_nothing_due(self) -> None:
        """After PUT /clock or run-due, no timer that fell due is left unfired."""
        with self.app.app_context():
            left = list(db.session.execute(sa.select(Timer.id, Timer.kind, Timer.due_at, Timer.last_error)
                                           .where(Timer.fired_at.is_(None), Timer.due_at <= self.now)))
            db.session.remove()
        assert not left, f"timers due at {self.now} left unfired: {left}"
        with self.app.app_context():
            published = list(db.session.execute(sa.select(Case.id, Case.appeal_deadline)
                                                .where(Case.state == PUBLISHED)))
            db.session.remove()
        late = [(i, d) for i, d in published if d + WINDOW_GRACE <= self.now]
        assert not late, f"published cases past their window, not finalized at {self.now}: {late}"

    def clock_instant(self, instant: datetime) -> datetime:
        return max(instant, self.now + timedelta(seconds=1))

    # --- rules -----------------------------------------------------------------------------------------

    @initialize(target=managers)
    def the_managers(self):
        return multiple(*APPLICANTS)

    @initialize(target=cases)
    def the_first_applications(self):
        """Every example starts with three eligible applications in the first cycle: two for the one senior
        slot of 北京分行 (E101 exceptionally, from junior, through hr's review; M201 from mid) and one to mid in
        上海分行, so that sequences reach the committee, the quota and beyond."""
        ids = []
        for no, target, exceptional in (("E101", "senior", True), ("P101", "mid", False), ("M201", "senior", False)):
            response, payload = self.send("POST", "/cases", BY_NO[no].username,
                                          {"cycle": self.cycles[0], "target_grade": target, "statement": "申请晋级",
                                           "exceptional": exceptional})
            assert response.status_code == 201 and payload["state"] == SUBMITTED, payload
            ids.append(payload["id"])
        self.known_cases |= set(ids)
        return multiple(*ids)

    @rule(target=cases, no=managers, target_grade=st.sampled_from(["mid", "mid", "senior", "junior", "exited"]),
          exceptional=st.booleans(), through_hr=st.sampled_from([False, False, False, True]),
          first_cycle=st.booleans())
    @step
    def a_manager_applies_for_promotion(self, no, target_grade, exceptional, through_hr, first_cycle):
        """POST /cases: eligible or not, in the open cycle or in one already decided, by the manager or by hr."""
        cycle = self.cycles[0] if first_cycle else self.cycles[-1]
        body = {"cycle": cycle, "target_grade": target_grade, "statement": "申请晋级", "exceptional": exceptional}
        caller = BY_NO[no].username
        if through_hr:
            caller, body["employee_no"] = HR1, no
        with self.app.app_context():
            open_case = db.session.scalar(sa.select(Case.id).where(Case.employee_no == no,
                                                                   Case.state.in_(OPEN_STATES)))
            unchanged_ladder = db.session.scalar(sa.select(sa.func.count()).select_from(GradeHistory)) == 0
            db.session.remove()
        response, payload = self.send("POST", "/cases", caller, body)
        if cycle in self.decided_cycles:
            expected = Expect.of(422, "validation_error")
        elif open_case is not None or self.grades[no] == EXITED:
            expected = Expect.of(422, "not_eligible")
        elif (no, target_grade, exceptional) in SURELY_ELIGIBLE and unchanged_ladder:
            expected = Expect.of(201, dest=SUBMITTED)
        else:
            expected = Expect({201: None, 422: frozenset({"not_eligible"})})
        self.check_answer(response, payload, expected, f"{caller} applies {body}")
        if open_case is not None and cycle not in self.decided_cycles and response.status_code == 422:
            assert "one_open_case" in {r["rule"] for r in payload["reasons"]}, payload
        self.outcome(f"apply → {response.status_code}")
        if response.status_code != 201:
            return multiple()
        assert (payload["state"], payload["employee_no"], payload["kind"], payload["from_grade"]) == (
            SUBMITTED, no, PROMOTION, self.grades[no]), payload
        self.known_cases.add(payload["id"])
        return payload["id"]

    @rule(target=cases, no=managers, kind=st.sampled_from([DEMOTION, DEMOTION, PROBATION_CONFIRMATION, EXIT]),
          as_=st.sampled_from(HR_USERS))
    @step
    def hr_opens_a_case(self, no, kind, as_):
        """POST /cases by hr: a demotion or an exit (starting in deliberation), or a probation confirmation."""
        with self.app.app_context():
            open_case = db.session.scalar(sa.select(Case.id).where(Case.employee_no == no,
                                                                   Case.state.in_(OPEN_STATES)))
            manager = db.session.get(Manager, no)
            grade, since = manager.grade, manager.grade_since
            db.session.remove()
        refusable = (open_case is not None or grade == EXITED
                     or (kind == DEMOTION and grade in ("probation", "junior"))
                     or (kind == PROBATION_CONFIRMATION and (grade != "probation"
                                                              or add_months(since, 3) > self.today())))
        response, payload = self.send("POST", "/cases", as_, {"kind": kind, "employee_no": no,
                                                              "statement": f"{kind} (hr)"})
        expected = Expect.of(422, "not_eligible") if refusable else Expect.of(201)
        self.check_answer(response, payload, expected, f"{as_} opens a {kind} for {no} ({grade}, open {open_case})")
        self.outcome(f"hr opens {kind} → {response.status_code}")
        if response.status_code != 201:
            return multiple()
        assert payload["state"] == INITIAL_STATE[kind] and payload["cycle"] is None, payload
        self.known_cases.add(payload["id"])
        return payload["id"]

    @rule(case=cases, action=st.sampled_from(["approve_materials", "approve_materials", "return_materials",
                                              "reject_materials", "pass_probation", "fail_probation"]),
          score=st.one_of(st.none(), SCORES), direct=st.sampled_from([True, True, True, False]))
    @step
    def the_supervisor_reviews(self, case, action, score, direct):
        """The applicant's direct supervisor (or the one above, who may not) reviews or decides a probation."""
        if action in SCORED_EVENTS and score is None:
            score = 80
        no = self.applicant_of(case)
        supervisor = BY_NO[no].supervisor
        if not direct and supervisor and BY_NO[supervisor].supervisor:
            supervisor = BY_NO[supervisor].supervisor
        self.fire(case, (supervisor or "S800").lower(), action, score)

    @rule(case=cases, action=st.sampled_from(["resubmit", "withdraw", "withdraw"]))
    @step
    def the_applicant_resubmits_or_withdraws(self, case, action):
        self.fire(case, BY_NO[self.applicant_of(case)].username, action)

    @rule(case=cases, action=st.sampled_from(["approve_exception", "reject_exception"]), as_=st.sampled_from(HR_USERS))
    @step
    def hr_rules_on_an_exception(self, case, action, as_):
        self.fire(case, as_, action)

    @rule(case=cases, member=st.sampled_from(COMMITTEE_MEMBERS), value=SCORES)
    @step
    def a_member_scores(self, case, member, value):
        """PUT /cases/{id}/score: in range or out of it; a second score replaces the first until deliberation."""
        self.score(case, member, value)

    @rule(case=cases, values=st.lists(VALID_SCORES, min_size=len(COMMITTEE_MEMBERS),
                                      max_size=len(COMMITTEE_MEMBERS)))
    @step
    def the_committee_scores(self, case, values):
        """Every member of the committee scores the case, in turn (recused ones are refused)."""
        for member, value in zip(COMMITTEE_MEMBERS, values):
            self.score(case, member, value)

    @rule(case=cases, member=st.sampled_from(COMMITTEE_MEMBERS))
    @step
    def a_member_recuses(self, case, member):
        self.recuse(case, member)

    @rule(case=cases, as_=st.sampled_from([CHAIR, CHAIR, "cm2", HR1]))
    @step
    def the_chair_closes_the_interview(self, case, as_):
        self.fire(case, as_, "close_interview")

    @rule(first_cycle=st.booleans(), as_=st.sampled_from([HR1, HR1, H001, CHAIR, CHAIR, "cm2", "s900"]))
    @step
    def the_cycle_is_decided(self, first_cycle, as_):
        """POST /cycles/{code}/decide by hr, the chair, or someone who may not."""
        self.decide_cycle(self.cycles[0] if first_cycle else self.cycles[-1], as_)

    @rule(case=cases, action=st.sampled_from(["approve", "deny"]), as_=st.sampled_from([HR1, H001, CHAIR, "cm3"]))
    @step
    def a_single_case_is_decided(self, case, action, as_):
        """approve / deny: outside a cycle, or a re-decision after an overturned appeal."""
        self.fire(case, as_, action)

    @rule(first_cycle=st.booleans(), as_=st.sampled_from([HR1, HR1, H001, CHAIR]))
    @step
    def hr_publishes_the_cycle(self, first_cycle, as_):
        self.publish_cycle(self.cycles[0] if first_cycle else self.cycles[-1], as_)

    @rule(case=cases, as_=st.sampled_from(HR_USERS))
    @step
    def hr_publishes_a_case(self, case, as_):
        self.fire(case, as_, "publish")

    @rule(case=cases, through_event=st.booleans())
    @step
    def the_applicant_appeals(self, case, through_event):
        """Within the window or outside it, by POST /cases/{id}/appeal or the event `appeal`."""
        applicant = BY_NO[self.applicant_of(case)].username
        if through_event:
            self.fire(case, applicant, "appeal")
        else:
            self.file_appeal(case, applicant)

    @rule(case=cases, action=st.sampled_from(["uphold", "overturn"]), as_=st.sampled_from(HR_USERS))
    @step
    def hr_resolves_the_appeal(self, case, action, as_):
        self.fire(case, as_, action)

    # Progress: whoever a case waits on does what it waits for (the cases are picked by their state, as the
    # database held it after the last step), so that sequences reach decisions, publication and finalization.

    def in_state(self, *states: str) -> list[int]:
        return sorted(case_id for case_id, state in self.case_states.items() if state in states)

    def move_on(self, data, *states: str):
        case = data.draw(st.sampled_from(self.in_state(*states)), label="case")
        c = self.look(case, HR1)
        applicant = BY_NO[c.employee_no].username
        supervisor = (BY_NO[c.employee_no].supervisor or "S800").lower()
        decider = data.draw(st.sampled_from([HR1, HR1, CHAIR]), label="decider")
        if c.state == SUBMITTED and c.kind == PROMOTION:
            action = data.draw(st.sampled_from(["approve_materials"] * 4 + ["return_materials"]), label="review")
            self.fire(case, supervisor, action, data.draw(VALID_SCORES) if action in SCORED_EVENTS else None)
        elif c.state == SUBMITTED:
            self.fire(case, supervisor, data.draw(st.sampled_from(["pass_probation", "fail_probation"])),
                      data.draw(VALID_SCORES))
        elif c.state == RETURNED:
            self.fire(case, applicant, "resubmit")
        elif c.state == HR_REVIEW:
            self.fire(case, HR1, data.draw(st.sampled_from(["approve_exception"] * 3 + ["reject_exception"])))
        elif c.state == INTERVIEW and len(c.scored) >= QUORUM and data.draw(st.booleans(), label="close"):
            self.fire(case, CHAIR, "close_interview")
        elif c.state == INTERVIEW:
            for member in sorted(c.eligible - c.scorers):
                self.score(case, member, data.draw(st.integers(40, 100), label="score"))
        elif c.state == DELIBERATION and c.cycle is not None and not c.reopened:
            self.decide_cycle(c.cycle, decider)
        elif c.state == DELIBERATION:
            self.fire(case, decider, data.draw(st.sampled_from(["approve", "approve", "deny"])))
        elif c.state == DECIDED and c.cycle is not None and not c.reopened:
            self.publish_cycle(c.cycle, HR1)
        elif c.state == DECIDED:
            self.fire(case, HR1, "publish")
        elif c.state == PUBLISHED and data.draw(st.sampled_from([False, True] if c.outcome == APPROVED
                                                                else [False, True, True]), label="appeal"):
            self.fire(case, applicant, "appeal")  # a denial is appealed more often than an approval
        elif c.state == PUBLISHED:
            at = c.appeal_deadline + timedelta(seconds=data.draw(st.sampled_from([1, 1, 0]), label="offset"))
            return self.move_clock(self.clock_instant(at))
        else:
            assert c.state == APPEALED, c
            self.fire(case, HR1, data.draw(st.sampled_from(["uphold", "overturn"])))
        return []

    def refresh_states(self) -> None:
        with self.app.app_context():
            self.case_states = dict(db.session.execute(sa.select(Case.id, Case.state)).all())
            db.session.remove()

    @precondition(lambda self: self.in_state(*OPEN_STATES))
    @rule(target=cases, data=st.data(), moves=st.integers(1, 8))
    @step
    def open_cases_run_their_course(self, data, moves):
        """Several moves in a row, each on an open case, whatever it waits for: the sequences reach
        decisions, publication and finalization even when hypothesis switches many rules off."""
        fresh = []
        for _ in range(moves):
            fresh += self.move_on(data, *OPEN_STATES)
            self.refresh_states()
            if not self.in_state(*OPEN_STATES):
                break
        return multiple(*fresh)

    @precondition(lambda self: self.in_state(SUBMITTED, RETURNED, HR_REVIEW))
    @rule(target=cases, data=st.data())
    @step
    def a_waiting_application_is_reviewed(self, data):
        """The supervisor reviews (or rules on a probation), the applicant resubmits, hr rules on an exception."""
        return multiple(*self.move_on(data, SUBMITTED, RETURNED, HR_REVIEW))

    @precondition(lambda self: self.in_state(INTERVIEW))
    @rule(target=cases, data=st.data())
    @step
    def the_committee_interviews_a_candidate(self, data):
        """Every member who counts and has not scored scores; or the chair closes the interview on quorum."""
        return multiple(*self.move_on(data, INTERVIEW))

    @precondition(lambda self: self.in_state(DELIBERATION))
    @rule(target=cases, data=st.data())
    @step
    def a_case_in_deliberation_is_decided(self, data):
        """The cycle's decision (hr or the chair), or a single decision (demotion, exit, re-decision)."""
        return multiple(*self.move_on(data, DELIBERATION))

    @precondition(lambda self: self.in_state(DECIDED))
    @rule(target=cases, data=st.data())
    @step
    def a_decision_is_published(self, data):
        return multiple(*self.move_on(data, DECIDED))

    @precondition(lambda self: self.in_state(PUBLISHED, APPEALED))
    @rule(target=cases, data=st.data())
    @step
    def a_published_decision_is_appealed_or_its_window_passes(self, data):
        """The applicant appeals, or the clock moves to the deadline's last second or past it; hr resolves
        an appeal."""
        return multiple(*self.move_on(data, PUBLISHED, APPEALED))

    @rule(target=cases, days=st.integers(0, 9), hours=st.integers(1, 23))
    @step
    def the_clock_moves_by_days(self, days, hours):
        return multiple(*self.move_clock(self.now + timedelta(days=days, hours=hours)))

    @rule(target=cases, working_days=st.integers(1, 4), past_midnight=st.booleans())
    @step
    def the_clock_moves_by_working_days(self, working_days, past_midnight):
        """To the end (23:59:59) of the n-th working day after today, or a second later: where deadlines fall."""
        with self.app.app_context():
            calendar = SqlUnitOfWork(db.session).calendar.working_calendar()
            db.session.remove()
        end = working_days_after(calendar, self.today(), working_days, TZ).at
        return multiple(*self.move_clock(self.clock_instant(end + (WINDOW_GRACE if past_midnight else timedelta(0)))))

    @rule(target=cases, case=cases, offset=st.sampled_from([-1, 0, 1]))
    @step
    def the_clock_moves_to_an_appeal_deadline(self, case, offset):
        """To a published case's deadline, a second before it or a second after (the window closes then)."""
        c = self.look(case, HR1)
        if c.appeal_deadline is None or c.appeal_deadline + timedelta(seconds=offset) <= self.now:
            self.outcome("deadline already passed")
            return multiple()
        return multiple(*self.move_clock(c.appeal_deadline + timedelta(seconds=offset)))

    @rule(days=st.integers(1, 6))
    @step
    def the_clock_moves_while_the_scheduler_is_down(self, days):
        """Time passes with nobody firing timers (an outage): deadlines pass, nothing is finalized yet."""
        instant = self.now + timedelta(days=days)
        with self.app.app_context():
            with SqlUnitOfWork(db.session):
                self.app.extensions["gradeflow"]["manual_clock"].move_to(instant)
            db.session.remove()
        self.now = instant
        self.outcome("clock moved without a sweep")

    @rule(target=cases, at_now=st.booleans())
    @step
    def run_due_fires_what_is_due(self, at_now):
        """`gradeflow run-due` (in-process, the real click command): fires every due timer, exit 0."""
        self.may_finalize = True
        args = ["run-due"] + (["--now", self.now.astimezone(TZ).isoformat()] if at_now else [])
        result = self.app.test_cli_runner().invoke(cli, args)
        assert result.exit_code == 0, (result.output, result.exception)
        assert re.match(r"fired \d+ timer\(s\)", result.output), result.output
        self.check_nothing_due()
        self.outcome("run-due fired " + ("some" if not result.output.startswith("fired 0 ") else "none"))
        return multiple(*self.new_cases())

    @rule(no=managers, score=st.sampled_from(["95", "82", "79.99", "60", "40"]), months=st.integers(0, 3),
          violation=st.sampled_from([False, False, False, True]), previous=st.booleans())
    @step
    def hr_records_quarter_performance(self, no, score, months, violation, previous):
        """PUT /managers/{no}/performance/{quarter}: refused once the quarter is closed (409 period_closed)."""
        period = quarter_of(self.today(), back=1 if previous else 0)
        with self.app.app_context():
            closed = db.session.get(QuarterClose, period) is not None
            db.session.remove()
        response, payload = self.send("PUT", f"/managers/{no}/performance/{period}", HR1,
                                      {"score": float(score), "months_worked": months, "violation": violation})
        expected = Expect.of(409, "period_closed") if closed else Expect.of(200)
        self.check_answer(response, payload, expected, f"performance {no} {period}")
        if response.status_code == 200:
            assert (payload["period"], Decimal(str(payload["score"]))) == (period, Decimal(score)), payload
        self.outcome(f"quarter performance → {response.status_code}")

    @rule(target=cases, previous=st.booleans())
    @step
    def hr_closes_a_quarter(self, previous):
        """POST /evaluations/{quarter}/close: 409 period_not_over until the quarter is over."""
        period = quarter_of(self.today(), back=1 if previous else 0)
        response, payload = self.send("POST", f"/evaluations/{period}/close", HR1)
        over = not previous  # the current quarter is never over
        expected = Expect.of(409, "period_not_over") if over else Expect.of(200)
        self.check_answer(response, payload, expected, f"close {period}")
        self.outcome(f"quarter close → {response.status_code}")
        fresh = self.new_cases()
        if response.status_code == 200:
            assert set(payload["demotion_cases"]) <= self.known_cases, payload
        else:
            assert not fresh, fresh
        return multiple(*fresh)

    @rule(days_ahead=st.integers(1, 12), working=st.booleans())
    @step
    def hr_changes_the_calendar(self, days_ahead, working):
        """PUT /calendar/days/{date}: deadlines already announced may grow, never shrink (checked below)."""
        day = self.today() + timedelta(days=days_ahead)
        response, payload = self.send("PUT", f"/calendar/days/{day.isoformat()}", HR1,
                                      {"working": working, "name": "公司调整"})
        assert response.status_code == 200, payload
        assert (payload["date"], payload["working"], payload["source"]) == (day.isoformat(), working, "company")
        self.outcome("calendar change")

    @precondition(lambda self: self.cycles[-1] in self.decided_cycles and len(self.cycles) < len(CYCLE_CODES))
    @rule()
    @step
    def hr_opens_the_next_cycle(self):
        open_cycle(self.gf, CYCLE_CODES[len(self.cycles)])
        self.cycles.append(CYCLE_CODES[len(self.cycles)])

    @rule(case=cases, intruder=st.sampled_from(["e102", "p101", "p900", "s800", OUTSIDER, ROOT, "m201", "cm2"]),
          action=st.sampled_from(["view", "history", "event", "event", "score", "recusal", "appeal"]),
          event=st.sampled_from(CALLER_EVENTS))
    @step
    def someone_without_business_tries_an_action(self, case, intruder, action, event):
        """Another employee, a supervisor of another team, a line manager above the supervisor, a committee
        member outside the cycle, the admin: 404 where they may not see the case, 403 where they may not act,
        and nothing changes."""
        if action in ("view", "history"):
            self.read_case(case, intruder, action)
        elif action == "event":
            self.fire(case, intruder, event, 80 if event in SCORED_EVENTS else None)
        elif action == "score":
            self.score(case, intruder, 70)
        elif action == "recusal":
            self.recuse(case, intruder)
        else:
            self.file_appeal(case, intruder)

    @rule(reader=st.sampled_from(READERS), what=st.sampled_from(["case", "history", "list", "mine", "manager",
                                                                 "grades", "board", "cycles"]),
          case=cases, no=managers)
    @step
    def someone_reads(self, reader, what, case, no):
        """Reads by anyone but hr and the admin: their answers are scanned for other employees' data."""
        if what in ("case", "history"):
            self.read_case(case, reader, what)
            return
        path = {"list": "/cases", "mine": "/cases?mine=true", "manager": f"/managers/{no}",
                "grades": f"/managers/{no}/grade-history", "board": f"/cycles/{self.cycles[0]}/publication",
                "cycles": "/cycles"}[what]
        response, payload = self.send("GET", path, reader)
        if what in ("manager", "grades"):
            with self.app.app_context():
                actor = actor_for(db.session.scalar(sa.select(User).where(User.username == reader)))
                chain = SqlUnitOfWork(db.session).managers.supervisor_chain(no)
                db.session.remove()
            sees = (actor.has(HR, COMMITTEE, ADMIN) or actor.employee_no == no
                    or (actor.has(SUPERVISOR) and actor.employee_no in chain))
            self.check_answer(response, payload, Expect.of(200) if sees else Expect.of(404, "not_found"),
                              f"{reader} reads {path}")
        else:
            assert response.status_code == 200, payload
        if what in ("list", "mine"):
            self.check_case_list(reader, what == "mine", response, payload)
        if what == "board":
            self.check_board(self.cycles[0], payload)
        self.outcome(f"read {what} → {response.status_code}")

    def check_case_list(self, reader: str, mine: bool, response, payload) -> None:
        """GET /cases lists exactly the cases the reader may see (mine=true: their own)."""
        with self.app.app_context():
            u = SqlUnitOfWork(db.session)
            actor = actor_for(u.users.by_username(reader))
            expected = {c.id for c in db.session.scalars(sa.select(Case))
                        if (c.employee_no == actor.employee_no if mine
                            else case_access.can_view(case_access.standing(actor, u.cases.files([c])[0].people)))}
            db.session.remove()
        assert {c["id"] for c in payload} == expected, (reader, mine, sorted(c["id"] for c in payload), expected)
        assert response.headers["X-Total-Count"] == str(len(expected))

    def check_board(self, code: str, payload) -> None:
        """The publication board: every case of the cycle published at least once, its outcome only while the
        current decision is published, and no scores (the default policy shows none)."""
        with self.app.app_context():
            cases = {c.id: c for c in db.session.scalars(sa.select(Case).where(Case.cycle_code == code,
                                                                              Case.published_at.is_not(None)))}
            db.session.remove()
        assert sorted(e["case_id"] for e in payload["entries"]) == sorted(cases), payload
        for entry in payload["entries"]:
            case = cases[entry["case_id"]]
            assert entry["outcome"] == (case.outcome if case.state in PUBLISHED_STATES else None), (entry, case.state)
            assert "final_score" not in entry and entry["employee_no"] == case.employee_no, entry

    def applicant_of(self, case_id: int) -> str:
        with self.app.app_context():
            no = db.session.get(Case, case_id).employee_no
            db.session.remove()
            return no

    # --- invariants, read from the database after every step ---------------------------------------------

    @invariant()
    def the_invariants_hold(self):
        with self.app.app_context():
            w = Snapshot.load()
            self.figures.invariant_checks += 1
            every_state_is_legal_and_the_history_replays_to_it(w)
            at_most_one_open_case_per_manager(w)
            scores_never_outnumber_the_members_who_count(w)
            self.grades_change_only_at_finalization(w)
            self.announced_deadlines_are_never_shortened(w)
            self.chain.extended_verifies(w)
            self.case_states = {c.id: c.state for c in w.cases.values()}
            clock = db.session.get(ManualClockState, 1)
            assert (clock.now if clock else CLOCK_START) == self.now, "the clock moved by itself"
            db.session.remove()

    def grades_change_only_at_finalization(self, w: "Snapshot") -> None:
        """A manager's grade moves only when a case becomes effective: every grade-history row has its
        effective case (finalized, same date), replaying the rows from the grade each manager was registered
        with gives the grade now, every effective case has exactly one row, dated the day after its appeal
        deadline, no case was finalized before its window closed, and no step but a move of the clock or
        run-due (which finalize) changes a grade."""
        rows_by_case = Counter(row.case_id for row in w.grade_rows)
        for row in w.grade_rows:
            case = w.cases[row.case_id]
            assert (case.state, case.employee_no, case.effective_on) == (EFFECTIVE, row.employee_no,
                                                                         row.effective_on), (row.__dict__, case.state)
            assert row.to_grade == grade_after(case, row.from_grade), (case.kind, case.outcome, row.__dict__)
            finalize = [e for e in w.history[case.id] if e.event == "finalize"]
            assert len(finalize) == 1 and finalize[0].data.get("to_grade") == row.to_grade, finalize
        for case in w.cases.values():
            if case.state == EFFECTIVE:
                assert rows_by_case[case.id] == 1, f"effective case {case.id} moved {rows_by_case[case.id]} grade(s)"
                day_after = case.appeal_deadline.astimezone(TZ).date() + timedelta(days=1)
                assert case.effective_on == day_after, (case.id, case.effective_on, case.appeal_deadline)
            if case.state in (EFFECTIVE, CLOSED):
                finalized = next(e for e in w.history[case.id] if e.event == "finalize")
                assert finalized.at >= case.appeal_deadline + WINDOW_GRACE, (case.id, finalized.at,
                                                                             case.appeal_deadline)
        for no, manager in w.managers.items():
            grade, since = BY_NO[no].grade, BY_NO[no].since
            for row in (r for r in w.grade_rows if r.employee_no == no):
                assert row.from_grade == grade, (no, row.__dict__)
                grade, since = row.to_grade, row.effective_on
            assert (manager.grade, manager.grade_since) == (grade, since), (no, manager.grade, grade)
        now = {no: m.grade for no, m in w.managers.items()}
        changed = {no for no in now if now[no] != self.grades[no]}
        if changed:
            assert self.may_finalize, f"{self.last_rule} changed the grade of {sorted(changed)}"
            assert len(w.grade_rows) > self.grade_rows
        self.grades, self.grade_rows = now, len(w.grade_rows)

    def announced_deadlines_are_never_shortened(self, w: "Snapshot") -> None:
        for case in w.cases.values():
            if case.published_at is None:
                continue
            known = self.deadlines.get(case.id)
            if known and known[0] == case.published_at:
                assert case.appeal_deadline >= known[1], (case.id, known, case.appeal_deadline)
            self.deadlines[case.id] = (case.published_at, case.appeal_deadline)


def _case_views(payload):
    """Every case object in a response body (a case, a list of cases, an appeal's answer)."""
    if isinstance(payload, list):
        for item in payload:
            yield from _case_views(item)
    elif isinstance(payload, dict):
        if {"id", "kind", "state", "available_events"} <= set(payload):
            yield payload
        elif "case" in payload and isinstance(payload["case"], dict):
            yield from _case_views(payload["case"])


# --- the test ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("part", range(PARTS))
def test_random_multi_role_sequences_keep_every_invariant(app, part):
    """Whatever people do, in whatever order: every case is in a legal state that its history replays to,
    grades change only at finalization, a manager has at most one open case, the scores that count never
    outnumber the members who count, the audit chain verifies, refused requests change nothing, and no
    response shows anyone data the visibility rules keep from them."""
    # Hypothesis tries the simplest sequence first in every run: each part runs one example more for it
    examples = EXAMPLES // PARTS + (part < EXAMPLES % PARTS) + 1
    figures = Figures()
    machine_test = get_state_machine_test(lambda: GradeflowModel(app, figures),
                                          settings=settings(SETTINGS, max_examples=examples))
    seed(part)(machine_test)()
    print("\n" + figures.report(app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0]))  # pytest -s shows it
    assert figures.examples >= examples and figures.steps >= examples
