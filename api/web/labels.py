"""What the pages call things, in one place: the states and events of the case machine, the kinds of case, the
roles, and what a case waiting in a state expects of whoever it waits on. The keys are the live definitions
(workflow/case_machine.py, workflow/accounts.py; tests/web/test_labels.py holds them together); the words go
through the message catalogues (api/translations/). Grade names come from the policy's ladder, in Chinese or
English, so a policy with another ladder shows its own grades."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app
from flask_babel import gettext as _, lazy_gettext as _l

from api.web.i18n import current_language, number
from workflow import accounts, case_machine as m, quotas
from workflow.periods import EXAMPLES, HALF, MONTH, QUARTER, YEAR
from workflow.services.accounts import OPERATOR
from workflow.services.case_reads import COMMITTEE_ACTOR
from workflow.services.case_steps import SYSTEM_ACTOR

STATES = {
    m.SUBMITTED: _l("Submitted"),
    m.RETURNED: _l("Returned for changes"),
    m.HR_REVIEW: _l("HR review of the exception"),
    m.IN_STAGE: _l("Stage of the policy"),
    m.INTERVIEW: _l("Interview"),
    m.DELIBERATION: _l("Deliberation"),
    m.DECIDED: _l("Decided"),
    m.PUBLISHED: _l("Published"),
    m.APPEALED: _l("Appealed"),
    m.EFFECTIVE: _l("Effective"),
    m.CLOSED: _l("Closed"),
    m.REJECTED: _l("Rejected"),
    m.WITHDRAWN: _l("Withdrawn"),
}

EVENTS = {
    "approve_materials": _l("Approve the materials"),
    "return_materials": _l("Return the materials"),
    "reject_materials": _l("Reject the application"),
    "resubmit": _l("Resubmit"),
    "withdraw": _l("Withdraw"),
    "approve_exception": _l("Approve the exception"),
    "reject_exception": _l("Refuse the exception"),
    "pass_stage": _l("Pass the stage"),
    "fail_stage": _l("Fail the stage"),
    "pass_probation": _l("Confirm (probation passed)"),
    "fail_probation": _l("Probation not passed"),
    "interview_complete": _l("Interview complete"),
    "close_interview": _l("Close the interview"),
    "decide": _l("Decide the cycle"),
    "approve": _l("Approve"),
    "deny": _l("Deny"),
    "publish": _l("Publish"),
    "cycle_publish": _l("Publish the cycle"),
    "appeal": _l("Appeal"),
    "uphold": _l("Uphold the decision"),
    "overturn": _l("Overturn the decision"),
    "finalize": _l("Take effect"),
}

KINDS = {
    m.PROMOTION: _l("Promotion"),
    m.PROBATION_CONFIRMATION: _l("Probation confirmation"),
    m.DEMOTION: _l("Demotion"),
    m.EXIT: _l("Exit"),
    m.ADVANCEMENT: _l("Advancement on results"),
}

ROLES = {
    accounts.EMPLOYEE: _l("Customer manager"),
    accounts.SUPERVISOR: _l("Supervisor"),
    accounts.COMMITTEE: _l("Committee member"),
    accounts.HR: _l("HR"),
    accounts.ADMIN: _l("Administrator"),
}

OUTCOMES = {
    m.APPROVED: _l("Approved"),
    m.DENIED: _l("Denied"),
}

# Why a case was denied (workflow/decision.py, workflow/services/decisions.py), in words.
REASONS = {
    "below_pass_mark": _l("below the pass mark"),
    "quota_exceeded": _l("beyond the quota of its grade (ranked below the free slots)"),
    "component_below_pass_mark": _l("a score component below its own pass mark"),
    "minimum_share_reached": _l("the grade left is at its minimum share (ranked below the promotions it allows)"),
    "denied_on_review": _l("denied on review by the decider"),
    "probation_failed": _l("probation not passed"),
    "stage_failed": _l("a stage of the policy was not passed"),
}

# What each role may do, in words: for the demo logins of the sign-in page.
ROLE_ABILITIES = {
    accounts.EMPLOYEE: _l("applies for promotion, follows their own case, appeals a published decision"),
    accounts.SUPERVISOR: _l("reviews the applications of their reports (approve with a score, return, reject)"),
    accounts.COMMITTEE: _l("scores the interviews of their cycles; the chair closes the interview and decides"),
    accounts.HR: _l("runs the cycles: committees, exceptions, decisions, publication, appeals, managers, "
                    "calendar"),
    accounts.ADMIN: _l("manages user accounts and the clock"),
}

# What a case waiting in a state expects of whoever it waits on (workflow/waiting.py WAITING_STATES), when no
# event of theirs names it (a committee member's score is not an event).
TASKS = {
    m.SUBMITTED: _l("Review the application"),
    m.RETURNED: _l("Complete the materials and resubmit"),
    m.HR_REVIEW: _l("Review the exceptional application"),
    m.IN_STAGE: _l("Complete the stage"),
    m.INTERVIEW: _l("Score the interview"),
    m.DELIBERATION: _l("Deliberate and decide"),
    m.DECIDED: _l("Publish the result"),
    m.APPEALED: _l("Handle the appeal"),
}
# What a case of one kind expects in a state where it differs from TASKS: a probation confirmation waits in
# `submitted` for the supervisor to confirm the probation or not, not to review an application.
KIND_TASKS = {
    (m.PROBATION_CONFIRMATION, m.SUBMITTED): _l("Confirm the probation or not"),
}


# Who fires an event (workflow/case_machine.py WHO): the parties to a case, for the workflow diagram.
PARTIES = {
    m.APPLICANT: _l("the applicant"),
    m.SUPERVISOR: _l("the direct supervisor"),
    m.CHAIR: _l("the committee chair"),
    m.HR: _l("HR"),
    m.SYSTEM: _l("the service itself"),
    m.STAGE_PARTY: _l("whoever the policy names for the stage"),
}

# The extra condition of a move (workflow/case_machine.py Move.when), in words, for the workflow diagram.
CONDITIONS = {
    "straight_to_interview": _l("neither an exceptional promotion that needs HR approval nor stages of the "
                                "policy first"),
    "straight_to_decision": _l("the policy has neither stages of its own nor the interview"),
    "interview_next": _l("the interview follows (the policy has no stages of its own before it)"),
    "decision_next": _l("the decision follows (the policy has neither stages of its own nor the interview)"),
    "last_stage_then_decision": _l("the last of the policy's stages, after the interview or under a policy without "
                                   "one"),
    "needs_exception_review": _l("an exceptional promotion that needs HR approval"),
    "single_case": _l("a case outside a cycle, or re-decided after an appeal"),
    "in_cycle": _l("a case of a cycle, decided with the whole cycle"),
    "straight_to_stages": _l("the policy's own stages come first"),
    "has_stages": _l("the policy has stages of its own"),
    "more_stages": _l("another stage follows"),
    "last_stage": _l("the last of the policy's stages before the interview"),
    "stages_after_interview": _l("the policy has stages of its own after the interview"),
    "probation_decided_at_once": _l("the policy gives a probation confirmation no stages of its own"),
    "probation_stages_next": _l("the policy's stages of a probation confirmation follow"),
    "more_probation_stages": _l("another stage follows"),
    "last_probation_stage": _l("the last of the policy's stages: passing it confirms the manager"),
    "in_probation_stage": _l("in one of the policy's stages: failing it fails the probation"),
    "more_stages_before_decision": _l("another stage follows"),
    "last_stage_before_decision": _l("the last of the policy's stages before the decision"),
    "in_stage_before_decision": _l("in one of the policy's stages: failing it decides the case denied"),
    "decision_after_interview": _l("the decision follows (the policy has no stages of its own after the interview)"),
    "in_own_stage": _l("in one of the policy's stages"),
    "changes_grade": _l("approved, or a probation confirmation"),
    "leaves_grade": _l("denied: the grade stays"),
}


# The kinds of day of the working-day calendar (workflow/calendar.py).
DAY_KINDS = {
    "workday": _l("Working day"),
    "weekend": _l("Weekend"),
    "holiday": _l("Holiday"),
    "makeup_workday": _l("Make-up workday"),
}


# What the quarter close does to a manager (workflow/quarter_close.py OUTCOMES). A move deferred may be one of a
# grading rule's, up as well as down.
QUARTER_OUTCOMES = {
    "kept": _l("Nothing to do"),
    "excluded": _l("Excluded this period (too few months worked)"),
    "demotion": _l("Demotion case opened"),
    "deferred": _l("Move deferred until the open case ends"),
    "not_demotable": _l("Demotion impossible at this grade"),
    "advancement": _l("Advancement case opened"),
    "exit": _l("Exit case opened"),
    "moved": _l("Moved at the close"),
    "suspended": _l("Suspended (待岗)"),
    "reinstated": _l("Reinstated"),
}

# A notification's delivery (workflow/notifications.py STATUSES): the page's tabs and their words.
OUTBOX_STATUSES = {
    "pending": _l("to be sent"),
    "sent": _l("sent"),
    "dead": _l("given up"),
}

# The events on a manager's record (workflow/manager_events.py KINDS), the reasons of a leave (LEAVE_REASONS) and
# the standings (STANDINGS).
EVENT_KINDS = {
    "violation": _l("Violation"),
    "complaint": _l("Complaint"),
    "leave": _l("Leave"),
    "target_met": _l("Sales target met"),
    "target_missed": _l("Sales target missed"),
    "misconduct": _l("Misconduct"),
    "suspension": _l("Suspension (待岗)"),
    "reinstatement": _l("Reinstatement"),
}
LEAVE_REASONS = {
    "annual": _l("Annual leave"),
    "sick": _l("Sick leave"),
    "maternity": _l("Maternity leave"),
    "personal": _l("Personal leave"),
    "other": _l("Other reason"),
}
STANDINGS = {
    "active": _l("Active"),
    "suspended": _l("Suspended (待岗)"),
}
# the work a substitute takes over (workflow/delegations.py SCOPES) and where a delegation stands (STATUSES)
DELEGATION_SCOPES = {
    "supervisor": _l("Supervisor"),
    "committee": _l("Committee member"),
    "both": _l("Supervisor and committee member"),
}
DELEGATION_STATUSES = {
    "planned": _l("Planned"),
    "active": _l("In force"),
    "ended": _l("Ended"),
    "cancelled": _l("Cancelled"),
}


# The steps of a cycle's funnel (workflow/reports.py FUNNEL), for its report.
FUNNEL_STEPS = {
    "applied": _l("Applied"),
    "eligible": _l("Passed the materials review"),
    "passed": _l("Met the pass mark"),
    "promoted": _l("Promoted"),
    "appealed": _l("Appeals filed"),
    "overturned": _l("Overturned on appeal"),
}

# why a member is recused from a case (回避): workflow/case_access.automatic_recusal's reasons, or their own
RECUSAL_REASONS = {
    "applicant": _l("the applicant themselves"),
    "line_manager": _l("above the applicant in the reporting line"),
    "reviewed_materials": _l("reviewed the materials"),
    "declared": _l("declared a conflict of interest"),
}


def _namer(table: dict):
    """The name of a code in `table`, in the page's language; the code itself if the table lacks it."""
    def name(code: str | None) -> str:
        return "" if code is None else str(table.get(code, code))
    return name


