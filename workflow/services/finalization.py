"""Finalization: once the appeal window has passed with no appeal pending, a published decision
takes effect (`effective`, the grade moves) or the case closes (`closed`, the grade stays). Under a policy
without appeals, as it is published."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from workflow.calendar import Deadline
from workflow.case_access import appeal_window_open
from workflow.case_machine import (ADVANCEMENT, APPROVED, DEMOTION, DENIED, EXIT, PROBATION_CONFIRMATION, PROMOTION,
                                   PUBLISHED, changes_grade)
from workflow.clock import local_date
from workflow.ladder import ADVANCE, CONFIRM, DEMOTE, EXCEPTIONAL_PROMOTE, EXIT as LADDER_EXIT, PROMOTE
from workflow.services.case_steps import SYSTEM_ACTOR, claim, move
from workflow.services.opening import open_automatic_case
from workflow.services.context import Rules
from workflow.services.governing import rules_for
from workflow.errors import Conflict
from workflow.services.decisions import check_quota, publish, record_decision
from workflow.services.grades import change_grade
from workflow.services.unit_of_work import UnitOfWork

# the comment of the approval the service records for a close's direct move (pages word it: api/web)
DIRECT_DECISION = "direct: the close's grading rule takes effect without a review"


def _ladder_move(case) -> tuple[str, str | None]:
    """The ladder event (and target) that carries out the case's decision."""
    if case.kind == PROMOTION:
        return (EXCEPTIONAL_PROMOTE if case.exceptional else PROMOTE), case.target_grade
    if case.kind == PROBATION_CONFIRMATION:
        return (CONFIRM, None) if case.outcome == APPROVED else (LADDER_EXIT, None)
    if case.kind == EXIT:
        return LADDER_EXIT, None
    return {DEMOTION: DEMOTE, ADVANCEMENT: ADVANCE}[case.kind], case.target_grade  # as far as the case says


def _effective_on(policy, case) -> date:
    """From the day after the appeal deadline, also when finalization runs late; without appeals, from the day of
    publication."""
    if not policy.appeals:
        return local_date(case.published_at, policy.tz)
    return local_date(case.appeal_deadline, policy.tz) + timedelta(days=1)


def finalize_case(uow: UnitOfWork, rules: Rules, case_id: int, until: datetime) -> bool:
    """Finalize one case if it is (still) due at `until`; False when there is nothing to do, so
    that running twice, or on two processes, has the effect of running once. `rules`: the service's (the case
    follows its own version; an exit it opens, the policy in force)."""
    case = uow.cases.get(case_id, for_update=True)
    if case is None or case.state != PUBLISHED:
        return False
    governing = rules_for(uow, rules, case)
    if governing.policy.appeals and appeal_window_open(case, until):
        return False
    claim(governing, case)
    _take_effect(uow, rules, governing, case)
    return True


def take_effect_if_no_appeals(uow: UnitOfWork, rules: Rules, governing: Rules, case) -> None:
    """A case just published (and claimed) under a policy without appeals takes effect in the same use case
    (seed 002: 公布晋级结果并立即生效). `rules`: the service's; `governing`: the case's version's."""
    if case.state == PUBLISHED and not governing.policy.appeals:
        _take_effect(uow, rules, governing, case)


def take_effect_at_close(uow: UnitOfWork, rules: Rules, case, effective_on: date) -> bool:
    """A move a period close's grading rule makes `direct` (the salon's automatic C/B/A: 自动升级, 自动降级): the case it
    opened is approved, published and takes effect at once, from `effective_on`, each step in its history by the
    service. A move up beyond its grade's quota is denied instead, and its case closes: False. `rules`: the
    service's."""
    governing = rules_for(uow, rules, case)
    try:
        if case.kind == ADVANCEMENT:
            check_quota(uow, governing, case)
        record_decision(uow, governing, case, "approve", actor=SYSTEM_ACTOR, outcome=APPROVED, reasons=(),
                        comment=DIRECT_DECISION)
    except Conflict as refused:
        record_decision(uow, governing, case, "deny", actor=SYSTEM_ACTOR, outcome=DENIED, reasons=(refused.code,),
                        comment=refused.detail)
    publish(uow, governing, case, "publish", actor=SYSTEM_ACTOR, deadline=Deadline(rules.now(), True))
    claim(governing, case)
    _take_effect(uow, rules, governing, case, effective_on)
    return case.outcome == APPROVED


def _take_effect(uow: UnitOfWork, rules: Rules, governing: Rules, case, effective_on: date | None = None) -> None:
    effective_on = effective_on or _effective_on(governing.policy, case)
    data = {}
    if changes_grade(case):
        event, target = _ladder_move(case)
        grade_move = change_grade(uow, governing, case.manager, event, effective_on=effective_on, case_id=case.id,
                                  target=target)
        case.effective_on = effective_on
        data = {"effective_on": effective_on.isoformat(), "from_grade": grade_move.from_grade,
                "to_grade": grade_move.to_grade}
    case.finalized_at = rules.now()
    move(uow, governing, case, "finalize", actor=SYSTEM_ACTOR, data=data)
    if case.kind == DEMOTION and case.effective_on is not None:
        _exit_after_repeated_demotions(uow, rules, case.manager, case.effective_on)


def _exit_after_repeated_demotions(uow: UnitOfWork, rules: Rules, manager, effective_on: date) -> None:
    """Demotions effective in the policy's number of consecutive calendar years (2) open an exit case."""
    years_needed = rules.policy.exit_after_demotion_years
    years = uow.evaluations.demotion_years(manager.employee_no, DEMOTE)
    run = [effective_on.year - k for k in range(years_needed)]
    if all(year in years for year in run):  # the demotion just ended was the manager's open case
        open_automatic_case(uow, rules, manager, EXIT, f"demoted in {', '.join(map(str, sorted(run)))}: "
                            f"{years_needed} consecutive years", {"demotion_years": sorted(run)})
