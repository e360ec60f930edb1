"""The quarter close (POST /evaluations/{period}/close, and the scheduler at the policy's moment).

Each manager with a record for the quarter gets one recorded result: excluded (too few months
worked), kept, or a demotion: a `demotion` case opened at once, deferred until the manager's open
case has ended (two cases never move one grade), or not possible at the manager's grade. The close
is recorded once; repeating it returns the recorded evaluation and creates nothing. Afterwards the
quarter's records are locked (409 period_closed).
"""
from __future__ import annotations

from workflow import access
from workflow.accounts import Actor
from workflow.case_machine import DEMOTION
from workflow.errors import Conflict, DuplicateKey, FieldError, RuleViolation
from workflow.ladder import DEMOTE
from workflow.periods import Period
from workflow.quarter_close import (DEFERRED, DEMOTION as DEMOTION_OUTCOME, EXCLUDED, NOT_DEMOTABLE, QuarterRecord,
                                    close_moment, evaluate)
from workflow.services.case_steps import SYSTEM_ACTOR
from workflow.services.cases import open_automatic_case
from workflow.services.context import Rules
from workflow.services.timers import schedule_deferred_demotion, schedule_quarter_close
from workflow.services.unit_of_work import UnitOfWork


def parse_quarter(text: str) -> Period:
    try:
        period = Period.parse(text)
    except ValueError as exc:
        raise RuleViolation([FieldError("period", "period_format", str(exc), location="path")]) from None
    if not period.is_quarter:
        raise RuleViolation([FieldError("period", "quarter_only", "the period-end evaluation closes a quarter, "
                                        "such as 2026Q3", location="path")])
    return period


def close_quarter(uow: UnitOfWork, rules: Rules, actor: Actor | None, period_text: str) -> dict:
    """Close the quarter (hr, or the scheduler when `actor` is None), or return its recorded close."""
    if actor is not None:
        access.require(access.can_manage_people(actor), "only hr closes a period")
    quarter = parse_quarter(period_text)
    if rules.today() <= quarter.last_day:
        raise Conflict("period_not_over", f"{quarter} ends on {quarter.last_day}; it is closed after that day",
                       period=str(quarter))
    uow.evaluations.lock_period(str(quarter))
    close = uow.evaluations.close_of(str(quarter))
    if close is None:
        try:
            close = uow.evaluations.add_close(period=str(quarter), closed_at=rules.now(),
                                              closed_by=actor.username if actor else SYSTEM_ACTOR)
        except DuplicateKey:
            raise Conflict("concurrent_update", f"{quarter} was being closed by another request at the same "
                           "moment; repeat yours to read the result") from None
        _evaluate_quarter(uow, rules, close, quarter)
        # the chain goes on from here: after an outage the scheduler catches up quarter by quarter, but
        # hr closing an old quarter by hand sets off no closes of quarters already past
        if actor is None or close_moment(rules.policy.quarter_close, quarter.shifted(1), rules.policy.tz) > rules.now():
            schedule_quarter_close(uow, rules, quarter.shifted(1))
    return close_summary(close)


def close_summary(close) -> dict:
    def those(outcome):
        return [r for r in close.results if r.outcome == outcome]
    return {"period": close.period, "evaluated": len(close.results),
            "excluded": [r.employee_no for r in those(EXCLUDED)],
            "demotion_cases": [r.case_id for r in those(DEMOTION_OUTCOME)],
            "deferred": [r.employee_no for r in those(DEFERRED)],
            "not_demotable": [r.employee_no for r in those(NOT_DEMOTABLE)],
            "closed_at": close.closed_at, "closed_by": close.closed_by}


def _evaluate_quarter(uow: UnitOfWork, rules: Rules, close, quarter: Period) -> None:
    policy = rules.policy.quarter_close
    for record in uow.evaluations.records(str(quarter)):
        manager = uow.managers.get(record.employee_no, for_update=True)
        earlier = [_quarter_record(uow, manager, quarter.shifted(-k))
                   for k in range(1, policy.consecutive_quarters)]
        verdict = evaluate(policy, _as_quarter_record(uow, manager, record, quarter), earlier)
        outcome, case_id = verdict.outcome, None
        if outcome == DEMOTION_OUTCOME:
            outcome, case_id = demote_or_defer(uow, rules, manager, str(quarter), list(verdict.reasons))
        uow.evaluations.add_result(close, employee_no=manager.employee_no, outcome=outcome,
                                   reasons=list(verdict.reasons), case_id=case_id)


def demote_or_defer(uow: UnitOfWork, rules: Rules, manager, period: str, reasons: list[dict]) -> tuple[str, int | None]:
    """Open the demotion case now, or defer it while the manager has an open case."""
    if not rules.ladder.destinations(manager.grade, DEMOTE):
        return NOT_DEMOTABLE, None
    open_case = uow.cases.open_case_of(manager.employee_no)
    if open_case is not None:
        schedule_deferred_demotion(uow, rules, period, manager.employee_no, rules.now())
        return DEFERRED, None
    rules_broken = ", ".join(r["rule"] for r in reasons)
    case = open_automatic_case(uow, rules, manager, DEMOTION, f"{period} quarter close: {rules_broken}",
                               {"period": period, "quarter_close": reasons})
    return DEMOTION_OUTCOME, case.id


def _quarter_record(uow: UnitOfWork, manager, quarter: Period) -> QuarterRecord | None:
    """An earlier quarter's record; None when there is none, or when it already counted towards a demotion
    for low scores (one bad stretch demotes once)."""
    record = uow.performance.get(manager.employee_no, str(quarter))
    result = uow.evaluations.result(str(quarter), manager.employee_no)
    if record is None or (result is not None and any(r["rule"] == "below_threshold" for r in result.reasons)):
        return None
    return _as_quarter_record(uow, manager, record, quarter)


def _as_quarter_record(uow: UnitOfWork, manager, record, quarter: Period) -> QuarterRecord:
    return QuarterRecord(period=quarter, score=record.score, months_worked=record.months_worked,
                         violation=record.violation, grade=grade_on(uow, manager, quarter.last_day))


def grade_on(uow: UnitOfWork, manager, day) -> str:
    """The grade the manager held on `day`: walk back over the changes effective after it."""
    grade = manager.grade
    for change in uow.evaluations.grade_changes_after(manager.employee_no, day):
        grade = change.from_grade
    return grade