state, event, kind, role, role_abilities, _state_task = map(_namer, (STATES, EVENTS, KINDS, ROLES, ROLE_ABILITIES,
                                                                     TASKS))


def task(state_code: str | None, kind_code: str | None = None) -> str:
    """What a case (of `kind_code`) waiting in `state_code` expects of whoever it waits on, in the page's language."""
    if (kind_code, state_code) in KIND_TASKS:
        return str(KIND_TASKS[kind_code, state_code])
    return _state_task(state_code)


outcome, reason = map(_namer, (OUTCOMES, REASONS))
party, condition = map(_namer, (PARTIES, CONDITIONS))
day_kind = _namer(DAY_KINDS)
quarter_outcome = _namer(QUARTER_OUTCOMES)
outbox_status = _namer(OUTBOX_STATUSES)
event_kind, leave_reason, standing = map(_namer, (EVENT_KINDS, LEAVE_REASONS, STANDINGS))
funnel_step = _namer(FUNNEL_STEPS)
delegation_scope, delegation_status = map(_namer, (DELEGATION_SCOPES, DELEGATION_STATUSES))
recusal_reason = _namer(RECUSAL_REASONS)


# what the history names besides the events of EVENTS
HISTORY_EVENTS = {
    "submit": _l("Application submitted"),
    "score": _l("Interview score given"),
    "recusal": _l("Recusal declared"),
    "deadline_changed": _l("Deadline changed by a calendar correction"),
    "overdue": _l("Marked overdue"),
    "escalate": _l("Escalated past an absent supervisor"),
    "escalation_void": _l("Escalation called off: the reporting line changed"),
}


