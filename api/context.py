"""Request-scoped access to the unit of work, the rules and the authenticated caller."""
from __future__ import annotations

from flask import current_app, g, has_request_context, request

from api.tokens import credential_stamp
from models import db
from models.unit_of_work import SqlUnitOfWork, unit_of_work_factory
from workflow.accounts import Actor
from workflow.errors import InvalidToken
from workflow.services.accounts import actor_for
from workflow.services.delegations import with_stand_ins


def extension(name: str):
    return current_app.extensions["gradeflow"][name]


def rules():
    return extension("rules")


_unit_of_work = unit_of_work_factory(db.session)


def uow() -> SqlUnitOfWork:
    # a POST with an Idempotency-Key commits once its response is stored with the change (api/idempotency.py)
    return _unit_of_work(deferred=has_request_context() and "idempotent_request" in g)


def own_transaction_uow() -> SqlUnitOfWork:
    """A unit of work that commits by itself, Idempotency-Key or not: a bulk request commits each case on its own,
    and its answer is stored afterwards (workflow/services/bulk.py, api/bulk.py)."""
    return _unit_of_work()


def current_actor() -> Actor:
    """The caller, authenticated by bearer token; roles fresh from the database."""
    if "actor" not in g:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if not header:
            raise InvalidToken("this request needs a bearer token (Authorization: Bearer <token>)")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidToken("the Authorization header must be 'Bearer <token>'")
        subject = extension("tokens").subject(token.strip())
        g.actor = holder_of(subject.user_id, subject.credential_stamp)
    return g.actor


def holder_of(user_id: int, stamp: str) -> Actor:
    """The user a credential (a bearer token, a page session) was issued to, as they are now (roles fresh from
    the database, and the delegations that make them someone's substitute today); InvalidToken when the credential
    no longer holds."""
    user = uow().users.holder(user_id, rules().today())
    if user is None or not user.active:
        raise InvalidToken("the token's user no longer exists or is switched off")
    if credential_stamp(user.password_hash) != stamp:
        raise InvalidToken("the password has changed since this token was issued; sign in again")
    return with_stand_ins(uow(), rules(), actor_for(user)) if user.stands_in else actor_for(user)
