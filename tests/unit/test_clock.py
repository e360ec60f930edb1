"""Time: aware UTC instants from a Clock, dates in the policy's time zone."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from workflow.clock import FixedClock, SystemClock, as_utc, check_moves_forward, local_date
from workflow.errors import Conflict
from workflow.policy import load_policy
from workflow.services.context import Rules

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_system_clock_returns_aware_utc_now():
    before = datetime.now(timezone.utc)
    now = SystemClock().now()
    after = datetime.now(timezone.utc)
    assert now.tzinfo is timezone.utc
    assert before <= now <= after


def test_fixed_clock_stands_still_until_set():
    start = datetime(2026, 9, 1, 1, 0, tzinfo=timezone.utc)
    clock = FixedClock(start)
    assert clock.now() == clock.now() == start
    clock.set(start + timedelta(days=2))
    assert clock.now() == datetime(2026, 9, 3, 1, 0, tzinfo=timezone.utc)


def test_fixed_clock_normalises_to_utc():
    clock = FixedClock(datetime(2026, 10, 1, 1, 0, tzinfo=SHANGHAI))
    assert clock.now().tzinfo is timezone.utc
    assert clock.now().replace(tzinfo=None) == datetime(2026, 9, 30, 17, 0)


@pytest.mark.parametrize("use", [as_utc, FixedClock, FixedClock(datetime(2026, 1, 1, tzinfo=timezone.utc)).set],
                         ids=["as_utc", "FixedClock", "FixedClock.set"])
def test_naive_datetimes_are_refused(use):
    with pytest.raises(ValueError, match="naive"):
        use(datetime(2026, 9, 1, 9, 0))


def test_as_utc_keeps_the_instant():
    instant = datetime(2026, 9, 1, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    utc = as_utc(instant)
    assert utc.tzinfo is timezone.utc
    assert utc == instant
    assert utc.replace(tzinfo=None) == datetime(2026, 9, 1, 1, 0)


@pytest.mark.parametrize("instant, local", [
    (datetime(2026, 9, 30, 17, 0, tzinfo=timezone.utc), date(2026, 10, 1)),
    (datetime(2026, 9, 30, 15, 59, 59, tzinfo=timezone.utc), date(2026, 9, 30)),
    (datetime(2026, 9, 30, 16, 0, tzinfo=timezone.utc), date(2026, 10, 1)),
])
def test_local_date_uses_the_policy_time_zone(instant, local):
    assert local_date(instant, SHANGHAI) == local


def test_today_reads_the_clock_in_the_policy_time_zone():
    clock = FixedClock(datetime(2026, 9, 30, 17, 0, tzinfo=timezone.utc))
    assert Rules.for_policy(load_policy(), clock).today() == date(2026, 10, 1)


def test_manual_clock_only_moves_forward():
    current = datetime(2026, 10, 1, 0, 0, tzinfo=SHANGHAI)
    check_moves_forward(current, current, SHANGHAI)
    check_moves_forward(current, current + timedelta(seconds=1), SHANGHAI)
    check_moves_forward(None, current - timedelta(days=365), SHANGHAI)
    with pytest.raises(Conflict) as refused:
        check_moves_forward(current, current - timedelta(seconds=1), SHANGHAI)
    assert refused.value.code == "clock_backwards"
    assert "2026-10-01T00:00:00+08:00" in refused.value.detail
    assert "2026-09-30T23:59:59+08:00" in refused.value.detail
