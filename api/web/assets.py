"""The vendored browser files (api/static/vendor/README.md says where each comes from): the one place that
names their versions, so an upgrade changes a folder name here and nothing in the templates."""
from __future__ import annotations

from flask import Flask, redirect, url_for

VENDOR = {
    "htmx": "vendor/htmx.org-2.0.11/htmx.min.js",
    "pico": "vendor/pico-2.1.1/pico.min.css",
    "mermaid": "vendor/mermaid-12.3.0/mermaid.min.js",
}
OWN = {
    "css": "web/gradeflow.css",
    "icon": "web/favicon.svg",  # linked from every page: browsers otherwise ask for a /favicon.ico there is not
}


def asset(name: str) -> str:
    """The URL of a vendored or own static file, by its short name (`asset('htmx')`)."""
    return url_for("static", filename=VENDOR.get(name) or OWN[name])


def init_app(app: Flask) -> None:
    app.jinja_env.globals["asset"] = asset
    # the pages link their icon, but the API's documentation (Swagger UI's own page) does not: browsers ask here
    app.add_url_rule("/favicon.ico", "favicon", lambda: redirect(asset("icon"), code=301))
