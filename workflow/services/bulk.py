"""Bulk work (issue 16, point 3): one event fired on many cases, a committee member's whole scoring sheet.

Each case is done by the single-case use case (cases.fire_event, committee.put_score), in a unit of work of its
own: the same checks, history, timers and audit entries as one request per case, and the same locks. A case the
rules refuse rolls back alone; the ones before and after it stay done. The answer names, per case, what was done
or why it was refused (the refusal is the domain error the single request would have answered).

Cases are done in the order given, each committed before the next begins, so that no lock is held longer than
one case takes, and two bulk requests over the same cases never wait on each other for more than one case: the
second finds each case as the first left it, and the rules refuse what is no longer possible there (an event
fires once; an If-Match version sent with a case catches any change).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from workflow.accounts import ADMIN, COMMITTEE, HR, Actor
from workflow.case_access import scope_of
from workflow.case_machine import CALLER_EVENTS, SCORED_EVENTS
from workflow.case_file import CaseFile
from workflow.errors import DomainError, FieldError, NotFound, RuleViolation, Unexpected, Violations
from workflow.services import cases, committee
from workflow.services.context import Rules
from workflow.services.cycles import get_cycle, sees_committee
from workflow.services.unit_of_work import UnitOfWork

log = logging.getLogger("gradeflow.bulk")

MAX_CASES = 500  # per request: a bulk request's cases are done one after another, within one HTTP request
# Every event a single request fires may be fired in bulk, with the inputs a single request takes (the keyword
# arguments of cases.fire_event), shared by every case or given per case.
EVENTS = CALLER_EVENTS
# The events a page applies to the cases ticked with one shared comment and reason: not those that take a score of
# each case, nor an applicant's appeal.
SHARED_EVENTS = tuple(e for e in EVENTS if e not in SCORED_EVENTS and e != "appeal")

DONE, REFUSED, VERSION_CONFLICT = "done", "refused", "version_conflict"


@dataclass(frozen=True)
class Outcome:
    """What became of one case: done (its state and version after), or refused (the error a single request on
    it would have been answered with)."""
    case_id: int
    state: str | None = None
    version: int | None = None
    refusal: DomainError | None = None

    @property
    def result(self) -> str:
        if self.refusal is None:
            return DONE
        return VERSION_CONFLICT if self.refusal.code == VERSION_CONFLICT else REFUSED


@dataclass(frozen=True)
class CaseRequest:
    """One case of a bulk request, with the version the caller saw (None: whatever it is now) and the event's
    inputs for this case (a supervisor score, a reason, ...), which take precedence over shared ones."""
    case_id: int
    version: int | None = None
    inputs: Mapping[str, object] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class SheetRow:
    """One row of a committee member's scoring sheet."""
    case_id: int
    score: Decimal
    comment: str | None = None
    version: int | None = None


def check_size(field: str, count: int) -> None:
    if count > MAX_CASES:
        raise RuleViolation([FieldError(field, "max_cases", f"at most {MAX_CASES} cases in one request, not {count}")])


def check_unique(field: str, case_ids: Sequence[int]) -> None:
    """A case named twice would be done twice (a score recorded twice): refused before anything is done."""
    problems, seen = Violations(), set()
    for index, case_id in enumerate(case_ids):
        if case_id in seen:
            problems.add(f"{field}.{index}", "unique_case", f"case {case_id} is named more than once")
        seen.add(case_id)
    problems.raise_if_any()


def each_case(make_uow: Callable[[], UnitOfWork], case_ids: Sequence[int],
              act: Callable[[UnitOfWork, int], CaseFile]) -> list[Outcome]:
    """`act(uow, case_id)` for each case, in a unit of work of its own; a refusal undoes that case only."""
    outcomes = []
    for case_id in case_ids:
        try:
            with make_uow() as uow:
                case = act(uow, case_id).case
                state = case.state  # read before the commit expires the row
                version = case.version
        except DomainError as refusal:
            outcomes.append(Outcome(case_id, refusal=refusal))
        except Exception:  # noqa: BLE001 - the cases already done stay done: the answer must say which they are
            log.exception("bulk work on case %s failed", case_id)
            outcomes.append(Outcome(case_id, refusal=Unexpected("this case failed unexpectedly; it has been logged")))
        else:
            outcomes.append(Outcome(case_id, state, version))
    return outcomes


def matching_cases(uow: UnitOfWork, actor: Actor, *, kind: str | None = None, state: str | None = None,
                   cycle: str | None = None) -> list[int]:
    """The ids of the cases a filter names, among those the caller may see, oldest first; 422 beyond MAX_CASES."""
    ids = uow.cases.ids(visible_to=scope_of(actor), kind=kind, state=state, cycle=cycle, limit=MAX_CASES + 1)
    if len(ids) > MAX_CASES:
        raise RuleViolation([FieldError("filter", "max_cases", f"the filter matches more than {MAX_CASES} cases: "
                                        "narrow it (by cycle, kind or state) or name the cases")])
    return ids


def fire_events(make_uow: Callable[[], UnitOfWork], rules: Rules, actor: Actor, event: str,
                targets: Sequence[CaseRequest], **shared) -> list[Outcome]:
    """POST /cases/events: `event` on each case, as POST /cases/{id}/events fires it, with the inputs `shared` by
    every case overridden by the case's own; the single request's use case checks them case by case."""
    by_case = {t.case_id: t for t in targets}

    def fire(uow: UnitOfWork, case_id: int) -> CaseFile:
        target = by_case[case_id]
        inputs = {name: given for name, given in (shared | dict(target.inputs)).items() if given is not None}
        return cases.fire_event(uow, rules, actor, case_id, event, version=target.version, **inputs)
    return each_case(make_uow, list(by_case), fire)


def score_sheet(make_uow: Callable[[], UnitOfWork], rules: Rules, actor: Actor, cycle_code: str,
                rows: Sequence[SheetRow]) -> list[Outcome]:
    """POST /cycles/{code}/scores: each row's score, as PUT /cases/{id}/score records it (recusal, the interview's
    state, the score's scale and the automatic end of the interview alike); a case of another cycle is not on the
    sheet (not_found, as for a case the caller may not see)."""
    with make_uow() as uow:
        cycle = get_cycle(uow, cycle_code)
        # a member's sheet, by their role as it is now (or hr's and an admin's, who see it refused row by row)
        if not (actor.has(HR, ADMIN) or (actor.has(COMMITTEE) and sees_committee(actor, cycle))):
            raise NotFound(f"no cycle {cycle_code}")
    by_case = {row.case_id: row for row in rows}

    def score(uow: UnitOfWork, case_id: int) -> CaseFile:
        row = by_case[case_id]
        file = committee.put_score(uow, rules, actor, case_id, score=row.score, comment=row.comment,
                                   version=row.version)
        if file.case.cycle_code != cycle_code:  # raised before the commit: the score is not kept
            raise NotFound(f"case {case_id} is not on the scoring sheet of cycle {cycle_code}")
        return file
    return each_case(make_uow, list(by_case), score)


def counts(outcomes: Sequence[Outcome]) -> dict[str, int]:
    """How many cases were done, refused and found changed."""
    found = {DONE: 0, REFUSED: 0, VERSION_CONFLICT: 0}
    for outcome in outcomes:
        found[outcome.result] += 1
    return found

