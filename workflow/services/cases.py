"""Cases: applying for one (opening: opening.py) and firing their events (what a caller sees of them: case_reads)."""
from __future__ import annotations

from decimal import Decimal

from workflow import case_access
from workflow import supervisor_items as items
from workflow.accounts import HR, Actor
from workflow.case_file import CaseFile
from workflow.case_machine import DEMOTION, PROBATION_CONFIRMATION, PROMOTION, SCORED_EVENTS
from workflow.eligibility import (LEFT_THE_LADDER, Applicant, PeerScores, Refusal, demotion_refusals,
                                  exit_refusals, probation_refusals, promotion_refusals, recent_periods)
from workflow.errors import DuplicateKey, Forbidden, NotEligible, Violations
from workflow.manager_events import SUSPENDED
from workflow.ladder import PROMOTE
from workflow.services import appeals, decisions, exams, stages
from workflow.scoring import score_problem
from workflow.services.case_steps import check_version, claim, load_case, move
from workflow.services.committee import committee_takes_over
from workflow.services.context import Rules
from workflow.services.delegations import acting
from workflow.services.finalization import take_effect_if_no_appeals
from workflow.services.governing import rules_for, rules_for_cycle
from workflow.services.opening import open_case, target_of

# --- opening a case ---------------------------------------------------------------------

def _applicant_for(problems: Violations, uow, actor: Actor, kind: str, employee_no: str | None):
    """The manager the case is for (None, with the problem noted, if unknown), after checking that the
    caller may open it: a manager applies for promotion themselves; hr opens any kind for anyone."""
    if employee_no is None:
        if actor.employee_no is None:
            problems.add("employee_no", "required", "say whose case this is: you have no manager record of your own")
            return None
        employee_no = actor.employee_no
    own = employee_no == actor.employee_no
    if not actor.has(HR) and not (own and kind == PROMOTION):
        raise Forbidden("managers apply for their own promotion; hr opens cases for others and every other kind")
    manager = uow.managers.get(employee_no, for_update=True)
    if manager is None:
        problems.add("employee_no", "known_manager", f"no manager has employee number {employee_no!r}")
    return manager


def _check_cycle(problems: Violations, uow, kind: str, cycle_code: str | None, *, exclusive: bool):
    """The cycle of the application (None, with the problem noted, if it takes none); `exclusive`: held against
    concurrent applications (where org units follow policies of their own: a cycle takes cases of one)."""
    if kind != PROMOTION:
        if cycle_code is not None:
            problems.add("cycle", "no_cycle", f"a {kind} case belongs to no cycle: hr publishes it on its own")
    elif cycle_code is None:
        problems.add("cycle", "required", "a promotion is applied for in a cycle")
    else:
        cycle = uow.cycles.get_for_application(cycle_code, exclusive=exclusive)
        if cycle is None:
            problems.add("cycle", "known_cycle", f"no cycle {cycle_code!r}")
        elif cycle.first_decided_at is not None:
            problems.add("cycle", "cycle_open", f"cycle {cycle_code} has been decided; it takes no more applications")
        return cycle
    return None


def promotion_outlook(uow, rules: Rules, manager) -> tuple[str | None, list[Refusal]]:
    """The grade a manager would apply for next (one step up, not exceptional) and every rule that such an
    application would break today (under the policy of the manager's org unit); (None, [why]) when no
    application leads anywhere."""
    rules = rules.for_org_unit(manager.org_unit)
    ladder = rules.policy.ladder
    if ladder.is_exited(manager.grade):
        return None, [LEFT_THE_LADDER]
    if manager.grade == ladder.entry_grade:
        return ladder.confirmation_target, [Refusal(
            "probation_confirmation", f"a {manager.grade} manager reaches {ladder.confirmation_target} by probation "
                                      "confirmation (转正), which the service opens when probation ends")]
    targets = rules.ladder.destinations(manager.grade, PROMOTE)
    if not targets:
        return None, [Refusal("promotion_goes_up", f"{manager.grade} is the top of the ladder")]
    return targets[0], _refusals(uow, rules, PROMOTION, manager, targets[0], exceptional=False)


def _latest_exam(uow, rules: Rules, manager, target: str | None):
    """(taken on, score) of the manager's latest result in the target's exam within its window, if it has one."""
    rule = rules.policy.eligibility.for_target(target)
    if rule is None or rule.exam is None:
        return None
    found = exams.latest_result(uow, manager.employee_no, rule.exam, rules.today())
    return (found.taken_on, found.score) if found is not None else None


