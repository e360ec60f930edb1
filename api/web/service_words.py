"""What the service itself writes on a case, in the reader's language: the statement of a case it opened (a
probation over, a period's close, demotions in consecutive years) and the comments of the history entries it
records (an interview complete, a close's direct move decided).

The service writes them in English ("probation of 3 months from 2026-01-01 has ended", "2026Q3 quarter close:
below_threshold", "every committee member who counts for this case has scored"), and the API gives them as
written. A page words them again from what the entries recorded: when the probation began, the period closed and
the close's reasons, the years of the demotions, the event. What a person wrote (an applicant's statement, a
reviewer's comment) is shown as they wrote it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from api.web.i18n import clauses
from api.web.labels import CloseWords, close_words, reason
from workflow.periods import Period
from workflow.services.case_reads import opening_entry
from workflow.services.case_steps import SYSTEM_ACTOR
from workflow.services.committee import INTERVIEW_COMPLETE
from workflow.services.finalization import DIRECT_DECISION


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


def opening_told_by(entry: dict, case) -> ServiceOpening | None:
    """service_opening, when `entry` (as case_history gives it) is the case's first."""
    return service_opening(case, entry["data"]) if entry["seq"] == 1 else None


def read_service_opening(uow, case) -> ServiceOpening | None:
    """service_opening for a page that has not read the case's history (`case`: a CaseView, visible_case's): its
    first entry is read only for a case the service opened."""
    if case.created_by != SYSTEM_ACTOR:
        return None
    first = opening_entry(uow, case)
    return service_opening(case, first["data"] if first is not None else None)


# the comments the service writes on the history entries it records by itself, by what it wrote
_COMMENTS = {INTERVIEW_COMPLETE: _l("Every committee member who counts for this case has scored."),
             DIRECT_DECISION: _l("Decided at the close: its grading rule takes effect directly, without a review.")}


def history_comment(entry: dict) -> str | None:
    """An entry's comment (an entry as case_history gives it) for the page: a person's as they wrote it, the
    service's in the reader's language; a close's direct move refused is told by its reasons, as the case's result
    names them. A comment of the service's this does not know stays as written."""
    if entry["actor"] != SYSTEM_ACTOR or not entry["comment"]:
        return entry["comment"]
    if entry["event"] == "deny" and entry["data"].get("reasons"):
        return clauses(map(reason, entry["data"]["reasons"]))
    return str(_COMMENTS.get(entry["comment"], entry["comment"]))


def comment_text(entry: dict, case) -> str | None:
    """An entry's comment for a spreadsheet's cell: a person's as they wrote it, the service's as the page words it
    (case_parts.html's entry_comment), as plain text."""
    if entry["actor"] != SYSTEM_ACTOR:
        return entry["comment"]
    macros = current_app.jinja_env.get_template("web/case_parts.html").module
    return Markup(macros.entry_comment(entry, case)).striptags() or None


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(history_comment=history_comment, opening_told_by=opening_told_by)
