"""Error pages. On a page path (anything outside the JSON API) an error is an HTML page in the user's
language, with a way back; under /api/v1 it stays a problem document (api/problems.py asks here first)."""
from __future__ import annotations

import logging
from html import escape

from flask import Flask, Response, render_template, request
from flask_babel import lazy_gettext as _l

log = logging.getLogger("gradeflow.web")

ERROR_PAGE = "gradeflow.error_page"  # app.extensions key api/problems.py looks up

TITLES = {
    400: _l("This request could not be handled"),
    403: _l("This is not yours to see"),
    404: _l("Page not found"),
    405: _l("This page does not take that request"),
    413: _l("What you sent is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
}
EXPLANATIONS = {
    400: _l("The form was not sent from this site or has expired. Go back, reload the page and try again."),
    403: _l("Your roles do not allow this."),
    404: _l("There is nothing at this address, or it is not yours to see."),
    405: _l("Go back and use the page's own buttons."),
    413: _l("Send less at once."),
    429: _l("Wait a moment and try again."),
    500: _l("The error has been logged. Try again later, or tell your administrator."),
}


def init_app(app: Flask, *, api_prefix: str) -> None:
    def error_page(status: int) -> Response | None:
        """The HTML page for `status` on a page path; None under the JSON API."""
        if request.path == api_prefix or request.path.startswith(api_prefix + "/"):
            return None
        shown = status if status in TITLES else (500 if status >= 500 else 400)
        try:
            body = render_template("web/error.html", status=status, title=TITLES[shown],
                                   explanation=EXPLANATIONS[shown])
        except Exception:  # the page's own parts failed (say, the database is down): a bare page, logged
            log.exception("the error page for %s could not be rendered", status)
            body = (f"<!doctype html><html lang=en><title>{status}</title><main><h1>{status}</h1>"
                    f"<p>{escape(str(EXPLANATIONS[shown]))}</p></main></html>")
        return Response(body, status=status, mimetype="text/html")
    app.extensions[ERROR_PAGE] = error_page
