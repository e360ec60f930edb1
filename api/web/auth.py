"""Signing in and out of the pages. Sign-in goes through the API's own use case (workflow/services/accounts.py
sign_in): the same password check and the same throttling of repeated wrong passwords, counted together with
the API's attempts."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _

from api.context import extension, uow
from api.web import session
from api.web.blueprint import bp
from api.web.forms import SignInForm, SignOutForm
from workflow.errors import InvalidCredentials, TooManyAttempts
from workflow.services import accounts


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    form = SignInForm()
    if request.method == "GET":
        if session.current_user() is not None:
            return redirect(session.local_path(request.args.get("next")))
        form.next.data = session.local_path(request.args.get("next"))
    status, headers = 200, {}
    if form.validate_on_submit():
        try:
            user_id, password_hash = accounts.sign_in(
                uow, extension("passwords"), extension("sign_in_limits"), extension("wall_clock"),
                username=form.username.data, password=form.password.data, address=request.remote_addr)
        except InvalidCredentials:
            form.password.errors.append(_("Unknown username or wrong password."))
            status = 401
        except TooManyAttempts as refused:
            wait = format_timedelta(timedelta(seconds=refused.retry_after), granularity="second", threshold=1)
            form.password.errors.append(_("Too many failed sign-ins. Try again in %(wait)s.", wait=wait))
            status, headers = 429, {"Retry-After": str(refused.retry_after)}
        else:
            session.begin(user_id, password_hash)
            return redirect(session.local_path(form.next.data))
    elif request.method == "POST":
        status = 422
    return render_template("web/sign_in.html", form=form, demo_logins=_demo_logins()), status, headers


@bp.post("/sign-out")
def sign_out():
    if SignOutForm().validate_on_submit():  # the CSRF token was checked before the view (csrf.py)
        session.end()
        flash(_("You have signed out."), "info")
    return redirect(url_for("web.sign_in"))


def _demo_logins():
    """In development mode (`make run`), the demo's logins, so that a newcomer starts from the browser."""
    if current_app.config["GRADEFLOW_MODE"] != "development":
        return []
    from api.demo import saved_logins  # the logins `gradeflow demo` printed and kept under instance/
    return [{"username": login.username, "password": login.password,
             "roles": [role for role in login.roles.split(",") if role],
             "employee_no": None if login.employee_no.strip() == "-" else login.employee_no.strip()}
            for login in saved_logins()]
