"""What hr sees of a cycle on its page: the committee, where each case stands (its state, who it waits on, by
which working day, overdue or not), what blocks the decision, whether the caller may decide or publish it now,
and the ranked result once decided, with the pass mark and the quota of each capped grade.

One read in a fixed number of queries whatever the number of cases: the cycle, the cases the caller may see
with their people, the accounts and the calendar, each read once (as case_reads.cases_waiting_on does). The
answers come from the same places as the use cases': due.waiting_on (who a case waits on), the blocking cases
of cycles.decide_cycle's refusal, case_access.available_events (whether the caller may decide or publish each
case)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from workflow import case_access, waiting
from workflow.accounts import Actor
from workflow.calendar import working_days_after
from workflow.case_machine import BEFORE_DELIBERATION, DECIDED, DELIBERATION, INTERVIEW
from workflow.clock import local_date
from workflow.quotas import Area, Quota, ranking_area
from workflow.services.case_reads import _EVERY_ACCOUNT, CaseView, _Accounts, _Preloaded
from workflow.services.context import Rules
from workflow.services.cycles import get_cycle, sees_committee
from workflow.services.due import waiting_on
from workflow.services.governing import rules_for_cycle

CASES_PER_CYCLE = 2000  # the most cases a cycle's page reads


@dataclass(frozen=True)
class CaseProgress:
    """A case of the cycle: who it waits on now (empty once nobody must act), the end of the last working day
    it may wait there, whether it is overdue; `blocks`: it is still before deliberation, so the cycle cannot be
    decided; `shortfall`: for an interview, what it lacks (the decision's refusal says the same)."""
    case: CaseView
    waiting_on: tuple[str, ...]
    due_by: datetime | None
    overdue: bool
    blocks: bool
    shortfall: str | None
    ranked_among: Area  # whom the decision ranks the case against: its grade's quota area, else its org unit


@dataclass(frozen=True)
class CycleOverview:
    cycle: object
    members: list[str] | None  # None: not the caller's to see
    cases: list[CaseProgress]
    may_decide: bool  # the caller may decide the cycle now: cases in deliberation, none blocking, each theirs
    may_publish: bool  # the caller may publish the cycle now: decided cases, each theirs to publish
    pass_mark: Decimal
    component_pass_marks: tuple[tuple[str, Decimal], ...]  # (supervisor | interview | performance | exam, its mark)
    quorum: int  # the fewest members who must score each case
    quotas: list[Quota]  # the quotas of the grades the cycle's cases aim at or leave
    interview: bool = True  # whether its cases have the committee's interview (the policy's committee.interview)
    appeals: bool = True  # whether its published decisions can be appealed (publication.appeals)

    @property
    def blocking(self) -> list[CaseProgress]:
        return [item for item in self.cases if item.blocks]

    @property
    def ranked(self) -> list[CaseProgress]:
        """The decided cases (the decision visible to the caller), by target grade and the area ranked in, then
        rank."""
        shown = [item for item in self.cases if item.case.outcome is not None]
        return sorted(shown, key=lambda item: (item.case.target_grade, item.ranked_among.below, item.ranked_among.unit,
                                               item.case.rank is None, item.case.rank or 0, item.case.id))


def cycle_overview(uow, rules: Rules, actor: Actor, code: str) -> CycleOverview:
    """The cycle `code` as the caller may see it (NotFound if there is none): hr and admins see every case,
    anyone else the cases they may see (case_access.scope_of)."""
    cycle = get_cycle(uow, code)
    rules = rules_for_cycle(uow, rules, cycle)
    found, _total = uow.cases.page(1, CASES_PER_CYCLE, visible_to=case_access.scope_of(actor), cycle=code)
    files = {file.case.id: file for file in uow.cases.files(found)} if found else {}
    policy = rules.policy
    items = []
    if found:
        accounts, _total = uow.users.page(1, _EVERY_ACCOUNT)
        preloaded = _Preloaded(uow, _Accounts(accounts), files)
        quota_of = {quota.grade: quota for quota in policy.quotas}
        calendar, now = uow.calendar.working_calendar(), rules.now()
        for case in found:
            file = files[case.id]
            named, due_by, overdue = (), None, False
            if waiting.waits_on_someone(case.state, rules.cases.stage_of(case)):  # not an observation period
                named = tuple(waiting_on(preloaded, rules, case))
                due_by = working_days_after(calendar, local_date(case.state_since, policy.tz),
                                            policy.overdue_after_working_days, policy.tz).at
                overdue = case.overdue_since is not None or now >= waiting.first_reminder(policy, calendar,
                                                                                           case.state_since)
            shortfall = file.progress(policy.quorum).shortfall() if case.state == INTERVIEW else None
            items.append(CaseProgress(CaseView(rules, actor, file), named, due_by, overdue,
                                      case.state in BEFORE_DELIBERATION, shortfall,
                                      ranking_area(quota_of.get(case.target_grade), case.manager.org_unit)))
    blocked = any(item.blocks for item in items)
    grades = {grade for case in found for grade in (case.from_grade, case.target_grade)}
    quotas = [quota for quota in policy.quotas if quota.grade in grades]
    return CycleOverview(
        cycle=cycle, members=cycle.member_usernames if sees_committee(actor, cycle) else None, cases=items,
        may_decide=not blocked and _theirs_on_every_case(actor, files, found, DELIBERATION, "decide"),
        may_publish=_theirs_on_every_case(actor, files, found, DECIDED, "cycle_publish"),
        pass_mark=policy.scoring.pass_mark, component_pass_marks=policy.scoring.component_pass_marks,
        quorum=policy.quorum, quotas=quotas, interview=policy.interview,
        appeals=policy.appeals)


def _theirs_on_every_case(actor: Actor, files: dict, cases, state: str, event: str) -> bool:
    """The cycle-wide event is the caller's now: there are cases in `state`, and it is theirs on each (as
    cycles.decide_cycle and publish_cycle require)."""
    targets = [case for case in cases if case.state == state]
    return bool(targets) and all(case_access.may_fire(case_access.standing(actor, files[case.id].people), event)
                                 for case in targets)
