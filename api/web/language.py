"""The language switch: a small form in every page's header; the choice is kept with the signed-in user's
account (it follows them to every browser) and in a cookie for a year (before signing in), and wins over
Accept-Language."""
from __future__ import annotations

from flask import abort, redirect

from api.context import uow
from api.web import i18n
from api.web.blueprint import bp
from api.web.forms import LanguageForm
from api.web.session import current_user, local_path
from workflow.services.accounts import remember_language


@bp.post("/language")
def choose_language():
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    if (user := current_user()) is not None:
        with uow() as u:
            remember_language(u, user, form.language.data)
    return i18n.remember(redirect(local_path(form.next.data)), form.language.data)
