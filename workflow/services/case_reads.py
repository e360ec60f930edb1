"""What a caller sees of cases: one case, a page of them, a case's history.

Each read loads the cases' files once and returns objects that the API's schemas dump as they are
(`CaseView` for CaseSchema): the list of fields lives in the schema, not here too.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from workflow import case_access, waiting
from workflow.accounts import Actor
from workflow.calendar import working_days_after
from workflow.case_access import HR_PARTY, MEMBER, Standing
from workflow.case_file import CaseFile
from workflow.case_machine import PUBLISHED_STATES
from workflow.clock import local_date
from workflow.services.case_steps import SYSTEM_ACTOR, load_case
from workflow.services.context import Rules
from workflow.services.due import waiting_on
from workflow.services.governing import rules_for

_RESULT_KEYS = frozenset({"score", "supervisor_score", "supervisor_items", "interview_score", "performance_score",
                          "exam_score", "stage_scores", "deductions", "final_score", "rank", "outcome", "reasons"})
_REVIEWERS_OWN = frozenset({"supervisor_score", "supervisor_items"})
_COMMITTEE_EVENTS = frozenset({"score", "recusal", "interview_complete", "close_interview", "decide", "approve",
                               "deny"})


class CaseView:
    """A case as one caller may see it, with what they may do now: built from its file, no query. Scores and
    the decision read None until the caller may see them; every other attribute is the case's own."""

    def __init__(self, rules: Rules, actor: Actor, file: CaseFile):
        self._rules, self._actor, self._file, self._case = rules, actor, file, file.case
        self._standing = case_access.standing(actor, file.people)
        self._hidden = _hidden_results(self._case, self._standing)

    @classmethod
    def of(cls, uow, rules: Rules, actor: Actor, file: CaseFile) -> "CaseView":
        """The view under the rules that govern the case (the policy version it was opened under)."""
        return cls(rules_for(uow, rules, file.case), actor, file)

    def __getattr__(self, name: str):
        if name in self._hidden:
            return None
        return getattr(self._case, name)

    @property
    def cycle(self) -> str | None:
        return self._case.cycle_code

    @property
    def applicant_name(self) -> str:
        return self._case.manager.name

    @property
    def org_unit(self) -> str:
        return self._case.manager.org_unit

    @property
    def waiting_since(self):
        return self._case.state_since

    @property
    def overdue(self) -> bool:
        return self._case.overdue_since is not None

    @property
    def scoring(self):
        """The scoring rules of the case's policy version (its scale, for a form)."""
        return self._rules.policy.scoring

    @property
    def own_stage(self):
        """The policy's own stage the case is in (workflow/stages.py), or None."""
        return self._rules.cases.stage_of(self._case)

    @property
    def own_stages(self) -> tuple:
        """The stages of its own that the case's policy puts in a case of its kind (workflow/stages.py)."""
        return self._rules.cases.stages_for(self._case.kind)

    @property
    def opening_state(self) -> str:
        """The state a case of its kind opens in under its policy."""
        return self._rules.cases.opening(self._case.kind)[0]

    @property
    def possible_moves(self) -> tuple:
        """The moves of the case machine under the case's policy (with its stages or without)."""
        return self._rules.cases.moves

    def deduction_label(self, code: str) -> str:
        return next((d.label for d in self._rules.policy.scoring.deductions if d.code == code), code)

    def supervisor_item_label(self, code: str) -> str:
        return next((i.label for i in self._rules.policy.scoring.supervisor_items if i.code == code), code)

    def stage_label(self, code: str) -> str:
        return next((s.label for s in self.own_stages if s.code == code), code)

    @property
    def stands_in_for(self) -> list[str]:
        """The absent people in whose stead the caller acts on this case (workflow/delegations.py)."""
        return sorted({who for _party, who in self._standing.behalf})

    @property
    def available_events(self) -> list[str]:
        return case_access.available_events(self._rules, self._file, self._standing)

    @property
    def kept_apart(self) -> list[str]:
        """The events the caller would do but for four eyes: they did another review step of the case."""
        return case_access.kept_apart(self._rules, self._file, self._standing)

    @property
    def interview(self) -> dict | None:
        """For the committee, hr and admins, on a case of a cycle whose policy has the interview."""
        if not (self._case.cycle_code and self._rules.policy.interview
                and self._standing.is_(MEMBER, HR_PARTY, case_access.ADMIN_PARTY)):
            return None
        case, progress = self._case, self._file.progress(self._rules.policy.quorum)
        scores = sorted(case.scores, key=lambda s: s.username)  # one appended in this request comes last
        seat = self._standing.on_behalf_of({MEMBER}) or self._actor.username  # a substitute's: the member's
        mine = next((s for s in scores if s.username == seat), None)
        return {
            "quorum": progress.quorum, "counting_members": list(progress.eligible), "scored": list(progress.scored),
            "recusals": [{"member": r.username, "reason": r.reason}
                         for r in sorted(case.recusals, key=lambda r: r.username)],
            "quorum_reachable": progress.quorum_reachable,
            "my_score": mine.score if mine else None, "recused": self._standing.recused,
            "scores": None if self._hidden else [{"member": s.username, "score": s.score, "comment": s.comment,
                                                  "counts": s.username in progress.eligible} for s in scores],
        }


