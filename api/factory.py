"""The core of the app: configuration, the policy, the database, the clocks and the services, without the HTTP
layer. The commands (`gradeflow db`, `users`, `demo`, `run-due`, `scheduler`, `audit`, and `serve` before it
forks) need no more, and leave out importing the API's schemas and pages and building the OpenAPI document:
about half a second of every command's start. `api.app.create_app` builds the whole service on it."""
from __future__ import annotations

import logging
import os
from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy.orm import configure_mappers

from api.config import ConfigError, development_secret, settings_from_env
from api.tokens import TokenService
from models import db
from models.clock_state import DatabaseManualClock
from workflow.clock import SystemClock
from workflow.org_unit_policies import load_policies
from workflow.passwords import Passwords
from workflow.sign_in_throttling import SignInLimits
from workflow.services.context import Rules


def create_core_app(config: dict | None = None) -> Flask:
    instance = os.environ.get("GRADEFLOW_INSTANCE_PATH")
    app = Flask(__name__.split(".")[0], instance_path=str(Path(instance).resolve()) if instance else None)
    app.config.update(settings_from_env(instance_path=app.instance_path))
    app.config.update(config or {})
    app.config["GRADEFLOW_SECRET_FROM_ENV"] = bool(app.config.get("SECRET_KEY"))
    if not app.config["SECRET_KEY"] and app.config["GRADEFLOW_MODE"] != "production":
        app.config["SECRET_KEY"] = development_secret(app.instance_path)
    if app.config["GRADEFLOW_CLOCK"] == "manual" and app.config["GRADEFLOW_MODE"] == "production":
        raise ConfigError("GRADEFLOW_CLOCK=manual is a test clock and is refused in production mode")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.config["SQLALCHEMY_DATABASE_URI"][len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)

    policy = load_policies(app.config["GRADEFLOW_POLICY"])
    db.init_app(app)
    # now, not on the first requests, which would race to configure them from several threads
    configure_mappers()

    manual_clock = None
    if app.config["GRADEFLOW_CLOCK"] == "manual":
        manual_clock = DatabaseManualClock(lambda: db.session, policy.tz,
                                           start=app.config["GRADEFLOW_CLOCK_START"])
    # tokens and sign-in throttling go by the wall clock, never the manual one; tests may pass a clock they move
    wall_clock = app.config.get("GRADEFLOW_WALL_CLOCK") or SystemClock()
    app.extensions["gradeflow"] = {
        "rules": Rules.for_policy(policy, manual_clock or wall_clock),
        "manual_clock": manual_clock,
        "wall_clock": wall_clock,
        "sign_in_limits": SignInLimits(
            max_failures=app.config["GRADEFLOW_SIGNIN_MAX_FAILURES"],
            window=timedelta(seconds=app.config["GRADEFLOW_SIGNIN_WINDOW"]),
            max_failures_per_address=app.config["GRADEFLOW_SIGNIN_MAX_FAILURES_PER_ADDRESS"]),
        "tokens": TokenService(app.config["SECRET_KEY"] or "", app.config["GRADEFLOW_TOKEN_TTL"], wall_clock),
        "passwords": Passwords(time_cost=app.config["GRADEFLOW_HASH_TIME_COST"],
                               memory_cost=app.config["GRADEFLOW_HASH_MEMORY_KIB"]),
    }
    logging.getLogger("gradeflow").setLevel(logging.INFO)
    return app
