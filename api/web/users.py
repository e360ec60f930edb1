"""The users page (/users, hr and admin as the JSON API allows: workflow/access.py can_manage_accounts): the
accounts with their roles, employee number and whether they are on (account_reads.users_page), a new account
created through accounts.create_user (hr grants employee, supervisor and committee; admin any role), an account
switched off or on, and its roles (where the caller may grant every role it holds) and contact details (where
notifications reach the person: e-mail address, mobile number, language) changed, through accounts.update_user;
a new password for a person who forgot theirs, through accounts.reset_password. Refusals are shown next to their
field in the user's language; what was typed is kept (the password excepted, as every sign-in form does)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import AnyOf, Length
from wtforms.widgets import CheckboxInput, ListWidget

from api.context import extension, rules, uow
from api.web.blueprint import bp
from api.web.choices import options
from api.web.labels import role
from api.web.session import current_user, signed_in
from workflow.accounts import PASSWORD_MIN_LENGTH
from workflow.errors import Conflict, RuleViolation
from workflow.services import accounts
from workflow.services.account_reads import roles_to_grant, users_page

USERS_PAGE = 50


class RolesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):  # the service judges the roles (known_role, grantable_role)
        pass


class NewUserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[Length(max=64, message=_l("At most %(max)d characters.",
                                                                                   max=64))])
    password = PasswordField(_l("Initial password"))
    roles = RolesField(_l("Roles"))
    employee_no = StringField(_l("Employee number (for employees and supervisors)"),
                              validators=[Length(max=32, message=_l("At most %(max)d characters.", max=32))])
    email = StringField(_l("E-mail address (for notifications)"))
    mobile = StringField(_l("Mobile number (mentioned by the group robots)"))


class ContactForm(FlaskForm):
    roles = RolesField(_l("Roles"))
    email = StringField(_l("E-mail address (for notifications)"))
    mobile = StringField(_l("Mobile number (mentioned by the group robots)"))
    language = SelectField(_l("Language of the pages and messages"),
                           choices=options({"": _l("The browser's (messages in Chinese)"), "zh_CN": "中文",
                                            "en": "English"}))


class PasswordResetForm(FlaskForm):
    new_password = PasswordField(_l("New password"))


class SwitchForm(FlaskForm):
    active = StringField(validators=[AnyOf(("0", "1"))])


def rule_words(rule: str) -> str:
    messages = {
        "username_format": lambda: _("1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit."),
        "password_length": lambda: _("A password has at least %(min)d characters.", min=PASSWORD_MIN_LENGTH),
        "at_least_one_role": lambda: _("Choose at least one role."),
        "known_role": lambda: _("Choose among the roles shown."),
        "grantable_role": lambda: _("Your roles do not allow granting this role."),
        "employee_no_for_role": lambda: _("Employees and supervisors need an employee number."),
        "known_manager": lambda: _("No manager has this employee number."),
        "username_taken": lambda: _("This username is taken."),
        "employee_no_taken": lambda: _("This employee already has an account."),
        "not_own_lockout": lambda: _("You may not switch off your own account."),
        "email_format": lambda: _("An e-mail address such as name@example.com."),
        "mobile_format": lambda: _("A mainland mobile number of 11 digits (+86 allowed)."),
        "known_language": lambda: _("Choose among the languages shown."),
    }
    return messages.get(rule, lambda: _("This value is not accepted."))()


def _render(form: NewUserForm, status: int = 200):
    actor = current_user()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    shown, total = users_page(uow(), actor, page=page, per_page=USERS_PAGE)  # hr, admin: others get the 403 page
    form.roles.choices = options({r: role(r) for r in roles_to_grant(actor)})
    return render_template("web/users.html", users=shown, total=total, page=page, per_page=USERS_PAGE, form=form,
                           switch=SwitchForm(formdata=None)), status


@bp.get("/users")
@signed_in
def users():
    return _render(NewUserForm(formdata=None))


@bp.post("/users")
@signed_in
def create_user():
    form = NewUserForm()
    if not form.validate_on_submit():
        return _render(form, 422)
    try:
        with uow() as u:
            accounts.create_user(u, rules(), extension("passwords"), current_user(),
                                 username=(form.username.data or "").strip(), password=form.password.data or "",
                                 roles=form.roles.data or [], employee_no=(form.employee_no.data or "").strip() or None,
                                 email=_given(form.email), mobile=_given(form.mobile))
    except RuleViolation as refused:
        for error in refused.errors:
            getattr(form, error.field, form.username).errors.append(rule_words(error.rule))
        return _render(form, 422)
    except Conflict as refused:
        getattr(form, refused.extra.get("field", "username"), form.username).errors.append(rule_words(refused.code))
        return _render(form, 409)
    flash(_("The account %(username)s was created.", username=form.username.data.strip()), "info")
    return redirect(url_for("web.users"))


@bp.post("/users/<username:username>/active")
@signed_in
def switch_user(username: str):
    form = SwitchForm()
    if not form.validate_on_submit():
        flash(_("This value is not accepted."), "error")
        return redirect(url_for("web.users"))
    try:
        with uow() as u:
            accounts.update_user(u, rules(), current_user(), username, active=form.active.data == "1")
    except RuleViolation as refused:
        for error in refused.errors:
            flash(rule_words(error.rule), "error")
        return redirect(url_for("web.users"))
    flash(_("The account %(username)s is on.", username=username) if form.active.data == "1"
          else _("The account %(username)s is off: it can no longer sign in.", username=username), "info")
    return redirect(url_for("web.users"))


@bp.route("/users/<username:username>/contact", methods=("GET", "POST"))
@signed_in
def user_contact(username: str):
    """The account's roles, where the caller may grant every role it holds (hr may not change an admin's), and where
    the person's notifications go: their e-mail address, mobile number and language (empty: none)."""
    actor = current_user()
    user = accounts.get_user(uow(), actor, username)
    form = _roles_offered(ContactForm(obj=None if request.method == "POST" else user), user)
    if request.method == "GET" or not form.validate_on_submit():
        status = 200 if request.method == "GET" else 422
        return _account_page(user, form), status
    try:
        with uow() as u:
            accounts.update_user(u, rules(), actor, username, roles=form.roles.data if form.roles.choices else None,
                                 contact={"email": _given(form.email), "mobile": _given(form.mobile),
                                          "language": _given(form.language)})
    except RuleViolation as refused:
        for error in refused.errors:
            message = (_("You may not remove your own hr or admin role.") if (error.field, error.rule) == (
                "roles", "not_own_lockout") else rule_words(error.rule))
            getattr(form, error.field, form.email).errors.append(message)
        return _account_page(user, form), 422
    flash(_("The account of %(username)s was saved.", username=username), "info")
    return redirect(url_for("web.users"))


