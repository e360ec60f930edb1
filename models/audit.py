"""The hash chain over every audit entry, appended when the transaction that wrote the entries commits.

The chain is extended last thing before COMMIT, under a lock (PostgreSQL: an advisory transaction
lock; SQLite: the database's single writer), so that concurrent transactions form one linear chain
(a unique previous hash forbids forks) and nobody waits for the chain while holding it and wanting a
row another transaction holds.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from decimal import Decimal

from sqlalchemy import Integer, String, Text, UniqueConstraint, and_, case, cast, event, func, or_, select, true
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column
from sqlalchemy.orm.attributes import get_history

from models.base import Base
from models.calendar_days import CalendarChange
from models.cases import CaseHistory
from models.delegations import Delegation
from models.managers import ExamResult, Manager, ManagerEvent, PerformanceRecord, PerformanceVersion
from models.policies import PolicyVersion
from workflow.audit import GENESIS, canonical, link_hash
from workflow.manager_events import ACTIVE, STANDING_CHANGES
from workflow.policy import fingerprint

CHAIN_LOCK = "audit-chain"


class AuditLink(Base):
    __tablename__ = "audit_chain"
    __table_args__ = (UniqueConstraint("source", "source_id"), UniqueConstraint("prev_hash"))

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


def _case_history_fields(entry) -> dict:
    return {"id": entry.id, "case_id": entry.case_id, "seq": entry.seq, "at": entry.at, "actor": entry.actor,
            "event": entry.event, "from_state": entry.from_state, "to_state": entry.to_state,
            "comment": entry.comment, "data": entry.data}


def _calendar_change_fields(change) -> dict:
    return {"id": change.id, "day": change.day, "at": change.at, "actor": change.actor, "before": change.before,
            "after": change.after, "deadlines": change.deadlines}


def _performance_version_fields(version) -> dict:
    # the score as stored (NUMERIC(6, 2)): the value just written may carry fewer places than the one read back
    return {"id": version.id, "employee_no": version.employee_no, "period": version.period, "version": version.version,
            "score": str(Decimal(version.score).quantize(Decimal("0.01"))), "months_worked": version.months_worked,
            "violation": bool(version.violation), "recorded_at": version.recorded_at,
            "recorded_by": version.recorded_by, "reason": version.reason,
            # only where a scorecard made the score: the entries chained before parts existed keep their text
            # (migration 0008 chains rows of a table that has no parts yet)
            **({"parts": parts} if (parts := getattr(version, "parts", None)) is not None else {}),
            # likewise the metrics (migration 0021)
            **({"metrics": metrics} if (metrics := getattr(version, "metrics", None)) is not None else {})}


def _exam_result_fields(result) -> dict:
    return {"id": result.id, "employee_no": result.employee_no, "exam": result.exam, "taken_on": result.taken_on,
            "score": str(Decimal(result.score).quantize(Decimal("0.01"))), "recorded_at": result.recorded_at,
            "recorded_by": result.recorded_by}


def _manager_event_fields(row) -> dict:
    return {"id": row.id, "employee_no": row.employee_no, "kind": row.kind, "occurred_on": row.occurred_on,
            "days": row.days, "reason": row.reason, "note": row.note, "recorded_at": row.recorded_at,
            "recorded_by": row.recorded_by}


def _delegation_fields(row) -> dict:
    """A substitute named: who for whom, the scope, the days, by whom and when."""
    return {"id": row.id, "principal": row.principal, "substitute": row.substitute, "scope": row.scope,
            "starts_on": row.starts_on, "ends_on": row.ends_on, "created_by": row.created_by,
            "created_at": row.created_at}


def _delegation_cancellation_fields(row) -> dict:
    """A delegation called off: which, by whom and when (the delegation's row, which keeps it)."""
    return {"id": row.id, "principal": row.principal, "substitute": row.substitute, "scope": row.scope,
            "starts_on": row.starts_on, "ends_on": row.ends_on, "cancelled_by": row.cancelled_by,
            "cancelled_at": row.cancelled_at}


DELEGATION_CANCELLATIONS = "delegation_cancellations"  # a second kind of entry in the delegations' rows

# every kind of audit entry: the table it lives in, and what of it the chain covers
SOURCES = {CaseHistory.__tablename__: (CaseHistory, _case_history_fields),
           CalendarChange.__tablename__: (CalendarChange, _calendar_change_fields),
           PerformanceVersion.__tablename__: (PerformanceVersion, _performance_version_fields),
           ExamResult.__tablename__: (ExamResult, _exam_result_fields),
           ManagerEvent.__tablename__: (ManagerEvent, _manager_event_fields),
           Delegation.__tablename__: (Delegation, _delegation_fields),
           DELEGATION_CANCELLATIONS: (Delegation, _delegation_cancellation_fields)}
# the rows of a source that hold an entry (every row, unless named here)
_ENTRY_ROWS = {DELEGATION_CANCELLATIONS: Delegation.cancelled_at.is_not(None)}
_AUDITED = tuple({model for model, _ in SOURCES.values()})


def canonical_entry(source: str, row) -> str:
    """The entry's text in the chain; `row` is a mapped object or a result row with the same attributes."""
    return canonical(source, SOURCES[source][1](row))


# The statements of every commit that wrote an entry, built once (building them cost more than running them).
_TAKE_THE_CHAIN = select(func.pg_advisory_xact_lock(func.hashtext(CHAIN_LOCK)))
_HEAD_OF_THE_CHAIN = select(AuditLink.seq, AuditLink.hash).order_by(AuditLink.seq.desc()).limit(1)


@event.listens_for(Session, "before_commit")
def _chain_what_this_transaction_wrote(session: Session) -> None:
    session.flush()
    unchained = session.info.pop("unchained", None)
    if not unchained:
        return
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_TAKE_THE_CHAIN)
    head = session.execute(_HEAD_OF_THE_CHAIN).first()
    seq, previous = (head.seq, head.hash) if head else (0, GENESIS)
    links = []
    for source, row in sorted(unchained, key=lambda e: (e[0] == DELEGATION_CANCELLATIONS, e[0], e[1].id)):
        seq += 1
        linked = link_hash(previous, canonical_entry(source, row))
        links.append({"seq": seq, "source": source, "source_id": row.id, "prev_hash": previous, "hash": linked})
        previous = linked
    # rows, not objects: nothing reads the links back in this transaction, and the session's unit of work would
    # cost a flush of its own
    session.connection().execute(AuditLink.__table__.insert(), links)


