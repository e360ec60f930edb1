"""CSRF protection of every form of the pages (Flask-WTF): a POST (PUT, PATCH, DELETE) to a view of the web
blueprint without the session's token is refused with 400 before the view runs. The JSON API is not checked:
it authenticates each request by its bearer token, which a browser never sends on its own."""
from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from api.web.blueprint import bp

csrf = CSRFProtect()


def init_app(app: Flask) -> None:
    app.config.update(
        WTF_CSRF_CHECK_DEFAULT=False,  # not app-wide: the API is exempt; the blueprint checks its own requests
        WTF_CSRF_TIME_LIMIT=None,  # valid as long as the session: a form left open over lunch still submits
        WTF_CSRF_SSL_STRICT=True,  # over HTTPS the Referer must be this site
    )
    csrf.init_app(app)


@bp.before_request
def _protect():
    csrf.protect()  # checks only the methods in WTF_CSRF_METHODS (POST, PUT, PATCH, DELETE)
