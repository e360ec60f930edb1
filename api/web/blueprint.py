"""The blueprint every page registers on. Its templates are the app's (api/templates/web/), its static files
the app's (api/static/, served at /static/)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("web", __name__)
