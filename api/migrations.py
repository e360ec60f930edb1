"""The schema's migrations (models/migrations: Alembic, through Flask-Migrate), loaded only where they are
used: `gradeflow db ...`, serve's upgrade of an embedded database, the tests. Importing Alembic costs every
process half a second, which `users create`, `demo`, `run-due`, `audit verify` and the workers never need."""
from __future__ import annotations

import functools
from pathlib import Path

from flask import Flask

MIGRATIONS = str(Path(__file__).resolve().parent.parent / "models" / "migrations")


def register(app: Flask) -> None:
    """Flask-Migrate's extension on `app` (its commands and models/migrations/env.py read it), once."""
    if "migrate" not in app.extensions:
        from flask_migrate import Migrate
        from models import db
        Migrate(app, db, directory=MIGRATIONS, render_as_batch=True, compare_type=True)


@functools.cache
def revisions() -> tuple[str, ...]:
    """The schema's revisions this code knows, oldest first: the last is the one it needs (read from
    models/migrations once)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    config = Config()
    config.set_main_option("script_location", MIGRATIONS)
    return tuple(reversed([script.revision for script in ScriptDirectory.from_config(config).walk_revisions()]))


def head_revision() -> str:
    return revisions()[-1]


def upgrade_to_head(app: Flask) -> None:
    """Bring `app`'s database to the newest revision (inside an application context of `app`)."""
    from flask_migrate import upgrade
    register(app)
    upgrade(directory=MIGRATIONS)


def migrations_command():
    """`gradeflow db`: Flask-Migrate's command group, registered on the app that runs it."""
    from flask import current_app
    from flask_migrate.cli import db as group
    register(current_app._get_current_object())
    return group
