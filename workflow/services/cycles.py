"""Cycles (评审批次): their committee, the decision over all their cases, publication, the board."""
from __future__ import annotations

from workflow import access, case_access
from workflow.accounts import ADMIN, COMMITTEE, HR, Actor
from workflow.case_machine import BEFORE_DELIBERATION, DECIDED, DELIBERATION, INTERVIEW, PUBLISHED_STATES
from workflow.errors import Conflict, DuplicateKey, Forbidden, NotFound, Violations
from workflow.services.case_steps import claim
from workflow.services.committee import committee_changed, refuse_removing_scorers
from workflow.services.context import Rules
from workflow.services.decisions import appeal_deadline, decide_cases, publish
from workflow.services.finalization import take_effect_if_no_appeals
from workflow.services.governing import rules_for_cycle
from workflow.services.unit_of_work import UnitOfWork


def create_cycle(uow: UnitOfWork, rules: Rules, actor: Actor, *, code: str, name: str):
    access.require(actor.has(HR), "only hr opens cycles")
    try:
        return uow.cycles.add(code=code, name=name, created_by=actor.username, created_at=rules.now())
    except DuplicateKey:
        raise Conflict("cycle_exists", f"a cycle {code!r} exists", field="code") from None


def get_cycle(uow: UnitOfWork, code: str, *, for_update: bool = False):
    cycle = uow.cycles.get(code, for_update=for_update)
    if cycle is None:
        raise NotFound(f"no cycle {code}")
    return cycle


def list_cycles(uow: UnitOfWork, *, page: int, per_page: int):
    return uow.cycles.page(page, per_page)


def sees_committee(actor: Actor, cycle) -> bool:
    return actor.has(HR, ADMIN) or actor.username in cycle.member_usernames


def set_committee(uow: UnitOfWork, rules: Rules, actor: Actor, code: str, *, chair: str, members: list[str]):
    """The chair and members, each holding the committee role; the chair is a member too. A member
    whose score is on an undecided case cannot be removed."""
    access.require(actor.has(HR), "only hr appoints committees")
    cycle = get_cycle(uow, code, for_update=True)
    quorum = rules_for_cycle(uow, rules, cycle).policy.quorum  # that of the version its cases follow
    wanted = sorted(set(members) | {chair})
    problems = Violations()
    for username in wanted:
        user = uow.users.by_username(username)
        field = "chair" if username == chair else "members"
        if user is None:
            problems.add(field, "known_user", f"no user {username!r}", value=username)
        elif not user.active or COMMITTEE not in user.roles:
            problems.add(field, "committee_role", f"{username} does not hold the committee role", value=username)
    if len(wanted) < quorum:
        problems.add("members", "quorum", f"a committee needs at least the quorum of {quorum} members "
                                          f"(the chair included); {len(wanted)} given")
    problems.raise_if_any()
    refuse_removing_scorers(uow, code, set(cycle.member_usernames) - set(wanted))
    cycle.chair = chair
    uow.cycles.set_members(cycle, wanted)
    uow.flush()
    committee_changed(uow, rules, code)
    return cycle


def _may_decide(actor: Actor, cycle) -> bool:
    return actor.has(HR) or (actor.has(COMMITTEE) and actor.username == cycle.chair) or _chairs_substitute(actor,
                                                                                                          cycle)


def _chairs_substitute(actor: Actor, cycle) -> bool:
    """The caller decides in the chair's stead today (a delegation of the chair's committee work)."""
    return cycle.chair is not None and actor.has(COMMITTEE) and any(
        s.principal.username == cycle.chair and s.covers(COMMITTEE) for s in actor.stands_in_for)


def _require_on_every_case(uow: UnitOfWork, actor: Actor, cases, event: str) -> None:
    """A cycle-wide event is the caller's only if it is theirs on each case: nobody decides or publishes
    their own case, and a chair recused from a case does not decide it (hr does)."""
    for file in uow.cases.files(cases):
        if not case_access.may_fire(case_access.standing(actor, file.people), event):
            raise Forbidden(f"you may not {event.replace('_', ' ')} case {file.id} (your own, or one you are "
                            "recused from): hr does", case_id=file.id)


