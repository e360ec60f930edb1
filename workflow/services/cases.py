"""Cases: opening them, firing their events, what a caller sees of them, their history."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from workflow import case_access
from workflow.accounts import ADMIN, COMMITTEE, HR, SUPERVISOR, Actor
from workflow.case_access import APPLICANT, HR_PARTY, MEMBER, Standing
from workflow.case_machine import (DEMOTION, EXIT, INITIAL_STATE, INTERVIEW, PROBATION_CONFIRMATION, PROMOTION,
                                   PUBLISHED_STATES, SCORED_EVENTS, WHO)
from workflow.eligibility import Applicant, PeerScores, Refusal, add_months, promotion_refusals
from workflow.errors import DuplicateKey, Forbidden, NotEligible, Violations
from workflow.ladder import DEMOTE, PROMOTE
from workflow.services import appeals, decisions, timers
from workflow.services.case_steps import (available_events, check_score, check_version, invalid_transition,
                                          SYSTEM_ACTOR, claim, load_case, move, people_of, progress_of, record)
from workflow.services.committee import sync_recusals
from workflow.services.context import Rules

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


def _check_cycle(problems: Violations, uow, kind: str, cycle_code: str | None) -> None:
    if kind != PROMOTION:
        if cycle_code is not None:
            problems.add("cycle", "no_cycle", f"a {kind} case belongs to no cycle: hr publishes it on its own")
    elif cycle_code is None:
        problems.add("cycle", "required", "a promotion is applied for in a cycle")
    else:
        cycle = uow.cycles.get(cycle_code, for_share=True)
        if cycle is None:
            problems.add("cycle", "known_cycle", f"no cycle {cycle_code!r}")
        elif cycle.first_decided_at is not None:
            problems.add("cycle", "cycle_open", f"cycle {cycle_code} has been decided; it takes no more applications")


def _target_of(problems: Violations, rules: Rules, kind: str, manager, target_grade: str | None) -> str | None:
    """The grade the case aims at: chosen by the applicant for a promotion, implied by the kind otherwise."""
    ladder = rules.policy.ladder
    if kind == PROMOTION:
        if target_grade is None:
            problems.add("target_grade", "required", "name the grade applied for")
        return target_grade
    if manager is None:
        return None
    implied = {PROBATION_CONFIRMATION: ladder.confirmation_target, EXIT: ladder.exited.code,
               DEMOTION: next(iter(rules.ladder.destinations(manager.grade, DEMOTE)), None)}[kind]
    if target_grade is not None and target_grade != implied:
        problems.add("target_grade", "target_for_kind", f"a {kind} case of a {manager.grade} manager aims at {implied}")
    return implied


def promotion_outlook(uow, rules: Rules, manager) -> tuple[str | None, list[Refusal]]:
    """The grade a manager would apply for next (one step up, not exceptional) and every rule that such an
    application would break today; (None, [why]) when no application leads anywhere."""
    ladder = rules.policy.ladder
    if ladder.is_exited(manager.grade):
        return None, [Refusal("active_manager", "the manager has left the ladder")]
    if manager.grade == ladder.entry_grade:
        return ladder.confirmation_target, [Refusal(
            "probation_confirmation", f"a {manager.grade} manager reaches {ladder.confirmation_target} by probation "
                                      "confirmation (转正), which the service opens when probation ends")]
    targets = rules.ladder.destinations(manager.grade, PROMOTE)
    if not targets:
        return None, [Refusal("promotion_goes_up", f"{manager.grade} is the top of the ladder")]
    return targets[0], _refusals(uow, rules, PROMOTION, manager, targets[0], exceptional=False)


def _refusals(uow, rules: Rules, kind: str, manager, target: str | None, exceptional: bool) -> list[Refusal]:
    ladder, today = rules.policy.ladder, rules.today()
    if kind == PROMOTION:
        period = uow.cases.latest_annual_period(manager.employee_no, today.year)
        peers = PeerScores(period, uow.cases.annual_scores(period, manager.org_unit, manager.grade) if period else {})
        refusals = promotion_refusals(rules.policy, Applicant(manager.employee_no, manager.grade, manager.grade_since),
                                      target, exceptional=exceptional, today=today, peers=peers)
    elif ladder.is_exited(manager.grade):
        refusals = [Refusal("active_manager", "the manager has left the ladder")]
    elif kind == PROBATION_CONFIRMATION:
        refusals = _probation_refusals(rules, manager, today)
    elif kind == DEMOTION and target is None:
        refusals = [Refusal("demotable", f"a {manager.grade} manager cannot be demoted (the floor is "
                                         f"{ladder.demotion_floor})")]
    else:
        refusals = []
    open_case = uow.cases.open_case_of(manager.employee_no)
    if open_case is not None:
        refusals.append(_one_open_case(open_case.id))
    return refusals


def _probation_refusals(rules: Rules, manager, today: date) -> list[Refusal]:
    ladder = rules.policy.ladder
    if manager.grade != ladder.entry_grade:
        return [Refusal("on_probation", f"the manager is {manager.grade}, not on probation")]
    ends = add_months(manager.grade_since, rules.policy.probation_months)
    if ends > today:
        return [Refusal("probation_ended", f"probation ({rules.policy.probation_months} months from "
                                           f"{manager.grade_since}) ends on {ends}")]
    return []


def _one_open_case(case_id: int | None) -> Refusal:
    return Refusal("one_open_case", "the manager already has an open case"
                   + (f" (case {case_id})" if case_id else "") + "; it must be finished first")


def _refuse(refusals: list[Refusal]) -> NotEligible:
    return NotEligible("; ".join(f"{r.rule}: {r.detail}" for r in refusals),
                       [{"rule": r.rule, "detail": r.detail} for r in refusals])


def submit_case(uow, rules: Rules, actor: Actor, *, kind: str, statement: str, cycle: str | None = None,
                target_grade: str | None = None, exceptional: bool = False, employee_no: str | None = None):
    """Open a case. Every broken eligibility rule is named at once, and nothing is stored."""
    problems = Violations()  # every input problem is named at once
    manager = _applicant_for(problems, uow, actor, kind, employee_no)
    _check_cycle(problems, uow, kind, cycle)
    if exceptional and kind != PROMOTION:
        problems.add("exceptional", "exceptional_promotion", "only a promotion is exceptional")
    target = _target_of(problems, rules, kind, manager, target_grade)
    problems.raise_if_any()
    refusals = _refusals(uow, rules, kind, manager, target, exceptional)
    if refusals:
        raise _refuse(refusals)
    try:
        return _open(uow, rules, actor.username, manager, kind, target, statement, cycle=cycle,
                     exceptional=exceptional)
    except DuplicateKey:  # another submission for the same manager won the race
        raise _refuse([_one_open_case(None)]) from None


def open_automatic_case(uow, rules: Rules, manager, kind: str, statement: str, data: dict):
    """A case the service opens by itself (a probation end, a quarter close, repeated demotions), with
    SYSTEM_ACTOR as its author; the caller has checked that the manager has no open case."""
    target = _target_of(Violations(), rules, kind, manager, None)
    return _open(uow, rules, SYSTEM_ACTOR, manager, kind, target, statement, data=data)


def _open(uow, rules: Rules, author: str, manager, kind: str, target: str, statement: str, *,
          cycle: str | None = None, exceptional: bool = False, data: dict | None = None):
    now = rules.now()
    case = uow.cases.add(kind=kind, cycle_code=cycle, employee_no=manager.employee_no, from_grade=manager.grade,
                         target_grade=target, exceptional=exceptional, statement=statement,
                         state=INITIAL_STATE[kind], reasons=[], created_by=author, created_at=now,
                         updated_at=now, state_since=now, version=1)
    entry = record(uow, rules, case, actor=author, event="submit", from_state=None, to_state=case.state,
                   comment=statement, data={"kind": kind, "target_grade": target, "exceptional": exceptional} | (data or {}))
    timers.state_entered(uow, rules, case, entry.seq)
    return case


# --- events -------------------------------------------------------------------------------

_PARTY_NAMES = {APPLICANT: "the applicant", "supervisor": "the applicant's supervisor", HR_PARTY: "hr",
                "chair": "the chair of the case's cycle (not recused)", "system": "the service itself"}


def fire_event(uow, rules: Rules, actor: Actor, case_id: int, event: str, *, comment: str | None = None,
               supervisor_score: Decimal | None = None, reason: str | None = None, version: int | None = None):
    """POST /cases/{id}/events: 404 unseen, 409 stale version, 403 not the caller's event,
    409 not in this state, 422 missing input, then the event's own rules."""
    case, standing = load_case(uow, actor, case_id, for_update=True)
    check_version(case, version)
    if not case_access.may_fire(standing, event):
        raise Forbidden(f"{event} is for {' or '.join(_PARTY_NAMES[p] for p in sorted(WHO[event]))}")
    if event not in _EXPLAINS_REFUSAL and not rules.cases.applies(case, event):
        raise invalid_transition(rules, case, standing, people_of(uow, case), event)
    _check_inputs(rules, event, supervisor_score, reason)
    claim(uow, rules, case)
    handler = _HANDLERS.get(event, _plain_move)
    handler(uow, rules, actor, case, event, comment=comment, supervisor_score=supervisor_score, reason=reason)
    return case


