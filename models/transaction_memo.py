"""What a transaction may remember of what it read: valid until it ends.

A use case holds what it changes (row locks on PostgreSQL, the write lock on SQLite), so a value it read
once, such as a case's last history seq, the manual clock or the working calendar, stays true until its
transaction ends; the memo then forgets it. A savepoint released keeps it (what the savepoint wrote is the
transaction's now); a savepoint rolled back forgets it, since what it rolled back may have changed it.
"""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

_MEMO = "transaction_memo"


def transaction_memo(session: Session) -> dict:
    return session.info.setdefault(_MEMO, {})


def _forget_all(session: Session) -> None:
    session.info.pop(_MEMO, None)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    """Any rollback, of a savepoint too."""
    _forget_all(session)


@event.listens_for(Session, "after_transaction_end")
def _forget_at_the_end(session: Session, transaction) -> None:
    if transaction.parent is None:  # the session's transaction, not a savepoint or the inner one a flush runs in
        _forget_all(session)
