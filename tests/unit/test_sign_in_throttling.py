"""The rule that slows repeated wrong passwords down (workflow/sign_in_throttling.py), without a database."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from workflow.sign_in_throttling import (FAILED, MAX_FAILURES, MAX_FAILURES_PER_ADDRESS, PENDING, SUCCEEDED, WINDOW,
                                         Attempt, Refusal, SignInLimits, refusal)

NOW = datetime(2026, 9, 1, 1, 0, tzinfo=timezone.utc)
LIMITS = SignInLimits()


def at(minutes_ago: float, outcome: str = FAILED) -> Attempt:
    return Attempt(NOW - timedelta(minutes=minutes_ago), outcome)


def judge(for_username=(), from_address=(), limits=LIMITS, now=NOW) -> Refusal | None:
    return refusal(limits, now, for_username=list(for_username), from_address=list(from_address))


def test_the_defaults_are_five_failures_in_fifteen_minutes_and_a_hundred_per_address():
    assert (MAX_FAILURES, WINDOW, MAX_FAILURES_PER_ADDRESS) == (5, timedelta(minutes=15), 100)
    assert SignInLimits() == SignInLimits(5, timedelta(minutes=15), 100)


def test_four_failures_let_the_fifth_attempt_through():
    assert judge([at(m) for m in (1, 2, 3, 4)]) is None


def test_five_failures_refuse_the_next_attempt_until_the_oldest_leaves_the_window():
    refused = judge([at(m) for m in (1, 2, 3, 4, 10)])
    assert refused == Refusal(NOW + timedelta(minutes=5), "username")
    assert refused.retry_after(NOW) == 300


def test_with_more_failures_than_the_limit_the_wait_is_until_one_fewer_than_the_limit_remain():
    # seven failures (attempts at the same moment may pass the limit by a few): the three oldest must leave
    refused = judge([at(m) for m in (1, 2, 3, 4, 12, 13, 14)])
    assert refused.until == NOW + timedelta(minutes=15 - 12)


def test_failures_older_than_the_window_no_longer_count():
    assert judge([at(m) for m in (1, 2, 3, 4, 15, 16, 30)]) is None
    assert judge([at(m) for m in (1, 2, 3, 4, 14.99)]) is not None


def test_once_the_window_has_passed_the_attempt_goes_ahead():
    failures = [at(m) for m in (1, 2, 3, 4, 5)]
    refused = judge(failures)
    assert judge(failures, now=refused.until - timedelta(seconds=1)) is not None
    assert judge(failures, now=refused.until) is None


def test_a_success_ends_the_run_of_failures():
    assert judge([at(m) for m in (1, 2, 3, 4)] + [at(5, SUCCEEDED)] + [at(m) for m in (6, 7, 8)]) is None
    assert judge([at(m) for m in (1, 2, 3, 4, 5)] + [at(6, SUCCEEDED)]) is not None


def test_a_success_older_than_the_window_ends_nothing_that_matters():
    assert judge([at(m) for m in (1, 2, 3, 4, 5)] + [at(20, SUCCEEDED)]) is not None


def test_attempts_still_being_verified_count_as_failures():
    assert judge([at(m, PENDING) for m in (0, 0, 0)] + [at(1), at(2)]) is not None
    assert judge([at(m, PENDING) for m in (0, 0, 0)] + [at(1)]) is None


def test_the_limit_per_address_is_far_higher_than_per_username():
    ninety_nine = [at(m / 10) for m in range(99)]
    assert judge(from_address=ninety_nine) is None
    refused = judge(from_address=ninety_nine + [at(14)])
    assert refused == Refusal(NOW + timedelta(minutes=1), "address")


def test_a_success_from_the_address_does_not_end_its_run():
    hundred = [at(m / 10) for m in range(100)]
    assert judge(from_address=hundred + [at(0, SUCCEEDED)]) is not None


def test_no_limit_per_address_when_it_is_zero():
    limits = SignInLimits(max_failures_per_address=0)
    assert judge(from_address=[at(0)] * 10_000, limits=limits) is None


def test_when_both_limits_hold_the_later_moment_is_the_answer():
    by_name = [at(m) for m in (1, 2, 3, 4, 14)]  # free in 1 minute
    by_address = [at(10)] * 100  # free in 5 minutes
    assert judge(by_name, by_address) == Refusal(NOW + timedelta(minutes=5), "address")
    assert judge([at(m) for m in (1, 2, 3, 4, 5)], [at(14)] * 100) == Refusal(NOW + timedelta(minutes=10), "username")


def test_limits_are_configurable():
    limits = SignInLimits(max_failures=2, window=timedelta(seconds=30), max_failures_per_address=10)
    refused = judge([Attempt(NOW - timedelta(seconds=s), FAILED) for s in (5, 20)], limits=limits)
    assert refused.until == NOW + timedelta(seconds=10) and refused.retry_after(NOW) == 10


@pytest.mark.parametrize("wait, seconds", [(timedelta(seconds=0.2), 1), (timedelta(seconds=59.01), 60),
                                           (timedelta(seconds=60), 60)])
def test_retry_after_is_whole_seconds_rounded_up_and_at_least_one(wait, seconds):
    assert Refusal(NOW + wait, "username").retry_after(NOW) == seconds


@pytest.mark.parametrize("kwargs", [{"max_failures": 0}, {"window": timedelta(0)}, {"max_failures_per_address": -1}])
def test_limits_that_cannot_work_are_refused(kwargs):
    with pytest.raises(ValueError):
        SignInLimits(**kwargs)
