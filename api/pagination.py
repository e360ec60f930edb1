"""?page=&per_page= on every list, with the total in X-Total-Count."""
from __future__ import annotations

import marshmallow as ma

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500
MAX_PAGE = 10_000_000  # far beyond any list here, and (page - 1) * per_page stays a 64-bit OFFSET


class PageArgs(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=MAX_PAGE))
    per_page = ma.fields.Integer(load_default=DEFAULT_PER_PAGE, validate=ma.validate.Range(min=1, max=MAX_PER_PAGE))


TOTAL_HEADER = {"X-Total-Count": {"description": "number of items on all pages", "schema": {"type": "integer"}}}


def paged(items, total):
    return items, {"X-Total-Count": str(total)}
