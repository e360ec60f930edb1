"""The test configuration: where the manual clock starts, the password of every test user, the app's
settings for a test database."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

SHANGHAI = timezone(timedelta(hours=8))
CLOCK_START = datetime(2026, 9, 1, 9, 0, tzinfo=SHANGHAI)
PASSWORD = "correct horse battery"


def config_for(database_url: str, **overrides) -> dict:
    config = {
        "GRADEFLOW_MODE": "test",
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-hs256",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "GRADEFLOW_CLOCK": "manual",
        "GRADEFLOW_CLOCK_START": CLOCK_START,
        "GRADEFLOW_HASH_TIME_COST": 1,
        "GRADEFLOW_HASH_MEMORY_KIB": 64,
    }
    config.update(overrides)
    return config
