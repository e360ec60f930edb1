"""The service's log, on standard error: JSON lines (one object per event) where no one reads it at a terminal (a
container's log, journald, a file), plain text at a terminal. A line written while a request is served carries
the request's id, which the response carries too as X-Request-ID (the caller's own, when it sent a usable one),
the signed-in user, the route and the case where there is one; every request ends with one line of its own
(method, path, status, milliseconds, the peer's address), in place of gunicorn's access log. gunicorn's own lines
take the same form (api/server.py); other libraries' warnings reach standard error as Python writes them."""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from flask import Flask, g, has_request_context, request

REQUEST_ID = "X-Request-ID"
_USABLE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}\Z")  # a caller's id is repeated only if plain and short
_CONTEXT = ("request_id", "user", "route", "case_id")
_REQUEST = ("method", "path", "status", "ms", "address")
_PROGRESS = ("done", "total")  # a long job's (api/progress.py)

log = logging.getLogger("gradeflow.request")


class RequestContext(logging.Filter):
    """Adds the request's id, user, route and case to each record written while it is served."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = g.get("request_id")
            actor = g.get("actor") or g.get("page_user")
            record.user = actor.username if actor is not None else None
            record.route = request.url_rule.rule if request.url_rule is not None else None
            record.case_id = (request.view_args or {}).get("case_id")
        return True


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                 "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        entry.update((name, value) for name in _CONTEXT + _REQUEST + _PROGRESS
                     if (value := getattr(record, name, None)) is not None)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class PlainText(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s [%(name)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request_id = getattr(record, "request_id", None)
        return f"{line} [{request_id}]" if request_id else line


def stderr_formatter() -> logging.Formatter:
    """Plain text for a person at a terminal, JSON lines for everything else."""
    return PlainText() if sys.stderr.isatty() else JsonLines()


def log_to_stderr() -> None:
    """The service's own log (requests, the scheduler's leadership, each fired timer) on standard error, once."""
    logger = logging.getLogger("gradeflow")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(stderr_formatter())
        handler.addFilter(RequestContext())
        logger.addHandler(handler)
        logger.propagate = False  # once, not again through a handler the migrations put on the root logger


def init_app(app: Flask) -> None:
    """Every request gets its id first thing, and ends with its own line."""
    @app.before_request
    def identify():
        offered = request.headers.get(REQUEST_ID, "")
        g.request_id = offered if _USABLE_ID.match(offered) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def tag(response):
        request_id = g.get("request_id")
        if request_id is None:  # an answer given before `identify` ran (another hook refused the request first)
            request_id = g.request_id = uuid.uuid4().hex
        response.headers[REQUEST_ID] = request_id
        started, path = g.get("request_started"), _printable(request.path)
        log.info("%s %s %d", request.method, path, response.status_code,
                 extra={"method": request.method, "path": path, "status": response.status_code,
                        "ms": round((time.perf_counter() - started) * 1000, 1) if started is not None else None,
                        "address": request.remote_addr})
        return response


def _printable(text: str) -> str:
    """A path as the caller sent it, but never a control character (a %0A would start a line of its own)."""
    return text if text.isprintable() else "".join(ch if ch.isprintable() else "?" for ch in text)
