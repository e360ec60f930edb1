"""Configuration from GRADEFLOW_* environment variables (explicit overrides win)."""
from __future__ import annotations

import os
import secrets
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from workflow.notifications import DINGTALK, EMAIL, WEBHOOK, WECOM, Channel
from workflow.sign_in_throttling import MAX_FAILURES, MAX_FAILURES_PER_ADDRESS, WINDOW

MODES = ("production", "development", "test")
API_PREFIX = "/api/v1"  # where the JSON API and its documentation are served
MIN_SECRET_LENGTH = 32  # HS256 wants a key at least as long as its 256-bit output
# `gradeflow serve`'s worker processes and threads per worker: README, "Two ways to serve", says why
DEFAULT_WORKERS, DEFAULT_THREADS = 2, 4


class ConfigError(RuntimeError):
    """The configuration cannot run; the message says which variable and why."""


def _int(environ, name: str, default: int, lo: int, hi: int) -> int:
    raw = environ.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: must be a whole number") from None
    if not lo <= value <= hi:
        raise ConfigError(f"{name}={raw!r}: must be between {lo} and {hi}")
    return value


def settings_from_env(environ=os.environ, instance_path: str | Path = "instance") -> dict:
    clock = environ.get("GRADEFLOW_CLOCK", "system") or "system"
    if clock not in ("system", "manual"):
        raise ConfigError(f"GRADEFLOW_CLOCK={clock!r}: must be 'system' or 'manual'")
    # A manual clock is a test clock: without an explicit mode it selects test mode.
    mode = environ.get("GRADEFLOW_ENV") or ("test" if clock == "manual" else "production")
    if mode not in MODES:
        raise ConfigError(f"GRADEFLOW_ENV={mode!r}: must be one of {', '.join(MODES)}")
    if clock == "manual" and mode == "production":
        raise ConfigError("GRADEFLOW_CLOCK=manual is a test clock and is refused in production mode")
    start = environ.get("GRADEFLOW_CLOCK_START") or None
    if start:
        try:
            parsed = datetime.fromisoformat(start)
        except ValueError:
            raise ConfigError(f"GRADEFLOW_CLOCK_START={start!r}: not an ISO 8601 instant") from None
        if parsed.tzinfo is None:
            raise ConfigError(f"GRADEFLOW_CLOCK_START={start!r}: needs an offset, such as +08:00")
        start = parsed
    secret = environ.get("GRADEFLOW_SECRET_KEY") or None
    if secret is not None and len(secret) < MIN_SECRET_LENGTH:
        raise ConfigError(f"GRADEFLOW_SECRET_KEY is too short: use at least {MIN_SECRET_LENGTH} random characters")
    max_failures = _int(environ, "GRADEFLOW_SIGNIN_MAX_FAILURES", MAX_FAILURES, 1, 1000)
    per_address = _int(environ, "GRADEFLOW_SIGNIN_MAX_FAILURES_PER_ADDRESS", MAX_FAILURES_PER_ADDRESS, 0, 1_000_000)
    if 0 < per_address < max_failures:
        raise ConfigError(f"GRADEFLOW_SIGNIN_MAX_FAILURES_PER_ADDRESS ({per_address}) must be 0 (no limit per address) "
                          f"or at least GRADEFLOW_SIGNIN_MAX_FAILURES ({max_failures}): else one person's typos "
                          "would lock out everyone signing in from their address")
    db_url = environ.get("GRADEFLOW_DATABASE_URL") or f"sqlite:///{Path(instance_path).resolve() / 'gradeflow.db'}"
    return {
        "GRADEFLOW_MODE": mode,
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SECRET_KEY": secret,
        "GRADEFLOW_POLICY": environ.get("GRADEFLOW_POLICY") or None,
        "GRADEFLOW_CLOCK": clock,
        "GRADEFLOW_CLOCK_START": start,
        "GRADEFLOW_TOKEN_TTL": _int(environ, "GRADEFLOW_TOKEN_TTL", 8 * 3600, 60, 30 * 24 * 3600),
        # how long a bulk request's Idempotency-Key is claimed (api/idempotency.py); far longer than any takes
        "GRADEFLOW_IDEMPOTENCY_LEASE": _int(environ, "GRADEFLOW_IDEMPOTENCY_LEASE", 3600, 60, 7 * 24 * 3600),
        "MAX_CONTENT_LENGTH": _int(environ, "GRADEFLOW_MAX_BODY_BYTES", 1024 * 1024, 1024, 64 * 1024 * 1024),
        # Argon2id cost; lowered only by the test suite.
        "GRADEFLOW_HASH_TIME_COST": _int(environ, "GRADEFLOW_HASH_TIME_COST", 3, 1, 20),
        "GRADEFLOW_HASH_MEMORY_KIB": _int(environ, "GRADEFLOW_HASH_MEMORY_KIB", 65536, 64, 4 * 1024 * 1024),
        # seconds between two sweeps; also how soon a follower takes over from a dead leader
        "GRADEFLOW_SCHEDULER_INTERVAL": _int(environ, "GRADEFLOW_SCHEDULER_INTERVAL", 20, 1, 3600),
        # repeated wrong passwords (workflow/sign_in_throttling.py): failures per username and per address
        # within the window (seconds, wall clock)
        "GRADEFLOW_SIGNIN_MAX_FAILURES": max_failures,
        "GRADEFLOW_SIGNIN_WINDOW": _int(environ, "GRADEFLOW_SIGNIN_WINDOW", int(WINDOW.total_seconds()), 1, 24 * 3600),
        "GRADEFLOW_SIGNIN_MAX_FAILURES_PER_ADDRESS": per_address,
        # the web pages' session cookie (api/web/session.py) is always Secure when this is on (behind a reverse
        # proxy that ends TLS, where the request itself looks like plain HTTP); off, it is Secure exactly when
        # the request came over HTTPS
        "GRADEFLOW_SECURE_COOKIES": _flag(environ, "GRADEFLOW_SECURE_COOKIES"),
        # where the outbox's notifications go (workflow/notifications.py): none configured, they wait in the outbox
        "GRADEFLOW_NOTIFY_CHANNELS": notify_channels(environ),
    }