# the first entry of a case nobody applied for: the service, or hr, opened it (a demotion, an exit, a confirmation)
CASE_OPENED = _l("Case opened")


def history_event(code: str, kind: str | None = None) -> str:
    """What a history entry records; `kind`: its case's, for the first entry, an application only of a promotion."""
    if code == "submit" and kind is not None and kind != m.PROMOTION:
        return str(CASE_OPENED)
    return str(HISTORY_EVENTS[code]) if code in HISTORY_EVENTS else event(code)


def grade(code: str | None) -> str:
    """The grade's name on the policy's ladder, in the page's language (its code if the ladder lacks it)."""
    if code is None:
        return ""
    try:
        found = current_app.extensions["gradeflow"]["rules"].policy.ladder.grade(code)
    except KeyError:
        return code
    return _in_language(found)


def metric(code: str) -> str:
    """The name of one of the policy's metrics (workflow/policy.py Metric), in the page's language (its code if the
    policy lacks it)."""
    found = next((m for m in current_app.extensions["gradeflow"]["rules"].policy.metrics if m.code == code), None)
    return code if found is None else _in_language(found)


def metric_values(values: dict | None) -> list[tuple[str, str]]:
    """A record's metrics (code → value) as (name, value), in the order the policy declares them."""
    declared = [m.code for m in current_app.extensions["gradeflow"]["rules"].policy.metrics]
    ordered = sorted(values or {}, key=lambda code: (declared.index(code) if code in declared else len(declared), code))
    return [(metric(code), values[code]) for code in ordered]


