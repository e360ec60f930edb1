"""Events on a manager's record (issue 14, point 2; api.md /managers/{no}/events): violations, complaints, leave
with its reason and length, targets met or missed, misconduct, and the standing changes (待岗 and back); dated,
entered by hr once each, in the hash chain, refused in a closed period, and counted by the closes' grading rules
(tests/api/test_grading_rules.py)."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from models import Manager, ManagerEvent, db
from models.audit import AuditLink, verify_chain
from tests.support.answers import assert_problem, ok
from tests.support.world import ADMIN, HR, organisation


def enter(gf, no: str, as_: str = HR, **body):
    return gf.post(f"/managers/{no}/events", as_=as_, json=body)


def test_hr_enters_events_and_everyone_who_may_read_the_record_reads_them_by_day(gf):
    organisation(gf)
    gf.manager("M001", "mid", supervisor="S900", login=True)
    leave = ok(enter(gf, "M001", kind="leave", occurred_on="2026-08-20", days=16, reason="other",
                     note="未请假缺勤"), 201)
    ok(enter(gf, "M001", kind="complaint", occurred_on="2026-08-03", note="客户投诉服务态度"), 201)
    assert (leave["kind"], leave["days"], leave["reason"], leave["recorded_by"]) == ("leave", 16, "other", HR)

    for reader in (HR, "m001", "s900", ADMIN):
        events = ok(gf.get("/managers/M001/events", as_=reader))
        assert [(e["occurred_on"], e["kind"]) for e in events] == [("2026-08-03", "complaint"), ("2026-08-20", "leave")]
    gf.manager("M002", "mid", supervisor="S900", login=True)
    assert_problem(gf.get("/managers/M001/events", as_="m002"), 404, "not_found")  # nothing is confirmed to a colleague


def test_only_hr_enters_an_event(gf):
    organisation(gf)
    gf.manager("M001", "mid", supervisor="S900", login=True)
    for who in ("m001", "s900"):
        assert_problem(enter(gf, "M001", as_=who, kind="complaint", occurred_on="2026-08-03"), 403, "forbidden")
    assert_problem(enter(gf, "M404", kind="complaint", occurred_on="2026-08-03"), 404, "not_found")


def test_a_bad_event_is_refused_naming_every_field_and_rule_and_nothing_is_stored(gf, app):
    organisation(gf)
    gf.manager("M001", "mid", supervisor="S900", grade_since=date(2025, 3, 1))
    assert_problem(enter(gf, "M001", kind="leave", occurred_on="2026-08-20"), 422, "validation_error",
                   field="days", rule="required")
    assert_problem(enter(gf, "M001", kind="leave", occurred_on="2026-08-20", days=3), 422, "validation_error",
                   field="reason", rule="required")
    assert_problem(enter(gf, "M001", kind="leave", occurred_on="2026-08-20", days=0, reason="sick"), 422,
                   "validation_error", field="days", rule="leave_days")
    assert_problem(enter(gf, "M001", kind="leave", occurred_on="2026-08-20", days=2, reason="holiday"), 422,
                   "validation_error", field="reason", rule="leave_reason")
    assert_problem(enter(gf, "M001", kind="complaint", occurred_on="2026-08-20", days=2), 422,
                   "validation_error", field="days", rule="leave_only")
    assert_problem(enter(gf, "M001", kind="praise", occurred_on="2026-08-20"), 422, "validation_error",
                   field="kind", rule="event_kind")
    assert_problem(enter(gf, "M001", kind="complaint", occurred_on="2026-09-02"), 422, "validation_error",
                   field="occurred_on", rule="not_in_future")
    assert_problem(enter(gf, "M001", kind="complaint", occurred_on="2025-02-28"), 422, "validation_error",
                   field="occurred_on", rule="after_hire_date")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ManagerEvent)) == 0
        db.session.remove()


def test_an_event_in_a_closed_period_is_refused_as_its_records_are(gf):
    organisation(gf)
    gf.manager("M001", "mid", supervisor="S900")
    gf.performance("M001", "2026Q2", "90", months_worked=3)
    ok(gf.post("/evaluations/2026Q2/close", as_=HR))
    assert_problem(enter(gf, "M001", kind="complaint", occurred_on="2026-06-30"), 409, "period_closed")
    ok(enter(gf, "M001", kind="complaint", occurred_on="2026-07-01"), 201)  # the quarter still open


def test_a_suspension_changes_the_standing_until_a_reinstatement_and_each_needs_a_reason(gf):
    organisation(gf)
    gf.manager("M001", "mid", supervisor="S900", login=True)
    assert ok(gf.get("/managers/M001", as_=HR))["standing"] == "active"
    assert_problem(enter(gf, "M001", kind="suspension", occurred_on="2026-08-31"), 422, "validation_error",
                   field="note", rule="required")
    assert_problem(enter(gf, "M001", kind="reinstatement", occurred_on="2026-08-31", note="复岗"), 422,
                   "validation_error", field="kind", rule="standing")
    ok(enter(gf, "M001", kind="suspension", occurred_on="2026-08-31", note="违规违纪, 待岗培训"), 201)
    assert ok(gf.get("/managers/M001", as_=HR))["standing"] == "suspended"
    assert_problem(enter(gf, "M001", kind="suspension", occurred_on="2026-09-01", note="again"), 422,
                   "validation_error", field="kind", rule="standing")
    ok(enter(gf, "M001", kind="reinstatement", occurred_on="2026-09-01", note="培训合格, 复岗"), 201)
    assert ok(gf.get("/managers/M001", as_=HR))["standing"] == "active"


def test_a_suspended_manager_may_not_apply_for_promotion(gf):
    organisation(gf)
    gf.manager("J001", "junior", supervisor="S900", login=True)
    gf.performance("J001", "2025", "95")
    ok(enter(gf, "J001", kind="suspension", occurred_on="2026-08-31", note="待岗"), 201)
    refused = gf.post("/cases", as_="j001", json={"cycle": "2026H2", "target_grade": "mid", "statement": "申请"})
    body = assert_problem(refused, 422, "not_eligible")
    assert "suspended" in [r["rule"] for r in body["reasons"]]


def test_a_months_sales_target_is_met_or_missed_once_and_a_second_entry_is_refused_with_nothing_stored(gf, app):
    organisation(gf)
    gf.manager("M001", "mid", supervisor="S900")
    ok(enter(gf, "M001", kind="target_missed", occurred_on="2026-07-31"), 201)
    for kind, day in (("target_missed", "2026-07-05"), ("target_met", "2026-07-31")):
        assert_problem(enter(gf, "M001", kind=kind, occurred_on=day), 422, "validation_error",
                       field="occurred_on", rule="target_once_a_month")
    ok(enter(gf, "M001", kind="target_missed", occurred_on="2026-08-31"), 201)  # the next month is its own
    gf.manager("M002", "mid", supervisor="S900")
    ok(enter(gf, "M002", kind="target_missed", occurred_on="2026-07-31"), 201)  # and each manager's month
    ok(enter(gf, "M001", kind="complaint", occurred_on="2026-07-31"), 201)  # other kinds as often as they happen
    ok(enter(gf, "M001", kind="complaint", occurred_on="2026-07-31"), 201)
    with app.app_context():
        stored = db.session.execute(sa.select(ManagerEvent.employee_no, ManagerEvent.kind, ManagerEvent.occurred_on)
                                    .order_by(ManagerEvent.id)).all()
        db.session.remove()
    assert [(no, kind, str(day)) for no, kind, day in stored] == [
        ("M001", "target_missed", "2026-07-31"), ("M001", "target_missed", "2026-08-31"),
        ("M002", "target_missed", "2026-07-31"), ("M001", "complaint", "2026-07-31"),
        ("M001", "complaint", "2026-07-31")]


def test_every_event_is_a_link_of_the_audit_chain_and_an_altered_one_is_found(gf, app):
    organisation(gf)
    gf.manager("M001", "mid", supervisor="S900")
    ok(enter(gf, "M001", kind="violation", occurred_on="2026-08-03", note="违规操作"), 201)
    ok(enter(gf, "M001", kind="target_missed", occurred_on="2026-08-31"), 201)
    with app.app_context():
        assert verify_chain(db.session)[1] is None
        link = db.session.scalar(sa.select(AuditLink).where(AuditLink.source == "manager_events")
                                 .order_by(AuditLink.seq))
        db.session.execute(sa.update(ManagerEvent).where(ManagerEvent.id == link.source_id).values(note="无"))
        db.session.commit()
        assert verify_chain(db.session)[1] == f"manager_events entry {link.source_id} (link {link.seq}) was altered"
        db.session.remove()


def test_a_standing_changed_around_the_service_is_found_by_the_audit(gf, app):
    organisation(gf)
    gf.manager("M001", "mid", supervisor="S900")
    ok(enter(gf, "M001", kind="suspension", occurred_on="2026-08-31", note="待岗"), 201)
    with app.app_context():
        assert verify_chain(db.session)[1] is None
        db.session.execute(sa.update(Manager).where(Manager.employee_no == "M001").values(standing="active"))
        db.session.commit()
        assert verify_chain(db.session)[1] == ("the standing of M001 differs from the events on its record: it was "
                                               "altered around the service")
        db.session.remove()
