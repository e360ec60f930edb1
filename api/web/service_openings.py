"""A case the service opened by itself (a probation over, a period's close, demotions in consecutive years), in the
reader's language.

The service writes such a case's statement, and its first history entry's comment, in English ("probation of 3
months from 2026-01-01 has ended", "2026Q3 quarter close: below_threshold"), and the API gives them as written.
A page words them again from what that first entry recorded: when the probation began, the period closed and the
close's reasons, the years of the demotions. A case someone applied for, or hr opened, keeps its statement: it is
theirs."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from api.web.labels import CloseWords, close_words
from workflow.periods import Period
from workflow.services.case_reads import opening_entry
from workflow.services.case_steps import SYSTEM_ACTOR


@dataclass(frozen=True)
class ServiceOpening:
    probation_started: date | None = None
    demotion_years: tuple[int, ...] = ()
    period: str | None = None
    reasons: tuple[dict, ...] = ()
    words: CloseWords | None = None  # how the close's kind of period is named (the reasons below a threshold)


def service_opening(case, first_entry_data: dict | None) -> ServiceOpening | None:
    """What the service recorded when it opened `case` (its first history entry's data); None for a case a person
    opened, or one whose first entry says nothing the page can word."""
    if case.created_by != SYSTEM_ACTOR or not first_entry_data:
        return None
    data = first_entry_data
    if "probation_started" in data:
        return ServiceOpening(probation_started=date.fromisoformat(data["probation_started"]))
    if "demotion_years" in data:
        return ServiceOpening(demotion_years=tuple(data["demotion_years"]))
    if "quarter_close" in data and "period" in data:
        return ServiceOpening(period=data["period"], reasons=tuple(data["quarter_close"]),
                              words=close_words(Period.parse(data["period"]).kind))
    return None


def read_service_opening(uow, case) -> ServiceOpening | None:
    """service_opening for a page that has not read the case's history (`case`: a CaseView, visible_case's): its
    first entry is read only for a case the service opened."""
    if case.created_by != SYSTEM_ACTOR:
        return None
    first = opening_entry(uow, case)
    return service_opening(case, first["data"] if first is not None else None)
