"""What a transaction reads once (models/transaction_memo.py): the working calendar and the policy versions it has
stored are remembered until the transaction ends, so that a sweep's batch, which opens many cases under one policy
and schedules their reminders by one calendar, reads and writes them once (issue "Speed and shape of the hot
paths", point 3). A savepoint released keeps what was remembered; a savepoint rolled back forgets it, since what
it undid may be what was remembered.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import sqlalchemy as sa

from models import PolicyVersion, db
from tests.support.app_services import unit_of_work
from tests.support.reads import read
from tests.support.statements import counting

AT = datetime(2026, 10, 1, 1, 0, tzinfo=timezone.utc)
NATIONAL_DAY_WEEKEND = date(2026, 10, 10)  # a make-up workday (调休补班) by the statutory calendar


def calendar_reads(seen) -> int:
    """Reads of the whole calendar (not of one day, which a correction locks)."""
    return len([s for s in seen if s.startswith("SELECT calendar_days.day") and " WHERE " not in s])


def policy_inserts(seen) -> int:
    return len([s for s in seen if s.startswith("INSERT INTO policy_versions")])


def test_a_transaction_reads_the_working_calendar_once_and_again_after_a_correction(app):
    with app.app_context(), counting(app) as seen:
        with unit_of_work()() as uow:
            first = uow.calendar.working_calendar()
            assert uow.calendar.working_calendar() is first and calendar_reads(seen) == 1
            assert first.day(NATIONAL_DAY_WEEKEND).working

            uow.calendar.put(NATIONAL_DAY_WEEKEND, working=False, name="公司调休", updated_at=AT, updated_by="hr")
            corrected = uow.calendar.working_calendar()

            assert calendar_reads(seen) == 2
            assert not corrected.day(NATIONAL_DAY_WEEKEND).working
        db.session.remove()


def test_a_released_savepoint_keeps_what_the_transaction_read_and_a_rolled_back_one_forgets_it(app):
    with app.app_context(), counting(app) as seen:
        with unit_of_work()() as uow:
            with uow.timers.attempt():
                read_inside = uow.calendar.working_calendar()
            assert uow.calendar.working_calendar() is read_inside and calendar_reads(seen) == 1

            try:
                with uow.timers.attempt():
                    uow.calendar.working_calendar()
                    raise RuntimeError("the effect failed")
            except RuntimeError:
                pass
            uow.calendar.working_calendar()

            assert calendar_reads(seen) == 2
        db.session.remove()


def test_a_policy_version_is_stored_once_per_transaction_and_again_after_its_savepoint_was_rolled_back(app):
    with app.app_context(), counting(app) as seen:
        with unit_of_work()() as uow:
            uow.policies.remember("memo@1", '{"name": "memo"}', AT)
            uow.policies.remember("memo@1", '{"name": "memo"}', AT)
            assert policy_inserts(seen) == 1

            try:
                with uow.timers.attempt():
                    uow.policies.remember("memo@2", '{"name": "memo"}', AT)
                    raise RuntimeError("the effect failed")
            except RuntimeError:
                pass
            uow.policies.remember("memo@2", '{"name": "memo"}', AT)  # undone with its savepoint: stored again

            assert policy_inserts(seen) == 3
        db.session.remove()

    stored = read(app, lambda s: s.scalars(sa.select(PolicyVersion.reference).where(
        PolicyVersion.reference.like("memo@%")).order_by(PolicyVersion.reference)).all())
    assert stored == ["memo@1", "memo@2"]
