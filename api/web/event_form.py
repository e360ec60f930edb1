"""The form of an event on a manager's record (hr, on the manager's page) and the service's refusals next to its
fields in the user's language: workflow/manager_events.py entry_problems names each field and rule, and
workflow/services/manager_events.py record_event refuses an event in a period already closed (period_closed). The
form checks only what it reads (a date, a whole number, the note's length); the service judges the rest."""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from api.web.choices import options
from api.web.i18n import day, period
from api.web.labels import EVENT_KINDS, LEAVE_REASONS
from workflow.errors import Conflict, FieldError
from workflow.manager_events import MAX_LEAVE_DAYS, MAX_NOTE, SUSPENSION

FIELDS = ("kind", "occurred_on", "days", "reason", "note")  # the service's names, the form's too
ENTER_A_DATE = _l("Enter a date, such as 2026-10-10.")


class EventForm(FlaskForm):
    # a kind not chosen is told with a day not given, in one answer (a kind not known is the service's to judge)
    kind = SelectField(_l("Event"), choices=options(EVENT_KINDS, empty=_l("Choose…")), validate_choice=False,
                       validators=[InputRequired(_l("Choose the kind of event."))])
    occurred_on = DateField(_l("Day it happened"), validators=[InputRequired(ENTER_A_DATE)],
                            invalid_value_message=ENTER_A_DATE)
    days = IntegerField(_l("Days of leave"), validators=[Optional()], render_kw={"min": 1, "max": MAX_LEAVE_DAYS},
                        invalid_value_message=_l("Enter a whole number of days, such as 3."))
    reason = SelectField(_l("Reason of the leave"), choices=options(LEAVE_REASONS, empty="—"), validate_choice=False)
    note = TextAreaField(_l("Note"), validators=[
        Length(max=MAX_NOTE, message=_l("At most %(max)d characters.", max=MAX_NOTE))])

    def entered(self) -> dict:
        """The event as record_event takes it."""
        return dict(kind=self.kind.data or "", occurred_on=self.occurred_on.data, days=self.days.data,
                    reason=self.reason.data or None, note=self.note.data or None)

    def show_refusals(self, errors: list[FieldError], hire_date: date) -> None:
        """Each of the service's errors next to its field (an error of the manager as a whole: above the button)."""
        for error in errors:
            self._show(error.field, _message(error.field, error.rule, self.kind.data, hire_date))

    def show_conflict(self, refused: Conflict) -> None:
        if refused.code == "period_closed":
            message = _("%(period)s is closed: its close counted the record as it was, so an event of this day can "
                        "no longer be entered.", period=period(refused.extra.get("period")))
        else:
            message = _("This value is not accepted.")
        self._show(refused.extra.get("field"), message)

    def _show(self, field: str | None, message: str) -> None:
        (getattr(self, field).errors if field in FIELDS else self.form_errors).append(message)


def _message(field: str, rule: str, kind: str | None, hire_date: date) -> str:
    by_field = {
        ("days", "required"): lambda: _("Enter the length of the leave in days."),
        ("reason", "required"): lambda: _("Choose why the manager was absent."),
        ("note", "required"): lambda: _("Say why: a suspension or a reinstatement is explained on the record."),
        ("days", "leave_only"): lambda: _("Only a leave has a length in days: leave this field empty."),
        ("reason", "leave_only"): lambda: _("Only a leave has a reason: choose “—” and describe the event in "
                                            "the note."),
    }
    by_rule = {
        "event_kind": lambda: _("Choose the kind of event."),
        "not_in_future": lambda: _("An event is entered once it has happened: choose a day up to today."),
        "after_hire_date": lambda: _("The manager was hired on %(day)s: choose a day from then on.",
                                     day=day(hire_date)),
        "leave_days": lambda: _("A leave lasts from 1 to %(max)d days.", max=MAX_LEAVE_DAYS),
        "leave_reason": lambda: _("Choose among the reasons shown."),
        "target_once_a_month": lambda: _("This month's sales target is on the record already: a month's target is "
                                         "met or missed once."),
        "standing": lambda: (_("The manager is suspended already.") if kind == SUSPENSION
                             else _("The manager is not suspended: there is nothing to reinstate.")),
        "max_length": lambda: _("At most %(max)d characters.", max=MAX_NOTE),
        "exited": lambda: _("The manager has left the ladder: no event is entered on their record any more."),
    }
    chosen = by_field.get((field, rule)) or by_rule.get(rule) or (lambda: _("This value is not accepted."))
    return chosen()
