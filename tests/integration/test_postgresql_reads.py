"""PostgreSQL: a transaction that wrote nothing is rolled back without psycopg forgetting the statements it has
prepared on the server (models/postgresql_reads.py: its rollback() forgets them all, and a request that only
reads ends with one); whatever a transaction did is undone as before, on both databases.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from models import CalendarDay, db
from models.postgresql_reads import _HAS_AN_ID
from tests.support.answers import ok
from tests.support.statements import counting
from tests.support.world import one_submitted_case

PREPARE_THRESHOLD = 5  # psycopg's default: a connection prepares a statement at its sixth run
DAY = date(2026, 10, 10)
AT = datetime(2026, 10, 1, 1, 0, tzinfo=timezone.utc)
READ_DAY = sa.select(CalendarDay.day).where(CalendarDay.day == sa.bindparam("day"))


def postgresql_only(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite keeps its prepared statements at a rollback")


def prepared(conn) -> list[str]:
    """The statements prepared on the server for this connection."""
    return list(conn.exec_driver_sql("SELECT statement FROM pg_prepared_statements").scalars())


def write_a_day(conn) -> None:
    conn.execute(sa.insert(CalendarDay).values(day=DAY, working=False, name="公司调休", updated_at=AT, updated_by="hr"))


def test_a_transaction_that_only_read_keeps_its_connections_prepared_statements(app, database_url):
    postgresql_only(database_url)
    with app.app_context(), db.engine.connect() as conn:
        for _ in range(PREPARE_THRESHOLD + 1):
            conn.execute(READ_DAY, {"day": DAY}).all()
            conn.rollback()  # as a request that only reads ends: its session closes
        assert any("FROM calendar_days" in statement for statement in prepared(conn))


def test_a_transaction_of_selects_alone_is_rolled_back_without_asking_the_server_whether_it_has_an_id(
        app, database_url):
    """Compiled SELECTs that lock no row give a transaction no id: known without a round trip, as a GET ends."""
    postgresql_only(database_url)
    with app.app_context(), db.engine.connect() as conn:
        with counting(app) as seen:
            for _ in range(PREPARE_THRESHOLD + 1):
                conn.execute(READ_DAY, {"day": DAY}).all()
                conn.rollback()
        assert _HAS_AN_ID not in seen.seen, str(seen)
        assert any("FROM calendar_days" in statement for statement in prepared(conn))


def test_a_transaction_that_sent_text_or_locked_a_row_is_asked_about_and_the_next_one_of_selects_is_not(
        app, database_url):
    """Text is not looked into, and a row lock gives an id: the server is asked before their rollback. What was
    noted of one transaction is forgotten at its end, committed or rolled back."""
    postgresql_only(database_url)
    with app.app_context(), db.engine.connect() as conn:
        for first in (lambda: conn.exec_driver_sql("SELECT 1"), lambda: conn.execute(READ_DAY.with_for_update(),
                                                                                     {"day": DAY})):
            with counting(app) as seen:
                first()
                conn.rollback()
                conn.execute(READ_DAY, {"day": DAY}).all()
                conn.rollback()
            assert seen.seen.count(_HAS_AN_ID) == 1, str(seen)
        write_a_day(conn)
        conn.commit()
        with counting(app) as seen:
            conn.execute(READ_DAY, {"day": DAY}).all()
            conn.rollback()
        assert _HAS_AN_ID not in seen.seen, str(seen)
        conn.execute(sa.delete(CalendarDay))
        conn.commit()


def test_a_transaction_that_wrote_is_rolled_back_and_what_it_wrote_is_gone(app):
    with app.app_context(), db.engine.connect() as conn:
        for _ in range(PREPARE_THRESHOLD + 1):
            conn.execute(READ_DAY, {"day": DAY}).all()
            conn.rollback()
        write_a_day(conn)
        assert conn.execute(READ_DAY, {"day": DAY}).all()
        conn.rollback()
        assert conn.execute(READ_DAY, {"day": DAY}).all() == []


def test_a_transaction_that_only_locked_a_row_is_rolled_back(app, database_url):
    """A row locked FOR UPDATE takes a transaction id on PostgreSQL, as a write does: the lock is let go by a
    ROLLBACK (and psycopg forgets its prepared statements, as it does after any rollback)."""
    postgresql_only(database_url)
    with app.app_context(), db.engine.connect() as conn:
        write_a_day(conn)
        conn.commit()
        for _ in range(PREPARE_THRESHOLD + 1):
            conn.execute(READ_DAY.with_for_update(), {"day": DAY}).all()
            conn.rollback()
        assert not any("FROM calendar_days" in statement for statement in prepared(conn))
        conn.execute(sa.delete(CalendarDay))
        conn.commit()


def test_what_a_transaction_without_a_write_set_for_the_connection_is_undone_too(app, database_url):
    """A session-level SET takes no transaction id; the rollback undoes it all the same, so that the next request
    on the pooled connection does not inherit it."""
    postgresql_only(database_url)
    with app.app_context(), db.engine.connect() as conn:
        before = conn.exec_driver_sql("SHOW work_mem").scalar_one()
        conn.exec_driver_sql("SET work_mem = '77MB'")
        conn.rollback()
        assert conn.exec_driver_sql("SHOW work_mem").scalar_one() == before != "77MB"


def test_a_transaction_whose_statement_failed_is_rolled_back_and_what_it_wrote_is_gone(app):
    with app.app_context(), db.engine.connect() as conn:
        write_a_day(conn)
        with pytest.raises(sa.exc.IntegrityError):
            write_a_day(conn)  # the same day again
        conn.rollback()
        assert conn.execute(READ_DAY, {"day": DAY}).all() == []


def test_a_transaction_whose_connection_was_lost_is_let_go(app):
    with app.app_context(), db.engine.connect() as conn:
        conn.execute(READ_DAY, {"day": DAY}).all()
        conn.invalidate()  # as SQLAlchemy does when the server has gone
        conn.rollback()
        assert conn.execute(READ_DAY, {"day": DAY}).all() == []  # on a new connection


def test_a_read_whose_server_went_away_is_let_go_without_an_error(app, database_url):
    """The server ends the connection (a restart, an administrator) between a read and its rollback: the rollback
    raises nothing, and the pool's next connection works."""
    postgresql_only(database_url)
    with app.app_context():
        with db.engine.connect() as conn:
            conn.execute(READ_DAY, {"day": DAY}).all()
            backend = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            with db.engine.connect() as other:
                other.exec_driver_sql(f"SELECT pg_terminate_backend({backend})")
            conn.rollback()
        with db.engine.connect() as conn:
            assert conn.execute(READ_DAY, {"day": DAY}).all() == []


def test_reading_a_case_again_and_again_runs_its_prepared_statements(app, gf, database_url):
    """What the benchmark of GET /cases/{id} measures (bench/serving.py): the case's read is planned once per
    connection, not at every request."""
    postgresql_only(database_url)
    case_id = one_submitted_case(gf)
    gf.token("s001")  # the applicant's supervisor
    with app.app_context():
        db.engine.dispose()  # one connection from here on: the requests below run one after another
    for _ in range(PREPARE_THRESHOLD + 1):
        ok(gf.get(f"/cases/{case_id}", as_="s001"))
    with app.app_context(), db.engine.connect() as conn:
        statements = prepared(conn)
    assert any(statement.startswith("SELECT cases.id") for statement in statements), statements
    assert any(statement.startswith("SELECT users.id") for statement in statements), statements
