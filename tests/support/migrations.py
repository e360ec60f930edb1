"""A fresh database migrated part of the way, for the tests of one migration: rows are written as an older
revision had them, then the migration under test runs (and, where it may, runs back)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from flask_migrate import upgrade

from api import create_app
from api.migrations import MIGRATIONS, register
from models import db
from tests.support.settings import config_for


@contextmanager
def app_at_revision(database_url: str, revision: str) -> Iterator[Flask]:
    """An app on `database_url` migrated up to `revision`, its application context entered; every connection is
    let go of at the end."""
    app = create_app(config_for(database_url))
    with app.app_context():
        register(app)
        upgrade(directory=MIGRATIONS, revision=revision)
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()
