"""The form beside a list of cases that applies one event to the cases ticked (issue 16, point 3): the events
offered are those the services let the caller fire in bulk (workflow/services/bulk.py SHARED_EVENTS) that at least one
listed case offers the caller now (its available_events); a script narrows the choice to the events every ticked
case offers (static/web/bulk-select.js). Each ticked case is sent with the version the page showed, and the
comment and reason given, shared by every case."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from api.cases import APPEAL_REASON_LENGTH
from workflow.services import bulk

COMMENT_LENGTH = 2000  # as the API's event comment (api/cases.py)


class BulkForm(FlaskForm):
    cases = SelectMultipleField(coerce=int, validate_choice=False)  # a case no longer listed is refused per case
    event = SelectField(_l("What to do with the cases ticked"), validate_choice=False,
                        validators=[DataRequired(_l("Choose what to do."))])
    comment = TextAreaField(_l("Comment (optional, recorded with each case)"), validators=[
        Length(max=COMMENT_LENGTH, message=_l("A comment has at most %(max)d characters."))])
    reason = TextAreaField(_l("Reason (for a return, a rejection or a denial; recorded with each case)"), validators=[
        Length(max=APPEAL_REASON_LENGTH, message=_l("A reason has at most %(max)d characters."))])

    def validate_cases(self, field):
        if not field.data:
            raise ValidationError(_l("Tick at least one case."))
        if len(field.data) > bulk.MAX_CASES:
            raise ValidationError(_l("At most %(max)d cases at once.", max=bulk.MAX_CASES))

    def validate_event(self, field):
        if field.data not in bulk.SHARED_EVENTS:
            raise ValidationError(_l("Choose what to do."))


def bulk_events(cases) -> list[str]:
    """The events fired in bulk that at least one of the cases offers the caller, in the machine's order."""
    offered = {event for case in cases for event in case.available_events}
    return [event for event in bulk.SHARED_EVENTS if event in offered]


def offered_in_bulk(case) -> list[str]:
    return [event for event in case.available_events if event in bulk.SHARED_EVENTS]
