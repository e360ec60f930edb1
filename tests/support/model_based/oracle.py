"""The oracle of the model-based test: the rules of domain.md and api.md written again, plainly, to predict
what the service answers. A case as the database holds it and as one user stands to it (`Look`), where an
event takes it (api.md's table of case events), the answer a request must get in the documented order of
the checks (`Expect`), the final score, the free senior slots, what a caller may do now, and what a reader
may not see before the scores are theirs to see.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from models import AuditLink, Case, CaseHistory, Manager, PerformanceRecord
from workflow import case_access
from workflow.case_machine import (APPEALED, APPROVED, CALLER_EVENTS, CLOSED, DECIDED, DELIBERATION, DEMOTION,
                                   EFFECTIVE, HR_REVIEW, INTERVIEW, PROBATION_CONFIRMATION, PROMOTION, PUBLISHED,
                                   REJECTED, RETURNED, SCORED_EVENTS, SUBMITTED, WITHDRAWN)

TZ = ZoneInfo("Asia/Shanghai")
QUORUM = 3
PASS_MARK = 60
LADDER = ("probation", "junior", "mid", "senior")
EXITED = "exited"
SYSTEM = "(gradeflow)"
WINDOW_GRACE = timedelta(seconds=1)

# what a reader may not see before the scores are theirs to see: the results of a case, and who on the
# committee did what in its history
RESULT_FIELDS = ("outcome", "reasons", "supervisor_score", "interview_score", "performance_score", "final_score",
                 "rank")
RESULT_KEYS = frozenset(RESULT_FIELDS) | {"score"}
COMMITTEE_EVENTS = frozenset({"score", "recusal", "interview_complete", "close_interview", "decide", "approve",
                              "deny"})
AUTOMATIC_RECUSALS = frozenset({"applicant", "line_manager", "reviewed_materials"})  # made by the service itself


def valid_score(value) -> bool:
    number = Decimal(str(value))
    return 0 <= number <= 100 and number == number.quantize(Decimal("0.01"))


# --- the model's reading of one case -------------------------------------------------------------------

@dataclass(frozen=True)
class Look:
    """A case as the database holds it, and how one user stands to it."""
    id: int
    kind: str
    state: str
    version: int
    cycle: str | None
    employee_no: str
    exceptional: bool
    reopened: bool
    outcome: str | None
    appeal_status: str | None
    appeal_deadline: datetime | None
    published_at: datetime | None
    eligible: frozenset[str]  # committee members who count: the committee minus recusals
    scorers: frozenset[str]
    has_annual: bool
    final: Decimal | None  # the final score the rules give, once the committee's counting scores are in
    target: str
    org_unit: str
    senior_slots: int  # free senior slots in the applicant's org unit now
    history: int
    links: int
    now: datetime
    standing: case_access.Standing
    username: str

    @property
    def scored(self) -> frozenset[str]:
        return self.eligible & self.scorers

    def unchanged(self) -> tuple:
        return self.state, self.version, self.history, self.links


@dataclass(frozen=True)
class Expect:
    statuses: dict  # status → the codes allowed with it (None: any, or a success)
    dest: str | None = None  # the state an accepted request leaves the case in

    @classmethod
    def of(cls, status: int, *codes: str, dest: str | None = None) -> "Expect":
        return cls({status: frozenset(codes) or None}, dest)


def destination(c: Look, event: str) -> str | None:
    """Where `event` takes the case, by api.md's table of case events; None where it does not apply."""
    promotion, s = c.kind == PROMOTION, c.state
    single = c.cycle is None or c.reopened  # outside a cycle, or a re-decision after an appeal
    moves = {
        "approve_materials": (HR_REVIEW if c.exceptional else INTERVIEW) if promotion and s == SUBMITTED else None,
        "return_materials": RETURNED if promotion and s == SUBMITTED else None,
        "reject_materials": REJECTED if promotion and s == SUBMITTED else None,
        "resubmit": SUBMITTED if promotion and s == RETURNED else None,
        "withdraw": WITHDRAWN if promotion and s in (SUBMITTED, RETURNED, HR_REVIEW, INTERVIEW) else None,
        "approve_exception": INTERVIEW if s == HR_REVIEW else None,
        "reject_exception": REJECTED if s == HR_REVIEW else None,
        "pass_probation": DECIDED if c.kind == PROBATION_CONFIRMATION and s == SUBMITTED else None,
        "fail_probation": DECIDED if c.kind == PROBATION_CONFIRMATION and s == SUBMITTED else None,
        "close_interview": DELIBERATION if s == INTERVIEW else None,
        "approve": DECIDED if s == DELIBERATION and single else None,
        "deny": DECIDED if s == DELIBERATION and single else None,
        "publish": PUBLISHED if s == DECIDED and single else None,
        "appeal": APPEALED if s == PUBLISHED else None,
        "uphold": PUBLISHED if s == APPEALED else None,
        "overturn": DELIBERATION if s == APPEALED else None,
    }
    return moves[event]