def _check_inputs(rules: Rules, event: str, supervisor_score: Decimal | None, reason: str | None) -> None:
    problems = Violations()
    if event in SCORED_EVENTS:
        if supervisor_score is None:
            problems.add("supervisor_score", "required", f"{event} gives the supervisor score")
        else:
            check_score(rules, "supervisor_score", supervisor_score)
    elif supervisor_score is not None:
        problems.add("supervisor_score", "not_for_event", f"{event} takes no supervisor score")
    if event == "appeal" and reason is None:
        problems.add("reason", "required", "an appeal states its reason")
    problems.raise_if_any()


def _plain_move(uow, rules, actor, case, event, *, comment, reason, **_):
    move(uow, rules, case, event, actor=actor.username, comment=comment, data={"reason": reason} if reason else None)


def _review(uow, rules, actor, case, event, *, comment, supervisor_score, **_):
    case.supervisor_score, case.reviewed_by = supervisor_score, actor.username
    move(uow, rules, case, event, actor=actor.username, comment=comment,
         data={"supervisor_score": str(supervisor_score)})
    if case.state == INTERVIEW:
        sync_recusals(uow, rules, case)


def _approve_exception(uow, rules, actor, case, event, *, comment, **_):
    move(uow, rules, case, event, actor=actor.username, comment=comment)
    sync_recusals(uow, rules, case)