def _refusals(uow, rules: Rules, kind: str, manager, target: str | None, exceptional: bool) -> list[Refusal]:
    ladder, today = rules.policy.ladder, rules.today()
    if kind == PROMOTION:
        peers = PeerScores(*uow.cases.peer_annual_scores(manager.employee_no, today.year, manager.org_unit,
                                                         manager.grade))
        read = recent_periods(rules.policy.eligibility.for_target(target), today)
        recent = uow.performance.scores(manager.employee_no, [str(p) for p in read])
        applicant = Applicant(manager.employee_no, manager.grade, manager.grade_since, manager.org_unit,
                              manager.education, manager.birth_date, tuple(manager.certificates or ()))
        refusals = promotion_refusals(rules.policy, applicant, target, exceptional=exceptional, today=today,
                                      peers=peers, recent=recent, exam=_latest_exam(uow, rules, manager, target))
    elif kind == PROBATION_CONFIRMATION:
        refusals = probation_refusals(rules.policy, manager.grade, manager.grade_since, today)
    elif kind == DEMOTION:
        refusals = demotion_refusals(ladder, manager.grade, target)
    else:
        refusals = exit_refusals(ladder, manager.grade)
    if kind == PROMOTION and manager.standing == SUSPENDED:
        refusals.append(Refusal("suspended", "the manager is suspended (待岗) until reinstated"))
    open_case = uow.cases.open_case_of(manager.employee_no)
    if open_case is not None:
        refusals.append(_one_open_case(open_case.id))
    return refusals


def _one_open_case(case_id: int | None) -> Refusal:
    return Refusal("one_open_case", "the manager already has an open case"
                   + (f" (case {case_id})" if case_id else "") + "; it must be finished first", {"case_id": case_id})


def _refuse(refusals: list[Refusal]) -> NotEligible:
    return NotEligible("; ".join(f"{r.rule}: {r.detail}" for r in refusals),
                       [{"rule": r.rule, "detail": r.detail} for r in refusals], refusals)


def submit_case(uow, rules: Rules, actor: Actor, *, kind: str, statement: str, cycle: str | None = None,
                target_grade: str | None = None, exceptional: bool = False,
                employee_no: str | None = None) -> CaseFile:
    """Open a case. Every broken eligibility rule is named at once, and nothing is stored."""
    problems = Violations()  # every input problem is named at once
    manager = _applicant_for(problems, uow, actor, kind, employee_no)
    cycle_row = _check_cycle(problems, uow, kind, cycle, exclusive=bool(rules.units))
    rules = _rules_for_application(problems, uow, rules, manager, cycle_row)
    if exceptional and kind != PROMOTION:
        problems.add("exceptional", "exceptional_promotion", "only a promotion is exceptional")
    target = target_of(problems, rules, kind, manager, target_grade)
    problems.raise_if_any()
    refusals = _refusals(uow, rules, kind, manager, target, exceptional)
    if refusals:
        raise _refuse(refusals)
    try:
        case = open_case(uow, rules, actor.username, manager, kind, target, statement, cycle=cycle_row,
                     exceptional=exceptional)
    except DuplicateKey:  # another submission for the same manager won the race
        raise _refuse([_one_open_case(None)]) from None
    return uow.cases.files([case])[0]


def _rules_for_application(problems: Violations, uow, rules: Rules, manager, cycle) -> Rules:
    """The rules a new case follows: those of the manager's org unit (its policy, or the company's); in a cycle
    with cases, the version of its first case (workflow/services/governing.py), which must be a version of the
    same policy."""
    if cycle is None or cycle.cases_policy is None:
        return rules.for_org_unit(manager.org_unit) if manager is not None else rules
    if manager is not None and (refusal := cycle_policy_refusal(uow, rules, cycle, manager)) is not None:
        problems.add("cycle", "cycle_policy", refusal)
    return rules_for_cycle(uow, rules, cycle)


def cycle_policy_refusal(uow, rules: Rules, cycle, manager) -> str | None:
    """Why the cycle takes no case of the manager (its cases follow another policy than the manager's unit's),
    or None."""
    if cycle.cases_policy is None:
        return None
    cycle_policy, unit_policy = rules_for_cycle(uow, rules, cycle).policy, rules.for_org_unit(manager.org_unit).policy
    if cycle_policy.name == unit_policy.name:
        return None
    return (f"the cases of cycle {cycle.code} follow the policy {cycle_policy.name!r}, and {manager.org_unit} the "
            f"policy {unit_policy.name!r}: apply in a cycle of theirs")


# --- events -------------------------------------------------------------------------------

