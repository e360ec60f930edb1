"""What a transaction may remember of what it read: valid until it ends.

A use case holds what it changes (row locks on PostgreSQL, the write lock on SQLite), so a value it read
once, such as a case's last history seq or the manual clock, stays true until its transaction ends; the
memo then forgets it (a savepoint's end too: what it rolled back may have changed it).
"""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

_MEMO = "transaction_memo"


def transaction_memo(session: Session) -> dict:
    return session.info.setdefault(_MEMO, {})


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    if transaction.parent is None or transaction.nested:  # not the inner transaction each flush runs in
        session.info.pop(_MEMO, None)
