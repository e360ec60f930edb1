"""The quarter close (POST /evaluations/{period}/close, and the scheduler at the policy's moment), or the close
of the months, half-years or years the policy closes instead or besides (quarter_close.period): "quarter" below
is then a period of that kind, closed by the policy's close of its kind.

Each manager with a record for the quarter gets one recorded result: excluded (too few months
worked), kept, or a demotion: a `demotion` case opened at once, deferred until the manager's open
case has ended (two cases never move one grade), or not possible at the manager's grade. The close
is recorded once; repeating it returns the recorded evaluation and creates nothing. Afterwards the
quarter's records are locked (409 period_closed).

The close works on sets: a part of it reads its managers' records, those of the quarters before and their
grade changes in a few queries, applies the rule (workflow.quarter_close) and writes the results, the
demotion cases with their history and the timers in a few statements. The managers are closed a part at a
time, each part in a transaction of its own, so that no transaction holds the database for long; the
quarter is locked from the first part on, and a close interrupted between parts is resumed by the next
call (a manager with a result is done). The close is complete, and the next close scheduled, in the
transaction of its last part.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, timedelta

from workflow import access
from workflow.accounts import Actor
from workflow.case_machine import ADVANCEMENT, DEMOTION, EXIT
from workflow.clock import FixedClock
from workflow.errors import Conflict, DuplicateKey, FieldError, RuleViolation
from workflow.grading_rules import DOWN, EXIT as EXIT_MOVE, REINSTATE, SUSPEND, UP, GradingRule, Move
from workflow.ladder import ADVANCE, DEMOTE
from workflow.manager_events import REINSTATEMENT, SUSPENSION
from workflow.periods import EXAMPLES, NAMES, Period
from workflow.quarter_close import (ADVANCEMENT as ADVANCEMENT_OUTCOME, DEFERRED, DEMOTION as DEMOTION_OUTCOME,
                                    EXCLUDED, EXIT as EXIT_OUTCOME, KEPT, MOVED, NOT_DEMOTABLE,
                                    REINSTATED as REINSTATED_OUTCOME, SUSPENDED as SUSPENDED_OUTCOME, QuarterRecord,
                                    Verdict, close_moment, counted_towards_demotion, evaluate, grade_on)
from workflow.services.case_steps import SYSTEM_ACTOR
from workflow.services.finalization import take_effect_at_close
from workflow.services.grading import changes_by_manager, rule_verdicts
from workflow.services.manager_events import add_event
from workflow.services.opening import AutomaticOpening, first_timers, open_automatic_cases
from workflow.services.context import Rules
from workflow.services.timers import deferred_demotion, schedule_quarter_close
from workflow.services.unit_of_work import UnitOfWork

ONE_DOWN = Move(DOWN, 1)  # the thresholds' demotion (workflow/quarter_close.py)
# managers evaluated per transaction: a part takes well under a second on SQLite, whose single writer waits
CLOSE_PART = 1000


def parse_closed_period(rules: Rules, text: str) -> Period:
    """A period of a kind the policy closes (a quarter by default; rule `quarter_only`, `month_only`, or
    `month_or_quarter_only` where the policy closes both, ...)."""
    kinds = rules.policy.closed_kinds
    try:
        period = Period.parse(text)
    except ValueError as exc:
        raise RuleViolation([FieldError("period", "period_format", str(exc), location="path")]) from None
    if period.kind not in kinds:
        closed = " or ".join(f"{NAMES[kind]}, such as {EXAMPLES[kind]}" for kind in kinds)
        raise RuleViolation([FieldError("period", "_or_".join(kinds) + "_only",
                                        f"the period-end evaluation closes {closed}", location="path")])
    return period


def close_quarter(unit_of_work: Callable[[], UnitOfWork], rules: Rules, actor: Actor | None, period_text: str, *,
                  part: int | None = None, progress: Callable[[int, int], None] | None = None) -> dict:
    """Close the quarter (hr, or the scheduler when `actor` is None), or return its recorded close: `part`
    managers (default CLOSE_PART) per unit of work, until none is left. `progress(done, of)` hears after each part
    how many managers have their result, of the period's records (run-due's progress)."""
    at = None
    while True:
        with unit_of_work() as uow:
            at = at or replace(rules, clock=FixedClock(rules.now()))  # the close reads the clock once
            summary = close_quarter_part(uow, at, actor, period_text, limit=part or CLOSE_PART)
            told = uow.evaluations.close_progress(str(parse_closed_period(at, period_text))) if progress else None
        if told is not None:
            progress(*told)
        if summary is not None:
            return summary


def close_quarter_part(uow: UnitOfWork, rules: Rules, actor: Actor | None, period_text: str, *,
                       limit: int | None = None) -> dict | None:
    """One transaction's part of the close: its record (the first part), the results of up to `limit` more
    managers (None: all that are left) and, when none is left, the next close. Returns the recorded close once
    it is complete, None while managers are left for another part."""
    if actor is not None:
        access.require(access.can_manage_people(actor), "only hr closes a period")
    quarter = parse_closed_period(rules, period_text)
    if rules.today() <= quarter.last_day:
        raise Conflict("period_not_over", f"{quarter} ends on {quarter.last_day}; it is closed after that day",
                       period=str(quarter))
    period = str(quarter)
    uow.evaluations.lock_period(period)
    close = uow.evaluations.close_of(period)
    begun = close is None
    if begun:
        try:
            close = uow.evaluations.add_close(period=period, closed_at=rules.now(),
                                              closed_by=actor.username if actor else SYSTEM_ACTOR)
        except DuplicateKey:
            raise Conflict("concurrent_update", f"{quarter} was being closed by another request at the same "
                           "moment; repeat yours to read the result") from None
    pending = uow.evaluations.pending(period, None if limit is None else limit + 1)
    if not pending and not begun:
        return close_summary(close, *uow.evaluations.summarized_outcomes(period))  # closed before: nothing to do
    part = pending if limit is None else pending[:limit]
    if part:
        _evaluate(uow, rules, quarter, part)
    if len(part) < len(pending):
        return None
    # the chain goes on from here: after an outage the scheduler catches up quarter by quarter (also when hr
    # finishes a close the scheduler began), but hr closing an old quarter by hand sets off no closes of
    # quarters already past
    if actor is None or close.closed_by == SYSTEM_ACTOR or \
            close_moment(rules.policy.close_of(quarter.kind), quarter.shifted(1), rules.policy.tz) > rules.now():
        schedule_quarter_close(uow, rules, quarter.shifted(1))
    return close_summary(close, *uow.evaluations.summarized_outcomes(period))


# the close's summary lists, each of the results of one outcome: (key, outcome, what of each result it lists)
_SUMMARY_LISTS = (("excluded", EXCLUDED, "employee_no"), ("demotion_cases", DEMOTION_OUTCOME, "case_id"),
                  ("deferred", DEFERRED, "employee_no"), ("not_demotable", NOT_DEMOTABLE, "employee_no"),
                  ("advancement_cases", ADVANCEMENT_OUTCOME, "case_id"), ("exit_cases", EXIT_OUTCOME, "case_id"),
                  ("moved_cases", MOVED, "case_id"), ("suspended", SUSPENDED_OUTCOME, "employee_no"),
                  ("reinstated", REINSTATED_OUTCOME, "employee_no"))
_LISTED_AS = {outcome: (key, field) for key, outcome, field in _SUMMARY_LISTS}


def close_summary(close, evaluated: int, outcomes: Sequence) -> dict:
    """`evaluated`: how many results the close has; `outcomes`: at least those it lists, (employee_no, outcome,
    case_id) by employee number."""
    lists = {key: [] for key, _, _ in _SUMMARY_LISTS}
    for result in outcomes:
        if (listed := _LISTED_AS.get(result.outcome)) is not None:
            key, field = listed
            lists[key].append(getattr(result, field))
    return {"period": close.period, "evaluated": evaluated, **lists,
            "closed_at": close.closed_at, "closed_by": close.closed_by}


def _evaluate(uow: UnitOfWork, rules: Rules, quarter: Period, records: Sequence) -> None:
    """Evaluate the managers of `records` (the quarter's records with each manager's grade, by employee number)
    and write their results, with the moves they imply: a demotion of the thresholds (workflow.quarter_close), or the
    gravest move of the policy's grading rules (workflow/grading_rules.py) where it is graver."""
    verdicts = verdicts_of(uow, rules, quarter, records)
    by_rule = rule_verdicts(uow, rules, quarter, records)
    moves = {}
    for record, verdict in verdicts:
        move = planned_move(verdict, by_rule.get(record.employee_no))
        if move is not None:
            moves[record.employee_no] = (record, *move)
    carried = carry_out_all(uow, rules, quarter, list(moves.values()))
    results = []
    for record, verdict in verdicts:
        outcome, case_id = carried.get(record.employee_no, (verdict.outcome, None))
        reasons = moves[record.employee_no][3] if record.employee_no in moves else list(verdict.reasons)
        results.append(dict(period=str(quarter), employee_no=record.employee_no, outcome=outcome,
                            reasons=reasons, case_id=case_id))
    uow.evaluations.add_results(results)


