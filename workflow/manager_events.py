"""Events on a manager's record (point 2 of issue 14): what happened to a manager between two period ends, dated,
entered by hr (or by a period close, for a standing it changed) and never overwritten. The period-end grading rules
(workflow/grading_rules.py) count them: violations and complaints (seed 004: 违规3次或投诉3次的予以辞退), leave with
its reason and length (请假超过15天或一个月内请假3次; seed 000: 其他原因缺勤的降一级), sales targets met or missed
(连续两个月未完成销售任务), misconduct (seed 002: 违规违纪的降级、待岗或解聘), and the standing itself: a suspension
(待岗) and the reinstatement that ends it."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from workflow.errors import Violations

VIOLATION, COMPLAINT, LEAVE, TARGET_MET, TARGET_MISSED, MISCONDUCT = (
    "violation", "complaint", "leave", "target_met", "target_missed", "misconduct")
SUSPENSION, REINSTATEMENT = "suspension", "reinstatement"  # change the manager's standing
KINDS = (VIOLATION, COMPLAINT, LEAVE, TARGET_MET, TARGET_MISSED, MISCONDUCT, SUSPENSION, REINSTATEMENT)
# A month's sales target is met or missed once: "连续两个月完不成销售任务" counts months, so a second entry for a month
# is refused, and the rules count the months such events fall in, never the entries.
MONTHLY_TARGETS = (TARGET_MET, TARGET_MISSED)
STANDING_CHANGES = {SUSPENSION: "suspended", REINSTATEMENT: "active"}
ACTIVE, SUSPENDED = "active", "suspended"
STANDINGS = (ACTIVE, SUSPENDED)

# why a manager was absent: 年休假, 病假, 产假, 事假, 其他 (seed 000: 其他原因缺勤的降一级)
LEAVE_REASONS = ("annual", "sick", "maternity", "personal", "other")
MAX_LEAVE_DAYS = 366
MAX_NOTE = 500


def entry_problems(problems: Violations, *, kind: str, occurred_on: date, days: int | None, reason: str | None,
                   note: str | None, today: date, hire_date: date, standing: str,
                   targets_that_month: Sequence[str] = ()) -> None:
    """What is wrong with an event as entered, each problem naming its field and rule; `targets_that_month`: the
    kinds of the sales-target events already on the record in the month of `occurred_on`."""
    if kind not in KINDS:
        problems.add("kind", "event_kind", f"one of: {', '.join(KINDS)}")
        return
    if kind in MONTHLY_TARGETS and targets_that_month:
        problems.add("occurred_on", "target_once_a_month", f"the sales target of {occurred_on:%Y-%m} is entered "
                     f"already ({targets_that_month[0]}): a month's target is met or missed once")
    if occurred_on > today:
        problems.add("occurred_on", "not_in_future", f"an event is entered once it happened (today is {today})")
    if occurred_on < hire_date:
        problems.add("occurred_on", "after_hire_date", f"the manager was hired on {hire_date}")
    if kind == LEAVE:
        if days is None:
            problems.add("days", "required", "the leave's length in days")
        elif not 1 <= days <= MAX_LEAVE_DAYS:
            problems.add("days", "leave_days", f"a whole number of days from 1 to {MAX_LEAVE_DAYS}")
        if reason is None:
            problems.add("reason", "required", f"why the manager was absent: one of {', '.join(LEAVE_REASONS)}")
        elif reason not in LEAVE_REASONS:
            problems.add("reason", "leave_reason", f"one of: {', '.join(LEAVE_REASONS)}")
    else:
        if days is not None:
            problems.add("days", "leave_only", "only a leave has a length in days")
        if reason is not None:
            problems.add("reason", "leave_only", "only a leave has a reason; describe the event in its note")
    if kind in STANDING_CHANGES:
        wanted = SUSPENDED if kind == REINSTATEMENT else ACTIVE
        if standing != wanted:
            problems.add("kind", "standing", f"a {kind} applies to a manager who is {wanted}; this one is {standing}")
        if not note:
            problems.add("note", "required", f"say why: a {kind} is explained on the manager's record")
    if note is not None and len(note) > MAX_NOTE:
        problems.add("note", "max_length", f"at most {MAX_NOTE} characters")


def months_or_count(kind: str, days: Iterable[date]) -> int:
    """How many events of `kind` on these days a rule counts: each event, but for a sales target each month once."""
    return len({(d.year, d.month) for d in days}) if kind in MONTHLY_TARGETS else sum(1 for _ in days)
