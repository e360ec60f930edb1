"""Responses kept for the Idempotency-Key header (api.md): the first answer to a POST, stored in the
transaction of the change it reports, so that a repeat can be answered without doing anything again."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, or_, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, UTCDateTime


class IdempotentRequest(Base):
    """A key is the caller's own: two users may send the same key without meeting."""
    __tablename__ = "idempotent_requests"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of the method, path and body
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(2000))
    status: Mapped[int] = mapped_column(Integer)
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # a key in progress (status 0): claimed until then; a repeat afterwards may take the claim over (None: lapsed)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


def stored_response(session: Session, user_id: int, key: str) -> IdempotentRequest | None:
    return session.get(IdempotentRequest, (user_id, key), populate_existing=True)


def take_over_lapsed_claim(session: Session, user_id: int, key: str, fingerprint: str, now: datetime,
                           until: datetime) -> bool:
    """Claim until `until` a key in progress (status 0) for the same request whose claim lapsed by `now`, unless
    another request took it over or finished it meanwhile (then False)."""
    taken = session.execute(update(IdempotentRequest).where(
        IdempotentRequest.user_id == user_id, IdempotentRequest.key == key,
        IdempotentRequest.fingerprint == fingerprint, IdempotentRequest.status == 0,
        or_(IdempotentRequest.claimed_until.is_(None), IdempotentRequest.claimed_until <= now),
    ).values(claimed_until=until, created_at=now).execution_options(synchronize_session=False))
    return taken.rowcount == 1
