"""/auth/token, /me and /users."""
from __future__ import annotations

import marshmallow as ma
from flask import request
from flask.views import MethodView
from api.blueprint import Blueprint

from api.context import current_actor, extension, rules, uow
from api.fields import EMPLOYEE_NO, LocalDateTime, Str, StrictBool, Unicode
from api.pagination import TOTAL_HEADER, PageArgs, paged
from api.problems import PROBLEM_JSON, ProblemSchema, documented_problem
from workflow.accounts import ROLES
from workflow.services import accounts

blp = Blueprint("accounts", __name__, url_prefix="/api/v1", description="Sign-in and user accounts")


RETRY_AFTER = {"Retry-After": {"description": "whole seconds until the next attempt is considered",
                               "schema": {"type": "integer", "minimum": 1}, "required": True}}


class TokenRequest(ma.Schema):
    username = Str(required=True, validate=ma.validate.Length(min=1, max=64))
    password = Unicode(required=True, load_only=True, validate=ma.validate.Length(min=1, max=1024))


class TokenResponse(ma.Schema):
    access_token = ma.fields.String()
    token_type = ma.fields.String()
    expires_in = ma.fields.Integer(metadata={"description": "seconds until the token expires"})


class MeSchema(ma.Schema):
    username = ma.fields.String()
    roles = ma.fields.List(ma.fields.String())
    employee_no = ma.fields.String(allow_none=True)


class UserSchema(MeSchema):
    active = ma.fields.Boolean()
    email = ma.fields.String(allow_none=True, metadata={"description": "where mail notifications go"})
    mobile = ma.fields.String(allow_none=True, metadata={
        "description": "mentioned in the DingTalk and WeCom group robots' messages"})
    language = ma.fields.String(allow_none=True, metadata={
        "description": "of the pages and the messages: zh_CN or en (none: the browser's; messages in Chinese)"})
    created_at = LocalDateTime()
    updated_at = LocalDateTime()


_ROLE = ma.fields.String(validate=ma.validate.OneOf(ROLES))


class NewUserSchema(ma.Schema):
    username = Str(required=True)
    password = Unicode(required=True, load_only=True)
    roles = ma.fields.List(_ROLE, required=True)
    employee_no = ma.fields.String(load_default=None, allow_none=True, validate=EMPLOYEE_NO)
    email = ma.fields.String(load_default=None, allow_none=True)
    mobile = ma.fields.String(load_default=None, allow_none=True)
    language = ma.fields.String(load_default=None, allow_none=True)


CONTACT = ("email", "mobile", "language")


class UserChangeSchema(ma.Schema):
    roles = ma.fields.List(_ROLE)
    active = StrictBool()
    email = ma.fields.String(allow_none=True, metadata={"description": "null clears it"})
    mobile = ma.fields.String(allow_none=True, metadata={"description": "null clears it"})
    language = ma.fields.String(allow_none=True, metadata={"description": "null clears it"})

    @ma.validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ma.ValidationError("give roles, active, email, mobile or language", "_schema")


class PasswordChangeSchema(ma.Schema):
    current_password = Unicode(required=True, load_only=True)
    new_password = Unicode(required=True, load_only=True)


@blp.route("/auth/token")
class Token(MethodView):
    @blp.doc(security=[])
    @blp.arguments(TokenRequest)
    @blp.response(200, TokenResponse)
    @documented_problem(blp, 401, "invalid_credentials")
    @blp.alt_response(429, schema=ProblemSchema, content_type=PROBLEM_JSON, headers=RETRY_AFTER,
                      description="too_many_attempts: repeated wrong passwords for this username (or from this "
                                  "address); Retry-After says in how many seconds the next attempt is considered")
    def post(self, body):
        """Sign in: exchange a username and password for a bearer token"""
        # request.remote_addr: the peer of this process (no proxy is configured yet: behind a reverse proxy every
        # caller shares its address)
        user_id, password_hash = accounts.sign_in(
            uow, extension("passwords"), extension("sign_in_limits"), extension("wall_clock"),
            username=body["username"], password=body["password"], address=request.remote_addr)
        tokens = extension("tokens")
        return {"access_token": tokens.issue(user_id, password_hash), "token_type": "Bearer",
                "expires_in": tokens.ttl_seconds}


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeSchema)
    def get(self):
        """Who am I: username, roles (as of now) and employee number"""
        actor = current_actor()
        return {"username": actor.username, "roles": sorted(actor.roles), "employee_no": actor.employee_no}


@blp.route("/me/password")
class MyPassword(MethodView):
    @blp.arguments(PasswordChangeSchema)
    @blp.response(204)
    @documented_problem(blp, 401, "the current password is wrong")
    def put(self, body):
        """Change my password"""
        actor = current_actor()
        with uow() as u:
            accounts.change_password(u, rules(), extension("passwords"), actor, **body)


@blp.route("/users")
class Users(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, UserSchema(many=True), headers=TOTAL_HEADER)
    def get(self, args):
        """List user accounts (hr, admin)"""
        return paged(*accounts.list_users(uow(), current_actor(), **args))

    @blp.arguments(NewUserSchema)
    @blp.response(201, UserSchema)
    @documented_problem(blp, 409, "username_taken, employee_no_taken")
    def post(self, body):
        """Create a user (hr grants employee, supervisor, committee; admin any role)"""
        actor = current_actor()
        with uow() as u:
            user = accounts.create_user(u, rules(), extension("passwords"), actor, **body)
        return user


@blp.route("/users/<username:username>")
class UserByName(MethodView):
    @blp.response(200, UserSchema)
    def get(self, username):
        """One user account (hr, admin, or the user)"""
        return accounts.get_user(uow(), current_actor(), username)

    @blp.arguments(UserChangeSchema)
    @blp.response(200, UserSchema)
    def patch(self, body, username):
        """Change a user's roles, contact details (e-mail, mobile, language) or switch the account on or off;
        effective at once"""
        actor = current_actor()
        with uow() as u:
            contact = {field: body.pop(field) for field in CONTACT if field in body}
            user = accounts.update_user(u, rules(), actor, username, contact=contact, **body)
        return user
