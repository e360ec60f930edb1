"""The only code path that changes a manager's grade."""
from __future__ import annotations

from datetime import date

from workflow.ladder import GradeChangeRefused, GradeMove
from workflow.services.context import Rules


def change_grade(uow, rules: Rules, manager, event: str, *, effective_on: date, case_id: int,
                 target: str | None = None) -> GradeMove:
    """Move `manager` on the ladder and write the dated history row in the same transaction."""
    if effective_on < manager.grade_since:
        raise GradeChangeRefused(f"a grade change effective on {effective_on} would predate the current grade, "
                                 f"held since {manager.grade_since}", effective_on=effective_on)
    now = rules.now()
    move = rules.ladder.fire(manager, event, target=target)
    manager.grade_since = effective_on
    manager.updated_at = now
    uow.grade_history.add(employee_no=manager.employee_no, from_grade=move.from_grade, to_grade=move.to_grade,
                          event=event, effective_on=effective_on, case_id=case_id, recorded_at=now)
    uow.flush()  # one move per flush: the guard in models checks each move against its history row
    return move