def expect_appeal(c: Look, ok: int) -> Expect:
    """api.md: appeal_exists (checked first), appeal_window_closed, not_published."""
    if c.appeal_status is not None:
        return Expect.of(409, "appeal_exists")
    window_over = c.appeal_deadline is not None and c.now >= c.appeal_deadline + WINDOW_GRACE
    if c.state in (EFFECTIVE, CLOSED) or (c.state == PUBLISHED and window_over):
        return Expect.of(409, "appeal_window_closed")
    if c.state != PUBLISHED:
        return Expect.of(409, "not_published")
    return Expect.of(ok, dest=APPEALED)


def expect_event(c: Look, event: str, score=None) -> Expect:
    """POST /cases/{id}/events, checks in the documented order: 404, 403, 409 invalid_transition, 422, rules."""
    s = c.standing
    if not case_access.can_view(s):
        return Expect.of(404, "not_found")
    if not case_access.may_fire(s, event):
        return Expect.of(403, "forbidden")
    if event == "appeal":
        return expect_appeal(c, 200)
    dest = destination(c, event)
    if dest is None:
        return Expect.of(409, "invalid_transition")
    if (event in SCORED_EVENTS) != (score is not None) or (score is not None and not valid_score(score)):
        return Expect.of(422, "validation_error")
    if event == "close_interview" and len(c.scored) < QUORUM:
        return Expect.of(409, "quorum_not_met")
    if event in ("approve", "deny") and c.kind == PROMOTION:
        if len(c.scored) < QUORUM:
            return Expect.of(409, "quorum_not_met")
        if not c.has_annual:
            return Expect.of(409, "no_annual_performance")
        if event == "approve" and c.final < PASS_MARK:
            return Expect.of(409, "below_pass_mark")
        if event == "approve" and c.target == "senior" and c.senior_slots <= 0:
            return Expect.of(409, "quota_exceeded")
    return Expect.of(200, dest=dest)


def expect_member_work(c: Look, what: str, score=None) -> Expect:
    """PUT /cases/{id}/score and POST /cases/{id}/recusal: 404, 403 forbidden, 403 recused, 409, 422; the
    interview ends by itself once every member who counts has scored (at least the quorum)."""
    s = c.standing
    if not case_access.can_view(s):
        return Expect.of(404, "not_found")
    if not s.is_(case_access.MEMBER):
        return Expect.of(403, "forbidden")
    if s.recused:
        return Expect.of(403, "recused")
    if c.state != INTERVIEW:
        return Expect.of(409, "invalid_transition")
    if what == "score" and not valid_score(score):
        return Expect.of(422, "validation_error")
    eligible = c.eligible - {c.username} if what == "recusal" else c.eligible
    scored = (c.scorers | ({c.username} if what == "score" else set())) & eligible
    complete = len(eligible) >= QUORUM and scored == eligible
    return Expect.of(200, dest=DELIBERATION if complete else INTERVIEW)


