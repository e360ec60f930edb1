"""flask-smorest's Blueprint, with unknown query parameters refused like unknown body fields, and input a
view does not declare at all (a query string, a body) refused too rather than silently ignored."""
from __future__ import annotations

import json

import flask_smorest
from flask import Flask, current_app, request
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from workflow.errors import FieldError, RuleViolation

UNKNOWN = "Unknown field."  # marshmallow's message, so every unknown field reads the same


def parse_json_body(data: bytes):
    """The body as JSON. What Python's json cannot read at all (nesting deeper than it recurses, an
    integer of more digits than it converts) is malformed JSON too, answered 400 `malformed_json`."""
    try:
        return core.parse_json(data)
    except (RecursionError, ValueError) as unreadable:
        if isinstance(unreadable, json.JSONDecodeError):
            raise
        raise json.JSONDecodeError(f"unreadable JSON ({unreadable.__class__.__name__})", "(body)", 0) from unreadable


class StrictParser(FlaskParser):
    # webargs ignores unknown query parameters by default; we let the schemas (RAISE) decide.
    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": None, "querystring": None}

    def _raw_load_json(self, req):
        return parse_json_body(req.get_data(cache=True)) if is_json_request(req) else core.missing


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = StrictParser()

    def arguments(self, schema, *args, **kwargs):
        """flask-smorest's, with one schema instance per declaration: given a class, webargs builds an instance
        (and its fields) for every request, which costs more than the parsing. Loading keeps no state in it."""
        return super().arguments(schema() if isinstance(schema, type) else schema, *args, **kwargs)


def refuse_undeclared_input(app: Flask, prefix: str) -> None:
    """A view without `@blp.arguments` for the query string or the body never reads them; a client that
    sends `?outcome=approved` or `{"outcome": "approved"}` there must hear so (422 `unknown_field`)
    instead of seeing the request carried out as if the field had counted."""
    @app.before_request
    def refuse():
        if not request.path.startswith(prefix) or request.url_rule is None:
            return
        declared = declared_locations()
        if declared is None:
            return
        errors = []
        if "query" not in declared:
            errors += [FieldError(name, "unknown_field", UNKNOWN, location="query") for name in request.args]
        data = request.get_data(cache=True)
        if "json" not in declared and "files" not in declared and data:
            try:
                body = parse_json_body(data)
            except ValueError:
                body = None
            if isinstance(body, dict):
                errors += [FieldError(name, "unknown_field", UNKNOWN, location="json") for name in body]
            else:
                errors.append(FieldError("(body)", "no_body", "this request takes no body; send none or {}",
                                         location="json"))
        if errors:
            raise RuleViolation(errors)


def declared_locations() -> set[str] | None:
    """Where the view reads its arguments; None for a view that is not one of our API's (the docs)."""
    view = current_app.view_functions[request.endpoint]
    method = "get" if request.method == "HEAD" else request.method.lower()  # Flask answers HEAD with get
    handler = getattr(getattr(view, "view_class", None), method, view)
    if not hasattr(handler, "_apidoc"):
        return None
    parameters = handler._apidoc.get("arguments", {}).get("parameters", [])
    return {parameter["in"] for parameter in parameters}
