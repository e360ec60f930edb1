"""Why the rules refused one case of a bulk action (workflow/services/bulk.py Outcome), in the page's language:
keyed by the refusal's code (the code the API answers with), never the service's English detail."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from api.web.form_errors import field_message
from api.web.labels import state
from workflow.errors import DomainError, RuleViolation

_BY_CODE = {
    "version_conflict": _l("The case changed meanwhile (someone acted on it after this page was shown): nothing was "
                           "done. Reload the page and try again."),
    "not_found": _l("No such case, or not one you may see."),
    "forbidden": _l("This is not yours to do on this case."),
    "recused": _l("You are recused from this case: you no longer score it."),
    "quota_exceeded": _l("The quota of its grade is full."),
    "below_pass_mark": _l("Its final score is below the pass mark."),
    "component_below_pass_mark": _l("A part of its score is below that part's pass mark."),
    "quorum_not_met": _l("The interview lacks the quorum of scores."),
    "no_annual_performance": _l("The applicant has no annual performance score to decide on: HR must record one "
                                "first."),
    "no_period_results": _l("The applicant lacks performance records the decision counts: HR must record them "
                            "first."),
    "no_exam_result": _l("The applicant has no exam result within the window the decision counts: HR must record "
                         "one first."),
    "no_stage_score": _l("A stage the decision weighs has no score on this case (the stage was added to the policy "
                         "after the case passed it)."),
    "appeal_exists": _l("An appeal has been filed already."),
    "internal_error": _l("This case failed for an unexpected reason (it has been logged); the others were done."),
}


def refusal_words(refusal: DomainError, scoring=None) -> str:
    """The sentence that tells the user why the case was refused; `scoring`: the rules of a score's scale, for a
    refused score."""
    if isinstance(refusal, RuleViolation) and scoring is not None:
        return " ".join(field_message(error, scoring) for error in refusal.errors)
    if refusal.code == "invalid_transition":
        return _("Not possible while the case is %(state)s.", state=state(refusal.extra.get("state")))
    return code_words(refusal.code)


def code_words(code: str) -> str:
    """A refusal's code in words (the code itself only within a sentence, for one not worded here)."""
    found = _BY_CODE.get(code)
    return str(found) if found is not None else _("Refused by the rules (%(code)s).", code=code)
