"""Fire what is due: thin and query-driven. Each case is finalized in its own transaction, so that
one that cannot be finalized (logged and reported) holds up no other; running twice, or late,
has the effect of running once."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from workflow.errors import Conflict
from workflow.services.context import Rules
from workflow.services.finalization import due_case_ids, finalize_case

log = logging.getLogger("gradeflow.scheduler")


@dataclass
class DueRun:
    until: datetime
    finalized: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


def run_due(unit_of_work: Callable, rules: Rules, until: datetime | None = None) -> DueRun:
    """Finalize every case whose appeal window had closed at `until` (default: now)."""
    run = DueRun(until or rules.now())
    with unit_of_work() as uow:
        case_ids = due_case_ids(uow, run.until)
    for case_id in case_ids:
        try:
            with unit_of_work() as uow:
                if finalize_case(uow, rules, case_id, run.until):
                    run.finalized.append(case_id)
        except Conflict as exc:
            if exc.code != "version_conflict":
                log.error("case %s could not be finalized: %s", case_id, exc.detail)
                run.failed[case_id] = exc.detail
            # else: another process finalized it (or an appeal came in) at the same moment
        except Exception as exc:  # one case's failure holds up no other
            log.exception("case %s could not be finalized", case_id)
            run.failed[case_id] = getattr(exc, "detail", None) or f"{type(exc).__name__}: {exc}"
    return run
