"""The application factory: the core app (api/factory.py) with the JSON API and the web pages on it."""
from __future__ import annotations

import http
import re

import swagger_ui_bundle
from flask import Flask, request, send_from_directory
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import UnsupportedMediaType

from api import (accounts, bulk, calendar, cases, clock, cycles, delegations, downloads, evaluations, health,
                 idempotency, imports, logs, managers, metrics, outbox, policies, web)
from api.blueprint import declared_locations, refuse_undeclared_input
from api.config import API_PREFIX
from api.context import current_actor
from api.converters import register_converters
from api.factory import create_core_app
from api.problems import PROBLEM_JSON, ProblemSchema, register_error_handlers

BLUEPRINTS = (accounts.blp, managers.blp, cycles.blp, cases.blp, calendar.blp, evaluations.blp, clock.blp,
              policies.blp, outbox.blp, bulk.blp, downloads.blp, imports.blp, delegations.blp)
__all__ = ["API_PREFIX", "create_app"]


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
    """The whole service: the core (api/factory.py) with its HTTP layer, the JSON API and the pages."""
    app = create_core_app(config)
    logs.init_app(app)  # first: every answer, a refusal by any later hook too, carries its request id
    metrics.init_app(app)  # /metrics; and every answer is counted and timed, a refusal by a later hook too
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

    api = GradeflowApi(app, spec_kwargs={"extra_plugins": [idempotency.IdempotencyKeyDocumentation()]})
    register_converters(app, api)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    _add_docs_assets(app)
    _authenticate_before_anything_else(app)
    _refuse_non_json_bodies(app)
    refuse_undeclared_input(app, API_PREFIX)
    app.after_request(_no_sniffing)
    app.register_blueprint(health.bp)  # /healthz, /readyz: outside the API, no sign-in
    manual_clock = app.extensions["gradeflow"]["manual_clock"]
    if manual_clock is not None:
        # the probes and the scrape write nothing, a first freeze of the clock included
        app.before_request(lambda: None if request.path in health.PATHS | {"/metrics"} else manual_clock.freeze())
    idempotency.init_app(app)  # after authentication and the clock's freeze, which commits on its own
    web.init_app(app, api_prefix=API_PREFIX)  # the pages: every path outside the API (api/web/__init__.py)
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
                and not request.is_json and not _takes_a_file()):
            raise UnsupportedMediaType(f"send JSON (Content-Type: application/json), not {_media_type()}")


def _takes_a_file() -> bool:
    """A view that reads an uploaded file (an import) takes multipart/form-data."""
    return (request.mimetype == "multipart/form-data" and request.url_rule is not None
            and "files" in (declared_locations() or ()))


def _media_type() -> str:
    """The request's media type, repeated only when it is a plain type/subtype (the header is the caller's text)."""
    if not request.mimetype:
        return "nothing"
    return request.mimetype if re.fullmatch(r"[\w.+-]{1,64}/[\w.+-]{1,64}", request.mimetype, re.ASCII) else "another type"