def planned_move(verdict: Verdict, by_rule: tuple[GradingRule, dict] | None) -> tuple[Move, bool, list] | None:
    """(move, direct, reasons) for a manager: the thresholds' demotion (one grade down, through a case) or the rule's
    move, whichever is graver (on a tie, both reasons); None: nothing to do. A manager the close excludes moves only
    by a rule about the months worked (seed 002: 因其它原因缺勤, 正常工作不满2个月者, 给予降一级处理)."""
    if verdict.outcome == EXCLUDED:
        return (by_rule[0].move, by_rule[0].direct, [by_rule[1]]) if by_rule is not None else None
    demotion = (ONE_DOWN, False, list(verdict.reasons)) if verdict.outcome == DEMOTION_OUTCOME else None
    if by_rule is None:
        return demotion
    rule, reason = by_rule
    if demotion is None:
        return rule.move, rule.direct, [reason]
    if rule.move.graver_than(ONE_DOWN):  # the thresholds' reasons stay on record: the quarter counted
        return rule.move, rule.direct, [reason, *demotion[2]]
    if ONE_DOWN.graver_than(rule.move):
        return demotion
    return ONE_DOWN, rule.direct, [reason, *demotion[2]]  # the same move: carried out as the rule says


def move_of(reasons: Sequence[dict]) -> tuple[Move, bool]:
    """The move a result's reasons record (a deferred move is carried out from them)."""
    rule = next((r for r in reasons if r.get("rule") == "grading_rule"), None)
    if rule is None:
        return ONE_DOWN, False
    return Move(rule["move"], rule.get("steps", 0)), rule["direct"]


