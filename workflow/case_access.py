"""How a caller stands to a case, and what that lets them see and do now: the one home of that answer.

The standing is worked out once per request from the case's people (applicant, supervisor chain,
the cycle's committee, recusals); `can_view`, `may_fire` and `sees_scores` read only it.
`available_events` and `refuse_event` add the case itself (its state, its interview, its appeal
window), and say why not, in the contract's words, when the answer is no.
"""
from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from workflow.accounts import ADMIN, COMMITTEE, HR, SUPERVISOR, Actor
from workflow.calendar import WINDOW_GRACE
from workflow.case_machine import (APPLICANT, CALLER_EVENTS, CHAIR, CLOSED, DECIDED_STATES, DELIBERATION, EFFECTIVE,
                                   PUBLISHED, PUBLISHED_STATES, STAGE_PARTY, SYSTEM, WHO)
from workflow.case_machine import HR as HR_PARTY
from workflow.case_machine import SUPERVISOR as SUPERVISOR_PARTY
from workflow.errors import Conflict, Forbidden
from workflow.stages import SECOND_SUPERVISOR, Stage

if TYPE_CHECKING:  # annotations only: the services pass these down
    from workflow.case_file import CaseFile
    from workflow.services.context import Rules

LINE_MANAGER = "line_manager"  # above the applicant in the supervisor chain (the direct one included)
MEMBER = "member"  # on the case's committee (the chair included)
ADMIN_PARTY = "admin"
REVIEWER = "reviewer"  # reviewed the case's materials
DECIDER = "decider"  # recorded the case's current decision


@dataclass(frozen=True)
class CasePeople:
    """The people of a case, as persistence knows them now."""
    applicant_no: str
    supervisor_chain: Sequence[str]  # employee numbers above the applicant, nearest first
    chair: str | None  # username
    members: Collection[str]  # usernames of the cycle's committee, the chair included
    recused: Collection[str]  # usernames of members recused from this case
    reviewer: str | None  # username of whoever reviewed the materials
    decider: str | None = None  # username of whoever recorded the current decision
    # (absent supervisor, supervisor above them acting in their stead): the present wait escalated
    # (workflow/escalation.py)
    escalated: tuple[str, str] | None = None
    # the supervisors' review steps done on the case: (party, username, employee number or None) of whoever did
    # each (four eyes: one person, one of them)
    reviews: tuple[tuple[str, str, str | None], ...] = ()


@dataclass(frozen=True)
class CaseScope:
    """The cases a caller who is neither hr nor admin may see, for list queries (mirrors can_view):
    their own, their reports' (supervisors), and those of the cycles whose committee they sit on; a substitute
    also those of the people they stand in for today (`reports_of`: supervisors whose reports' cases,
    `committees_of`: members whose committees' cases)."""
    employee_no: str | None
    username: str
    line_manager: bool  # sees the cases of everyone below them
    committee_member: bool  # sees the cases of the cycles whose committee they sit on
    reports_of: tuple[str, ...] = ()
    committees_of: tuple[str, ...] = ()


def scope_of(actor: Actor) -> CaseScope | None:
    """None: the caller sees every case."""
    if actor.has(HR, ADMIN):
        return None
    reports_of = tuple(sorted({s.principal.employee_no for s in actor.stands_in_for
                               if s.covers(SUPERVISOR) and actor.has(SUPERVISOR) and s.principal.employee_no}))
    committees_of = tuple(sorted({s.principal.username for s in actor.stands_in_for
                                  if s.covers(COMMITTEE) and actor.has(COMMITTEE)}))
    return CaseScope(actor.employee_no, actor.username, line_manager=actor.has(SUPERVISOR),
                     committee_member=actor.has(COMMITTEE), reports_of=reports_of, committees_of=committees_of)


@dataclass(frozen=True)
class Standing:
    parties: frozenset[str]
    recused: bool = False
    # (party, absent person): the parties the caller holds in an absent person's stead, as their substitute
    # (workflow/delegations.py: their username) or as the supervisor a wait was escalated to (workflow/escalation.py:
    # the absent supervisor's employee number, who may have no account)
    behalf: tuple[tuple[str, str], ...] = ()
    # the review parties the caller would hold but may not: they did another review step of the case (four eyes)
    four_eyes: frozenset[str] = frozenset()

    def is_(self, *parties: str) -> bool:
        return bool(self.parties.intersection(parties))

    def on_behalf_of(self, parties: Collection[str]) -> str | None:
        """Whose substitute the caller acts as when they act as one of `parties`; None when they hold one of them
        in their own right."""
        delegated = {party for party, _ in self.behalf}
        if self.parties.intersection(parties) - delegated:
            return None
        return next((who for party, who in self.behalf if party in parties), None)


