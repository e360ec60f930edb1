"""The application factory."""
from __future__ import annotations

import http
import logging
import os
import re
from datetime import timedelta
from pathlib import Path

import swagger_ui_bundle
from flask import Flask, request, send_from_directory
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from sqlalchemy.orm import configure_mappers
from werkzeug.exceptions import UnsupportedMediaType

from api import accounts, calendar, cases, clock, cycles, evaluations, idempotency, managers, web
from api.blueprint import refuse_undeclared_input
from api.config import ConfigError, development_secret, settings_from_env
from api.context import current_actor
from api.converters import register_converters
from api.problems import PROBLEM_JSON, ProblemSchema, register_error_handlers
from api.tokens import TokenService
from models import db
from models.clock_state import DatabaseManualClock
from workflow.clock import SystemClock
from workflow.passwords import Passwords
from workflow.policy import load_policy
from workflow.sign_in_throttling import SignInLimits
from workflow.services.context import Rules

BLUEPRINTS = (accounts.blp, managers.blp, cycles.blp, cases.blp, calendar.blp, evaluations.blp, clock.blp)
API_PREFIX = "/api/v1"


class GradeflowApi(Api):
    """flask-smorest, with RFC 9457 problem details instead of its own error bodies."""
    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        register_error_handlers(self._app)

    def _register_responses(self):
        """As flask-smorest's, but error responses are documented as application/problem+json."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            content_type = PROBLEM_JSON if status >= 400 else self.DEFAULT_RESPONSE_CONTENT_TYPE
            prepare_response(response, self.spec, content_type)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def create_app(config: dict | None = None) -> Flask:
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
    app.config.update(
        API_TITLE="gradeflow", API_VERSION="v1", OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX, OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs", OPENAPI_SWAGGER_UI_URL=f"{API_PREFIX}/docs/assets/",
        API_SPEC_OPTIONS={
            "info": {"description": "Grading of customer managers (客户经理等级评审)."},
            "security": [{"bearerAuth": []}],
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                                              "bearerFormat": "JWT"}}},
        },
    )
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    policy = load_policy(app.config["GRADEFLOW_POLICY"])
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

    api = GradeflowApi(app, spec_kwargs={"extra_plugins": [idempotency.IdempotencyKeyDocumentation()]})
    register_converters(app, api)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    _add_docs_assets(app)
    _authenticate_before_anything_else(app)
    _refuse_non_json_bodies(app)
    refuse_undeclared_input(app, API_PREFIX)
    app.after_request(_no_sniffing)
    if manual_clock is not None:
        app.before_request(manual_clock.freeze)
    idempotency.init_app(app)  # after authentication and the clock's freeze, which commits on its own
    web.init_app(app, api_prefix=API_PREFIX)  # the pages: every path outside the API (api/web/__init__.py)
    logging.getLogger("gradeflow").setLevel(logging.INFO)
    return app


def _add_docs_assets(app: Flask) -> None:
    """Swagger UI's files come from the swagger-ui-bundle package: the docs work offline."""
    @app.get(f"{API_PREFIX}/docs/assets/<path:filename>")
    def docs_assets(filename):
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename)


# Endpoints reachable without a bearer token: sign-in and the API's own documentation.
PUBLIC_ENDPOINTS = {"accounts.Token", "api-docs.openapi_json", "api-docs.openapi_swagger_ui", "docs_assets"}


def _authenticate_before_anything_else(app: Flask) -> None:
    """401 comes before any validation error, so that a stranger learns nothing from the API."""
    @app.before_request
    def authenticate():
        if (request.path.startswith(API_PREFIX) and request.url_rule is not None
                and request.endpoint not in PUBLIC_ENDPOINTS):
            current_actor()


def _no_sniffing(response):
    """A browser must take every answer for what its Content-Type says: JSON that echoes a caller's
    `<script>` is never run as HTML."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _refuse_non_json_bodies(app: Flask) -> None:
    @app.before_request
    def require_json():
        if (request.path.startswith(API_PREFIX) and request.method in ("POST", "PUT", "PATCH")
                and (request.content_length or request.headers.get("Transfer-Encoding"))
                and not request.is_json):
            raise UnsupportedMediaType(f"send JSON (Content-Type: application/json), not {_media_type()}")


def _media_type() -> str:
    """The request's media type, repeated only when it is a plain type/subtype (the header is the caller's text)."""
    if not request.mimetype:
        return "nothing"
    return request.mimetype if re.fullmatch(r"[\w.+-]{1,64}/[\w.+-]{1,64}", request.mimetype, re.ASCII) else "another type"
