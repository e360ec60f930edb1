"""Signed, expiring bearer tokens (JWT, HS256). They name the user only: roles are read
from the database on every request. Expiry follows the wall clock, never the manual clock."""
from __future__ import annotations

from datetime import timedelta

import jwt

from workflow.clock import Clock
from workflow.errors import InvalidToken

ALGORITHM = "HS256"
ISSUER = "gradeflow"


class TokenService:
    def __init__(self, secret: str, ttl_seconds: int, wall_clock: Clock):
        self._secret, self._ttl, self._clock = secret, ttl_seconds, wall_clock

    @property
    def ttl_seconds(self) -> int:
        return self._ttl

    def issue(self, user_id: int) -> str:
        now = self._clock.now()
        claims = {"sub": str(user_id), "iss": ISSUER, "iat": int(now.timestamp()),
                  "exp": int((now + timedelta(seconds=self._ttl)).timestamp())}
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def user_id(self, token: str) -> int:
        """The user the token was issued to; InvalidToken if forged, malformed or expired."""
        try:
            # Only HS256 is accepted, which refuses `alg: none` and algorithm confusion. Expiry is
            # checked below against our wall clock; PyJWT's own time checks would bypass it.
            claims = jwt.decode(token, self._secret, algorithms=[ALGORITHM], issuer=ISSUER,
                                options={"require": ["sub", "iat", "exp", "iss"], "verify_exp": False, "verify_iat": False})
        except jwt.InvalidTokenError as exc:
            raise InvalidToken(f"the token is not valid: {exc}") from None
        if claims["exp"] <= self._clock.now().timestamp():
            raise InvalidToken("the token has expired; sign in again")
        subject = str(claims["sub"])
        if not (subject.isascii() and subject.isdigit()) or not 0 < int(subject) < 2**31:
            raise InvalidToken("the token is not valid: bad subject")
        return int(subject)