def visible_case(uow, rules: Rules, actor: Actor, case_id: int) -> CaseView:
    return CaseView.of(uow, rules, actor, load_case(uow, actor, case_id)[0])


def list_cases(uow, rules: Rules, actor: Actor, *, page: int, per_page: int, cycle: str | None = None,
               state: str | None = None, kind: str | None = None, mine: bool = False,
               employee_no: str | None = None, overdue: bool | None = None, open_only: bool = False,
               escalated: bool | None = None) -> tuple[list[CaseView], int]:
    """The cases the caller may see (hr and admins: all), filtered; `mine`: those the caller applied in;
    `employee_no`: those of that manager; `open_only`: those not final yet; `escalated`: those escalated past an
    absent supervisor now (or not)."""
    if mine:
        if actor.employee_no is None:
            return [], 0
        employee_no = actor.employee_no
    cases, total = uow.cases.page(page, per_page, visible_to=case_access.scope_of(actor), cycle=cycle, state=state,
                                  kind=kind, employee_no=employee_no, overdue=overdue,
                                  open_only=open_only, escalated=escalated)
    return [CaseView.of(uow, rules, actor, file) for file in uow.cases.files(cases)], total


def cases_by_id(uow, rules: Rules, actor: Actor, case_ids) -> dict[int, CaseView]:
    """The cases of these ids the caller may see, by id (the others are left out), in a fixed number of queries."""
    cases = uow.cases.with_ids(case_ids, visible_to=case_access.scope_of(actor))
    return {file.case.id: CaseView.of(uow, rules, actor, file) for file in uow.cases.files(cases)}


def case_history(uow, actor: Actor, case_id: int) -> list[dict]:
    """Every entry, oldest first. For a caller who may not see scores yet, scores and the decision
    are left out of `data`, and the committee's entries (scores, recusals, decisions) lose their
    comment and the member's name."""
    return history_entries(uow, *load_case(uow, actor, case_id))


def opening_entry(uow, view: CaseView) -> dict | None:
    """The first entry of a case its caller has already loaded (visible_case), as case_history gives it: one
    query, not the whole history."""
    first = uow.cases.opening(view.id)
    return history_entries(uow, view._file, view._standing, read=[first])[0] if first is not None else None


# who a committee member's step is shown as done by, to whom may not see the members' names yet
COMMITTEE_ACTOR = "(committee)"


def history_entries(uow, file: CaseFile, standing, read=None) -> list[dict]:
    """case_history of a case already loaded (its file and the caller's standing); `read`: its history rows if
    they were read already (uow.cases.histories, for many cases at once)."""
    hidden = _hidden_results(file.case, standing)
    entries = []
    for entry in uow.cases.history(file.case.id) if read is None else read:
        data = {k: v for k, v in (entry.data or {}).items() if k not in hidden}
        actor_name, comment = entry.actor, entry.comment
        if hidden and entry.event in _COMMITTEE_EVENTS:
            data.pop("member", None)
            data.pop("scored", None)
            data.pop("on_behalf_of", None)  # a member's name too
            comment = None
            if actor_name != SYSTEM_ACTOR:
                actor_name = COMMITTEE_ACTOR
        entries.append({"seq": entry.seq, "at": entry.at, "actor": actor_name, "event": entry.event,
                        "from_state": entry.from_state, "to_state": entry.to_state, "comment": comment,
                        "data": data})
    return entries