SUPERVISOR_PARTIES = frozenset({LINE_MANAGER, SUPERVISOR_PARTY, SECOND_SUPERVISOR})
# Four eyes (四眼原则): the supervisor's review and the second supervisor's are done by two people. Whoever did a
# step of one (in their own right, as a substitute, or by escalation) does none of the other; returning the
# materials for amendment is no review step.
SEPARATE_REVIEWS = (SUPERVISOR_PARTY, SECOND_SUPERVISOR)
SENDS_BACK = frozenset({"return_materials"})


class FourEyes(Forbidden):
    code = "four_eyes"


def did_other_review(people: CasePeople, party: str, *, username: str | None = None,
                     employee_no: str | None = None) -> bool:
    """Whether this person did a review step of the case other than `party`'s (four eyes)."""
    return party in SEPARATE_REVIEWS and any(
        done != party and ((username is not None and u == username) or (employee_no is not None and e == employee_no))
        for done, u, e in people.reviews)


def review_step(s: Standing, event: str, parties: Collection[str]) -> str | None:
    """The review party the caller acts as when they fire `event` (one of `parties`, those of the event), if it is
    a review step that four eyes keeps apart."""
    if event in SENDS_BACK:
        return None
    return next((p for p in SEPARATE_REVIEWS if p in parties and s.is_(p)), None)


def standing(actor: Actor, people: CasePeople) -> Standing:
    """The caller's standing (below), less the review parties four eyes keeps from them."""
    s = _standing(actor, people)
    barred = frozenset(p for p in SEPARATE_REVIEWS if s.is_(p) and did_other_review(
        people, p, username=actor.username, employee_no=actor.employee_no))
    if not barred:
        return s
    return Standing(s.parties - barred, recused=s.recused, behalf=tuple(b for b in s.behalf if b[0] not in barred),
                    four_eyes=barred)


def _standing(actor: Actor, people: CasePeople) -> Standing:
    """The caller's own standing, and what the delegations in force today add to it: the principal's own standing
    within the delegation's scope (never what the principal holds as somebody's substitute: no chains), as far as
    the substitute's own position allows (workflow/delegations.py); and the absent supervisor's part, for the one
    above them to whom the present wait was escalated (workflow/escalation.py)."""
    own = _own_standing(actor, people)
    if own.is_(APPLICANT) or not (actor.stands_in_for or people.escalated):
        return own
    parties, behalf, recused = set(own.parties), [], own.recused
    escalated = _escalated_party(actor, people)
    if escalated is not None and escalated not in parties:
        parties.add(escalated)
        behalf.append((escalated, people.escalated[0]))
    subordinate = people.applicant_no in actor.superiors  # the applicant is above the substitute
    for stand_in in actor.stands_in_for:
        theirs = _own_standing(stand_in.principal, people)
        if theirs.is_(APPLICANT):
            continue
        granted = set()
        if stand_in.covers(SUPERVISOR) and actor.has(SUPERVISOR) and not subordinate:
            granted |= theirs.parties & SUPERVISOR_PARTIES
        if stand_in.covers(COMMITTEE) and actor.has(COMMITTEE) and theirs.is_(MEMBER) and not own.is_(MEMBER):
            seat_recused = (theirs.recused or subordinate or actor.username in people.recused
                            or automatic_recusal(actor.username, actor.employee_no, people) is not None)
            granted.add(MEMBER)
            if theirs.is_(CHAIR) and not seat_recused:
                granted.add(CHAIR)
            recused = recused or seat_recused
        for party in sorted(granted - parties):
            parties.add(party)
            behalf.append((party, stand_in.principal.username))
    return Standing(frozenset(parties), recused=recused, behalf=tuple(behalf))


def _escalated_party(actor: Actor, people: CasePeople) -> str | None:
    """The party of the absent supervisor, for the supervisor above them to whom the present wait was escalated
    (their employee number then stands in the history's on_behalf_of: they may have no account)."""
    if people.escalated is None or actor.employee_no is None or not actor.has(SUPERVISOR):
        return None
    absent, to = people.escalated
    chain = people.supervisor_chain
    # under the present reporting line: the absent one still at a supervisor's level, whoever it went to above them
    if to != actor.employee_no or absent not in chain[:2] or to not in chain[chain.index(absent) + 1:]:
        return None
    return SUPERVISOR_PARTY if chain[0] == absent else SECOND_SUPERVISOR


