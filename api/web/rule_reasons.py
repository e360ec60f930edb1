"""A period close's grading rules (workflow/grading_rules.py) in words, for the close page: a rule's move (up or down
by n grades, a suspension, a reinstatement, an exit) and the evidence of the reason a close records when the rule
holds (each period of its window with its score, metrics and rank; the events of its days counted; the months
worked or held in the grade). The rule's own name is the policy's (its `zh`)."""
from __future__ import annotations

from datetime import date

from flask import Flask
from flask_babel import gettext as _, lazy_gettext as _l, ngettext

from api.web.i18n import day, number, parenthesized, period
from api.web.labels import event_kind, metric_values
from workflow.grading_rules import DOWN, EXIT, REINSTATE, SUSPEND, UP

MOVES = {SUSPEND: _l("suspension (待岗)"), REINSTATE: _l("reinstatement"), EXIT: _l("exit from the ladder")}


def move_words(data: dict | None) -> str:
    """A move (grading_rules.Move.as_data, or a reason carrying one) in words."""
    if not data:
        return ""
    kind, steps = data["move"], data.get("steps", 0)
    if kind == UP:
        return ngettext("up %(num)d grade", "up %(num)d grades", steps)
    if kind == DOWN:
        return ngettext("down %(num)d grade", "down %(num)d grades", steps)
    return str(MOVES.get(kind, kind))


def rule_evidence(reason: dict) -> list[str]:
    """What a rule found, a phrase each: the periods of its window, the events of its days, the months."""
    said = [_period_evidence(p) for p in reason.get("periods", ())]
    if reason.get("events"):
        said.append(_("%(first)s to %(last)s: %(events)s", first=day(date.fromisoformat(reason["from"])),
                      last=day(date.fromisoformat(reason["to"])), events=", ".join(_event_counts(reason["events"]))))
    if "months_worked" in reason:
        said.append(ngettext("%(num)d month worked in the period", "%(num)d months worked in the period",
                             reason["months_worked"]))
    if "months_in_grade" in reason:
        said.append(ngettext("%(num)d month in the grade", "%(num)d months in the grade", reason["months_in_grade"]))
    return said


def _period_evidence(found: dict) -> str:
    """One period of the window: its score, then its metrics and its rank among its peers where the rule read them."""
    details = [f"{name} {number(value)}" for name, value in metric_values(found.get("metrics"))]
    if found.get("peers"):
        details.append(_("ranked %(top)d of %(peers)d, %(bottom)d from the bottom", top=found["rank_from_top"],
                         peers=found["peers"], bottom=found["rank_from_bottom"]))
    scored = _("%(period)s: %(score)s", period=period(found["period"]), score=number(found["score"]))
    return f"{scored} {parenthesized(' · '.join(details))}" if details else scored


def _event_counts(events: dict) -> list[str]:
    counted = []
    for key, count in events.items():
        if key == "longest_leave_days":
            counted.append(ngettext("the longest leave %(num)d day", "the longest leave %(num)d days", count))
        elif key == "leaves":
            counted.append(ngettext("%(num)d leave", "%(num)d leaves", count))
        else:
            counted.append(ngettext("%(kind)s %(num)d time", "%(kind)s %(num)d times", count, kind=event_kind(key)))
    return counted


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(move_words=move_words, rule_evidence=rule_evidence)