def _hidden_results(case, standing: Standing) -> frozenset[str]:
    """The scores and decision fields the caller may not see yet; whoever reviewed the materials sees
    their own score."""
    if case_access.sees_scores(standing, state=case.state, published=case.state in PUBLISHED_STATES):
        return frozenset()
    return _RESULT_KEYS - _REVIEWERS_OWN if standing.is_(case_access.REVIEWER) else _RESULT_KEYS


# --- what waits on a caller: the start page of the web pages -----------------------------------------------

WAITING_PER_STATE = 500  # the most cases read per waiting state


@dataclass(frozen=True)
class WaitingCase:
    """A case waiting on the caller: since when, the end of the last working day it may wait (the policy's
    overdue_after_working_days after it entered its state), and whether it is overdue (flagged by the reminder,
    or past the moment the reminder flags it)."""
    case: CaseView
    since: datetime
    due_by: datetime
    overdue: bool


def cases_waiting_on(uow, rules: Rules, actor: Actor) -> list[WaitingCase]:
    """The open cases waiting on the caller, overdue first, then by how soon they fall due. "Waiting on" is
    due.waiting_on's answer, the people the reminders go to (hr where nobody else can act). A fixed number of
    queries whatever the number of cases: the cases of each waiting state the caller may see, their people, the
    accounts and the calendar, each read once; waiting_on then runs on them in memory. A substitute's also: those
    waiting on the people they stand in for today, where they may act on them."""
    scope = case_access.scope_of(actor)
    cases = []
    for state in sorted(waiting.WAITING_STATES):
        found, _total = uow.cases.page(1, WAITING_PER_STATE, visible_to=scope, state=state)
        cases.extend(found)
    if not cases:
        return []
    files = {file.case.id: file for file in uow.cases.files(cases)}
    accounts, _total = uow.users.page(1, _EVERY_ACCOUNT)
    preloaded = _Preloaded(uow, _Accounts(accounts), files)
    calendar, now = uow.calendar.working_calendar(), rules.now()
    absent = {s.principal.username for s in actor.stands_in_for}  # a substitute acts for them today
    items = []
    for case in cases:
        governing = rules_for(uow, rules, case)
        waits_on = set(waiting_on(preloaded, governing, case))
        view = CaseView(governing, actor, files[case.id])
        if actor.username not in waits_on and not (waits_on & absent and view.available_events):
            continue
        since, policy = case.state_since, governing.policy
        due_by = working_days_after(calendar, local_date(since, policy.tz), policy.overdue_after_working_days,
                                    policy.tz).at
        overdue = case.overdue_since is not None or now >= waiting.first_reminder(policy, calendar, since)
        items.append(WaitingCase(view, since, due_by, overdue))
    return sorted(items, key=lambda item: (not item.overdue, item.due_by, item.case.id))


_EVERY_ACCOUNT = 1_000_000


class _Accounts:
    """outbox.active_users answered from the accounts read once (same answers: active accounts, by username)."""

    def __init__(self, users):
        active = sorted((u for u in users if u.active), key=lambda u: u.username)
        self._all = [u.username for u in active]
        self._by_role: dict[str, list[str]] = {}
        self._by_employee: dict[str, list] = {}
        for user in active:
            for role in user.roles:
                self._by_role.setdefault(role, []).append(user.username)
            if user.employee_no is not None:
                self._by_employee.setdefault(user.employee_no, []).append(user)

    def active_users(self, *, role: str | None = None, employee_no: str | None = None) -> list[str]:
        if employee_no is not None:
            return [u.username for u in self._by_employee.get(employee_no, ()) if role is None or role in u.roles]
        return list(self._by_role.get(role, ()) if role is not None else self._all)


class _Files:
    def __init__(self, cases, files: dict):
        self._cases, self._files = cases, files

    def files(self, cases):
        return [self._files[case.id] for case in cases]

    def __getattr__(self, name: str):
        return getattr(self._cases, name)


class _Preloaded:
    """The unit of work as waiting_on reads it, over many cases: the accounts and the case files from what was
    read once; anything else from the real unit of work."""

    def __init__(self, uow, accounts: _Accounts, files: dict):
        self._uow, self.outbox, self.cases = uow, accounts, _Files(uow.cases, files)

    def __getattr__(self, name: str):
        return getattr(self._uow, name)
