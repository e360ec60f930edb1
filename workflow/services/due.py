"""What a due timer does, one handler per kind. Each runs inside the transaction of the sweep's batch,
together with marking it fired: either both happen or neither. A handler returns what it did (kept on
the timer row), or Reschedule when its moment has not really come yet. A kind whose work is too big for
one transaction has a preparation, which the sweep runs before it fires the timer."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from workflow import escalation, messages, waiting
from workflow.accounts import COMMITTEE, HR, SUPERVISOR
from workflow.calendar import WINDOW_GRACE
from workflow.case_access import SEPARATE_REVIEWS, appeal_window_open, did_other_review
from workflow.case_machine import (APPEALED, DECIDED, DELIBERATION, HR_REVIEW, IN_STAGE, INTERVIEW, OPEN_STATES,
                                   PROBATION_CONFIRMATION, PUBLISHED, RETURNED, SUBMITTED)
from workflow.delegations import SCOPE_ROLES
from workflow.periods import Period
from workflow.quarter_close import DEFERRED
from workflow.services.case_steps import SYSTEM_ACTOR, claim, record
from workflow.services.opening import automatic_opening, first_timers, open_automatic_cases
from workflow.services.context import Rules
from workflow.services.evaluations import close_quarter, close_quarter_part, demote_or_defer
from workflow.services.finalization import finalize_case
from workflow.services.governing import rules_for
from workflow.services.message_writing import local_time, write_message
from workflow.services.stages import end_observation
from workflow.services.timers import schedule, schedule_reminder
from workflow.stages import CHAIR
from workflow.timer_kinds import (APPEAL_WINDOW_END, DEFERRED_DEMOTION, ESCALATION, OBSERVATION_END, PROBATION_END,
                                  QUARTER_CLOSE, REMINDER)

# A trigger blocked by the manager's open case looks again this much later.
RETRY_BLOCKED_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Reschedule:
    at: datetime
    why: str


def fire(uow, rules: Rules, timer) -> str | Reschedule:
    return _HANDLERS[timer.kind](uow, rules, timer)


def fire_together(uow, rules: Rules, timers: Sequence) -> list[str | Reschedule] | None:
    """What `fire` gives each of these timers of one kind, due one after the other, fired at once in a few
    statements whatever their number, with the effect of firing them one at a time; None where the kind (or these
    timers) can only be fired one at a time."""
    together = _TOGETHER.get(timers[0].kind)
    return together(uow, rules, timers) if together is not None else None


def preparation(timer) -> Callable[..., None] | None:
    """What must be done before the timer fires, in transactions of its own because it is too big for the
    transaction that fires it: the managers of a quarter close, closed a part at a time. The sweep runs it
    (with a unit of work factory, the rules and, for a report, `progress(done, of)`) once the timer is the next
    due; it is idempotent, and firing the timer afterwards finds the work done."""
    if timer.kind == QUARTER_CLOSE:
        period = timer.period

        def close_in_parts(unit_of_work, rules: Rules, progress: Callable[[int, int], None] | None = None) -> None:
            if _closed_by_the_policy(rules, period):
                close_quarter(unit_of_work, rules, None, period, progress=progress)
        return close_in_parts
    return None


def _appeal_window_end(uow, rules: Rules, timer) -> str | Reschedule:
    case = uow.cases.get(timer.case_id, for_update=True)
    now = rules.now()
    if case.state == PUBLISHED and appeal_window_open(case, now):  # the deadline was extended
        return Reschedule(case.appeal_deadline + WINDOW_GRACE, "the appeal deadline was extended")
    if finalize_case(uow, rules, case.id, now):
        return f"finalized: {case.state}"
    return f"nothing to do: the case is {case.state}"


def _observation_end(uow, rules: Rules, timer) -> str | Reschedule:
    file = uow.cases.file(timer.case_id, for_update=True)
    return end_observation(uow, rules_for(uow, rules, file.case), file, timer.data["stage"], timer.data["since"])


def _probation_end(uow, rules: Rules, timer) -> str | Reschedule:
    return _probation_ends(uow, rules, [timer])[0]


def _probation_ends(uow, rules: Rules, timers: Sequence) -> list[str | Reschedule] | None:
    """Each manager whose probation has ended gets a confirmation case, unless they have one, or are no longer on
    probation; one with another case open waits for it to end. In a few statements whatever the number of timers;
    None (fire them one at a time) when two are of one manager."""
    numbers = [timer.employee_no for timer in timers]
    if len(set(numbers)) < len(numbers):
        return None
    managers = uow.managers.named(numbers, for_update=True)
    cases: dict[str, list] = {}
    for case in uow.cases.of_kind_or_open(numbers, PROBATION_CONFIRMATION):
        cases.setdefault(case.employee_no, []).append(case)
    outcomes, openings = [], []
    for timer in timers:
        manager, theirs = managers[timer.employee_no], cases.get(timer.employee_no, [])
        if manager.grade != rules.policy.ladder.entry_grade:
            outcomes.append(f"nothing to do: the manager is {manager.grade}")
        elif existing := [case for case in theirs if case.kind == PROBATION_CONFIRMATION]:
            outcomes.append(f"nothing to do: probation confirmation case {existing[0].id} exists")
        elif open_case := next((case for case in theirs if case.state in OPEN_STATES), None):
            outcomes.append(Reschedule(rules.now() + RETRY_BLOCKED_AFTER,
                                       f"waiting for open case {open_case.id} to end"))
        else:
            outcomes.append(None)  # told below, once the case has its number
            openings.append(automatic_opening(
                rules, manager, PROBATION_CONFIRMATION,
                f"probation of {rules.policy.probation_months} months from {manager.grade_since} has ended",
                {"probation_started": manager.grade_since.isoformat()}))
    opened = open_automatic_cases(uow, rules, openings)
    first = first_timers(uow, rules, opened)
    uow.timers.schedule_all([row for case in opened for row in first.get(case.employee_no, ())])
    numbered = iter(opened)
    return [outcome if outcome is not None else f"opened probation confirmation case {next(numbered).id}"
            for outcome in outcomes]


def _closed_by_the_policy(rules: Rules, period: str) -> bool:
    """A close scheduled before the policy changed the kind of period it closes is not run (the standing timers
    schedule the close of the new kind)."""
    return rules.policy.close_of(Period.parse(period).kind) is not None


def _quarter_close(uow, rules: Rules, timer) -> str | Reschedule:
    if not _closed_by_the_policy(rules, timer.period):
        return (f"nothing to do: the policy closes {' and '.join(rules.policy.closed_kinds)} periods, "
                f"not {timer.period}")
    summary = close_quarter_part(uow, rules, None, timer.period)  # whatever its preparation left
    told = ("demotion_cases", "advancement_cases", "exit_cases", "moved_cases", "deferred", "suspended",
            "reinstated")
    return (f"closed {summary['period']}: {summary['evaluated']} evaluated"
            + "".join(f", {key.replace('_', ' ')} {summary[key]}" for key in told if summary[key]))


def _deferred_demotion(uow, rules: Rules, timer) -> str | Reschedule:
    result = uow.evaluations.result(timer.period, timer.employee_no)
    if result.case_id is not None:
        return f"nothing to do: case {result.case_id} was opened"
    manager = uow.managers.get(timer.employee_no, for_update=True)
    outcome, case_id = demote_or_defer(uow, rules, manager, timer.period, result.reasons)
    if outcome == DEFERRED:
        return Reschedule(rules.now() + RETRY_BLOCKED_AFTER, "the manager's open case has not ended yet")
    result.case_id = case_id
    return f"opened case {case_id}" if case_id else f"nothing to do: the move does not apply to a {manager.grade} now"


def _reminder(uow, rules: Rules, timer) -> str | Reschedule:
    """Mark the case overdue (once) and remind whoever it waits on, on working days only."""
    case = uow.cases.get(timer.case_id, for_update=True)
    if case.state != timer.data.get("state") or case.state_since.isoformat() != timer.data.get("since"):
        return "nothing to do: the case moved on"
    rules = rules_for(uow, rules, case)
    calendar, now = uow.calendar.working_calendar(), rules.now()
    overdue_from = waiting.first_reminder(rules.policy, calendar, case.state_since)
    if now < overdue_from:  # the calendar changed since the reminder was scheduled
        return Reschedule(overdue_from, "not overdue yet by the current calendar")
    today = rules.today()
    if not calendar.day(today).working:
        return Reschedule(waiting.next_reminder(rules.policy, calendar, today), f"{today} is not a working day")
    recipients = reminded(uow, rules, case, today)
    if case.overdue_since is None:
        claim(rules, case)  # a concurrent change of the case then fails, rather than keep a stale flag
        case.overdue_since = overdue_from
        record(uow, rules, case, actor=SYSTEM_ACTOR, event="overdue", from_state=case.state, to_state=case.state,
               data={"waiting_since": case.state_since.isoformat()})
    accounts = uow.outbox.accounts(recipients)
    facts = {"since": local_time(rules, case.state_since), "days": rules.policy.overdue_after_working_days}
    for username in recipients:
        write_message(uow, rules, messages.REMINDER, username, case, f"reminder:{timer.id}:{username}", facts,
                      accounts[username].language, timer_id=timer.id)
    schedule_reminder(uow, rules, case, waiting.next_reminder(rules.policy, calendar, today), f"timer:{timer.id}")
    return f"reminded {', '.join(recipients) or 'nobody'}"


def reminded(uow, rules: Rules, case, today) -> list[str]:
    """Whoever the case waits on, and their substitutes in force `today`: those its reminders and notices go to."""
    recipients = waiting_on(uow, rules, case)
    return recipients + _their_substitutes(uow, rules, case, recipients, today)


def _their_substitutes(uow, rules: Rules, case, recipients: list[str], today) -> list[str]:
    """The substitutes in force today of the people the case waits on, for the work it waits for (a supervisor's or
    a committee member's), who are reminded beside them."""
    role = _role_waited_for(rules, case)
    if role is None:
        return []
    found = uow.delegations.substitutes_of(recipients, today)
    return sorted({d.substitute for d in found if role in SCOPE_ROLES[d.scope]} - set(recipients))


def _role_waited_for(rules: Rules, case) -> str | None:
    stage = rules.cases.stage_of(case)
    if escalation.waited_level(case.state, stage) is not None:
        return SUPERVISOR
    if case.state in (INTERVIEW, DELIBERATION) or (case.state == IN_STAGE and stage.by == CHAIR):
        return COMMITTEE
    return None


def _escalation(uow, rules: Rules, timer) -> str | Reschedule:
    """Escalate the case past the supervisor it waits on, if they cannot act (workflow/escalation.py), and on past
    whoever it went to if they cannot act either once the policy's days have passed again; else look again on the
    next working day while the case waits. An escalation the reporting line has overtaken is called off first."""
    file = uow.cases.file(timer.case_id, for_update=True)
    case = file.case
    if case.state != timer.data.get("state") or case.state_since.isoformat() != timer.data.get("since"):
        return "nothing to do: the case moved on"
    rules = rules_for(uow, rules, case)
    level, chain = escalation.waited_level(case.state, rules.cases.stage_of(case)), file.supervisor_chain
    if level is None or len(chain) <= level:
        return "nothing to do: the case waits on no supervisor"
    calendar, today, now = uow.calendar.working_calendar(), rules.today(), rules.now()
    next_day = waiting.next_reminder(rules.policy, calendar, today)
    if case.escalated_at is not None and not escalation.holds(chain, level, case.escalated_from, case.escalated_to):
        claim(rules, case)
        record(uow, rules, case, actor=SYSTEM_ACTOR, event=escalation.VOID, from_state=case.state, to_state=case.state,
               data={"absent": case.escalated_from, "to": case.escalated_to, "reason": escalation.LINE_CHANGED})
        case.escalated_from = case.escalated_to = case.escalated_at = None
    accounts = {no: uow.outbox.active_users(role=SUPERVISOR, employee_no=no) for no in chain[level:]}
    on_leave = uow.manager_events.on_leave(chain[level:], today)
    party, people = SEPARATE_REVIEWS[level], file.people

    def can_act(no: str) -> bool:  # four eyes: not whoever did the case's other review step
        return bool(accounts[no]) and no not in on_leave and not did_other_review(people, party, employee_no=no)
    if case.escalated_at is None:
        absent = chain[level]
        substituted = any(SUPERVISOR in SCOPE_ROLES[d.scope]
                          for d in uow.delegations.substitutes_of(accounts[absent], today))
    elif case.escalated_to is None:
        return Reschedule(next_day, "escalated to hr: looked at again while the case waits (its reporting line may "
                                    "change)")
    else:  # a substitute of whoever it went to holds only their own part (no chains): theirs does not count
        absent, substituted = case.escalated_to, False
    why = escalation.absence(has_account=bool(accounts[absent]), on_leave=absent in on_leave, substituted=substituted)
    if why is None:
        return Reschedule(next_day, f"{absent} can act (or their substitute can)")
    if case.escalated_at is not None and (due := escalation.first_check(rules.policy, calendar,
                                                                          case.escalated_at)) > now:
        return Reschedule(due, f"{absent} has had the case for fewer than the policy's working days")
    to = escalation.escalate_to(chain, chain.index(absent), can_act)
    claim(rules, case)
    data = {"absent": absent, "reason": why, "to": to, "waiting_since": case.state_since.isoformat()}
    if case.escalated_at is not None:
        data["in_stead_of"] = case.escalated_from
    case.escalated_from, case.escalated_to, case.escalated_at = case.escalated_from or absent, to, now
    entry = record(uow, rules, case, actor=SYSTEM_ACTOR, event=escalation.EVENT, from_state=case.state,
                   to_state=case.state, data=data)
    schedule(uow, rules, ESCALATION, f"{case.id}:escalated:{entry.seq}", next_day, case_id=case.id,
             data={"state": case.state, "since": case.state_since.isoformat()})
    return f"escalated from {absent} ({why}) to {to or 'hr'}"


def _escalation_holds(uow, rules: Rules, case) -> bool:
    """The case's present wait is escalated, under the reporting line it has now (workflow/escalation.py holds)."""
    if case.escalated_at is None:
        return False
    level = escalation.waited_level(case.state, rules.cases.stage_of(case))
    chain = uow.cases.files([case])[0].supervisor_chain
    return level is not None and escalation.holds(chain, level, case.escalated_from, case.escalated_to)


def waiting_on(uow, rules: Rules, case) -> list[str]:
    """The usernames the case waits on now; hr when nobody else can act (no account for the supervisor)."""
    people = uow.outbox.active_users
    manager = case.manager
    if _escalation_holds(uow, rules, case):  # escalated past an absent supervisor: whoever it went to (none: hr)
        named = people(role=SUPERVISOR, employee_no=case.escalated_to) if case.escalated_to else []
    elif case.state == SUBMITTED:
        named = people(role=SUPERVISOR, employee_no=manager.supervisor_no) if manager.supervisor_no else []
    elif case.state == RETURNED:
        named = people(employee_no=case.employee_no)
    elif case.state == INTERVIEW:
        progress = uow.cases.files([case])[0].progress(rules.policy.quorum)
        named = sorted(set(progress.eligible) - set(progress.scored))
    elif case.state == IN_STAGE:
        stage = rules.cases.stage_of(case)
        if stage.is_observation:
            return []  # it ends by itself
        named = _stage_party(uow, rules, case, stage.by)
    elif case.state == DELIBERATION and case.cycle is not None and case.cycle.chair \
            and case.cycle.chair not in case.recused_usernames and case.cycle.chair in people():
        named = [case.cycle.chair]
    else:
        assert case.state in (HR_REVIEW, DELIBERATION, DECIDED, APPEALED), case.state
        named = []
    if named:
        return named
    own = set(people(employee_no=case.employee_no))  # nobody acts on their own case
    return [u for u in people(role=HR) if u not in own]


def _stage_party(uow, rules: Rules, case, by: str) -> list[str]:
    """Who acts in the policy's own stage the case is in (hr's stage: nobody named, so hr)."""
    people = uow.outbox.active_users
    if by in SEPARATE_REVIEWS:  # not a supervisor who did the case's other review step (four eyes): hr then
        file_people = uow.cases.files([case])[0].people
        chain, level = file_people.supervisor_chain, SEPARATE_REVIEWS.index(by)
        if len(chain) <= level or did_other_review(file_people, by, employee_no=chain[level]):
            return []
        return people(role=SUPERVISOR, employee_no=chain[level])
    if by == CHAIR and case.cycle is not None and case.cycle.chair in people():
        chair = case.cycle.chair  # not when it is the applicant's own account (hr acts then)
        return [chair] if chair not in people(employee_no=case.employee_no) else []
    return []


_HANDLERS = {
    APPEAL_WINDOW_END: _appeal_window_end,
    OBSERVATION_END: _observation_end,
    PROBATION_END: _probation_end,
    QUARTER_CLOSE: _quarter_close,
    REMINDER: _reminder,
    DEFERRED_DEMOTION: _deferred_demotion,
    ESCALATION: _escalation,
}

# kinds whose timers can be fired together (fire_together)
_TOGETHER = {PROBATION_END: _probation_ends}