def _close_interview(uow, rules, actor, case, event, *, comment, **_):
    progress = progress_of(rules, case, people_of(uow, case))
    if not progress.quorum_met:
        raise decisions.quorum_not_met(case, progress)
    move(uow, rules, case, event, actor=actor.username, comment=comment, data={"scored": list(progress.scored)})


# An appeal that does not apply is refused with its own codes (appeal_exists, appeal_window_closed, not_published).
_EXPLAINS_REFUSAL = {"appeal"}
_HANDLERS = {
    "approve_materials": _review,
    "pass_probation": decisions.probation_decision,
    "fail_probation": decisions.probation_decision,
    "approve_exception": _approve_exception,
    "close_interview": _close_interview,
    "approve": decisions.single_decision,
    "deny": decisions.single_decision,
    "publish": decisions.publish_case,
    "appeal": appeals.appeal_event,
    "uphold": appeals.resolve,
    "overturn": appeals.resolve,
}


# --- reading ------------------------------------------------------------------------------

def visible_case(uow, actor: Actor, case_id: int):
    return load_case(uow, actor, case_id)[0]


def list_cases(uow, actor: Actor, *, page: int, per_page: int, cycle: str | None = None, state: str | None = None,
               kind: str | None = None, mine: bool = False, overdue: bool | None = None):
    """The cases the caller may see (hr and admins: all), filtered; `mine`: those the caller applied in."""
    scope = None
    if not actor.has(HR, ADMIN):
        reports = uow.managers.reports_of(actor.employee_no) if actor.employee_no and actor.has(SUPERVISOR) else ()
        member_of = uow.cycles.cycles_of_member(actor.username) if actor.has(COMMITTEE) else ()
        scope = case_access.CaseScope(actor.employee_no, frozenset(reports), frozenset(member_of))
    if mine and actor.employee_no is None:
        return [], 0
    return uow.cases.page(page, per_page, visible_to=scope, cycle=cycle, state=state, kind=kind,
                          employee_no=actor.employee_no if mine else None, overdue=overdue)


