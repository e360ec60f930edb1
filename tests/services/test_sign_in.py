"""Signing in (workflow.services.accounts.sign_in) runs three steps in two units of work it makes itself, with
the factory of models/; the attempts it counts are rows of the database, so every process counts them all."""
from __future__ import annotations

from datetime import timedelta

import pytest

from workflow.errors import InvalidCredentials, TooManyAttempts
from workflow.services.accounts import sign_in
from workflow.sign_in_throttling import SignInLimits

LIMITS = SignInLimits(max_failures=5, window=timedelta(minutes=15), max_failures_per_address=100)


def attempt(unit_of_work, passwords, clock, password: str, username: str = "hr1"):
    return sign_in(unit_of_work, passwords, LIMITS, clock, username=username, password=password, address="10.0.0.1")


def test_the_right_password_signs_in_and_a_wrong_one_or_an_unknown_name_fail_alike(people, unit_of_work, passwords,
                                                                                   clock):
    hr = people.user("hr1", "hr")
    user_id, _password_hash = attempt(unit_of_work, passwords, clock, "correct horse battery")
    assert user_id == hr.user_id
    with pytest.raises(InvalidCredentials) as wrong_password:
        attempt(unit_of_work, passwords, clock, "wrong horse battery")
    with pytest.raises(InvalidCredentials) as unknown_name:
        attempt(unit_of_work, passwords, clock, "correct horse battery", username="nobody")
    assert str(wrong_password.value) == str(unknown_name.value)
    assert unit_of_work().sign_in_attempts.count() == 3


def test_five_failures_hold_the_username_until_the_oldest_leaves_the_window(people, unit_of_work, passwords, clock):
    people.user("hr1", "hr")
    start = clock.now()
    for minute in range(5):
        clock.set(start + timedelta(minutes=minute))
        with pytest.raises(InvalidCredentials):
            attempt(unit_of_work, passwords, clock, "wrong horse battery")
    with pytest.raises(TooManyAttempts) as held:  # the right password too
        attempt(unit_of_work, passwords, clock, "correct horse battery")
    assert held.value.retry_after == 11 * 60  # the first failure leaves the window 15 minutes after it
    clock.set(start + timedelta(minutes=15, seconds=1))
    assert attempt(unit_of_work, passwords, clock, "correct horse battery")
