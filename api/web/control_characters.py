"""A page's input holding a control character (NUL, say), which no text column stores (PostgreSQL refuses NUL):
refused before the view runs, naming the field, in the user's language, as the API refuses it (api/fields.py
`control`). Tabs and line breaks are text: a textarea sends CR LF."""
from __future__ import annotations

import re

from flask import render_template, request
from flask_babel import gettext as _

from api.web.blueprint import bp

_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@bp.before_request
def _refuse_control_characters():
    for sent in (request.args, request.form):
        for field, values in sent.lists():
            if _UNSTORABLE.search(field) or any(_UNSTORABLE.search(value) for value in values):
                explanation = _("“%(field)s” holds a control character (such as NUL), which cannot be stored: "
                                "remove it and send again.", field=_UNSTORABLE.sub("", field))
                return render_template("web/error.html", status=422, title=_("This value is not accepted"),
                                       explanation=explanation), 422
    return None
