"""The pages' forms (Flask-WTF: each carries the session's CSRF token). Messages go through the catalogues,
so a field's error reads in the user's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, Length

from api.web.i18n import LOCALES
from workflow.accounts import PASSWORD_MAX_LENGTH


class SignInForm(FlaskForm):
    username = StringField(_l("Username"), validators=[
        DataRequired(_l("Enter your username.")), Length(max=64, message=_l("A username has at most 64 characters."))])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Enter your password.")),
        Length(max=PASSWORD_MAX_LENGTH, message=_l("This password is too long."))])
    next = HiddenField()


class LanguageForm(FlaskForm):
    language = HiddenField(validators=[AnyOf(LOCALES)])
    next = HiddenField()


class SignOutForm(FlaskForm):
    pass
