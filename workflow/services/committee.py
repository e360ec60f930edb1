"""The committee's work on a case: automatic and declared recusals, scores, the end of the interview."""
from __future__ import annotations

from decimal import Decimal

from workflow import case_access
from workflow.case_access import MEMBER, automatic_recusal
from workflow.case_file import CaseFile
from workflow.case_machine import DELIBERATION, INTERVIEW, OPEN_STATES
from workflow.errors import Conflict, Forbidden
from workflow.services.case_steps import SYSTEM_ACTOR, check_score, check_version, claim, load_case, move, record
from workflow.services.context import Rules
from workflow.services.governing import rules_for

# the comment of the history entry the service records when an interview completes (pages word it: api/web)
INTERVIEW_COMPLETE = "every committee member who counts for this case has scored"


class Recused(Forbidden):
    code = "recused"


def sync_recusals(uow, rules: Rules, file: CaseFile) -> bool:
    """Record, once each, the members of the case's committee who may never score it. Run when the
    case enters the interview, when the committee changes, and before every score and decision, so
    that a reporting line changed meanwhile (PATCH /managers) is caught too. True if any was added."""
    case, people = file.case, file.people
    added = False
    for username in sorted(set(people.members) - set(people.recused)):
        reason = automatic_recusal(username, file.employee_no_of(username), people)
        if reason is None:
            continue
        uow.cases.add_recusal(case, username=username, reason=reason, recorded_at=rules.now())
        record(uow, rules, case, actor=SYSTEM_ACTOR, event="recusal", from_state=case.state, to_state=case.state,
               data={"member": username, "reason": reason})
        added = True
    return added


def in_the_committees_hands(rules: Rules, case) -> bool:
    """The committee's recusals matter from here on: in the interview, or in deliberation where the policy has no
    interview (the chair may decide the cycle)."""
    return case.state == INTERVIEW or (case.state == DELIBERATION and not rules.policy.interview)


def committee_takes_over(uow, rules: Rules, file: CaseFile) -> None:
    """The case has just left the review (or the policy's own stages): its committee's recusals are recorded."""
    if in_the_committees_hands(rules, file.case):
        sync_recusals(uow, rules, file)


def complete_interview_if_done(uow, rules: Rules, file: CaseFile) -> bool:
    """The interview ends by itself once every member who counts has scored (at least a quorum)."""
    case = file.case
    if case.state != INTERVIEW:
        return False
    progress = file.progress(rules.policy.quorum)
    if progress.complete:
        move(uow, rules, case, "interview_complete", actor=SYSTEM_ACTOR,
             comment=INTERVIEW_COMPLETE,
             data={"scored": list(progress.scored)})
    return progress.complete


def _member_case(uow, rules: Rules, actor, case_id: int, version: int | None, what: str, *,
                 scoring: bool = True) -> tuple[CaseFile, Rules, str | None]:
    """The case, locked, the rules that govern it, and the member whose seat the caller takes as their substitute
    (None: their own). `scoring`: in the interview only; otherwise (a declared recusal) also in deliberation where
    the policy has no interview."""
    file, standing = load_case(uow, actor, case_id, for_update=True)
    case = file.case
    rules = rules_for(uow, rules, case)
    check_version(case, version)
    claim(rules, case)
    if in_the_committees_hands(rules, case) and sync_recusals(uow, rules, file):
        standing = case_access.standing(actor, file.people)
    if not standing.is_(MEMBER):
        raise Forbidden(f"only members of the committee of case {case_id}'s cycle {what}")
    if standing.recused:
        raise Recused(f"you are recused from case {case_id}")
    if case.state != INTERVIEW and (scoring or not in_the_committees_hands(rules, case)):
        raise case_access.invalid_transition(rules, file, standing, what)
    return file, rules, standing.on_behalf_of({MEMBER})


def put_score(uow, rules: Rules, actor, case_id: int, *, score: Decimal, comment: str | None = None,
              version: int | None = None):
    """A member's own interview score; given again, it replaces the earlier one (until deliberation). A member's
    substitute scores in the member's seat: the score is the member's, the history names both."""
    file, rules, for_member = _member_case(uow, rules, actor, case_id, version, "score")
    case = file.case
    check_score(rules, "score", score)
    seat = for_member or actor.username
    existing = next((s for s in case.scores if s.username == seat), None)
    if existing is None:
        uow.cases.add_score(case, username=seat, score=score, comment=comment, scored_at=rules.now())
    else:
        existing.score, existing.comment, existing.scored_at = score, comment, rules.now()
    record(uow, rules, case, actor=actor.username, event="score", from_state=case.state, to_state=case.state,
           comment=comment, data={"member": seat, "score": str(score), "replaces_earlier": bool(existing)},
           on_behalf_of=for_member)
    complete_interview_if_done(uow, rules, file)
    return file


def declare_recusal(uow, rules: Rules, actor, case_id: int, *, comment: str | None = None,
                    version: int | None = None):
    """A member declares a conflict of interest; from now on they do not count for the case. A member's substitute
    declares their own conflict: they no longer act on the case, and the member's seat waits for the member."""
    file, rules, for_member = _member_case(uow, rules, actor, case_id, version, "declare a recusal", scoring=False)
    case = file.case
    uow.cases.add_recusal(case, username=actor.username, reason="declared", comment=comment, recorded_at=rules.now())
    record(uow, rules, case, actor=actor.username, event="recusal", from_state=case.state, to_state=case.state,
           comment=comment, data={"member": actor.username, "reason": "declared"}, on_behalf_of=for_member)
    complete_interview_if_done(uow, rules, file)
    return file


def committee_changed(uow, rules: Rules, cycle_code: str) -> None:
    """After the committee changed: new members' recusals (in deliberation too where the policy has no interview),
    and interviews that are now complete."""
    cases = uow.cases.in_cycle(cycle_code, (INTERVIEW, DELIBERATION), for_update=True)
    _resync(uow, rules, [case for case in cases if in_the_committees_hands(rules_for(uow, rules, case), case)])


def reporting_lines_changed(uow, rules: Rules, employee_nos) -> None:
    """After a supervisor change: these managers' cases before the decision may have new line-manager
    recusals (a recused chair then no longer decides them)."""
    _resync(uow, rules, uow.cases.of_managers(employee_nos, (INTERVIEW, DELIBERATION), for_update=True))


def _resync(uow, rules: Rules, cases) -> None:
    """Only the cases that changed are claimed (after the fact: these cases are locked, and an
    unchanged one keeps its version, so that members' If-Match values stay good)."""
    for file in uow.cases.files(cases):
        governing = rules_for(uow, rules, file.case)
        recused = sync_recusals(uow, governing, file)
        if complete_interview_if_done(uow, governing, file) or recused:
            claim(governing, file.case)


def refuse_removing_scorers(uow, cycle_code: str, removed: set[str]) -> None:
    """A member whose score is on a case not yet final stays: removing them would silently drop the
    score (also from a re-decision after an appeal)."""
    for case in uow.cases.in_cycle(cycle_code, OPEN_STATES, for_update=True):
        scorers = sorted(removed.intersection(s.username for s in case.scores))
        if scorers:
            raise Conflict("committee_locked", f"{', '.join(scorers)} scored case {case.id}, which is not final "
                           "yet; they stay on the committee", case_id=case.id, members=scorers)