def scorecard_values(values: dict | None) -> list[tuple[str, str]]:
    """A record's scorecard parts or items (code → value) as (name, value), named and ordered as the policy's
    scorecard declares them (经营业绩, 作风纪律: the company's own names, as its import's columns are)."""
    card = current_app.extensions["gradeflow"]["rules"].policy.period_scorecard
    declared = [] if card is None else [entry for part in card.parts for entry in (part, *part.items)]
    names = {entry.code: entry.zh or entry.code for entry in declared}
    order = [entry.code for entry in declared]
    ordered = sorted(values or {}, key=lambda code: (order.index(code) if code in order else len(order), code))
    return [(names.get(code, code), values[code]) for code in ordered]


def _in_language(named) -> str:
    """The policy's own name of something (its `zh` and `en`), in the page's language."""
    return named.zh if current_language().startswith("zh") else named.en


# The components of the final score (workflow/policy.py SCORE_COMPONENTS), for their own pass marks.
SCORE_COMPONENTS = {
    "supervisor": _l("Supervisor score"),
    "interview": _l("Interview score"),
    "performance": _l("Annual performance"),
    "exam": _l("Exam score"),
}
score_component = _namer(SCORE_COMPONENTS)

# Whom a quota's share is of (workflow/quotas.py SCOPES).
QUOTA_AREAS = {
    quotas.ORG_UNIT: _l("an org unit's active managers"),
    quotas.PARENT: _l("a parent unit's active managers"),
    quotas.COMPANY: _l("the company's active managers"),
}