def make_looks(u, cases, actor, now: datetime) -> list[Look]:
    """The cases as `actor` sees them now; what several cases share (the audit links, the org units' free senior
    slots) is read once."""
    if not cases:
        return []
    files = u.cases.files(cases)
    links = u.session.scalar(sa.select(sa.func.count()).select_from(AuditLink))
    history = dict(u.session.execute(sa.select(CaseHistory.case_id, sa.func.count()).where(
        CaseHistory.case_id.in_([case.id for case in cases])).group_by(CaseHistory.case_id)).all())
    slots = {org_unit: senior_slots(u.session, org_unit) for org_unit in {case.manager.org_unit for case in cases}}
    year = now.astimezone(TZ).year
    looks = []
    for case, file in zip(cases, files):
        people = file.people
        eligible = frozenset(people.members) - frozenset(people.recused)
        performance = annual_score(u.session, case.employee_no, year)
        looks.append(Look(
            id=case.id, kind=case.kind, state=case.state, version=case.version, cycle=case.cycle_code,
            employee_no=case.employee_no, exceptional=case.exceptional, reopened=case.reopened_by_appeal,
            outcome=case.outcome, appeal_status=case.appeal.status if case.appeal else None,
            appeal_deadline=case.appeal_deadline,
            published_at=case.published_at, eligible=eligible, scorers=frozenset(s.username for s in case.scores),
            has_annual=performance is not None, final=final_score(case, eligible, performance),
            target=case.target_grade, org_unit=case.manager.org_unit, senior_slots=slots[case.manager.org_unit],
            history=history.get(case.id, 0), links=links,
            now=now, standing=case_access.standing(actor, people), username=actor.username))
    return looks


def annual_score(session, employee_no: str, year: int) -> Decimal | None:
    """The latest annual score (a period like 2025, up to this year)."""
    records = [r for r in session.scalars(sa.select(PerformanceRecord).where(PerformanceRecord.employee_no ==
                                                                            employee_no))
               if len(r.period) == 4 and r.period <= str(year)]
    return max(records, key=lambda r: r.period).score if records else None


def final_score(case, counting: frozenset[str], performance: Decimal | None) -> Decimal | None:
    """domain.md: 0.3 supervisor + 0.4 interview (the mean of the counting members' scores, one highest
    and one lowest dropped from 5 scores on) + 0.3 latest annual score, half-up to 2 places."""
    scores = sorted(s.score for s in case.scores if s.username in counting)
    if case.kind != PROMOTION or len(scores) < QUORUM or case.supervisor_score is None or performance is None:
        return None
    if len(scores) >= 5:
        scores = scores[1:-1]
    interview = sum(scores, Decimal(0)) / len(scores)
    total = Decimal("0.3") * case.supervisor_score + Decimal("0.4") * interview + Decimal("0.3") * performance
    return total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def senior_slots(session, org_unit: str) -> int:
    """floor(30 % of the org unit's active managers) − seniors − approved promotions to senior not yet effective."""
    in_unit = sa.select(sa.func.count()).select_from(Manager).where(Manager.org_unit == org_unit)
    active = session.scalar(in_unit.where(Manager.grade != EXITED))
    seniors = session.scalar(in_unit.where(Manager.grade == "senior"))
    pending = session.scalar(sa.select(sa.func.count()).select_from(Case).join(Manager).where(
        Manager.org_unit == org_unit, Case.target_grade == "senior", Case.outcome == APPROVED,
        Case.state.in_((DECIDED, PUBLISHED, APPEALED))))
    return (3 * active) // 10 - seniors - pending


def available(c: Look) -> list[str]:
    """What the caller may do to the case now (a case's `available_events`): the events that are theirs and
    apply, the interview's close once the quorum has scored, an appeal while the window is open."""
    def doable(event: str) -> bool:
        if event == "close_interview":
            return len(c.scored) >= QUORUM
        if event == "appeal":
            return (c.appeal_status is None and c.appeal_deadline is not None
                    and c.now < c.appeal_deadline + WINDOW_GRACE)
        return True
    return [e for e in CALLER_EVENTS if case_access.may_fire(c.standing, e) and destination(c, e) and doable(e)]


# --- grades and the calendar -------------------------------------------------------------------------

def grade_after(case, from_grade: str) -> str:
    """The grade a case leaves its manager in once it is effective."""
    if case.kind == PROMOTION:
        return case.target_grade
    if case.kind == DEMOTION:
        return LADDER[LADDER.index(from_grade) - 1]
    if case.kind == PROBATION_CONFIRMATION and case.outcome == APPROVED:
        return "junior"
    return EXITED


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)


def quarter_of(day: date, back: int = 0) -> str:
    index = day.year * 4 + (day.month - 1) // 3 - back
    return f"{index // 4}Q{index % 4 + 1}"