@event.listens_for(Session, "after_flush")
def _note_new_entries(session: Session, _context) -> None:
    new = [(obj.__tablename__, obj) for obj in session.new if isinstance(obj, _AUDITED)]
    new += [(DELEGATION_CANCELLATIONS, obj) for obj in session.dirty
            if isinstance(obj, Delegation) and obj.cancelled_at is not None
            and get_history(obj, "cancelled_at").has_changes()]  # cancelled now (only ever once)
    if new:
        session.info.setdefault("unchained", []).extend(new)


def note_entries(session: Session, source: str, rows: Sequence) -> None:
    """Entries of `source` inserted as rows (each with the attributes its fields read), not as objects, which
    `_note_new_entries` notes: linked with the others when the transaction commits."""
    session.info.setdefault("unchained", []).extend((source, row) for row in rows)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_entries(session: Session) -> None:
    session.info.pop("unchained", None)


_LINKS_AT_ONCE = 1000  # links read, and their entries fetched, per round trip: memory stays flat for any chain


def verify_chain(session: Session, progress: Callable[[int, int], None] | None = None, *,
                 after: tuple[int, str] = (0, GENESIS)) -> tuple[int, str | None, str]:
    """(entries checked, the first problem or None, the head hash). Walks the chain in order and
    recomputes every link from its entry; then looks for entries that no link covers. `progress(checked, of)`
    hears after each round of links how many were checked of how many there are. `after`: (seq, hash) of a link
    verified before, whose followers alone are walked (the entries checked count it and those before it); the
    checks of the whole database that follow the walk are made all the same."""
    seq, previous = after
    total = (session.scalar(select(func.max(AuditLink.seq))) or 0) if progress is not None else 0
    links = session.execute(select(AuditLink.__table__).where(AuditLink.seq > seq).order_by(AuditLink.seq),
                            execution_options={"yield_per": _LINKS_AT_ONCE})
    for batch in links.partitions():
        entries = _entries_of(session, batch)
        for link in batch:
            seq += 1
            where = f"{link.source} entry {link.source_id} (link {link.seq})"
            if link.seq != seq:
                return seq - 1, f"link {seq} is missing (the next is link {link.seq}): a link was deleted", previous
            if link.prev_hash != previous:
                return seq - 1, f"{where} does not follow link {seq - 1}: a link was inserted or altered", previous
            row = entries.get((link.source, link.source_id))
            if row is None:
                return seq - 1, f"{where} was deleted", previous
            if link_hash(previous, canonical_entry(link.source, row)) != link.hash:
                return seq - 1, f"{where} was altered", previous
            previous = link.hash
        if progress is not None:
            progress(seq, max(total, seq))
    for source, first_stray in _FIRST_STRAY_ENTRY.items():
        stray = session.scalar(first_stray)
        if stray is not None:
            return seq, f"{source} entry {stray} is in no link: it was inserted around the service", previous
    if (record := session.execute(_A_RECORD_UNLIKE_ITS_LATEST_VERSION).first()) is not None:
        return seq, (f"the {record.period} performance record of {record.employee_no} differs from its version "
                     f"{record.version}: it was altered around the service"), previous
    if (manager := session.scalar(_A_STANDING_UNLIKE_ITS_EVENTS)) is not None:
        return seq, (f"the standing of {manager} differs from the events on its record: it was altered around the "
                     "service"), previous
    if (reference := _first_policy_version_unlike_its_reference(session)) is not None:
        return seq, (f"policy version {reference} does not hold the rules its version fingerprints: it was altered "
                     "around the service"), previous
    return seq, None, previous


