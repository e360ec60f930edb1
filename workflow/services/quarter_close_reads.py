"""What closing a quarter will do, read without writing (HR's quarter-close page): the rule of
workflow/quarter_close.py applied to the quarter's records of the managers still without a result, through the
same verdicts the close computes (evaluations.verdicts_of, and the policy's grading rules: grading.rule_verdicts),
and each move told as the close would carry it out (evaluations.plan): a case opened now, a move made at once,
deferred while the manager has an open case, impossible at the manager's grade, a standing changed. A
quarter already closed shows its recorded close instead."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from workflow import access
from workflow.accounts import Actor
from workflow.quarter_close import last_period_ended
from workflow.services.context import Rules
from workflow.services.evaluations import (CASE_MOVES, close_summary, parse_closed_period, plan, planned_move,
                                           verdicts_of)
from workflow.services.grading import rule_verdicts
from workflow.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ForeseenResult:
    employee_no: str
    grade: str  # now
    score: Decimal
    months_worked: int
    violation: bool
    outcome: str  # workflow.quarter_close OUTCOMES
    reasons: tuple[dict, ...]
    target: str | None  # the grade the case opened (or the move made at once) would move the manager to
    move: dict | None = None  # the move planned (workflow/grading_rules.py Move.as_data): up or down n, suspend, ...


@dataclass(frozen=True)
class ClosePreview:
    period: str
    last_day: date
    over: bool  # the quarter has ended: it may be closed now
    foreseen: list[ForeseenResult] = field(default_factory=list)  # the managers still without a result
    recorded: dict | None = None  # the recorded close (evaluations.close_summary), once begun


def default_period(rules: Rules, kind: str | None = None) -> str:
    """The period of `kind` (None: of the policy's first close) before today's: the one HR closes next, usually."""
    close = rules.policy.close_of(kind) if kind else rules.policy.closes[0]
    return str(last_period_ended(close, rules.today()))


def close_preview(uow: UnitOfWork, rules: Rules, actor: Actor, period_text: str) -> ClosePreview:
    """Hr only, as the close; a malformed period or one of another kind than the policy closes is refused as the
    close refuses it."""
    access.require(access.can_manage_people(actor), "only hr closes a period")
    quarter = parse_closed_period(rules, period_text)
    period = str(quarter)
    close = uow.evaluations.close_of(period)
    records = uow.evaluations.pending(period, None, lock=False)
    verdicts = verdicts_of(uow, rules, quarter, records)
    by_rule = rule_verdicts(uow, rules, quarter, records)
    moves = {record.employee_no: move for record, verdict in verdicts
             if (move := planned_move(verdict, by_rule.get(record.employee_no))) is not None}
    busy = uow.evaluations.with_open_case([no for no, (move, _, _) in moves.items() if move.kind in CASE_MOVES])
    foreseen = []
    for record, verdict in verdicts:
        outcome, target, reasons, move = verdict.outcome, None, tuple(verdict.reasons), None
        if record.employee_no in moves:
            move, direct, reasons = moves[record.employee_no]
            outcome, _, target = plan(rules, record.grade, move, direct, record.employee_no in busy)
            reasons = tuple(reasons)
        foreseen.append(ForeseenResult(record.employee_no, record.grade, record.score, record.months_worked,
                                       record.violation, outcome, reasons, target,
                                       move.as_data() if move is not None else None))
    recorded = close_summary(close, *uow.evaluations.summarized_outcomes(period)) if close is not None else None
    return ClosePreview(period=period, last_day=quarter.last_day, over=rules.today() > quarter.last_day,
                        foreseen=foreseen, recorded=recorded)


@dataclass(frozen=True)
class CloseResult:
    """One manager's result of a close: recorded, or foreseen (the close not run for them yet)."""
    employee_no: str
    name: str
    org_unit: str
    grade: str  # now
    score: Decimal | None
    months_worked: int | None
    outcome: str
    reasons: tuple[dict, ...]
    target: str | None  # foreseen only: the grade a move would lead to
    case_id: int | None  # recorded only: the case the close opened (or the move it made)
    recorded: bool


def close_results(uow: UnitOfWork, rules: Rules, actor: Actor, period_text: str) -> tuple[ClosePreview,
                                                                                          list[CloseResult]]:
    """The period's results, each manager's (hr only, as the close page): those recorded, then those the close
    would still give."""
    preview = close_preview(uow, rules, actor, period_text)
    results = [CloseResult(r.employee_no, r.name, r.org_unit, r.grade, r.score, r.months_worked, r.outcome,
                           tuple(r.reasons or ()), None, r.case_id, True)
               for r in uow.evaluations.results(preview.period)]
    named = uow.managers.named([f.employee_no for f in preview.foreseen])
    results += [CloseResult(f.employee_no, named[f.employee_no].name, named[f.employee_no].org_unit, f.grade,
                            f.score, f.months_worked, f.outcome, f.reasons, f.target, None, False)
                for f in preview.foreseen]
    return preview, results
