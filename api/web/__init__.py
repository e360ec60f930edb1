"""The web pages: every path outside the JSON API (/api/v1) is a page, for the people the service is for.

Pages call the same services and read functions as the JSON API and hand the templates what those return;
templates hold layout and labels, never a rule or a permission. The parts, one concern each:

    blueprint.py   the `web` blueprint the views register on
    session.py     the signed-in user: the session cookie, loading the user per request, `signed_in`
    csrf.py        CSRF protection of every form of the blueprint (the JSON API keeps bearer tokens)
    control_characters.py  input holding a control character (NUL) refused, naming the field
    i18n.py        zh-CN first, English by choice (a cookie) or by Accept-Language; dates and numbers
    labels.py      the names of states, events, kinds, roles and grades, from the live definitions
    rule_reasons.py  a period close's grading rules in words: their moves and the evidence of their reasons
    service_words.py  what the service writes on a case (a statement, history comments) in the reader's language
    nav.py         the navigation: which pages each user's roles may use
    assets.py      the vendored browser files (api/static/vendor/)
    errors.py      error pages (404, 403, 400, 500) for page paths
    forms.py       the forms (Flask-WTF)
    auth.py        views: sign in, sign out
    language.py    view: the language switch
    work.py        view: "my work", the start page

A new page: a module of views on `bp`, imported below; its templates under api/templates/web/ extending
layout.html; its labels through `_()`; a nav entry in nav.py if it belongs in the navigation; then
`pybabel extract`/`update`/`compile` (README, "Pages").
"""
from __future__ import annotations

from flask import Flask

from api.web import assets, csrf, errors, i18n, labels, nav, rule_reasons, service_words, session
from api.web import auth, language, work  # noqa: F401  (their views register on bp)
from api.web import control_characters  # noqa: F401  (input no database stores: refused before any view)
from api.web import applicant, board  # noqa: F401  (the applicant's pages, the case page, the board)
from api.web import eligibility_words  # noqa: F401  (an eligibility refusal's figures in words)
from api.web import diagram, review, scoring  # noqa: F401  (the workflow diagram, the supervisor's reviews, the scoring sheet)
from api.web import cycles  # noqa: F401  (hr: cycles, their committee, decision and publication)
from api.web import appeals  # noqa: F401  (hr: appeals, upheld or overturned)
from api.web import managers  # noqa: F401  (hr: the roster, a manager's grade history and records)
from api.web import calendar_page  # noqa: F401  (hr: the working-day calendar and its corrections)
from api.web import users  # noqa: F401  (hr, admin: the user accounts)
from api.web import account  # noqa: F401  (everyone: their own password)
from api.web import quarter_close  # noqa: F401  (hr: what the quarter close will do, then the close)
from api.web import policy_page  # noqa: F401  (everyone: the rules of a policy version a case names)
from api.web import outbox_page  # noqa: F401  (hr: the notifications, a dead one sent again)
from api.web import bulk_work, score_sheet  # noqa: F401  (one event on the cases ticked; a member's whole sheet)
from api.web import exports_pages  # noqa: F401  (the downloads, the report page, the printable personal file)
from api.web import imports_page  # noqa: F401  (hr: spreadsheets in, with their templates)
from api.web import substitutes  # noqa: F401  (supervisors, committee members, hr: substitutes and escalations)
from api.web import clock_page  # noqa: F401  (admin: the service's time; the simulation clock moved forward)
from api.web.blueprint import bp


def init_app(app: Flask, *, api_prefix: str) -> None:
    session.init_app(app)
    i18n.init_app(app)
    csrf.init_app(app)
    errors.init_app(app, api_prefix=api_prefix)
    app.jinja_env.add_extension("jinja2.ext.do")
    for part in (assets, labels, nav, rule_reasons, service_words):  # what the templates use
        part.init_app(app)
    app.context_processor(lambda: {"user": session.current_user()})
    app.register_blueprint(bp)
    i18n.filters_per_render(app)
