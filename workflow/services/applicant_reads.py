"""What the pages of an applicant read: the outlook before applying (the grade they would apply for, every rule
that would refuse it today, the cycles open to applications, their own cases), and one case's page (the case as
the caller may see it, its history, the steps to come with their working-day deadlines, and why an applicant
cannot appeal it when they cannot).

Each read answers from the same places as the use cases: cases.promotion_outlook (submit_case's rules),
case_reads (CaseView, the history as the caller may see it), case_access.appeal_refusal (file_appeal's
refusal), the working calendar of the unit of work. A fixed number of queries, whatever the number of cases."""
from __future__ import annotations

from dataclasses import dataclass

from workflow import case_access
from workflow.accounts import Actor
from workflow.case_access import APPLICANT
from workflow.case_machine import PUBLISHED_STATES
from workflow.eligibility import Refusal
from workflow.services.case_reads import CaseView, history_entries, list_cases
from workflow.services.case_steps import load_case
from workflow.services.cases import cycle_policy_refusal, promotion_outlook
from workflow.services.context import Rules
from workflow.services.governing import rules_for
from workflow.timeline import Step, steps_to_come

CYCLES_SHOWN = 100  # the most recent cycles the outlook reads
MY_CASES_SHOWN = 50


@dataclass(frozen=True)
class Outlook:
    """For a caller with a manager record (`manager` None otherwise): the grade they would apply for next and
    every rule that refuses it today (none: they may apply), the cycles that take their applications, their cases."""
    manager: object | None
    target: str | None
    refusals: list[Refusal]
    open_cycles: list
    my_cases: list[CaseView]

    @property
    def eligible(self) -> bool:
        return self.manager is not None and self.target is not None and not self.refusals


def application_outlook(uow, rules: Rules, actor: Actor) -> Outlook:
    manager = uow.managers.get(actor.employee_no) if actor.employee_no is not None else None
    target, refusals = promotion_outlook(uow, rules, manager) if manager is not None else (None, [])
    cycles, _total = uow.cycles.page(1, CYCLES_SHOWN)
    mine, _total = list_cases(uow, rules, actor, page=1, per_page=MY_CASES_SHOWN, mine=True)
    # a cycle takes applications until it is first decided (cases._check_cycle refuses them after), and only
    # from units of the policy its cases follow
    open_cycles = [c for c in cycles if c.first_decided_at is None
                   and (manager is None or cycle_policy_refusal(uow, rules, c, manager) is None)]
    return Outlook(manager, target, refusals, open_cycles, mine)


@dataclass(frozen=True)
class CasePage:
    """A case as the caller may see it, its history (oldest first), the steps to come, and for its applicant
    on a published decision they may not appeal: why not (appeal_exists, appeal_window_closed, not_published)."""
    case: CaseView
    history: list[dict]
    steps: list[Step]
    appeal_refused: str | None


NO_APPEALS = "no_appeals"  # the page's word for a refusal under a policy without appeals (not an API code)


def case_page(uow, rules: Rules, actor: Actor, case_id: int) -> CasePage:
    """NotFound when the caller may not see the case, as visible_case."""
    file, standing = load_case(uow, actor, case_id)
    rules = rules_for(uow, rules, file.case)
    view = CaseView(rules, actor, file)
    refused = None
    if standing.is_(APPLICANT) and file.case.state in PUBLISHED_STATES:
        refusal = case_access.appeal_refusal(rules, file.case)
        refused = refusal.code if refusal is not None else None
        if refused is not None and not rules.policy.appeals:
            refused = NO_APPEALS
    steps = steps_to_come(rules.policy, uow.calendar.working_calendar(), file.case, rules.now())
    return CasePage(view, history_entries(uow, file, standing), steps, refused)
