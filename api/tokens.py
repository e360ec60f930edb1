"""Signed, expiring bearer tokens (JWT, HS256). They name the user and a stamp of the user's
credentials: roles are read from the database on every request, and a password change
invalidates every token issued before it. Expiry follows the wall clock, never the manual clock."""
from __future__ import annotations

from datetime import timedelta

import hashlib
from dataclasses import dataclass

import jwt

from workflow.clock import Clock
from workflow.errors import InvalidToken

ALGORITHM = "HS256"
ISSUER = "gradeflow"


def credential_stamp(password_hash: str) -> str:
    """Changes whenever the password does; reveals nothing usable about the hash."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class TokenSubject:
    user_id: int
    credential_stamp: str


class TokenService:
    def __init__(self, secret: str, ttl_seconds: int, wall_clock: Clock):
        self._secret, self._ttl, self._clock = secret, ttl_seconds, wall_clock

    @property
    def ttl_seconds(self) -> int:
        return self._ttl

    def issue(self, user_id: int, password_hash: str) -> str:
        now = self._clock.now()
        claims = {"sub": str(user_id), "cst": credential_stamp(password_hash), "iss": ISSUER,
                  "iat": int(now.timestamp()),
                  "exp": int((now + timedelta(seconds=self._ttl)).timestamp())}
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def subject(self, token: str) -> TokenSubject:
        """Whom the token was issued to; InvalidToken if forged, malformed or expired."""
        try:
            # Only HS256 is accepted, which refuses `alg: none` and algorithm confusion. Expiry is
            # checked below against our wall clock; PyJWT's own time checks would bypass it.
            claims = jwt.decode(token, self._secret, algorithms=[ALGORITHM], issuer=ISSUER,
                                options={"require": ["sub", "cst", "iat", "exp", "iss"], "verify_exp": False, "verify_iat": False})
        except jwt.InvalidTokenError as exc:
            # the kind of flaw, not PyJWT's message: that may quote the token's own header (`crit` values)
            raise InvalidToken(f"the token is not valid: {_flaw(exc)}") from None
        if claims["exp"] <= self._clock.now().timestamp():
            raise InvalidToken("the token has expired; sign in again")
        subject = str(claims["sub"])
        if not (subject.isascii() and subject.isdigit()) or not 0 < int(subject) < 2**31:
            raise InvalidToken("the token is not valid: bad subject")
        return TokenSubject(int(subject), str(claims["cst"]))


# What is wrong with a refused token, from PyJWT's exception class (most specific first).
_FLAWS = ((jwt.InvalidSignatureError, "bad signature"), (jwt.InvalidAlgorithmError, "algorithm not accepted"),
          (jwt.InvalidIssuerError, "another issuer"), (jwt.MissingRequiredClaimError, "a required claim is missing"),
          (jwt.DecodeError, "malformed"))


def _flaw(exc: jwt.InvalidTokenError) -> str:
    return next((flaw for kind, flaw in _FLAWS if isinstance(exc, kind)), "refused")