def _own_standing(actor: Actor, people: CasePeople) -> Standing:
    """The applicant acts on their own case only as the applicant: nobody reviews, scores or
    decides their own case, whatever other roles they hold."""
    if actor.employee_no is not None and actor.employee_no == people.applicant_no:
        return Standing(frozenset({APPLICANT}))
    parties = set()
    chain = people.supervisor_chain
    if actor.employee_no is not None and actor.has(SUPERVISOR) and actor.employee_no in chain:
        parties.add(LINE_MANAGER)
        if chain[0] == actor.employee_no:
            parties.add(SUPERVISOR_PARTY)
        if len(chain) > 1 and chain[1] == actor.employee_no:
            parties.add(SECOND_SUPERVISOR)
    recused = actor.username in people.recused
    if actor.has(COMMITTEE) and actor.username in people.members:
        parties.add(MEMBER)
        # before the interview no recusal is recorded yet: the chair's own reasons (回避) count all the same
        if actor.username == people.chair and not recused \
                and automatic_recusal(actor.username, actor.employee_no, people) is None:
            parties.add(CHAIR)
    if people.reviewer == actor.username:
        parties.add(REVIEWER)
    if people.decider == actor.username:
        parties.add(DECIDER)
    if actor.has(HR):
        parties.add(HR_PARTY)
    if actor.has(ADMIN):
        parties.add(ADMIN_PARTY)
    return Standing(frozenset(parties), recused=recused)


def can_view(s: Standing) -> bool:
    return s.is_(APPLICANT, LINE_MANAGER, MEMBER, HR_PARTY, ADMIN_PARTY)


def parties_for(event: str, stage: Stage | None = None, people: CasePeople | None = None) -> frozenset[str]:
    """Who fires `event`; for the events of a policy's own stage (`stage`, the one the case is in), the party the
    stage names, or hr where the case has no such person (an applicant whose supervisor has no supervisor; the
    chair's stage is the chair's or hr's, as the decisions are). An observation period passes only by itself (the
    service), and nobody acts in a stage that names nobody."""
    parties = WHO[event]
    if STAGE_PARTY not in parties:
        return parties if event in SENDS_BACK else _or_hr(parties, people)
    if stage is None or stage.by is None or (event == "pass_stage" and stage.is_observation):
        return frozenset()
    if stage.by == CHAIR:  # as in the decisions: the chair, or hr (a cycle may have no chair yet)
        return frozenset({CHAIR, HR_PARTY})
    levels_needed = {SUPERVISOR_PARTY: 1, SECOND_SUPERVISOR: 2}.get(stage.by, 0)
    if people is not None and len(people.supervisor_chain) < levels_needed:
        return frozenset({HR_PARTY})
    return _or_hr(frozenset({stage.by}), people)


def _or_hr(parties: frozenset[str], people: CasePeople | None) -> frozenset[str]:
    """hr acts too where the supervisor whose review step it is did the other one of the case (four eyes: nobody
    else in the chain holds their part; their substitute may still act)."""
    party = next((p for p in SEPARATE_REVIEWS if p in parties), None)
    if party is None or people is None:
        return parties
    level, chain = SEPARATE_REVIEWS.index(party), people.supervisor_chain
    if len(chain) > level and did_other_review(people, party, employee_no=chain[level]):
        return parties | {HR_PARTY}
    return parties


def may_fire(s: Standing, event: str, stage: Stage | None = None, people: CasePeople | None = None) -> bool:
    return s.is_(*parties_for(event, stage, people))


def sees_scores(s: Standing, *, state: str, published: bool) -> bool:
    """Scores and the decision: HR, admins and the decider always; committee members once deliberation
    has begun; the applicant and their line managers once the current decision has been published."""
    if s.is_(HR_PARTY, ADMIN_PARTY, DECIDER):
        return True
    if s.is_(MEMBER) and (state == DELIBERATION or state in DECIDED_STATES):
        return True
    return published and s.is_(APPLICANT, LINE_MANAGER, MEMBER)


def automatic_recusal(username: str, employee_no: str | None, people: CasePeople) -> str | None:
    """Why a committee member may never score this case (回避), or None: the applicant themselves,
    anyone above the applicant in the supervisor chain, whoever reviewed the materials."""
    if employee_no is not None and employee_no == people.applicant_no:
        return "applicant"
    if employee_no is not None and employee_no in people.supervisor_chain:
        return "line_manager"
    if username == people.reviewer:
        return "reviewed_materials"
    return None


