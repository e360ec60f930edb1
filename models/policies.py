"""The policy versions that governed cases: each stored the first time a case records it, so that the rules a
case was opened under stay readable after the policy file has changed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, UTCDateTime
from models.transaction_memo import transaction_memo


class PolicyVersion(Base):
    __tablename__ = "policy_versions"

    reference: Mapped[str] = mapped_column(String(80), primary_key=True)  # name@version, as cases record it
    document: Mapped[str] = mapped_column(Text)  # the file's content as canonical JSON; the version fingerprints it
    first_used_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PolicyVersionRepository:
    def __init__(self, session: Session):
        self.session = session

    def remember(self, reference: str, document: str, at: datetime) -> None:
        """Store the version unless it is stored already (then nothing changes: it is the same document); once
        per transaction (a sweep's batch opens many cases under the same version)."""
        remembered = transaction_memo(self.session).setdefault("policy_versions", set())
        if reference in remembered:
            return
        dialect = postgresql if self.session.get_bind().dialect.name == "postgresql" else sqlite
        self.session.execute(dialect.insert(PolicyVersion).values(reference=reference, document=document,
                                                                  first_used_at=at)
                             .on_conflict_do_nothing(index_elements=["reference"]))
        remembered.add(reference)

    def get(self, reference: str) -> PolicyVersion | None:
        if "\x00" in reference:  # no text column can hold one (PostgreSQL refuses it): no version is named so
            return None
        return self.session.scalar(select(PolicyVersion).where(PolicyVersion.reference == reference))
