"""RFC 9457 problem details for every error: known errors get their status and code,
unknown ones a logged 500 with no internals in the body."""
from __future__ import annotations

import logging
import re

import marshmallow as ma
from datetime import date, datetime
from decimal import Decimal

from flask import Response, current_app, json, request
from werkzeug.exceptions import HTTPException

from workflow.errors import (Conflict, DomainError, Forbidden, NotEligible, NotFound, RuleViolation, TooManyAttempts,
                             Unauthenticated, Unexpected)
from workflow.imports import ImportRefused

log = logging.getLogger("gradeflow.api")

PROBLEM_JSON = "application/problem+json"
CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type",
         422: "validation_error", 429: "too_many_requests", 500: "internal_error"}
TITLES = {400: "Bad request", 401: "Authentication required", 403: "Forbidden", 404: "Not found",
          405: "Method not allowed", 409: "Conflict", 413: "Request body too large",
          415: "Unsupported media type", 422: "Invalid request", 429: "Too many requests",
          500: "Internal server error", 503: "Service unavailable"}


class ProblemSchema(ma.Schema):
    """Documentation of the error body (RFC 9457). Some codes add members of their own (RFC 9457
    extension members), so the document allows more than the ones listed."""
    class Meta:
        unknown = ma.INCLUDE  # documented as additionalProperties: true

    type = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.Integer()
    detail = ma.fields.String()
    code = ma.fields.String(metadata={"description": "machine-readable error code"})
    errors = ma.fields.List(ma.fields.Dict(), metadata={"description": "each field that broke a rule"})
    version = ma.fields.Integer(metadata={"description": "version_conflict: the record's current version"})
    state = ma.fields.String(metadata={"description": "invalid_transition: the case's state"})
    available_events = ma.fields.List(ma.fields.String(), metadata={
        "description": "invalid_transition: what the caller may do in that state"})
    reasons = ma.fields.List(ma.fields.Dict(), metadata={"description": "not_eligible: each rule not met"})


def documented_problem(blp, status: int, description: str):
    """Decorator documenting an error response of a view as problem details."""
    return blp.alt_response(status, schema=ProblemSchema, content_type=PROBLEM_JSON, description=description)


# Characters that open or close markup, or end a quoted attribute (and the backslash, so that the escapes below
# stay unambiguous): a name the caller chose is repeated with each of them written as its JSON escape.
_MARKUP = frozenset('<>&"\'`\\')


def harmless(name: str) -> str:
    """A name the caller chose (an unknown field's, a query parameter's), fit to repeat in a problem: every
    character that could make markup of it written as its JSON escape, `<img>` as `\\u003cimg\\u003e`, so that
    no page showing the problem runs it and the caller still recognises the name."""
    return "".join(f"\\u{ord(ch):04x}" if ch in _MARKUP else ch for ch in name)


def problem_document(status: int, detail: str, *, code: str | None = None, errors: list[dict] | None = None,
                     **extra) -> dict:
    """The problem's members: `{type, title, status, detail, code, errors?, ...extra}`."""
    code = code or CODES.get(status, "error")
    body = {"type": f"urn:gradeflow:problem:{code}", "title": TITLES.get(status, "Error"), "status": status,
            "detail": detail, "code": code}
    if errors is not None:
        body["errors"] = errors
    body.update({k: v for k, v in extra.items() if k not in body})
    return body


