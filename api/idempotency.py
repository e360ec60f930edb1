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
`request_in_progress` (nothing done), not done again beside it; a repeat afterwards gets the stored response.
A claim is a lease (GRADEFLOW_IDEMPOTENCY_LEASE, far longer than any bulk request takes): a repeat sent after it
lapsed, when the request that claimed the key has died, takes the claim over and is done again; each case of it is
judged again by its own use case, so a case the dead request did is refused, not done twice.

The fingerprint compares a repeat with the first request: a JSON body by its content, a form (a file upload) by
its fields and files, not by the multipart boundary each upload chooses anew."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from apispec import BasePlugin
from flask import Flask, Response, current_app, g, request
from sqlalchemy.exc import IntegrityError

from api.blueprint import parse_json_body
from api.context import rules
from api.problems import handle_domain_error
from models import db
from models.idempotency import IdempotentRequest, stored_response, take_over_lapsed_claim
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
    if stored is not None and (replayed := _replay(stored, request_)) is not None:
        return replayed
    g.idempotent_request = request_
    return None


def claim_key() -> Response | None:
    """For a request that commits as it goes: take its key now, in a transaction of its own (call it once the
    request has been validated). None: claimed, go on; else the response to give instead (the stored one, or 409
    `request_in_progress` while another request with the key is running)."""
    request_ = g.get("idempotent_request")
    if request_ is None:
        return None
    now = rules().now()
    until = now + timedelta(seconds=current_app.config["GRADEFLOW_IDEMPOTENCY_LEASE"])
    db.session.add(IdempotentRequest(user_id=request_.user_id, key=request_.key, fingerprint=request_.fingerprint,
                                     method=request.method, path=request.path[:2000], status=IN_PROGRESS, headers={},
                                     body="", created_at=now, claimed_until=until))
    try:
        SqlUnitOfWork(db.session).commit()
    except IntegrityError:  # claimed, or finished, meanwhile by another request with the key; or a lapsed claim
        if not _take_over(request_, now, until):
            g.pop("idempotent_request")
            return _replay_if_stored(request_) or handle_domain_error(_in_progress())
    g.idempotent_claimed = until
    return None


def _take_over(request_: PendingRequest, now: datetime, until: datetime) -> bool:
    """The key's claim, if it lapsed (the request that made it died): taken over by this repeat."""
    if not take_over_lapsed_claim(db.session, request_.user_id, request_.key, request_.fingerprint, now, until):
        db.session.rollback()
        return False
    SqlUnitOfWork(db.session).commit()
    return True


def _in_progress() -> Conflict:
    return Conflict("request_in_progress", "a request with this Idempotency-Key is still being done; send the "
                    "repeat once it is over")


def _store_with_the_change(response: Response) -> Response:
    request_ = g.pop("idempotent_request", None)
    if request_ is None:
        return response
    if (claimed_until := g.pop("idempotent_claimed", None)) is not None:
        return _store_after_the_change(request_, claimed_until, response)
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


def _store_after_the_change(request_: PendingRequest, claimed_until: datetime, response: Response) -> Response:
    """The response of a request that claimed its key, in the claimed row; an error response frees the key (what
    was done stays done: a repeat is judged again). A claim a repeat took over (this request outlived its lease)
    is the repeat's to fill."""
    db.session.rollback()
    claimed = stored_response(db.session, request_.user_id, request_.key)
    if claimed is None or claimed.status != IN_PROGRESS or claimed.claimed_until != claimed_until:
        return response
    if response.status_code >= 400:
        db.session.delete(claimed)
    else:
        claimed.status, claimed.body = response.status_code, response.get_data(as_text=True)
        claimed.claimed_until = None
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


def _replay(stored: IdempotentRequest, request_: PendingRequest) -> Response | None:
    """The stored response for a repeat; None for a repeat of a request whose claim lapsed: it is done again."""
    if stored.fingerprint != request_.fingerprint:
        raise _key_problem("reused_for_another_request",
                           f"was used for another request ({stored.method} {stored.path}); send a new key")
    if stored.status == IN_PROGRESS:
        if stored.claimed_until is None or stored.claimed_until <= rules().now():
            return None
        raise _in_progress()
    response = current_app.response_class(stored.body, status=stored.status)
    response.headers.update(stored.headers)
    response.headers[REPLAYED] = "true"
    return response


def _fingerprint() -> str:
    """The method, the path with its query, and the body: a JSON body by its content, not its spacing; a form by
    its fields and each file's field, name and bytes, not by its multipart boundary."""
    if request.mimetype == "multipart/form-data":
        body = _form_content()
    else:
        body = request.get_data(cache=True)
        try:
            body = json.dumps(parse_json_body(body), sort_keys=True, ensure_ascii=False).encode()
        except ValueError:
            pass  # not JSON: the view refuses it; the raw bytes still tell two requests apart
    return hashlib.sha256(f"{request.method} {request.full_path}\n".encode() + body).hexdigest()


def _form_content() -> bytes:
    """A form's fields and files in one canonical form: by field name (a field sent twice keeps its order), each
    file by its name and the SHA-256 of its bytes (read, then rewound for the view)."""
    fields = sorted(request.form.items(multi=True), key=lambda item: item[0])
    files = []
    for name, upload in sorted(request.files.items(multi=True), key=lambda item: item[0]):
        digest = hashlib.sha256()
        for chunk in iter(lambda: upload.stream.read(1 << 16), b""):
            digest.update(chunk)
        upload.stream.seek(0)
        files.append([name, upload.filename or "", digest.hexdigest()])
    return json.dumps({"fields": fields, "files": files}, ensure_ascii=False).encode()


def _key_problem(rule: str, message: str) -> RuleViolation:
    return RuleViolation([FieldError(HEADER, rule, message, location="header")])
