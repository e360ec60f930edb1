"""The quarter close (按季评价, 动态管理, 能升能降) as a pure rule: what a manager's quarter record,
and the records of the quarters before it, imply. A policy may close months, half-years or years instead
(`quarter_close.period`); "quarter" below is then a period of that kind.

- fewer than the policy's months worked → excluded from promotion and demotion this period;
- a compliance violation → demotion (一票否决);
- a grade with a threshold (mid 80, senior 85) scoring below it in the policy's number of
  consecutive quarters, holding that grade at the end of each → demotion.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo

from workflow.periods import Period
from workflow.policy import QuarterClosePolicy

# per manager: evaluated with nothing to do; excluded; a demotion case opened at the close; a demotion
# waiting for the manager's open case to end; a demotion that the manager's grade does not allow
KEPT, EXCLUDED, DEMOTION, DEFERRED, NOT_DEMOTABLE = "kept", "excluded", "demotion", "deferred", "not_demotable"
# and by a grading rule (workflow/grading_rules.py): an advancement or an exit case opened, a move that took effect at
# the close (`direct`), a suspension (待岗) or a reinstatement; a deferred move waits like a deferred demotion
ADVANCEMENT, EXIT, MOVED, SUSPENDED, REINSTATED = "advancement", "exit", "moved", "suspended", "reinstated"
OUTCOMES = (KEPT, EXCLUDED, DEMOTION, DEFERRED, NOT_DEMOTABLE, ADVANCEMENT, EXIT, MOVED, SUSPENDED, REINSTATED)


# named tuples, not dataclasses: a close makes two or three of them for each of up to 100,000 managers, and a
# frozen dataclass costs several times as much to make
class QuarterRecord(NamedTuple):
    period: Period
    score: Decimal
    months_worked: int
    violation: bool
    grade: str  # the grade held on the quarter's last day


class Verdict(NamedTuple):
    outcome: str  # KEPT, EXCLUDED or DEMOTION
    reasons: tuple[dict, ...] = ()


def close_moment(policy: QuarterClosePolicy, period: Period, tz: ZoneInfo) -> datetime:
    """When the scheduled close of `period` runs: days after its last day, at the policy's local time."""
    day = period.last_day + timedelta(days=policy.run_after_days)
    return datetime.combine(day, policy.run_at, tzinfo=tz)


def last_period_ended(policy: QuarterClosePolicy, today: date) -> Period:
    """The period of the close's kind before today's: the one closed next, usually."""
    return Period.of(policy.period, today).shifted(-1)


def next_period_to_close(policy: QuarterClosePolicy, today: date, tz: ZoneInfo, now: datetime) -> Period:
    """The period whose scheduled close is the first one not before `now`."""
    period = last_period_ended(policy, today)
    while close_moment(policy, period, tz) < now:
        period = period.shifted(1)
    return period


def evaluate(policy: QuarterClosePolicy, current: QuarterRecord, earlier: Sequence[QuarterRecord | None]) -> Verdict:
    """`earlier`: the records of the quarters just before `current`, latest first (None: no record)."""
    if current.months_worked < policy.min_months_worked:
        return Verdict(EXCLUDED, ({"rule": "months_worked", "months_worked": current.months_worked,
                                   "minimum": policy.min_months_worked},))
    reasons = []
    if current.violation and policy.violation_demotes:
        reasons.append({"rule": "violation"})
    threshold = policy.threshold(current.grade)
    run = [current, *earlier][:policy.consecutive_quarters]
    if threshold is not None and len(run) == policy.consecutive_quarters and all(
            r is not None and r.grade == current.grade and r.months_worked >= policy.min_months_worked
            and r.score < threshold for r in run):
        reasons.append({"rule": "below_threshold", "grade": current.grade, "threshold": str(threshold),
                        "quarters": [{"period": str(r.period), "score": str(r.score)} for r in reversed(run)]})
    return Verdict(DEMOTION, tuple(reasons)) if reasons else Verdict(KEPT)


def grade_on(grade_now: str, changes: Iterable[tuple[date, str]], day: date) -> str:
    """The grade held on `day`, walking back from the grade now over the changes (effective day, grade changed
    from), latest first."""
    grade = grade_now
    for effective_on, from_grade in changes:
        if effective_on > day:
            grade = from_grade
    return grade


def counted_towards_demotion(reasons: Sequence[dict]) -> bool:
    """Whether a quarter's result already counted its score towards a demotion for low scores: one bad
    stretch demotes once, so that quarter does not count again."""
    return any(r["rule"] == "below_threshold" for r in reasons)