def problem(status: int, detail: str, *, code: str | None = None, errors: list[dict] | None = None,
            headers: dict | None = None, **extra) -> Response:
    """The problem as a response. No value the caller sent is repeated raw: fields are named through `harmless`,
    values quoted only when they are plain codes (workflow.errors.quoted), paths never. As a second line,
    '<', '>' and '&' are written as JSON escapes, so that the document holds no markup even as bytes."""
    body = problem_document(status, detail, code=code, errors=errors, **extra)
    # backslashreplace: a lone surrogate the caller sent (say, as an unknown field's name) is written as the
    # JSON escape \\udXXX it came in as, since UTF-8 cannot hold it
    text = (json.dumps(body, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026").encode("utf-8", "backslashreplace"))
    response = Response(text, status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


# marshmallow's messages, mapped to the rule they enforce
_RULES = [
    (re.compile(r"^Unknown field"), "unknown_field"),
    (re.compile(r"^Missing data for required field"), "required"),
    (re.compile(r"^Field may not be null"), "not_null"),
    (re.compile(r"^Not a valid|^Invalid (input type|value)"), "type"),
    (re.compile(r"^Must be (greater|less) than|^Must be between"), "range"),
    (re.compile(r"^(Length must|Shorter than|Longer than)"), "length"),
    (re.compile(r"^Must be one of"), "one_of"),
    (re.compile(r"^String does not match"), "pattern"),
    (re.compile(r"^Must not contain control characters"), "no_control_characters"),
    (re.compile(r"^Must not contain lone surrogates"), "no_lone_surrogates"),
]


def _rule_of(message: str) -> str:
    return next((rule for pattern, rule in _RULES if pattern.search(message)), "invalid")


def flatten_messages(messages, location: str | None = None, prefix: str = "") -> list[dict]:
    """{"json": {"a": {"b": ["msg"]}}} -> [{"field": "a.b", "location": "json", "rule": ..., "message": "msg"}]"""
    out: list[dict] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if location is None and not prefix and key in ("json", "query", "path", "headers", "form", "view_args"):
                out.extend(flatten_messages(value, key, ""))
                continue
            name = "(body)" if key == "_schema" and not prefix else f"{prefix}{key}"
            out.extend(flatten_messages(value, location, f"{name}."))
    else:
        for message in messages if isinstance(messages, list) else [messages]:
            if isinstance(message, (dict, list)):
                out.extend(flatten_messages(message, location, prefix))
                continue
            entry = {"field": harmless(prefix.rstrip(".")) or "(body)", "rule": _rule_of(str(message)),
                     "message": str(message)}
            if location:
                entry["location"] = location
            out.append(entry)
    return out


def _summary(errors: list[dict]) -> str:
    return "; ".join(f"{e['field']}: {e['message']}" for e in errors)


def _error_page(status: int) -> Response | None:
    """On a page path, the web pages' HTML error page (api/web/errors.py); None under the JSON API."""
    render = current_app.extensions.get("gradeflow.error_page")
    return render(status) if render is not None else None


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    if (page := _error_page(status)) is not None:
        return page
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    headers = dict(data.get("headers") or {})
    if status == 405 and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    if messages and status == 400:
        return problem(400, "the request body is not valid JSON", code="malformed_json", headers=headers)
    if messages:
        errors = flatten_messages(messages)
        return problem(status, _summary(errors), errors=errors, headers=headers)
    if status == 404:
        detail = "nothing at this address"  # never the path: it is the caller's text, and may be markup
    elif status == 405:
        detail = f"{_method()} is not allowed on {_route(error.valid_methods) or 'this address'}"
    elif status == 413:
        detail = "the request body is larger than this server accepts"
    else:
        detail = error.description or ""
    return problem(status, detail, headers=headers)


def _method() -> str:
    """The request's method, when it is a plain one (a test client may send anything as a method)."""
    return request.method if re.fullmatch(r"[A-Z]{1,16}", request.method) else "this method"


def _route(methods) -> str | None:
    """The route the path belongs to, written as the OpenAPI document writes it (`/api/v1/users/{username}`):
    the service's own text, not the caller's."""
    rule = request.url_rule
    if rule is None:  # a 405 is raised while matching: find the route through a method it takes
        for method in methods or ():
            try:
                rule, _ = current_app.url_map.bind_to_environ(request.environ).match(method=method, return_rule=True)
                break
            except HTTPException:
                continue
    return re.sub(r"<(?:[^<>:]+:)?([^<>:]+)>", r"{\1}", rule.rule) if rule is not None else None


def _jsonable(value):
    if isinstance(value, Decimal):  # scores: numbers, as in every other body
        return float(value)
    if isinstance(value, datetime):
        return value.astimezone(current_app.extensions["gradeflow"]["rules"].policy.tz).isoformat()
    return value.isoformat() if isinstance(value, date) else value


def handle_domain_error(error: DomainError) -> Response:
    if isinstance(error, (NotFound, Forbidden)) and (page := _error_page(404 if isinstance(error, NotFound) else 403)):
        return page
    status, detail, members, headers = _domain_problem(error)
    return problem(status, detail, headers=headers, **members)


def domain_problem_document(error: DomainError) -> dict:
    """The problem a domain error is answered with, as the members of its body (a bulk answer holds one per
    refused case)."""
    status, detail, members, _headers = _domain_problem(error)
    return problem_document(status, detail, **members)


def _domain_problem(error: DomainError) -> tuple[int, str, dict, dict]:
    """(status, detail, the other members, headers) of the problem a domain error is answered with."""
    if isinstance(error, RuleViolation):
        errors = [{"field": harmless(e.field), "rule": e.rule, "message": e.message}
                  | ({"location": e.location} if e.location else {}) for e in error.errors]
        return 422, _summary(errors) or error.detail, {"errors": errors}, {}
    status, headers = 400, {}
    if isinstance(error, NotFound):
        status = 404
    elif isinstance(error, Forbidden):
        status = 403
    elif isinstance(error, Unauthenticated):
        status = 401
        headers["WWW-Authenticate"] = 'Bearer realm="gradeflow"'
    elif isinstance(error, Conflict):
        status = 409
    elif isinstance(error, (NotEligible, ImportRefused)):
        status = 422
    elif isinstance(error, TooManyAttempts):
        status = 429
        headers["Retry-After"] = str(error.retry_after)
    elif isinstance(error, Unexpected):
        status = 500
    extra = {k: _jsonable(v) for k, v in error.extra.items()}
    return status, error.detail, {"code": error.code, **extra}, headers


def handle_unexpected(error: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return _error_page(500) or problem(500, "an unexpected error occurred; it has been logged")


def register_error_handlers(app) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(Exception, handle_unexpected)
