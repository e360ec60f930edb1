"""The steps every case use case is made of: load the case's file, claim the case, move it by the
machine, write history.

A use case that changes a case loads it locked (SELECT ... FOR UPDATE on PostgreSQL; on SQLite its
unit of work holds the database's write lock from its first statement), so no other change can come
between what it reads and what it writes. It claims the case (`claim`) exactly once: the version
grows by one per use case, and the versioned UPDATE that commits it fails with version_conflict if
the row changed anyway (a copy read without the lock), rolling back everything the use case wrote.
"""
from __future__ import annotations

from decimal import Decimal

from workflow import case_access
from workflow.case_access import Standing
from workflow.case_file import CaseFile
from workflow.errors import Conflict, FieldError, NotFound, RuleViolation
from workflow.scoring import score_problem
from workflow.services import timers
from workflow.services.context import Rules

SYSTEM_ACTOR = "(gradeflow)"  # the history's actor for moves the service makes by itself


def record(uow, rules: Rules, case, *, actor: str, event: str, from_state: str | None, to_state: str,
           comment: str | None = None, data: dict | None = None, on_behalf_of: str | None = None):
    """`on_behalf_of`: the absent person whose substitute `actor` is (workflow/delegations.py), named in `data`."""
    data = (data or {}) | ({"on_behalf_of": on_behalf_of} if on_behalf_of else {})
    return uow.cases.add_history(case, at=rules.now(), actor=actor, event=event, from_state=from_state,
                                 to_state=to_state, comment=comment, data=data)


def move(uow, rules: Rules, case, event: str, *, actor: str, comment: str | None = None,
         data: dict | None = None, on_behalf_of: str | None = None) -> None:
    """Fire `event` on the case by the shared machine and write the history entry (naming the stage entered, where
    the case is in one of its policy's own stages now)."""
    before, after = rules.cases.fire(case, event)
    if case.stage is not None:
        data = (data or {}) | {"to_stage": case.stage}
    entry = record(uow, rules, case, actor=actor, event=event, from_state=before, to_state=after, comment=comment,
                   data=data, on_behalf_of=on_behalf_of)
    timers.state_entered(uow, rules, case, entry)


def claim(rules: Rules, case) -> None:
    case.updated_at = rules.now()
    case.version += 1


def check_version(case, expected: int | None) -> None:
    """If-Match / "version": refuse a change made against a stale copy of the case."""
    if expected is not None and expected != case.version:
        raise Conflict("version_conflict", f"case {case.id} is at version {case.version}, not {expected}; "
                       "reload it and try again", version=case.version)


def load_case(uow, actor, case_id: int, *, for_update: bool = False) -> tuple[CaseFile, Standing]:
    """(the case's file, the caller's standing); NotFound also when the caller may not see the case."""
    file = uow.cases.file(case_id, for_update=for_update)
    if file is None:
        raise NotFound(f"no case {case_id}")
    standing = case_access.standing(actor, file.people)
    if not case_access.can_view(standing):
        raise NotFound(f"no case {case_id}")
    return file, standing


def check_score(rules: Rules, field: str, value: Decimal) -> None:
    if (problem := score_problem(rules.policy.scoring, value)) is not None:
        raise RuleViolation([FieldError(field, *problem)])