def fire_event(uow, rules: Rules, actor: Actor, case_id: int, event: str, *, comment: str | None = None,
               supervisor_score: Decimal | None = None, supervisor_items: dict[str, Decimal] | None = None,
               reason: str | None = None, score: Decimal | None = None, stage: str | None = None,
               version: int | None = None) -> CaseFile:
    """POST /cases/{id}/events: 404 unseen, 409 stale version, 403 not the caller's event,
    409 not in this state, 422 missing input, then the event's own rules. Where the case's policy makes the
    supervisor score from items, the supervisor scores `supervisor_items` and the score is their sum."""
    file, standing = load_case(uow, actor, case_id, for_update=True)
    service, rules = rules, rules_for(uow, rules, file.case)
    check_version(file.case, version)
    case_access.refuse_event(rules, file, standing, event)
    parties = case_access.parties_for(event, rules.cases.stage_of(file.case), file.people)
    review = case_access.review_step(standing, event, parties)
    actor = acting(actor, standing.on_behalf_of(parties))
    stages.check_stage_meant(file.case, stage)
    _check_inputs(rules, event, supervisor_score, supervisor_items, reason)
    stages.check_stage_inputs(rules, rules.cases.stage_of(file.case), event, score, comment)
    claim(rules, file.case)
    if review is not None:  # four eyes: who did which of the supervisors' reviews
        file.case.reviews = [*(file.case.reviews or ()),
                             {"party": review, "username": actor.username, "employee_no": actor.employee_no}]
    scoring = rules.policy.scoring
    if supervisor_items is not None:
        supervisor_score, supervisor_items = items.supervisor_total(scoring.supervisor_items, supervisor_items,
                                                                    scoring.decimal_places)
    handler = _HANDLERS.get(event, _plain_move)
    handler(uow, rules, actor, file, event, comment=comment, supervisor_score=supervisor_score,
            supervisor_items=supervisor_items, reason=reason, score=score)
    take_effect_if_no_appeals(uow, service, rules, file.case)
    return file


def _check_inputs(rules: Rules, event: str, supervisor_score: Decimal | None,
                  supervisor_items: dict[str, Decimal] | None, reason: str | None) -> None:
    problems = Violations()
    scoring = rules.policy.scoring
    if event not in SCORED_EVENTS:
        for field, given in (("supervisor_score", supervisor_score), (items.FIELD, supervisor_items)):
            if given is not None:
                problems.add(field, "not_for_event", f"{event} takes no supervisor score")
    elif scoring.supervisor_items:
        if supervisor_score is not None:
            problems.add("supervisor_score", items.SCORE_FROM_ITEMS, "the policy makes the supervisor score from its "
                         f"items: send supervisor_items ({', '.join(i.code for i in scoring.supervisor_items)})")
        if supervisor_items is None:
            problems.add(items.FIELD, "required", f"{event} gives the supervisor's score of each item")
        else:
            problems.errors.extend(items.item_problems(scoring.supervisor_items, supervisor_items,
                                                       scoring.decimal_places))
    else:
        if supervisor_items is not None:
            problems.add(items.FIELD, items.NO_ITEMS, "the policy scores the supervisor as one number: send "
                         "supervisor_score")
        if supervisor_score is None:
            problems.add("supervisor_score", "required", f"{event} gives the supervisor score")
        elif (problem := score_problem(scoring, supervisor_score)) is not None:
            problems.add("supervisor_score", *problem)
    if event == "appeal" and reason is None:
        problems.add("reason", "required", "an appeal states its reason")
    problems.raise_if_any()


def _plain_move(uow, rules, actor, file, event, *, comment, reason, **_):
    move(uow, rules, file.case, event, actor=actor.username, on_behalf_of=actor.acting_for, comment=comment,
         data={"reason": reason} if reason else None)


def _review(uow, rules, actor, file, event, *, comment, supervisor_score, supervisor_items, reason, **_):
    case = file.case
    decisions.record_supervisor_score(case, actor, supervisor_score, supervisor_items)
    move(uow, rules, case, event, actor=actor.username, on_behalf_of=actor.acting_for, comment=comment,
         data=decisions.supervisor_score_data(supervisor_score, supervisor_items, reason))
    committee_takes_over(uow, rules, file)


def _approve_exception(uow, rules, actor, file, event, *, comment, **_):
    move(uow, rules, file.case, event, actor=actor.username, on_behalf_of=actor.acting_for, comment=comment)
    committee_takes_over(uow, rules, file)  # not yet when the policy's own stages come first


def _close_interview(uow, rules, actor, file, event, *, comment, **_):
    progress = file.progress(rules.policy.quorum)
    if not progress.quorum_met:
        raise decisions.quorum_not_met(file.case, progress)
    move(uow, rules, file.case, event, actor=actor.username, on_behalf_of=actor.acting_for, comment=comment,
         data={"scored": list(progress.scored)})


_HANDLERS = {
    "approve_materials": _review,
    "pass_probation": decisions.probation_decision,
    "fail_probation": decisions.probation_decision,
    "approve_exception": _approve_exception,
    "pass_stage": stages.stage_result,
    "fail_stage": stages.stage_result,
    "close_interview": _close_interview,
    "approve": decisions.single_decision,
    "deny": decisions.single_decision,
    "publish": decisions.publish_case,
    "appeal": appeals.appeal_event,
    "uphold": appeals.resolve,
    "overturn": appeals.resolve,
}
