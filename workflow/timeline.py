"""What comes next for a case, and by which working day: the steps to come on a case's timeline.

Pure: the case (its state, since when, its publication and appeal deadline), the policy and the working
calendar in, the steps out. Every date is counted on the working calendar (workflow/calendar.py), so a step
lists the days it spans with their kind: the working days it counts (make-up workdays 调休补班 among them)
and the holidays and weekends it skips.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from workflow import waiting
from workflow.calendar import WINDOW_GRACE, WorkingCalendar, WorkingDay, working_days_after
from workflow.case_machine import PUBLISHED
from workflow.clock import local_date
from workflow.policy import Policy
from workflow.eligibility import add_months
from workflow.stages import Stage, stage_named

# the kinds of step to come
ACT, APPEAL_DEADLINE, TAKES_EFFECT = "act", "appeal_deadline", "takes_effect"
TAKES_EFFECT_AFTER_APPEAL = "takes_effect_after_appeal"  # the case's one appeal is answered: nothing can stop it
OBSERVATION_ENDS = "observation_ends"  # an observation period of the policy's own stages passes by itself


@dataclass(frozen=True)
class Day:
    """A calendar day of a step's span, as the working calendar has it."""
    day: date
    info: WorkingDay

    @property
    def working(self) -> bool:
        return self.info.working

    @property
    def kind(self) -> str:  # workday, weekend, holiday, makeup_workday
        return self.info.kind


@dataclass(frozen=True)
class Step:
    """A step to come: `kind` (ACT: whoever the case waits on in `state` acts; APPEAL_DEADLINE: the last moment
    to appeal; TAKES_EFFECT: the decision takes effect, unless appealed; TAKES_EFFECT_AFTER_APPEAL: it takes effect,
    its one appeal answered), the moment it falls due, whether every day counted
    comes from official or company data, the days from the start of the count (exclusive) to the due day, and
    for the caller now: the working days left (the due day included) and whether the moment has passed."""
    kind: str
    state: str
    due: datetime
    confirmed: bool
    counted_from: date
    days: tuple[Day, ...]
    working_days: int  # the working days the step counts
    working_days_left: int
    overdue: bool

    @property
    def makeup_days(self) -> tuple[Day, ...]:
        return tuple(d for d in self.days if d.kind == "makeup_workday")

    @property
    def days_off(self) -> tuple[Day, ...]:
        return tuple(d for d in self.days if not d.working)


def working_days_left(calendar: WorkingCalendar, today: date, due: date) -> int:
    """The working days after today up to the due day (included): on the publication day, all of the window's;
    on the deadline's own day, none (what is left is the rest of that day, to 23:59:59)."""
    return sum(calendar.day(today + timedelta(days=n)).working for n in range(1, (due - today).days + 1))


def _span(calendar: WorkingCalendar, start: date, end: date) -> tuple[Day, ...]:
    return tuple(Day(start + timedelta(days=n), calendar.day(start + timedelta(days=n)))
                 for n in range(1, (end - start).days + 1))


def observation_ends(stage: Stage, began: datetime, tz) -> datetime:
    """An observation period (workflow/stages.py) lasts its months from when it began, to the same local time (one
    begun on a month's last days ends on the last day of a shorter month)."""
    local = began.astimezone(tz)
    return datetime.combine(add_months(local.date(), stage.months), local.timetz())


def steps_to_come(policy: Policy, calendar: WorkingCalendar, case, now: datetime) -> list[Step]:
    """The case's next steps with their working-day deadlines: in a state that waits on someone, the end of the
    last working day they may take before the case is overdue (policy.overdue_after_working_days after it
    entered the state, as the reminders count); in an observation period, the moment it ends; on a published case,
    the appeal deadline and the day the decision takes effect (the day after the deadline, as finalization dates
    it); once the case's one appeal has been answered, that day alone (the window no longer concerns it). Nothing
    for a finished case."""
    tz, today = policy.tz, local_date(now, policy.tz)
    steps = []
    stage = stage_named(policy.stages_of(case.kind), case.stage)
    if stage is not None and stage.is_observation:
        ends = observation_ends(stage, case.state_since, tz)
        steps.append(Step(OBSERVATION_ENDS, case.state, ends, True, local_date(case.state_since, tz), (), 0, 0,
                          now >= ends))
    elif waiting.waits_on_someone(case.state, stage):
        start = local_date(case.state_since, tz)
        due = working_days_after(calendar, start, policy.overdue_after_working_days, tz)
        overdue = case.overdue_since is not None or now >= waiting.first_reminder(policy, calendar, case.state_since)
        steps.append(_step(calendar, ACT, case.state, due.at, due.confirmed, start, today, overdue))
    elif case.state == PUBLISHED and case.appeal_deadline is not None:
        start = local_date(case.published_at, tz)
        deadline = case.appeal_deadline.astimezone(tz)
        closed = now >= case.appeal_deadline + WINDOW_GRACE
        appealed = case.appeal is not None
        if not appealed:
            steps.append(_step(calendar, APPEAL_DEADLINE, case.state, deadline, bool(case.deadline_confirmed), start,
                               today, closed))
        effective = datetime.combine(deadline.date() + timedelta(days=1), datetime.min.time(), tzinfo=tz)
        steps.append(Step(TAKES_EFFECT_AFTER_APPEAL if appealed else TAKES_EFFECT, case.state, effective,
                          bool(case.deadline_confirmed), deadline.date(), (), 0, 0, False))
    return steps


def _step(calendar, kind, state, due: datetime, confirmed, start: date, today: date, overdue: bool) -> Step:
    days = _span(calendar, start, due.date())
    return Step(kind, state, due, confirmed, start, days, sum(d.working for d in days),
                working_days_left(calendar, today, due.date()) if today <= due.date() else 0, overdue)
