"""The tamper-evident history (seed 004: 严禁任何人私自修改考评结果): every audit entry (a case's
history entry, a calendar change) is a link of one hash chain, in the order the entries were committed.

A link's hash covers the previous link's hash and a canonical serialization of its entry, so that
changing, deleting or inserting an entry anywhere breaks every later link.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timezone

GENESIS = "0" * 64


def _plain(value):
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} has no canonical form")


def canonical(source: str, fields: dict) -> str:
    """One entry as text: sorted keys, no spaces, UTF-8 as is, instants in UTC."""
    return json.dumps({"source": source, **fields}, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_plain)


def link_hash(previous: str, entry: str) -> str:
    return hashlib.sha256(f"{previous}\n{entry}".encode("utf-8")).hexdigest()