def notify_channels(environ) -> tuple[Channel, ...]:
    """GRADEFLOW_NOTIFY_SMTP (smtp://[user:password@]host[:port][?starttls=true] or smtps://…, with
    GRADEFLOW_NOTIFY_SMTP_FROM the sender's address), GRADEFLOW_NOTIFY_WEBHOOK (a generic JSON webhook),
    GRADEFLOW_NOTIFY_DINGTALK (a DingTalk group robot's URL, with GRADEFLOW_NOTIFY_DINGTALK_SECRET for its 加签),
    GRADEFLOW_NOTIFY_WECOM (a WeCom group robot's URL)."""
    channels = []
    smtp = (environ.get("GRADEFLOW_NOTIFY_SMTP") or "").strip()
    sender = (environ.get("GRADEFLOW_NOTIFY_SMTP_FROM") or "").strip()
    if smtp:
        if urlsplit(smtp).scheme not in ("smtp", "smtps") or not urlsplit(smtp).hostname:
            raise ConfigError(f"GRADEFLOW_NOTIFY_SMTP={smtp!r}: must be an smtp:// or smtps:// URL")
        if "@" not in sender:
            raise ConfigError("GRADEFLOW_NOTIFY_SMTP needs GRADEFLOW_NOTIFY_SMTP_FROM, the sender's e-mail address")
        channels.append(Channel(EMAIL, smtp, sender=sender))
    elif sender:
        raise ConfigError("GRADEFLOW_NOTIFY_SMTP_FROM is set without GRADEFLOW_NOTIFY_SMTP")
    for kind, name in ((WEBHOOK, "GRADEFLOW_NOTIFY_WEBHOOK"), (DINGTALK, "GRADEFLOW_NOTIFY_DINGTALK"),
                       (WECOM, "GRADEFLOW_NOTIFY_WECOM")):
        url = (environ.get(name) or "").strip()
        if not url:
            continue
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise ConfigError(f"{name}={url!r}: must be an http(s) URL")
        secret = ((environ.get("GRADEFLOW_NOTIFY_DINGTALK_SECRET") or "").strip() or None) if kind == DINGTALK else None
        channels.append(Channel(kind, url, secret))
    if environ.get("GRADEFLOW_NOTIFY_DINGTALK_SECRET") and not any(c.kind == DINGTALK for c in channels):
        raise ConfigError("GRADEFLOW_NOTIFY_DINGTALK_SECRET is set without GRADEFLOW_NOTIFY_DINGTALK")
    return tuple(channels)


def _flag(environ, name: str) -> bool:
    raw = (environ.get(name) or "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name}={environ.get(name)!r}: must be 1 or 0 (true or false)")


def development_secret(instance_path: str | Path) -> str:
    """Outside production a missing secret is made once and kept under instance/, so that
    tokens survive restarts and are shared by the processes of one installation."""
    path = Path(instance_path) / "dev-secret-key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # write aside, then link into place: atomic, and the first of two racing processes wins
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def require_serving_config(app) -> None:
    """`serve` (and the WSGI entry point) refuse to run in production without a real secret."""
    if app.config["GRADEFLOW_MODE"] == "production" and not app.config.get("GRADEFLOW_SECRET_FROM_ENV"):
        raise ConfigError("GRADEFLOW_SECRET_KEY is not set: refusing to serve in production mode "
                          "(set it to a long random string, or GRADEFLOW_ENV=development for a local trial)")
