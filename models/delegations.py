"""Delegations (workflow/delegations.py): who stands in for whom, in which scope, from which day to which."""
from __future__ import annotations

from datetime import date, datetime

from collections.abc import Collection

from sqlalchemy import (CheckConstraint, Date, Exists, ForeignKey, Index, Integer, String, and_, bindparam, exists, or_,
                        select)
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column, selectinload

from models.accounts import User, UserRole
from models.base import Base, UTCDateTime
from models.managers import Manager
from models.repositories import _insert, _page
from workflow.delegations import SCOPE_ROLES, SCOPES


class Delegation(Base):
    """A substitute named for a range of days; cancelled (never deleted) when it is called off."""
    __tablename__ = "delegations"
    __table_args__ = (
        CheckConstraint("principal <> substitute", name="not_self"),
        CheckConstraint("starts_on <= ends_on", name="ends_after_start"),
        CheckConstraint("scope IN (" + ", ".join(f"'{s}'" for s in SCOPES) + ")", name="known_scope"),
        CheckConstraint("(cancelled_at IS NULL) = (cancelled_by IS NULL)", name="cancelled_by_someone"),
        Index("ix_delegations_substitute_days", "substitute", "starts_on", "ends_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    principal: Mapped[str] = mapped_column(ForeignKey("users.username"), index=True)
    substitute: Mapped[str] = mapped_column(ForeignKey("users.username"))
    scope: Mapped[str] = mapped_column(String(16))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


def _in_force_on(day):
    """A delegation in force on `day` (a date or a bind parameter): not cancelled, and the day within its days."""
    return and_(Delegation.cancelled_at.is_(None), Delegation.starts_on <= day, Delegation.ends_on >= day)


def substitute_on(day, username) -> Exists:
    """Whether a delegation in force on `day` (its principal's account active) names `username` its substitute: a
    condition, for a statement that reads the user (models/repositories.py, the caller's read)."""
    principal = aliased(User)
    return exists().where(Delegation.substitute == username, _in_force_on(day),
                          principal.username == Delegation.principal, principal.active.is_(True))


# Built once: every request of a substitute on their days reads it (api/context.py holder_of), and building the
# statement cost more than running it.
_IN_FORCE_FOR = (
    select(Delegation, User).join(User, User.username == Delegation.principal)
    .where(Delegation.substitute == bindparam("substitute"), _in_force_on(bindparam("day")), User.active.is_(True))
    .options(selectinload(User.role_rows)).order_by(Delegation.id))


class DelegationRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, **fields) -> Delegation:
        return _insert(self.session, Delegation(**fields), ())

    def get(self, delegation_id: int, *, for_update: bool = False) -> Delegation | None:
        return self.session.get(Delegation, delegation_id, with_for_update=for_update or None,
                                populate_existing=for_update)

    def hold_principal(self, username: str) -> None:
        """Until the transaction ends, no other delegation of this principal is written (PostgreSQL: their account
        row, locked; SQLite: the unit of work holds the database's write lock already)."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(select(User.id).where(User.username == username).with_for_update())

    def overlapping(self, principal: str, starts_on: date, ends_on: date) -> list[Delegation]:
        """The principal's delegations not cancelled that share a day with the range."""
        return list(self.session.scalars(
            select(Delegation).where(Delegation.principal == principal, Delegation.cancelled_at.is_(None),
                                     Delegation.starts_on <= ends_on, Delegation.ends_on >= starts_on)
            .order_by(Delegation.starts_on)))

    def page(self, page: int, per_page: int, *, involving: str | None = None):
        """Newest first; `involving`: those where the user is the principal or the substitute."""
        stmt = select(Delegation).order_by(Delegation.starts_on.desc(), Delegation.id.desc())
        if involving is not None:
            stmt = stmt.where(or_(Delegation.principal == involving, Delegation.substitute == involving))
        return _page(self.session, stmt, page, per_page)

    def in_force_for(self, substitute: str, day: date) -> list[tuple[Delegation, User]]:
        """The delegations in force on `day` that make `substitute` someone's substitute, each with its principal's
        account (active, with their roles); one statement, and one more for the roles when there are any."""
        rows = self.session.execute(_IN_FORCE_FOR, {"substitute": substitute, "day": day}).all()
        return [(delegation, user) for delegation, user in rows]

    def substitutes_of(self, principals: Collection[str], day: date) -> list[Delegation]:
        """The delegations in force on `day` of these principals whose substitute's account is active."""
        if not principals:
            return []
        return list(self.session.scalars(
            select(Delegation).join(User, User.username == Delegation.substitute)
            .where(Delegation.principal.in_(sorted(principals)), _in_force_on(day), User.active.is_(True))
            .order_by(Delegation.id)))

    def people(self) -> list[tuple[str, str | None, tuple[str, ...]]]:
        """(username, the manager's name or None, roles) of every active account holding a role a delegation
        covers, by username: who may be named on either side."""
        rows = self.session.execute(
            select(User, Manager.name).outerjoin(Manager, Manager.employee_no == User.employee_no)
            .where(User.active.is_(True), User.id.in_(select(UserRole.user_id).where(
                UserRole.role.in_(sorted({r for roles in SCOPE_ROLES.values() for r in roles})))))
            .options(selectinload(User.role_rows)).order_by(User.username)).all()
        return [(user.username, name, user.roles) for user, name in rows]