def verdicts_of(uow: UnitOfWork, rules: Rules, quarter: Period, records: Sequence) -> list[tuple]:
    """The rule's verdict (workflow.quarter_close.evaluate) on each of `records`, with the records of the quarters
    before and the grades held then read in two queries; writes nothing: (record, verdict) each."""
    if not records:
        return []
    policy = rules.policy.close_of(quarter.kind)
    before = [quarter.shifted(-k) for k in range(1, policy.consecutive_quarters)]
    first, last = records[0].employee_no, records[-1].employee_no
    earlier = {(r.employee_no, r.period): r
               for r in uow.evaluations.earlier([str(q) for q in before], first, last)} if before else {}
    last_days = {q: q.last_day for q in [quarter, *before]}  # worked out once, not once per manager
    names = {q: str(q) for q in before}
    changes = changes_by_manager(uow.evaluations.grade_changes(first, last, min(last_days.values())))

    verdicts = []
    for record in records:
        theirs = changes.get(record.employee_no, ())  # the grade held on a day is the grade now, unless it changed
        current = QuarterRecord(period=quarter, score=record.score, months_worked=record.months_worked,
                                violation=record.violation, grade=grade_on(record.grade, theirs, last_days[quarter]))
        runs_before = [_earlier_record(earlier.get((record.employee_no, names[q])), q,
                                       grade_on(record.grade, theirs, last_days[q])) for q in before]
        verdicts.append((record, evaluate(policy, current, runs_before)))
    return verdicts


def _earlier_record(record, quarter: Period, grade: str) -> QuarterRecord | None:
    """An earlier quarter's record; None when there is none, or when it already counted towards a demotion
    for low scores (one bad stretch demotes once)."""
    if record is None or (record.reasons is not None and counted_towards_demotion(record.reasons)):
        return None
    return QuarterRecord(period=quarter, score=record.score, months_worked=record.months_worked,
                         violation=record.violation, grade=grade)


def demote_or_defer(uow: UnitOfWork, rules: Rules, manager, period: str, reasons: list[dict]) -> tuple[str, int | None]:
    """Carry out a deferred result's move now (a direct one from today, not backdated), or defer it again while the
    manager has an open case; nothing where the rule no longer applies to the manager's grade or standing now."""
    move, direct = move_of(reasons)
    quarter = Period.parse(period)
    if not _still_applies(rules, quarter, manager, reasons):
        return KEPT, None
    return carry_out_all(uow, rules, quarter, [(manager, move, direct, reasons)],
                         effective_on=rules.today())[manager.employee_no]


def _still_applies(rules: Rules, quarter: Period, manager, reasons: Sequence[dict]) -> bool:
    reason = next((r for r in reasons if r.get("rule") == "grading_rule"), None)
    if reason is None:
        return True  # the thresholds' demotion, from the grade held now
    close = rules.policy.close_of(quarter.kind)
    rule = next((r for r in close.rules if r.code == reason["code"]), None) if close is not None else None
    return rule is not None and (not rule.grades or manager.grade in rule.grades) and manager.standing == rule.standing


