"""Who is signed in to the pages: a signed session cookie holding the user's id and a stamp of their password
hash. The user is loaded on every request with their roles as they stand now, as the API's bearer tokens are
(api/context.py current_actor): a user switched off, or whose password changed, is signed out at once.

The cookie is HttpOnly and SameSite=Lax, and Secure whenever the request came over HTTPS (or always, with
GRADEFLOW_SECURE_COOKIES=1 behind a proxy that ends TLS). It expires after GRADEFLOW_TOKEN_TTL seconds without
a request (the signature carries its time: an older cookie is refused by the server, not only by the
browser)."""
from __future__ import annotations

import functools
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, g, has_request_context, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface

from api.context import holder_of
from api.tokens import credential_stamp
from workflow.accounts import Actor
from workflow.errors import InvalidToken

COOKIE = "gradeflow_session"
_USER_ID, _STAMP = "user_id", "credential_stamp"


class PageSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, Secure when the request is (not only when configured), and never sent back
    with a static file: the browser fetches those (the icon above all) after the page, so a late answer would put
    back the cookie a sign-out in between had cleared; and a file with a Set-Cookie is not cached by proxies."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or (has_request_context() and request.is_secure))

    def should_set_cookie(self, app: Flask, session) -> bool:
        return request.endpoint != "static" and super().should_set_cookie(app, session)


def init_app(app: Flask) -> None:
    app.session_interface = PageSessionInterface()
    app.config.update(
        SESSION_COOKIE_NAME=COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=app.config.get("GRADEFLOW_SECURE_COOKIES", False),
        PERMANENT_SESSION_LIFETIME=timedelta(seconds=app.config["GRADEFLOW_TOKEN_TTL"]),
    )


def begin(user_id: int, password_hash: str) -> None:
    """After a successful sign-in: a fresh session (nothing from before carries over, the CSRF token included)."""
    session.clear()
    session.permanent = True
    session[_USER_ID] = user_id
    session[_STAMP] = credential_stamp(password_hash)
    g.pop("page_user", None)


def end() -> None:
    session.clear()
    g.page_user = None


def current_user() -> Actor | None:
    """The signed-in user of this request, or None; loaded once per request."""
    if "page_user" not in g:
        g.page_user = _load()
    return g.page_user


def _load() -> Actor | None:
    user_id = session.get(_USER_ID)
    if user_id is None:
        return None
    try:
        return holder_of(user_id, session.get(_STAMP))
    except InvalidToken:  # switched off, or the password changed: the session ends
        session.clear()
        return None


def signed_in(view):
    """A page for signed-in users: anyone else is sent to the sign-in page, and back here afterwards."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if current_user() is None:
            return redirect(url_for("web.sign_in", next=local_path(request.full_path)))
        return view(*args, **kwargs)
    return wrapper


def local_path(target: str | None, default: str = "/") -> str:
    """`target` if it is a path of this site (never another host: `//evil.example`, `https://…`, `\\\\…`)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ch in target for ch in "\r\n\\"):
        return default
    return target.rstrip("?") or default
