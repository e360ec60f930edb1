"""Password hashing with Argon2id (slow by design). Clear-text passwords are never stored or logged."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class Passwords:
    def __init__(self, time_cost: int = 3, memory_cost: int = 65536, parallelism: int = 2):
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
        # Verified against when the username is unknown, so both failures take as long. Made by the first
        # verify(), not here: every process builds a Passwords at start (each command, each server worker), and
        # most never verify one (a hash at the default costs is about 0.14 s of CPU and 64 MiB).
        self._decoy: str | None = None

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        # made by the first verify of any sign-in, a known username's too: only the first of a process takes
        # longer, whoever signs in, so the time still tells nobody whether a username exists
        if self._decoy is None:  # threads that race here each make one: either serves
            self._decoy = self._hasher.hash("decoy password for unknown users")
        try:
            return self._hasher.verify(password_hash or self._decoy, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)
