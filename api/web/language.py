"""The language switch: a small form in every page's header; the choice is kept in a cookie for a year and
wins over Accept-Language."""
from __future__ import annotations

from flask import abort, redirect

from api.web import i18n
from api.web.blueprint import bp
from api.web.forms import LanguageForm
from api.web.session import local_path


@bp.post("/language")
def choose_language():
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    return i18n.remember(redirect(local_path(form.next.data)), form.language.data)
