"""Idempotency-Key on POST (api.md): a repeat of a request with the same key by the same user gets the
first response back, marked `Idempotent-Replayed: true`, and changes nothing.

The first successful response is stored in the transaction of the change it reports: the request's unit
of work only flushes (api.context.uow), and the commit happens here once the response exists, so a
crash leaves both or neither. An error response changed nothing and is not kept: a repeat is judged
again. Two requests with one key at once: the later one either conflicts on the record or fails to store
the key, and then returns the response the first one stored. Requests without a bearer token (sign-in)
ignore the header: a stored token must never be handed to whoever guesses the key.

A request that commits as it goes (bulk work, api/bulk.py: each case in a transaction of its own) cannot store
its response with its change: it claims the key first (`claim_key`), in a transaction of its own, as a row in
progress (status 0), and fills the row with its response at the end. A repeat sent meanwhile is answered 409
`request_in_progress` (nothing done), not done again beside it; a repeat afterwards gets the stored response."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from apispec import BasePlugin
from flask import Flask, Response, current_app, g, request
from sqlalchemy.exc import IntegrityError

from api.blueprint import parse_json_body
from api.context import rules
from api.problems import handle_domain_error
from models import db
from models.idempotency import IdempotentRequest, stored_response
from models.unit_of_work import SqlUnitOfWork
from workflow.errors import Conflict, DomainError, FieldError, RuleViolation

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
KEPT_HEADERS = ("Content-Type", "ETag", "Location")
KEY_FORMAT = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII, as any client library generates
IN_PROGRESS = 0  # the status of a key claimed by a request still running (claim_key)


@dataclass(frozen=True)
class PendingRequest:
    user_id: int
    key: str
    fingerprint: str


def init_app(app: Flask) -> None:
    """Register after authentication: only an authenticated POST takes part."""
    app.before_request(_replay_or_remember)
    app.after_request(_store_with_the_change)  # api.context.uow defers the commit while g holds the request


class IdempotencyKeyDocumentation(BasePlugin):
    """The OpenAPI document lists the optional header on every POST that needs a bearer token."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        post = (operations or {}).get("post")
        if post is None or post.get("security") == []:  # sign-in ignores the header
            return
        post.setdefault("parameters", []).append({
            "name": HEADER, "in": "header", "required": False,
            "description": "a key of your own for this request (a UUID, for example): a repeat with the same "
                           "key returns the first response, marked Idempotent-Replayed, and changes nothing; "
                           "the same key with another method, path or body is refused (422)",
            "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": f"^{KEY_FORMAT.pattern}$"},
        })


def _replay_or_remember():
    if request.method != "POST" or HEADER not in request.headers or "actor" not in g:
        return None
    key = request.headers[HEADER]
    if not KEY_FORMAT.fullmatch(key):
        raise _key_problem("format", "must be 1 to 255 visible ASCII characters (a UUID, for example)")
    request_ = PendingRequest(g.actor.user_id, key, _fingerprint())
    stored = stored_response(db.session, request_.user_id, key)
    if stored is not None:
        return _replay(stored, request_)
    g.idempotent_request = request_
    return None


def claim_key() -> Response | None:
    """For a request that commits as it goes: take its key now, in a transaction of its own (call it once the
    request has been validated). None: claimed, go on; else the response to give instead (the stored one, or 409
    `request_in_progress` while another request with the key is running)."""
    request_ = g.get("idempotent_request")
    if request_ is None:
        return None
    db.session.add(IdempotentRequest(user_id=request_.user_id, key=request_.key, fingerprint=request_.fingerprint,
                                     method=request.method, path=request.path[:2000], status=IN_PROGRESS, headers={},
                                     body="", created_at=rules().now()))
    try:
        SqlUnitOfWork(db.session).commit()
    except IntegrityError:  # another request with the key claimed it, or finished, meanwhile
        g.pop("idempotent_request")
        return _replay_if_stored(request_) or handle_domain_error(_in_progress())
    g.idempotent_claimed = True
    return None


def _in_progress() -> Conflict:
    return Conflict("request_in_progress", "a request with this Idempotency-Key is still being done; send the "
                    "repeat once it is over")


def _store_with_the_change(response: Response) -> Response:
    request_ = g.pop("idempotent_request", None)
    if request_ is None:
        return response
    if g.pop("idempotent_claimed", False):
        return _store_after_the_change(request_, response)
    if response.status_code >= 400:
        db.session.rollback()  # the unit of work has rolled back already, unless it never began
        return _replay_if_stored(request_) or response
    db.session.add(IdempotentRequest(
        user_id=request_.user_id, key=request_.key, fingerprint=request_.fingerprint, method=request.method,
        path=request.path[:2000], status=response.status_code,  # the fingerprint covers the query
        headers={name: response.headers[name] for name in KEPT_HEADERS if name in response.headers},
        body=response.get_data(as_text=True), created_at=rules().now()))
    try:
        SqlUnitOfWork(db.session).commit()
    except IntegrityError:
        replayed = _replay_if_stored(request_)
        if replayed is None:
            raise
        return replayed
    except DomainError as conflict:  # version_conflict, should a versioned row first reach the database here
        return _replay_if_stored(request_) or handle_domain_error(conflict)
    return response


def _store_after_the_change(request_: PendingRequest, response: Response) -> Response:
    """The response of a request that claimed its key, in the claimed row; an error response frees the key (what
    was done stays done: a repeat is judged again)."""
    db.session.rollback()
    claimed = stored_response(db.session, request_.user_id, request_.key)
    if claimed is None:
        return response
    if response.status_code >= 400:
        db.session.delete(claimed)
    else:
        claimed.status, claimed.body = response.status_code, response.get_data(as_text=True)
        claimed.headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
    SqlUnitOfWork(db.session).commit()
    return response


def _replay_if_stored(request_: PendingRequest) -> Response | None:
    """After a failure: the response a concurrent request with the same key stored meanwhile, if any."""
    stored = stored_response(db.session, request_.user_id, request_.key)
    if stored is None:
        return None
    try:
        return _replay(stored, request_)
    except DomainError as refused:  # reused, or in progress: raised here, after the view, it would become a 500
        return handle_domain_error(refused)


def _replay(stored: IdempotentRequest, request_: PendingRequest) -> Response:
    if stored.fingerprint != request_.fingerprint:
        raise _key_problem("reused_for_another_request",
                           f"was used for another request ({stored.method} {stored.path}); send a new key")
    if stored.status == IN_PROGRESS:
        raise _in_progress()
    response = current_app.response_class(stored.body, status=stored.status)
    response.headers.update(stored.headers)
    response.headers[REPLAYED] = "true"
    return response


def _fingerprint() -> str:
    """The method, the path with its query, and the body; a JSON body by its content, not its spacing."""
    body = request.get_data(cache=True)
    try:
        body = json.dumps(parse_json_body(body), sort_keys=True, ensure_ascii=False).encode()
    except ValueError:
        pass  # not JSON: the view refuses it; the raw bytes still tell two requests apart
    return hashlib.sha256(f"{request.method} {request.full_path}\n".encode() + body).hexdigest()


def _key_problem(rule: str, message: str) -> RuleViolation:
    return RuleViolation([FieldError(HEADER, rule, message, location="header")])
