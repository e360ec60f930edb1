"""HR's working-day calendar (/calendar?month=YYYY-MM): a month in weeks, each day a working day, a weekend, a
statutory holiday or a make-up workday (调休补班), from the statutory data with HR's corrections on top
(workflow/services/calendar_reads.py month_view); and the correction of a day through the JSON API's use case
(workflow/services/calendar.py set_calendar_day), which extends the open appeal deadlines the change makes
later. The page lists the latest corrections with the deadlines each one moved."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from api.context import rules, uow
from api.web.blueprint import bp
from api.web.choices import options
from api.web.session import current_user, signed_in
from workflow.services import calendar_reads
from workflow.services.calendar import set_calendar_day

CHANGES_SHOWN = 20
NAME_LENGTH = 100  # as the API's DayChangeSchema and calendar_days.name


class DayForm(FlaskForm):
    day = DateField(_l("Date"), validators=[InputRequired(_l("Enter a date, such as 2026-10-10."))])
    working = SelectField(_l("The day is"), choices=options({"1": _l("a working day"), "0": _l("a day off")}),
                          validators=[InputRequired()])
    name = StringField(_l("Name (a company holiday, a make-up workday)"), validators=[
        Optional(), Length(max=NAME_LENGTH, message=_l("At most %(max)d characters.", max=NAME_LENGTH))])
    month = HiddenField()

    class Meta:
        locales = False


def _month(text: str | None) -> date:
    if not text:
        return calendar_reads.month_of(rules().today())
    try:
        month = date.fromisoformat(f"{text}-01")
    except ValueError:
        abort(404)
    if not date(1, 2, 1) <= month <= date(9999, 11, 1):  # its weeks and the months beside it run off the dates
        abort(404)
    return month


def _render(month: date, form: DayForm, status: int = 200):
    store, actor = uow(), current_user()
    changes = calendar_reads.recent_changes(store, actor, CHANGES_SHOWN)  # hr only: others get the 403 page
    shown = calendar_reads.month_view(store, month)
    return render_template("web/calendar.html", month=shown, form=form, changes=changes), status


@bp.get("/calendar")
@signed_in
def working_calendar():
    month = _month(request.args.get("month"))
    picked = request.args.get("day")
    form = DayForm(formdata=None, month=month.strftime("%Y-%m"))
    if picked:
        try:
            form.day.data = date.fromisoformat(picked)
        except ValueError:
            pass
    return _render(month, form)


@bp.post("/calendar")
@signed_in
def correct_calendar_day():
    form = DayForm()
    month = _month(form.month.data or None)
    if not form.validate_on_submit():
        return _render(month, form, 422)
    with uow() as u:
        after = set_calendar_day(u, rules(), current_user(), form.day.data, working=form.working.data == "1",
                                 name=(form.name.data or "").strip() or None)
    flash(_("%(day)s is now %(what)s.", day=after["date"].isoformat(),
            what=_("a working day") if after["working"] else _("a day off")), "info")
    return redirect(url_for("web.working_calendar", month=form.day.data.strftime("%Y-%m")))
