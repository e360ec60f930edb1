"""Sign-in attempts, kept for the window of workflow/sign_in_throttling.py: in the database, so that every gunicorn
worker, process and host counts the same attempts."""
from __future__ import annotations

import zlib
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String, delete, func, select, text, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, UTCDateTime
from workflow.sign_in_throttling import OUTCOMES, PENDING, Attempt

_OUTCOME_LIST = ", ".join(f"'{o}'" for o in OUTCOMES)
ADDRESS_LENGTH = 64  # an IPv6 address with a zone is 45 characters at most; longer text is cut

# PostgreSQL advisory lock classes (the two-integer form, apart from the scheduler's one-bigint key)
_USERNAME_LOCK, _ADDRESS_LOCK = 0x7369676E, 0x61646472  # "sign", "addr"


class SignInAttempt(Base):
    """One sign-in that was let through to the password check: `pending` while the password is verified, then
    `failed` or `succeeded`. `username` is as typed (unknown names count too)."""
    __tablename__ = "sign_in_attempts"
    __table_args__ = (
        CheckConstraint(f"outcome IN ({_OUTCOME_LIST})", name="known_outcome"),
        Index("ix_sign_in_attempts_username_at", "username", "at"),
        Index("ix_sign_in_attempts_address_at", "address", "at"),
        Index("ix_sign_in_attempts_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(ADDRESS_LENGTH))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(16))


def _address(address: str | None) -> str:
    return (address or "(unknown)")[:ADDRESS_LENGTH]


def _key(value: str) -> int:
    """A signed 32-bit key for pg_advisory_xact_lock(int, int)."""
    return zlib.crc32(value.encode("utf-8", "backslashreplace")) - 2**31


class SignInAttemptRepository:
    def __init__(self, session: Session):
        self.session = session

    def lock(self, username: str, address: str | None) -> None:
        """Until the transaction ends, no other sign-in for this username or from this address counts and
        records at the same time. PostgreSQL: advisory locks (username first, then address, always in this
        order). SQLite: the database's write lock, taken here by a write (a unit of work may hold it already)."""
        if self.session.get_bind().dialect.name == "postgresql":
            for lock_class, value in ((_USERNAME_LOCK, username), (_ADDRESS_LOCK, _address(address))):
                self.session.execute(text("SELECT pg_advisory_xact_lock(:class, :key)"),
                                     {"class": lock_class, "key": _key(value)})
        else:
            self.session.execute(update(SignInAttempt).where(SignInAttempt.id == -1).values(outcome=PENDING))

    def prune(self, before: datetime) -> int:
        """Forget attempts older than `before` (they count for nothing any more)."""
        return self.session.execute(delete(SignInAttempt).where(SignInAttempt.at < before)).rowcount

    def for_username(self, username: str, since: datetime) -> list[Attempt]:
        return self._since(SignInAttempt.username == username, since)

    def from_address(self, address: str | None, since: datetime) -> list[Attempt]:
        return self._since(SignInAttempt.address == _address(address), since)

    def _since(self, condition, since: datetime) -> list[Attempt]:
        rows = self.session.execute(select(SignInAttempt.at, SignInAttempt.outcome)
                                    .where(condition, SignInAttempt.at > since))
        return [Attempt(at, outcome) for at, outcome in rows]

    def begin(self, username: str, address: str | None, at: datetime) -> int:
        """Record an attempt about to verify its password, as pending; its id."""
        attempt = SignInAttempt(username=username, address=_address(address), at=at, outcome=PENDING)
        self.session.add(attempt)
        self.session.flush()
        return attempt.id

    def finish(self, attempt_id: int, outcome: str) -> None:
        self.session.execute(update(SignInAttempt).where(SignInAttempt.id == attempt_id).values(outcome=outcome))

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(SignInAttempt))