def decide_cycle(uow: UnitOfWork, rules: Rules, actor: Actor, code: str) -> list[dict]:
    """Rank and decide every case of the cycle in deliberation, all at once; refused while any open
    case of the cycle is still before deliberation."""
    cycle = get_cycle(uow, code, for_update=True)
    rules = rules_for_cycle(uow, rules, cycle)
    if not _may_decide(actor, cycle):
        raise Forbidden("the cycle's chair or hr decides a cycle")
    blocking = uow.cases.in_cycle(code, BEFORE_DELIBERATION)
    if blocking:
        raise Conflict("cycle_not_ready", f"{len(blocking)} case(s) of cycle {code} are not in deliberation yet",
                       blocking_cases=[_blocking(rules, file) for file in uow.cases.files(blocking)])
    cases = uow.cases.in_cycle(code, (DELIBERATION,), for_update=True)
    _require_on_every_case(uow, actor, cases, "decide")
    for_chair = cycle.chair if not actor.has(HR) and actor.username != cycle.chair else None
    decided = decide_cases(uow, rules, cases, actor=actor.username, on_behalf_of=for_chair)
    if decided and cycle.first_decided_at is None:
        cycle.first_decided_at = rules.now()
    return decided


def _blocking(rules: Rules, file) -> dict:
    case = file.case
    entry = {"case_id": case.id, "employee_no": case.employee_no, "state": case.state}
    if case.state == INTERVIEW:
        entry["detail"] = file.progress(rules.policy.quorum).shortfall()
    return entry


def publish_cycle(uow: UnitOfWork, rules: Rules, actor: Actor, code: str) -> dict:
    """Every decided case of the cycle goes on the publication board with one appeal deadline."""
    access.require(actor.has(HR), "only hr publishes")
    cycle = get_cycle(uow, code, for_update=True)
    service, rules = rules, rules_for_cycle(uow, rules, cycle)
    cases = uow.cases.in_cycle(code, (DECIDED,), for_update=True)
    if not cases:
        raise Conflict("nothing_to_publish", f"cycle {code} has no decided case to publish")
    _require_on_every_case(uow, actor, cases, "cycle_publish")
    now = rules.now()
    deadline = appeal_deadline(uow, rules, now)
    for case in cases:
        claim(rules, case)
        publish(uow, rules, case, "cycle_publish", actor=actor.username, deadline=deadline)
        take_effect_if_no_appeals(uow, service, rules, case)
    if cycle.first_published_at is None:
        cycle.first_published_at, cycle.first_appeal_deadline = now, deadline.at
        cycle.first_deadline_confirmed = deadline.confirmed
    return {"published_at": now, "appeal_deadline": deadline.at, "deadline_confirmed": deadline.confirmed,
            "case_ids": [case.id for case in cases]}


def publication_board(uow: UnitOfWork, rules: Rules, code: str) -> dict:
    """公示: every published case of the cycle, for every employee; scores only if the policy says so."""
    cycle = get_cycle(uow, code)
    rules = rules_for_cycle(uow, rules, cycle)
    entries = []
    for case in uow.cases.in_cycle(code):
        if case.published_at is None:
            continue
        shown = case.state in PUBLISHED_STATES  # a re-decision is not on the board until published again
        entry = {"case_id": case.id, "employee_no": case.employee_no, "name": case.manager.name,
                 "org_unit": case.manager.org_unit, "kind": case.kind, "from_grade": case.from_grade,
                 "target_grade": case.target_grade, "outcome": case.outcome if shown else None, "state": case.state,
                 "published_at": case.published_at, "appeal_deadline": case.appeal_deadline}
        if rules.policy.show_scores:
            entry["final_score"] = case.final_score if shown else None
        entries.append(entry)
    return {"cycle": cycle.code, "published_at": cycle.first_published_at,
            "appeal_deadline": cycle.first_appeal_deadline, "deadline_confirmed": cycle.first_deadline_confirmed,
            "show_scores": rules.policy.show_scores, "appeals": rules.policy.appeals, "entries": entries}
