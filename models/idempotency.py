"""Responses kept for the Idempotency-Key header (api.md): the first answer to a POST, stored in the
transaction of the change it reports, so that a repeat can be answered without doing anything again."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
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


def stored_response(session: Session, user_id: int, key: str) -> IdempotentRequest | None:
    return session.get(IdempotentRequest, (user_id, key), populate_existing=True)