def quota(q: quotas.Quota) -> str:
    """A quota in a sentence: its grade, its shares and whom they are of."""
    area, grade_name = QUOTA_AREAS[q.scope], grade(q.grade)
    if q.max_share is None:
        return _("%(grade)s: at least %(share)s%% of %(area)s.", grade=grade_name, share=number(q.min_share * 100),
                 area=area)
    if q.min_share is None:
        return _("%(grade)s: at most %(share)s%% of %(area)s.", grade=grade_name, share=number(q.max_share * 100),
                 area=area)
    return _("%(grade)s: between %(min)s%% and %(max)s%% of %(area)s.", grade=grade_name,
             min=number(q.min_share * 100), max=number(q.max_share * 100), area=area)


def quota_area(area: quotas.Area) -> str:
    """Where a quota counts, in words: an org unit, a unit with the units below it, the company."""
    if area.is_company:
        return _("the whole company")
    return _("%(unit)s and its units", unit=area.unit) if area.below else area.unit

# The kinds of period the policy closes (quarter_close.period, of each close): the close page's titles and nouns.
CLOSE_TITLES = {YEAR: _l("Year close"), HALF: _l("Half-year close"), QUARTER: _l("Quarter close"),
                MONTH: _l("Month close")}
PERIOD_NOUNS = {YEAR: _l("year"), HALF: _l("half-year"), QUARTER: _l("quarter"), MONTH: _l("month")}
PERIOD_PLURALS = {YEAR: _l("years"), HALF: _l("half-years"), QUARTER: _l("quarters"), MONTH: _l("months")}


@dataclass(frozen=True)
class CloseWords:
    title: str  # Quarter close, Month close, ...
    kind: str  # quarter, month, ...
    kinds: str  # quarters, months, ...
    example: str  # 2026Q3, 2026M03, ...


def close_words(kind: str | None = None) -> CloseWords:
    """How the close page names a kind of period the policy closes (None: its first close's), in the page's
    language."""
    kind = kind or current_app.extensions["gradeflow"]["rules"].policy.closed_kinds[0]
    return CloseWords(str(CLOSE_TITLES[kind]), str(PERIOD_NOUNS[kind]), str(PERIOD_PLURALS[kind]), EXAMPLES[kind])


def closes_title() -> str:
    """The close page's name in the navigation: its close's title, or one for several closes side by side."""
    kinds = current_app.extensions["gradeflow"]["rules"].policy.closed_kinds
    return str(CLOSE_TITLES[kinds[0]]) if len(kinds) == 1 else _("Period closes")


# the actors on record that are no user (workflow/services/): the service's own moves, the operator's command line,
# and the committee as a reader who may not see its members' names yet is shown a member's step
_NOT_USERS = {SYSTEM_ACTOR: _l("the service"), OPERATOR.username: _l("the command line"),
              COMMITTEE_ACTOR: _l("the committee")}


def actor(name: str | None) -> str:
    """Who did something: a username as it is; the service or the command line in the reader's language."""
    return str(_NOT_USERS.get(name, name or ""))


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(actor=actor)
    app.jinja_env.filters.update(state=state, event=event, kind=kind, role=role, task=task, grade=grade,
                                  role_abilities=role_abilities, party=party, condition=condition)
    app.jinja_env.filters.update(outcome=outcome, reason=reason)
    app.jinja_env.filters.update(day_kind=day_kind, event_kind=event_kind, leave_reason=leave_reason,
                                  standing=standing, metric_values=metric_values,
                                  scorecard_values=scorecard_values)
    app.jinja_env.filters.update(quarter_outcome=quarter_outcome, quota=quota, score_component=score_component,
                                  outbox_status=outbox_status, funnel_step=funnel_step,
                                  quota_area=quota_area, delegation_scope=delegation_scope,
                                  delegation_status=delegation_status, recusal_reason=recusal_reason)
    app.jinja_env.globals.update(quota_reasons=quotas.REASONS)
