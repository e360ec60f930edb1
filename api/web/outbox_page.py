"""HR's notifications page (/outbox): what the outbox sent, what waits to be tried again and what was given up
(dead: its last error shown), read through the service the JSON API uses (workflow/services/outbox.py messages), and
a dead message sent again (send_again). Other roles get the 403 page."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from api.context import rules, uow
from api.web.blueprint import bp
from api.web.session import current_user, signed_in
from workflow.errors import Conflict, NotFound
from workflow.notifications import DEAD, STATUSES
from workflow.services import outbox

SHOWN = 100


class ResendForm(FlaskForm):
    """A CSRF token only: the message is the URL's."""


@bp.get("/outbox")
@signed_in
def outbox_page():
    status = request.args.get("status") or DEAD
    status = status if status in STATUSES else DEAD
    shown, total = outbox.messages(uow(), current_user(), status=status, page=1, per_page=SHOWN)
    return render_template("web/outbox.html", messages=shown, total=total, status=status, statuses=STATUSES,
                           form=ResendForm(formdata=None))


@bp.post("/outbox/<int(max=2147483647):message_id>/resend")
@signed_in
def resend_message(message_id: int):
    if not ResendForm().validate_on_submit():
        flash(_("The form expired: reload the page and try again."), "error")
        return redirect(url_for("web.outbox_page"))
    try:
        with uow() as u:
            outbox.send_again(u, rules(), current_user(), message_id)
    except (Conflict, NotFound):
        flash(_("Notification №%(id)d is not waiting to be sent again: reload the page.", id=message_id), "error")
        return redirect(url_for("web.outbox_page"))
    flash(_("Notification №%(id)d will be sent again at the next send.", id=message_id), "info")
    return redirect(url_for("web.outbox_page"))
