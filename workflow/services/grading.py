"""The grading rules of a period close (workflow/grading_rules.py) applied to a part of the close's managers: their
records of the rules' windows, the grades they held then, their peers' scores where a rule ranks, and the events of
their records, read in a few queries for the whole part; writes nothing."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from workflow.eligibility import full_months_between
from workflow.grading_rules import (COMPANY, GradingRule, ManagerFacts, PeriodResult, RecordedEvent,
                                    counted_towards_a_move, gravest, holds, window_days)
from workflow.ranking import competition_ranks
from workflow.periods import Period
from workflow.quarter_close import counted_towards_demotion, grade_on
from workflow.services.context import Rules
from workflow.services.unit_of_work import UnitOfWork


def metrics_of(stored: dict | None) -> dict[str, Decimal]:
    return {code: Decimal(value) for code, value in (stored or {}).items()}


def rule_verdicts(uow: UnitOfWork, rules: Rules, quarter: Period, records: Sequence
                  ) -> dict[str, tuple[GradingRule, dict]]:
    """employee_no → (the rule whose move is gravest, the reason it holds) for those of `records` (the closed
    period's records of the part, as `evaluations.pending` reads them) that some rule of the close holds for."""
    close = rules.policy.close_of(quarter.kind)
    if not close.rules or not records:
        return {}
    # the periods whose records a rule reads (a rule of events only reads the days of its window), and those whose
    # results may have counted the events of a window already
    widest = max((rule.periods for rule in close.rules if rule.per_period), default=1)
    window = [quarter.shifted(-k) for k in range(widest)]  # the closed period first
    before = [quarter.shifted(-k) for k in range(1, max(rule.periods for rule in close.rules))]
    first, last = records[0].employee_no, records[-1].employee_no
    earlier = {(r.employee_no, r.period): r for r in uow.evaluations.earlier([str(q) for q in before], first, last)
               } if before else {}
    changes = changes_by_manager(uow.evaluations.grade_changes(first, last, window[-1].last_day))
    ranks = _ranks(uow, rules, close.rules, window) if any(rule.ranks for rule in close.rules) else {}
    since = min(window_days(rule, quarter)[0] for rule in close.rules)
    events = defaultdict(list)
    for e in uow.manager_events.between(first, last, since, quarter.last_day):
        events[e.employee_no].append(RecordedEvent(e.kind, e.occurred_on, e.days, e.reason))

    found = {}
    for record in records:
        no = record.employee_no
        if rules.policy.ladder.is_exited(record.grade):
            continue

        def result(q: Period, row, counted: bool) -> PeriodResult | None:
            if row is None:
                return None
            grade = grade_on(record.grade, changes.get(no, ()), q.last_day)
            held = full_months_between(record.grade_since, q.last_day + timedelta(days=1)) if q == quarter and not any(
                day > q.last_day for day, _ in changes.get(no, ())) else None
            return PeriodResult(period=q, score=row.score, months_worked=row.months_worked, grade=grade,
                                metrics=metrics_of(row.metrics), counted=counted, months_in_grade=held)

        def ranked(q: Period, base: PeriodResult | None, among: str) -> PeriodResult | None:
            if base is None:
                return None
            bottom, top, peers = ranks.get((among, str(q), no), (None, None, 0))
            return replace(base, rank_from_bottom=bottom, rank_from_top=top, peers=peers)

        after_the_period = quarter.last_day + timedelta(days=1)
        facts = ManagerFacts(standing=record.standing, education=record.education,
                             months_on_the_job=full_months_between(record.hire_date, after_the_period),
                             events_counted_until=max((q.last_day for q in before if _moved_on_events(
                                 earlier.get((no, str(q))))), default=None))
        base = [result(quarter, record, False)]
        for q in window[1:]:
            row = earlier.get((no, str(q)))
            counted = row is not None and row.reasons is not None and (
                counted_towards_a_move(row.reasons) or counted_towards_demotion(row.reasons))
            base.append(result(q, row, counted))
        reasons = []
        for rule in close.rules:
            results = [ranked(q, r, rule.rank_among) for q, r in zip(window, base)] if rule.ranks else base
            reasons.append(holds(rule, close.min_months_worked, facts, results, events.get(no, ())))
        chosen = gravest(close.rules, reasons)
        if chosen is not None:
            found[no] = chosen
    return found


def _moved_on_events(row) -> bool:
    """Whether an earlier period's result moved the manager on the events of a rule's window: those events are not
    counted again (one stretch moves once)."""
    return row is not None and bool(row.reasons) and any(r.get("rule") == "grading_rule" and "events" in r
                                                         for r in row.reasons)


def changes_by_manager(rows) -> dict[str, list]:
    """employee_no → [(effective on, grade changed from)], latest first as the rows come: for quarter_close.grade_on."""
    changes = defaultdict(list)
    for change in rows:
        changes[change.employee_no].append((change.effective_on, change.from_grade))
    return changes


def _ranks(uow: UnitOfWork, rules: Rules, grading_rules: Sequence[GradingRule], window: Sequence[Period]
           ) -> dict[tuple[str, str, str], tuple[int, int, int]]:
    """(rank_among, period, employee_no) → (rank from the bottom, from the top, peers): among the records of the
    period of at least the close's months worked, at the same grade then, in the same org unit now or the company."""
    close = rules.policy.close_of(window[0].kind)
    periods = {str(q): q for q in window[:max(rule.periods for rule in grading_rules if rule.ranks)]}
    population = [r for r in uow.evaluations.population(periods) if r.months_worked >= close.min_months_worked]
    if not population:
        return {}
    numbers = sorted(r.employee_no for r in population)
    changes = changes_by_manager(uow.evaluations.grade_changes(numbers[0], numbers[-1],
                                                               min(q.last_day for q in periods.values())))
    groups: dict[tuple[str, str, str, str], dict[str, Decimal]] = defaultdict(dict)
    for r in population:
        grade = grade_on(r.grade, changes.get(r.employee_no, ()), periods[r.period].last_day)
        groups[(COMPANY, r.period, grade, "")][r.employee_no] = r.score
        groups[("org_unit", r.period, grade, r.org_unit)][r.employee_no] = r.score
    ranks = {}
    for (among, period, _, _), scores in groups.items():
        for no, (bottom, top) in competition_ranks(scores).items():
            ranks[(among, period, no)] = (bottom, top, len(scores))
    return ranks
