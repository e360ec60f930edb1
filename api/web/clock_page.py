"""The clock page (/clock, admin, as the JSON API's GET and PUT /clock): the service's time, and with
GRADEFLOW_CLOCK=manual (the demo's simulation clock, `make demo`) a form that moves it forward, firing everything
that fell due on the way (api/clock.py move_manual_clock): the deadlines, the appeal windows, the period closes."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField
from wtforms.validators import InputRequired

from api.clock import move_manual_clock
from api.context import extension, rules
from api.web.blueprint import bp
from api.web.i18n import deadline
from api.web.session import current_user, signed_in
from workflow import access
from workflow.errors import Conflict

ENTER_A_TIME = _l("Enter a day and a time, such as 2026-10-11 09:00.")


class ClockForm(FlaskForm):
    now = DateTimeLocalField(_l("Move the clock to"), format="%Y-%m-%dT%H:%M",
                             validators=[InputRequired(ENTER_A_TIME)], invalid_value_message=ENTER_A_TIME)


@bp.get("/clock")
@signed_in
def clock_page():
    access.require(access.can_operate_clock(current_user()), "only admins read the clock")
    now = rules().now().astimezone(rules().policy.tz)
    return _render(ClockForm(formdata=None, now=now.replace(tzinfo=None, second=0, microsecond=0)))


@bp.post("/clock")
@signed_in
def move_clock():
    if extension("manual_clock") is None:
        abort(404)
    access.require(access.can_operate_clock(current_user()), "only admins move the clock")
    form = ClockForm()
    if not form.validate_on_submit():
        return _render(form, 422)
    instant = form.now.data.replace(tzinfo=rules().policy.tz)
    try:
        move_manual_clock(instant)
    except Conflict as refused:
        if refused.code != "clock_backwards":
            raise
        form.now.errors.append(_("The clock only moves forward: it is %(now)s now.", now=deadline(rules().now())))
        return _render(form, 409)
    flash(_("The clock is at %(now)s; what fell due on the way was done.", now=deadline(instant)), "info")
    return redirect(url_for("web.clock_page"))


def _render(form: ClockForm, status: int = 200):
    return render_template("web/clock.html", now=rules().now(), manual=extension("manual_clock") is not None,
                           form=form), status