def _first_stray_entry_query(source: str):
    """The first entry of `source` that no link covers."""
    model = SOURCES[source][0]
    unlinked = ~select(AuditLink.seq).where(AuditLink.source == source, AuditLink.source_id == model.id).exists()
    return select(model.id).where(unlinked, _ENTRY_ROWS.get(source, true())).order_by(model.id).limit(1)


# built once (building them cost a verification of a short chain more than running them)
_FIRST_STRAY_ENTRY = {source: _first_stray_entry_query(source) for source in SOURCES}


def _first_policy_version_unlike_its_reference(session: Session) -> str | None:
    """A stored policy version is not a link: its reference (name@version) is already a fingerprint of its rules,
    which the cases that name it record."""
    for reference, document in session.execute(select(PolicyVersion.reference, PolicyVersion.document)
                                               .order_by(PolicyVersion.reference)):
        try:
            data = json.loads(document)
        except ValueError:
            return reference
        if not isinstance(data, dict) or f"{data.get('name')}@{fingerprint(data)}" != reference:
            return reference
    return None


def _entries_of(session: Session, links) -> dict[tuple[str, int], object]:
    """(source, id) → the entry (a row) of each of `links` that still exists: one query per kind of entry."""
    wanted: dict[str, list[int]] = {}
    for link in links:
        wanted.setdefault(link.source, []).append(link.source_id)
    return {(source, row.id): row for source, ids in wanted.items() if source in SOURCES
            for row in session.execute(select(SOURCES[source][0].__table__)
                                       .where(SOURCES[source][0].__table__.c.id.in_(ids)))}


def _json_text(column):
    """A JSON column as comparable text on both databases ('' for none): both are written from the same dict."""
    return func.coalesce(cast(column, Text), "")


def _first_record_unlike_its_latest_version_query():
    """The chain covers the versions; the record the rules read must be the last of them, value for value."""
    record, version, later = PerformanceRecord, PerformanceVersion, aliased(PerformanceVersion)
    same_version = and_(version.employee_no == record.employee_no, version.period == record.period,
                        version.version == record.version)
    a_later_version = (select(later.id).where(later.employee_no == record.employee_no, later.period == record.period,
                                              later.version > record.version).exists())
    differs = or_(version.id.is_(None), version.score != record.score, version.months_worked != record.months_worked,
                  version.violation != record.violation, version.recorded_at != record.recorded_at,
                  version.recorded_by != record.recorded_by, _json_text(version.parts) != _json_text(record.parts),
                  _json_text(version.metrics) != _json_text(record.metrics),
                  a_later_version)
    return (select(record.employee_no, record.period, record.version).outerjoin(version, same_version).where(differs)
            .order_by(record.employee_no, record.period).limit(1))


_A_RECORD_UNLIKE_ITS_LATEST_VERSION = _first_record_unlike_its_latest_version_query()  # built once: compiled once


def _first_standing_unlike_its_events_query():
    """The chain covers the events; a manager's standing is the one its latest suspension or reinstatement left."""
    latest = (select(ManagerEvent.kind)
              .where(ManagerEvent.employee_no == Manager.employee_no, ManagerEvent.kind.in_(list(STANDING_CHANGES)))
              .order_by(ManagerEvent.id.desc()).limit(1).scalar_subquery())
    implied = case(*((latest == kind, standing) for kind, standing in STANDING_CHANGES.items()), else_=ACTIVE)
    return select(Manager.employee_no).where(Manager.standing != implied).order_by(Manager.employee_no).limit(1)


_A_STANDING_UNLIKE_ITS_EVENTS = _first_standing_unlike_its_events_query()
