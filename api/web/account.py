"""One's own password (/account/password): the current one, then the new one twice, as PUT /api/v1/me/password
changes it (accounts.change_password). This session goes on under the new password; any other session of the
account ends, as with every new password. Linked from the header, beside one's name."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import EqualTo, InputRequired

from api.context import extension, rules, uow
from api.web import session
from api.web.blueprint import bp
from api.web.session import current_user, signed_in
from api.web.users import rule_words
from workflow.errors import InvalidCredentials, RuleViolation
from workflow.services import accounts


class OwnPasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[InputRequired(_l("Enter your current password."))])
    new_password = PasswordField(_l("New password"), validators=[InputRequired(_l("Enter the new password."))])
    repeated = PasswordField(_l("The new password again"), validators=[
        InputRequired(_l("Enter the new password again.")),
        EqualTo("new_password", _l("The two new passwords differ: enter the same one twice."))])


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def own_password():
    form = OwnPasswordForm()
    if form.validate_on_submit():
        try:
            with uow() as u:
                user = accounts.change_password(u, rules(), extension("passwords"), current_user(),
                                                current_password=form.current_password.data,
                                                new_password=form.new_password.data)
                signed = (user.id, user.password_hash)
        except InvalidCredentials:
            form.current_password.errors.append(_("This is not your current password."))
        except RuleViolation as refused:
            form.new_password.errors.extend(rule_words(error.rule) for error in refused.errors)
        else:
            session.begin(*signed)  # the session's stamp is the new password's: it goes on
            flash(_("Your password has been changed."), "info")
            return redirect(url_for("web.my_work"))
    status = 422 if request.method == "POST" else 200
    return render_template("web/own_password.html", form=form), status
