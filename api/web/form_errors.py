"""The services' refusals as a form shows them: next to the field, in the user's language. A RuleViolation
names its fields and rules (workflow/errors.py FieldError); the words come from the catalogues, keyed by the
rule, so that a page never shows the service's English detail. Also the score a field holds, read as the
services take it (a Decimal)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from api.web.i18n import number
from workflow.errors import FieldError


def score_value(text: str | None) -> Decimal | None:
    """The score typed in a field: None when empty; ValueError, with the message to show, when not a number."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(_("Enter a number, such as 85 or 85.5.")) from None


def field_message(error: FieldError, scoring) -> str:
    """`scoring`: the scoring rules of the case's policy version."""
    scale = scoring.scale
    messages = {
        "score_range": lambda: _("Enter a score from %(min)s to %(max)s.", min=number(scale.min),
                                 max=number(scale.max)),
        "score_precision": lambda: _("A score has at most %(places)d decimal places.",
                                     places=scoring.decimal_places),
        "required": lambda: _("This decision needs a score."),
        "not_for_event": lambda: _("This decision takes no score: leave the field empty."),
    }
    return messages.get(error.rule, lambda: _("This value is not accepted."))()


def show_on(form, errors: list[FieldError], scoring, fields: dict[str, str]) -> None:
    """Put each error on the form's field: `fields` maps the service's field names to the form's; an error on
    any other field goes to the form as a whole (form.form_errors)."""
    for error in errors:
        target = fields.get(error.field)
        if target is not None:
            getattr(form, target).errors.append(field_message(error, scoring))
        else:
            form.form_errors.append(field_message(error, scoring))