@bp.post("/users/<username:username>/password")
@signed_in
def reset_password(username: str):
    """A new password for a person who forgot theirs (accounts.reset_password): every session of theirs ends."""
    actor = current_user()
    user = accounts.get_user(uow(), actor, username)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            with uow() as u:
                accounts.reset_password(u, rules(), extension("passwords"), actor, username,
                                        new_password=form.new_password.data or "")
        except RuleViolation as refused:
            form.new_password.errors.extend(rule_words(error.rule) for error in refused.errors)
        else:
            flash(_("%(username)s has a new password. Tell it to them in person or by a safe channel, and ask them "
                    "to change it once signed in.", username=username), "info")
            return redirect(url_for("web.users"))
    return _account_page(user, _roles_offered(ContactForm(formdata=None, obj=user), user), password_form=form), 422


def _roles_offered(form: ContactForm, user) -> ContactForm:
    """The roles to tick, where the caller may grant every role the account holds (none offered otherwise)."""
    grantable = roles_to_grant(current_user())
    if set(user.roles) <= set(grantable):
        form.roles.choices = options({r: role(r) for r in grantable})
    return form


def _account_page(user, form: ContactForm, password_form: PasswordResetForm | None = None):
    """The account's page: its roles and contact details, and a new password unless it is the caller's own."""
    own = user.id == current_user().user_id
    return render_template("web/user_contact.html", account=user, form=form,
                           password_form=None if own else password_form or PasswordResetForm(formdata=None))


def _given(field) -> str | None:
    """A text field's value, None when left empty."""
    return (field.data or "").strip() or None
