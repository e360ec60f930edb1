"""The service layer of a test app, for tests that call use cases directly inside its app context."""
from __future__ import annotations

from models import db
from models.unit_of_work import unit_of_work_factory


def unit_of_work():
    return unit_of_work_factory(db.session)


def rules_of(app):
    return app.extensions["gradeflow"]["rules"]