# --- what the caller may do now ----------------------------------------------------------

_PARTY_NAMES = {APPLICANT: "the applicant", SUPERVISOR_PARTY: "the applicant's supervisor", HR_PARTY: "hr",
                SECOND_SUPERVISOR: "the supervisor of the applicant's supervisor",
                CHAIR: "the chair of the case's cycle (not recused)", SYSTEM: "the service itself"}


def appeal_window_open(case, now: datetime) -> bool:
    """Open until the deadline, to the second: an appeal at 23:59:59 counts, one at 00:00:00 does not."""
    return case.appeal_deadline is not None and now < case.appeal_deadline + WINDOW_GRACE


def appeal_refusal(rules: Rules, case) -> Conflict | None:
    """Why the case cannot be appealed now, in api.md's order: an appeal exists; the window has closed
    (to the second); the case is not (or no longer) published. None: it can."""
    if case.appeal is not None:
        return Conflict("appeal_exists", f"case {case.id} has been appealed already (one appeal per case)",
                        appeal_id=case.appeal.id, state=case.state)
    if not rules.policy.appeals and case.state in PUBLISHED_STATES:
        return Conflict("appeal_window_closed", f"case {case.id} took effect as it was published: its policy has "
                        "no appeals", appeal_deadline=case.appeal_deadline, state=case.state)
    if case.state in (EFFECTIVE, CLOSED) or (case.state == PUBLISHED and not appeal_window_open(case, rules.now())):
        return Conflict("appeal_window_closed", f"the appeal window of case {case.id} closed at the end of "
                        f"{case.appeal_deadline.astimezone(rules.policy.tz):%Y-%m-%d %H:%M:%S}",
                        appeal_deadline=case.appeal_deadline, state=case.state)
    if case.state != PUBLISHED:
        return Conflict("not_published", f"case {case.id} is {case.state}: only a published decision is appealed",
                        state=case.state)
    return None


def available_events(rules: Rules, file: CaseFile, s: Standing) -> list[str]:
    """What the caller may do to the case now (the clock is read only if an appeal is in question)."""
    case = file.case

    def doable(event: str) -> bool:
        if event == "close_interview":
            return file.progress(rules.policy.quorum).quorum_met
        if event == "appeal":
            return appeal_refusal(rules, case) is None
        return True
    stage, people = rules.cases.stage_of(case), file.people  # worked out once: `people` is derived anew each time
    return [e for e in CALLER_EVENTS
            if may_fire(s, e, stage, people) and rules.cases.applies(case, e) and doable(e)]


def kept_apart(rules: Rules, file: CaseFile, s: Standing) -> list[str]:
    """The events of the case's state the caller would hold but for four eyes (the page says why they are not
    offered)."""
    if not s.four_eyes:
        return []
    stage, people = rules.cases.stage_of(file.case), file.people
    return [e for e in CALLER_EVENTS
            if s.four_eyes & parties_for(e, stage, people) and rules.cases.applies(file.case, e)]


def invalid_transition(rules: Rules, file: CaseFile, s: Standing, what: str) -> Conflict:
    available = available_events(rules, file, s)
    case = file.case
    return Conflict("invalid_transition",
                    f"{what} does not apply to case {case.id} in state {case.state}"
                    + (f"; you may now: {', '.join(available)}" if available else ""),
                    state=case.state, available_events=available)


def refuse_event(rules: Rules, file: CaseFile, s: Standing, event: str) -> None:
    """403 when the event is not the caller's, 409 invalid_transition when it does not apply in the case's
    state. An appeal that does not apply is refused later with its own codes (appeal_refusal), once its
    input has been checked."""
    stage = rules.cases.stage_of(file.case)
    parties = parties_for(event, stage, file.people)
    # a stage's event on a case in no stage is not anybody's to fire: it does not apply (409 below)
    if not s.is_(*parties) and (stage is not None or STAGE_PARTY not in WHO[event]):
        if barred := sorted(s.four_eyes & parties):
            raise FourEyes(f"{event} is the review of {_PARTY_NAMES[barred[0]]}: you did another review step of "
                           f"case {file.case.id}, and one person does one of them (four eyes)", party=barred[0])
        whose = " or ".join(_PARTY_NAMES[p] for p in sorted(parties))
        raise Forbidden(f"{event} is for {whose or 'nobody: the stage passes by itself when it ends'}")
    if event != "appeal" and not rules.cases.applies(file.case, event):
        raise invalid_transition(rules, file, s, event)