def carry_out_all(uow: UnitOfWork, rules: Rules, quarter: Period, moves: Sequence[tuple], *,
                  effective_on: date | None = None) -> dict[str, tuple[str, int | None]]:
    """`moves`: (manager, Move, direct, reasons) of managers of the closed period; each manager is anything with an
    employee_no, a grade, an org_unit and a standing. Each is carried out as `plan` says: a case opened (taking
    effect at once where `direct`, from `effective_on`: by default the day after the period), a move deferred while
    the manager has an open case, a standing changed: employee_no → (outcome, case opened). Direct moves up take the
    quota's free places best score first; one beyond them is denied (kept, its case closed)."""
    period = str(quarter)
    busy = uow.evaluations.with_open_case([m.employee_no for m, move, *_ in moves if move.kind in CASE_MOVES])
    planned = [(manager, reasons, *plan(rules, manager.grade, move, direct, manager.employee_no in busy))
               for manager, move, direct, reasons in moves]
    opening = [AutomaticOpening(m, kind, target, f"{period} quarter close: {', '.join(_named(r) for r in reasons)}",
                                {"period": period, "quarter_close": reasons})
               for m, reasons, outcome, kind, target in planned if outcome in CASE_OUTCOMES]
    opened = {case.employee_no: case for case in open_automatic_cases(uow, rules, opening)}
    reminders = first_timers(uow, rules, opened.values())
    outcomes, timers = {}, []
    for manager, reasons, outcome, _, _ in planned:  # the timers in the order of the managers, as one at a time would
        case = opened.get(manager.employee_no)
        outcomes[manager.employee_no] = outcome, case.id if case is not None else None
        if outcome == DEFERRED:
            timers.append(deferred_demotion(rules, period, manager.employee_no, rules.now()))
        else:
            timers.extend(reminders.get(manager.employee_no, ()))
    uow.timers.schedule_all(timers)
    effective_on = effective_on or quarter.last_day + timedelta(days=1)
    for manager, reasons, outcome, _, _ in sorted(planned, key=_best_first):
        if outcome == MOVED:
            uow.flush()  # the first reminder is in before the case moves on and cancels it
            case = uow.cases.get(opened[manager.employee_no].id, for_update=True)
            if not take_effect_at_close(uow, rules, case, effective_on):
                outcomes[manager.employee_no] = KEPT, case.id
        elif outcome in (SUSPENDED_OUTCOME, REINSTATED_OUTCOME):
            _change_standing(uow, rules, period, manager, outcome, reasons)
    return outcomes


def _best_first(planned: tuple) -> tuple:
    """Direct moves are carried out best score first (a quota's free places go to the best), then by number."""
    manager = planned[0]
    return -(getattr(manager, "score", None) or 0), manager.employee_no


CASE_MOVES = (UP, DOWN, EXIT_MOVE)
CASE_OUTCOMES = (DEMOTION_OUTCOME, ADVANCEMENT_OUTCOME, EXIT_OUTCOME, MOVED)  # the outcomes that open a case
_OUTCOME_OF_KIND = {DEMOTION: DEMOTION_OUTCOME, ADVANCEMENT: ADVANCEMENT_OUTCOME, EXIT: EXIT_OUTCOME}


def plan(rules: Rules, grade: str, move: Move, direct: bool, busy: bool) -> tuple[str, str | None, str | None]:
    """(outcome, kind of case, target grade) of a move from `grade`: a suspension or a reinstatement; a case that
    moves as far as the ladder allows (a move up from the top is kept, one down from the floor not demotable); deferred
    while the manager has an open case (`busy`); taking effect at once where `direct` (moved)."""
    if rules.policy.ladder.is_exited(grade):
        return KEPT, None, None  # left the ladder since (a deferred move): nothing to move
    if move.kind in (SUSPEND, REINSTATE):
        return (SUSPENDED_OUTCOME if move.kind == SUSPEND else REINSTATED_OUTCOME), None, None
    if move.kind == EXIT_MOVE:
        kind, target = EXIT, rules.policy.ladder.exited.code
    else:
        kind, event = (ADVANCEMENT, ADVANCE) if move.kind == UP else (DEMOTION, DEMOTE)
        destinations = rules.ladder.destinations(grade, event)
        target = destinations[min(move.steps, len(destinations)) - 1] if destinations else None
    if target is None:
        return (NOT_DEMOTABLE if move.kind == DOWN else KEPT), None, None
    if busy:
        return DEFERRED, kind, target
    return (MOVED if direct else _OUTCOME_OF_KIND[kind]), kind, target


def _named(reason: dict) -> str:
    """A close's reason as the case's statement names it: the rule's code, and a grading rule's own words."""
    return f"{reason['code']} ({reason['zh']})" if reason["rule"] == "grading_rule" else reason["rule"]


def _change_standing(uow: UnitOfWork, rules: Rules, period: str, manager, outcome: str, reasons: list[dict]) -> None:
    row = uow.managers.get(manager.employee_no, for_update=True)
    add_event(uow, rules, row, kind=SUSPENSION if outcome == SUSPENDED_OUTCOME else REINSTATEMENT,
              occurred_on=rules.today(), recorded_by=SYSTEM_ACTOR,
              note=f"{period}: " + "; ".join(r.get("zh") or r["rule"] for r in reasons))
