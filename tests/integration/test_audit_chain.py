"""The tamper-evident history (domain.md: nobody may edit or delete history; tampering must be
detectable): every history entry, calendar change and version of a performance record is a link of one
hash chain, appended in the transaction that wrote it; `gradeflow audit verify` names the first entry
altered, deleted or inserted, and a performance record that is not its latest version."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, timedelta

import sqlalchemy as sa

from models import AuditLink, CaseHistory, db
from models.audit import verify_chain
from tests.support.commands import gradeflow
from tests.support.cycles import published_cycle
from tests.support.statements import counting
from tests.support.threads import at_once
from tests.support.world import HR


def verify(app):
    with app.app_context():
        checked, problem, _ = verify_chain(db.session)
        db.session.remove()
    return checked, problem


@contextmanager
def app_session(app):
    with app.app_context():
        try:
            yield db.session
        finally:
            db.session.remove()


def tamper(app, sql: str, **params) -> None:
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text(sql), params)


def links(app) -> list[AuditLink]:
    with app.app_context():
        rows = db.session.scalars(sa.select(AuditLink).order_by(AuditLink.seq)).all()
        db.session.expunge_all()
        return rows


def history_links(app) -> list[AuditLink]:
    return [link for link in links(app) if link.source == "case_history"]


def history_ids(app) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(sa.select(CaseHistory.id).order_by(CaseHistory.id)))


def test_every_history_entry_is_one_link_of_an_intact_chain(gf):
    published_cycle(gf)
    chain = links(gf.app)
    assert [link.source_id for link in history_links(gf.app)] == history_ids(gf.app) and len(chain) > 10
    assert [link.seq for link in chain] == list(range(1, len(chain) + 1))
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(chain, chain[1:]))
    assert verify(gf.app) == (len(chain), None)


def test_a_calendar_change_is_a_link_too(gf):
    gf.user(HR, "hr")
    assert gf.put("/calendar/days/2026-12-31", as_=HR, json={"working": False, "name": "公司假日"}).status_code == 200
    assert [link.source for link in links(gf.app)] == ["calendar_changes"]
    tamper(gf.app, "UPDATE calendar_changes SET actor = 'someone'")
    assert "calendar_changes entry" in verify(gf.app)[1] and "was altered" in verify(gf.app)[1]


def test_an_altered_entry_is_named(gf):
    published_cycle(gf)
    victim = history_ids(gf.app)[3]
    tamper(gf.app, "UPDATE case_history SET comment = 'nothing happened' WHERE id = :id", id=victim)
    checked, problem = verify(gf.app)
    assert problem == f"case_history entry {victim} (link {checked + 1}) was altered"


def test_a_deleted_entry_is_named(gf):
    published_cycle(gf)
    victim = history_ids(gf.app)[-1]
    tamper(gf.app, "DELETE FROM case_history WHERE id = :id", id=victim)
    assert verify(gf.app)[1].endswith(f"case_history entry {victim} (link {len(links(gf.app))}) was deleted")


def test_an_entry_deleted_with_its_link_is_found_by_the_gap(gf):
    published_cycle(gf)
    victim = history_links(gf.app)[2]
    tamper(gf.app, "DELETE FROM audit_chain WHERE seq = :seq", seq=victim.seq)
    tamper(gf.app, "DELETE FROM case_history WHERE id = :id", id=victim.source_id)
    assert verify(gf.app)[1] == f"link {victim.seq} is missing (the next is link {victim.seq + 1}): a link was deleted"


def test_an_entry_inserted_around_the_service_is_named(gf):
    published_cycle(gf)
    tamper(gf.app, "INSERT INTO case_history (case_id, seq, at, actor, event, from_state, to_state, data) "
                   "SELECT case_id, 99, at, 'intruder', 'approve', from_state, to_state, data FROM case_history "
                   "WHERE id = :id", id=history_ids(gf.app)[0])
    inserted = history_ids(gf.app)[-1]
    assert verify(gf.app)[1] == f"case_history entry {inserted} is in no link: it was inserted around the service"


def test_a_link_rewritten_to_cover_an_altered_entry_breaks_the_next_link(gf):
    published_cycle(gf)
    second = history_links(gf.app)[1]
    tamper(gf.app, "UPDATE case_history SET actor = 'someone else' WHERE id = :id", id=second.source_id)
    tamper(gf.app, "UPDATE audit_chain SET hash = :forged WHERE seq = :seq", forged="f" * 64, seq=second.seq)
    assert verify(gf.app)[1].endswith(f"(link {second.seq}) was altered")


def test_a_verification_after_a_verified_link_walks_only_its_followers_and_still_checks_the_whole_database(gf):
    published_cycle(gf)
    chain = links(gf.app)
    middle = chain[len(chain) // 2]
    with app_session(gf.app) as session:
        assert verify_chain(session, after=(middle.seq, middle.hash)) == verify_chain(session)
        assert verify_chain(session, after=(chain[-1].seq, chain[-1].hash)) == (len(chain), None, chain[-1].hash)
        assert verify_chain(session, after=(middle.seq, "0" * 64))[1].endswith(
            f"(link {middle.seq + 1}) does not follow link {middle.seq}: a link was inserted or altered")
    before, later = chain[len(chain) // 2 - 1], chain[-1]
    assert before.source == later.source == "case_history"
    tamper(gf.app, "UPDATE case_history SET comment = 'nothing happened' WHERE id = :id", id=before.source_id)
    with app_session(gf.app) as session:  # an entry of a link verified before is not walked again
        assert verify_chain(session, after=(middle.seq, middle.hash)) == (len(chain), None, later.hash)
    tamper(gf.app, "UPDATE case_history SET comment = 'nor this' WHERE id = :id", id=later.source_id)
    with app_session(gf.app) as session:  # one after it is
        assert verify_chain(session, after=(middle.seq, middle.hash))[1] == \
            f"{later.source} entry {later.source_id} (link {later.seq}) was altered"
    tamper(gf.app, "INSERT INTO case_history (case_id, seq, at, actor, event, from_state, to_state, data) "
                   "SELECT case_id, 99, at, 'intruder', 'approve', from_state, to_state, data FROM case_history "
                   "WHERE id = :id", id=history_ids(gf.app)[0])
    inserted = history_ids(gf.app)[-1]
    with app_session(gf.app) as session:  # nothing to walk after the last link: the database is checked all the same
        assert verify_chain(session, after=(later.seq, later.hash))[1] == \
            f"case_history entry {inserted} is in no link: it was inserted around the service"


def test_a_rolled_back_change_leaves_no_link(gf):
    gf.user(HR, "hr")
    bad = gf.put("/calendar/days/2026-12-31", as_=HR, json={"working": "maybe"})
    assert bad.status_code == 422
    assert links(gf.app) == [] and verify(gf.app) == (0, None)


def test_verify_reads_the_chain_in_a_fixed_number_of_statements_whatever_its_length(gf):
    """A thousand links at a time, each kind of entry fetched by their ids: not a query per link."""
    gf.user(HR, "hr")

    def statements_to_verify(days: int, start: date) -> int:
        for n in range(days):
            day = (start + timedelta(days=n)).isoformat()
            assert gf.put(f"/calendar/days/{day}", as_=HR, json={"working": False, "name": "调休"}).status_code == 200
        with counting(gf.app) as seen:
            assert verify(gf.app)[1] is None
        return len(seen)

    assert statements_to_verify(3, date(2026, 12, 1)) == statements_to_verify(40, date(2026, 12, 10))


def test_a_hundred_concurrent_changes_leave_one_linear_chain(gf):
    """No forks: every transaction appends after the one that committed before it."""
    gf.user(HR, "hr")
    token = gf.token(HR)
    days = [date(2026, 12, 1) + timedelta(days=n) for n in range(100)]

    def set_day(day):
        def request():
            client = gf.app.test_client()
            return client.put(f"/api/v1/calendar/days/{day.isoformat()}", headers={"Authorization": f"Bearer {token}"},
                              json={"working": day.weekday() < 5, "name": "排班"})
        return request

    statuses = [r.status_code for r in at_once([set_day(d) for d in days])]
    assert statuses == [200] * 100
    chain = links(gf.app)
    assert [link.seq for link in chain] == list(range(1, 101))
    assert len({link.prev_hash for link in chain}) == 100
    assert verify(gf.app) == (100, None)


def test_audit_verify_exits_0_when_intact_and_1_naming_the_first_bad_entry(gf, migrated, tmp_path):
    published_cycle(gf)
    intact = gradeflow(tmp_path, "audit", "verify", GRADEFLOW_DATABASE_URL=migrated)
    assert intact.returncode == 0, intact.stderr
    assert f"history intact: {len(links(gf.app))} entries, head {links(gf.app)[-1].hash}" in intact.stdout

    victim = history_links(gf.app)[1]
    tamper(gf.app, "UPDATE case_history SET event = 'withdraw' WHERE id = :id", id=victim.source_id)
    broken = gradeflow(tmp_path, "audit", "verify", GRADEFLOW_DATABASE_URL=migrated)
    assert broken.returncode == 1
    assert f"case_history entry {victim.source_id} (link {victim.seq}) was altered" in broken.stderr


# --- performance records (issue 13, point 7) ---------------------------------------------------

def _scored_and_corrected(gf) -> None:
    gf.user(HR, "hr")
    gf.manager("M001", "mid")
    for body in ({"score": 90, "months_worked": 12}, {"score": 10, "months_worked": 12, "reason": "录入错误"}):
        assert gf.put("/managers/M001/performance/2025", as_=HR, json=body).status_code == 200


def test_every_version_of_a_performance_record_is_a_link(gf):
    _scored_and_corrected(gf)
    assert [link.source for link in links(gf.app)] == ["performance_versions"] * 2
    assert verify(gf.app) == (2, None)


def test_an_altered_version_is_named(gf):
    _scored_and_corrected(gf)
    first = links(gf.app)[0]
    tamper(gf.app, "UPDATE performance_versions SET score = 95 WHERE id = :id", id=first.source_id)
    assert verify(gf.app)[1] == f"performance_versions entry {first.source_id} (link 1) was altered"


def test_a_record_changed_around_the_service_is_named(gf):
    """The versions are intact, but the record the rules read says something else."""
    _scored_and_corrected(gf)
    tamper(gf.app, "UPDATE performance_records SET score = 90")
    assert verify(gf.app) == (2, "the 2025 performance record of M001 differs from its version 2: it was altered "
                                 "around the service")


def test_a_record_set_back_to_an_earlier_version_is_named(gf):
    _scored_and_corrected(gf)
    tamper(gf.app, "UPDATE performance_records SET (score, version, recorded_at, recorded_by) = "
                   "(SELECT score, version, recorded_at, recorded_by FROM performance_versions WHERE version = 1)")
    assert verify(gf.app)[1] == ("the 2025 performance record of M001 differs from its version 1: it was altered "
                                 "around the service")


def test_a_record_without_its_versions_is_named(gf):
    _scored_and_corrected(gf)
    tamper(gf.app, "DELETE FROM audit_chain")
    tamper(gf.app, "DELETE FROM performance_versions")
    assert verify(gf.app) == (0, "the 2025 performance record of M001 differs from its version 2: it was altered "
                                 "around the service")


def test_twenty_corrections_at_once_are_twenty_versions_in_one_chain(gf):
    """Concurrent corrections of one record: each is a version of its own (1 to 21, none lost or doubled), the
    record is the last of them, and the chain verifies."""
    _scored_and_corrected(gf)  # versions 1 and 2
    token = gf.token(HR)

    def correct(n):
        def request():
            client = gf.app.test_client()
            return client.put("/api/v1/managers/M001/performance/2025", headers={"Authorization": f"Bearer {token}"},
                              json={"score": 50 + n, "months_worked": 12, "reason": f"第{n}次更正"})
        return request

    answers = at_once([correct(n) for n in range(20)])
    assert sorted(r.status_code for r in answers) == [200] * 20, [r.get_json() for r in answers if r.status_code != 200]
    versions = gf.get("/managers/M001/performance/2025/versions", as_=HR).get_json()
    assert [v["version"] for v in versions] == list(range(1, 23))
    assert sorted(v["score"] for v in versions[2:]) == [50 + n for n in range(20)]
    latest = gf.get("/managers/M001/performance", as_=HR).get_json()
    assert latest[0]["score"] == versions[-1]["score"]
    assert verify(gf.app) == (22, None)
