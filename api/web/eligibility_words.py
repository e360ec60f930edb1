"""How an eligibility rule failed, with its figures, in the reader's language: the months in grade still missing and
the day an application becomes possible, the rank against the cutoff, the periods below the score asked for. The
API gives the same in English (Refusal.detail); the pages say it from the refusal's facts (workflow/eligibility.py)."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from api.web import labels
from api.web.blueprint import bp
from api.web.i18n import day, listed, number, period, sentences
from workflow.eligibility import Refusal


def refusal_facts(refusal: Refusal) -> str:
    """The sentence of the refusal's figures; empty where the rule's own words say everything."""
    say = _SENTENCES.get(refusal.rule)
    return say(refusal.facts) if say is not None and refusal.facts else ""


def _grades(facts: dict) -> dict:
    return {key: labels.grade(facts[key]) for key in ("grade", "target") if key in facts}


def _goes_up(f: dict) -> str:
    return _("%(target)s is not above your grade, %(grade)s.", **_grades(f))


def _steps(f: dict) -> str:
    moved = ngettext("%(grade)s → %(target)s is %(num)d grade up.", "%(grade)s → %(target)s is %(num)d grades up.",
                     f["steps"], **_grades(f))
    if f["exceptional"]:
        return sentences(moved, ngettext("An exceptional promotion goes at most %(num)d grade.",
                                         "An exceptional promotion goes at most %(num)d grades.", f["allowed"]))
    return sentences(moved, ngettext("A promotion goes %(num)d grade at a time.",
                                     "A promotion goes %(num)d grades at a time.", f["allowed"]))


def _tenure(f: dict) -> str:
    return _("%(target)s needs %(required)d months as %(grade)s; %(months)d completed since %(since)s: you may apply "
             "from %(day)s.", required=f["required"], months=f["months"], since=day(f["since"]), day=day(f["from_day"]),
             **_grades(f))


def _rank(f: dict) -> str:
    if f["rank"] is None:
        return _("No annual score of yours is recorded, so you have no rank.")
    return _("%(target)s needs the top %(top)s%% of the %(grade)s managers of your org unit by the %(period)s score, "
             "a rank of %(cutoff)d or better among %(ranked)d; your rank is %(rank)d.", top=number(f["top_percent"]),
             period=period(f["period"]), cutoff=f["cutoff"], ranked=f["ranked"], rank=f["rank"], **_grades(f))


def _education(f: dict) -> str:
    if not f["recorded"]:
        return _("%(grade)s needs %(needed)s or above; your record shows no education.", grade=labels.grade(f["grade"]),
                 needed=f["needed"])
    return _("%(grade)s needs %(needed)s or above; your record shows %(recorded)s.", grade=labels.grade(f["grade"]),
             needed=f["needed"], recorded=f["recorded"])


def _recent(f: dict) -> str:
    short = listed(_("%(period)s: no record", period=period(p)) if score is None
                   else _("%(period)s: %(score)s", period=period(p), score=number(score)) for p, score in f["short"])
    return _("%(grade)s needs at least %(min)s in each of %(periods)s; below it: %(short)s.",
             grade=labels.grade(f["grade"]), min=number(f["min_score"]), periods=listed(map(period, f["periods"])),
             short=short)


def _age(f: dict) -> str:
    if f["age"] is None:
        return _("%(grade)s is open up to the age of %(max)d; no birth date of yours is recorded.",
                 grade=labels.grade(f["grade"]), max=f["max_age"])
    return _("%(grade)s is open up to the age of %(max)d; you are %(age)d.", grade=labels.grade(f["grade"]),
             max=f["max_age"], age=f["age"])


def _certificates(f: dict) -> str:
    return _("%(grade)s needs certificates your record does not show: %(missing)s.", grade=labels.grade(f["grade"]),
             missing=listed(f["missing"]))


def _exam(f: dict) -> str:
    needed = _("%(grade)s needs at least %(min)s in %(exam)s, taken since %(since)s", grade=labels.grade(f["grade"]),
               min=number(f["min_score"]), exam=f["exam"], since=day(f["since"]))
    if f["score"] is None:
        return _("%(needed)s; no such result of yours is recorded.", needed=needed)
    return _("%(needed)s; your latest, on %(day)s, scored %(score)s.", needed=needed, day=day(f["taken_on"]),
             score=number(f["score"]))


def _open_case(f: dict) -> str:
    return _("Your case №%(id)d is open.", id=f["case_id"]) if f["case_id"] else ""


_SENTENCES = {"promotion_goes_up": _goes_up, "one_step_at_a_time": _steps, "tenure": _tenure,
              "performance_rank": _rank, "education": _education, "recent_results": _recent, "age": _age,
              "certificates": _certificates, "exam": _exam, "one_open_case": _open_case}

bp.add_app_template_filter(refusal_facts, "refusal_facts")