def case_history(uow, actor: Actor, case_id: int) -> list[dict]:
    """Every entry, oldest first. For a caller who may not see scores yet, scores and the decision
    are left out of `data`, and the committee's entries (scores, recusals, decisions) lose their
    comment and the member's name."""
    case, standing = load_case(uow, actor, case_id)
    hidden = _hidden_results(case, standing)
    entries = []
    for entry in uow.cases.history(case_id):
        data = {k: v for k, v in (entry.data or {}).items() if k not in hidden}
        actor_name, comment = entry.actor, entry.comment
        if hidden and entry.event in _COMMITTEE_EVENTS:
            data.pop("member", None)
            data.pop("scored", None)
            comment = None
            if actor_name != SYSTEM_ACTOR:
                actor_name = "(committee)"
        entries.append({"seq": entry.seq, "at": entry.at, "actor": actor_name, "event": entry.event,
                        "from_state": entry.from_state, "to_state": entry.to_state, "comment": comment,
                        "data": data})
    return entries


_RESULT_KEYS = frozenset({"score", "supervisor_score", "interview_score", "performance_score", "final_score", "rank",
                          "outcome", "reasons"})
_COMMITTEE_EVENTS = frozenset({"score", "recusal", "interview_complete", "close_interview", "decide", "approve",
                               "deny"})


def _sees_scores(case, standing: Standing) -> bool:
    return case_access.sees_scores(standing, state=case.state, published=case.state in PUBLISHED_STATES)


def _hidden_results(case, standing: Standing) -> frozenset[str]:
    """The scores and decision fields the caller may not see yet; whoever reviewed the materials sees
    their own score."""
    if _sees_scores(case, standing):
        return frozenset()
    return _RESULT_KEYS - {"supervisor_score"} if standing.is_(case_access.REVIEWER) else _RESULT_KEYS


def case_view(uow, rules: Rules, actor: Actor, case) -> dict:
    """The case as the caller may see it, with what they may do now."""
    people = people_of(uow, case)
    standing = case_access.standing(actor, people)
    hidden = _hidden_results(case, standing)
    manager = case.manager
    view = {
        "id": case.id, "kind": case.kind, "cycle": case.cycle_code, "employee_no": case.employee_no,
        "applicant_name": manager.name, "org_unit": manager.org_unit, "from_grade": case.from_grade,
        "target_grade": case.target_grade, "exceptional": case.exceptional, "statement": case.statement,
        "state": case.state,
        **{field: None if field in hidden else getattr(case, field)
           for field in ("outcome", "reasons", "supervisor_score", "interview_score", "performance_score",
                         "final_score", "rank")},
        "published_at": case.published_at, "appeal_deadline": case.appeal_deadline,
        "deadline_confirmed": case.deadline_confirmed, "effective_on": case.effective_on,
        "version": case.version, "available_events": available_events(rules, case, standing, people),
        "appeal": _appeal_view(case.appeal) if case.appeal else None,
        "interview": None, "created_by": case.created_by, "created_at": case.created_at,
        "updated_at": case.updated_at, "waiting_since": case.state_since, "overdue": case.overdue_since is not None,
        "overdue_since": case.overdue_since,
    }
    if case.cycle_code and standing.is_(MEMBER, HR_PARTY, case_access.ADMIN_PARTY):
        view["interview"] = _interview_view(rules, case, people, standing, actor, sees=not hidden)
    return view


def _interview_view(rules: Rules, case, people, standing: Standing, actor: Actor, sees: bool) -> dict:
    progress = progress_of(rules, case, people)
    mine = next((s for s in case.scores if s.username == actor.username), None)
    return {
        "quorum": progress.quorum, "counting_members": list(progress.eligible), "scored": list(progress.scored),
        "recusals": [{"member": r.username, "reason": r.reason} for r in case.recusals],
        "quorum_reachable": progress.quorum_reachable,
        "my_score": mine.score if mine else None, "recused": standing.recused,
        "scores": ([{"member": s.username, "score": s.score, "comment": s.comment,
                     "counts": s.username in progress.eligible} for s in case.scores] if sees else None),
    }


def _appeal_view(appeal) -> dict:
    return {"id": appeal.id, "filed_at": appeal.filed_at, "reason": appeal.reason, "status": appeal.status,
            "resolved_at": appeal.resolved_at, "resolution": appeal.resolution}
