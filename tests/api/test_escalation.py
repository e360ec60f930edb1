"""Escalation (issue 16, point 4; workflow/escalation.py): where the policy sets reminders.escalate_after_working_days,
a case waiting that long on a supervisor with no account or on leave goes to the next supervisor up the chain, who
acts in the absent one's stead; the history records it, and hr sees it."""
from __future__ import annotations

import pytest

from tests.support.answers import ok
from tests.support.driver import Driver
from tests.support.escalation import FRIDAY_MORNING, MIDDLE, THURSDAY_EVENING, TOP, chain, escalating
from tests.support.steps import event, move_clock


@pytest.fixture
def gf(build, tmp_path):
    from tests.support.policies import policy_file
    return Driver(build(GRADEFLOW_POLICY=policy_file(tmp_path, escalating)))


def leave(gf, employee_no: str, occurred_on: str, days: int) -> None:
    ok(gf.post(f"/managers/{employee_no}/events", as_="hr1",
               json={"kind": "leave", "occurred_on": occurred_on, "days": days, "reason": "annual"}), 201)


def escalations(gf, case_id: int) -> list[dict]:
    return [e for e in gf.history(case_id, "hr1") if e["event"] == "escalate"]


def test_a_case_waiting_on_a_supervisor_on_leave_goes_up_the_chain_after_the_policys_working_days(gf):
    case_id = chain(gf)
    leave(gf, MIDDLE, "2026-09-01", 10)
    move_clock(gf, THURSDAY_EVENING)
    assert escalations(gf, case_id) == []
    assert "approve_materials" not in gf.case(case_id, "s800")["available_events"]
    move_clock(gf, FRIDAY_MORNING)
    [entry] = escalations(gf, case_id)
    assert (entry["actor"], entry["data"]["absent"], entry["data"]["reason"], entry["data"]["to"]) == (
        "(gradeflow)", MIDDLE, "on_leave", TOP)
    assert gf.case(case_id, "s800")["available_events"] == ["approve_materials", "return_materials",
                                                           "reject_materials"]
    ok(event(gf, case_id, "approve_materials", "s800", supervisor_score=80))
    entry = gf.history(case_id, "hr1")[-1]
    assert (entry["actor"], entry["event"], entry["data"]["on_behalf_of"]) == ("s800", "approve_materials", MIDDLE)


def test_a_supervisor_with_no_account_is_escalated(gf):
    case_id = chain(gf, middle_login=False)
    move_clock(gf, FRIDAY_MORNING)
    [entry] = escalations(gf, case_id)
    assert (entry["data"]["reason"], entry["data"]["to"]) == ("no_account", TOP)


def test_a_switched_off_account_counts_as_none(gf):
    case_id = chain(gf)
    ok(gf.patch("/users/s900", as_="hr1", json={"active": False}))
    move_clock(gf, FRIDAY_MORNING)
    assert [e["data"]["reason"] for e in escalations(gf, case_id)] == ["no_account"]


def test_a_supervisor_whose_substitute_is_in_force_is_not_escalated(gf):
    case_id = chain(gf)
    gf.manager("S901", "senior", org_unit="总行", login=True, roles=("employee", "supervisor"))
    leave(gf, MIDDLE, "2026-09-01", 10)
    ok(gf.post("/delegations", as_="s900", json={"substitute": "s901", "scope": "supervisor",
                                                "starts_on": "2026-09-01", "ends_on": "2026-09-11"}), 201)
    move_clock(gf, FRIDAY_MORNING)
    assert escalations(gf, case_id) == []


def test_a_supervisor_who_goes_on_leave_later_is_escalated_on_the_next_working_day_they_are_away(gf):
    case_id = chain(gf)
    move_clock(gf, FRIDAY_MORNING)
    assert escalations(gf, case_id) == []  # present: looked at again each working day
    leave(gf, MIDDLE, "2026-09-04", 5)
    move_clock(gf, "2026-09-07T09:00:00+08:00")  # Monday
    [entry] = escalations(gf, case_id)
    assert entry["at"] == "2026-09-07T09:00:00+08:00"


def test_with_nobody_up_the_chain_the_case_waits_on_hr(gf):
    case_id = chain(gf, middle_login=False, top=False)
    move_clock(gf, FRIDAY_MORNING)
    [entry] = escalations(gf, case_id)
    assert entry["data"]["to"] is None
    shown = gf.case(case_id, "hr1")
    assert (shown["escalated_from"], shown["escalated_to"], shown["escalated_at"]) == (
        MIDDLE, None, "2026-09-04T09:00:00+08:00")
    assert [c["id"] for c in ok(gf.get("/cases?escalated=true", as_="hr1"))] == [case_id]
    assert ok(gf.get("/cases?escalated=false", as_="hr1")) == []


def test_the_escalation_ends_when_the_case_moves_on(gf):
    case_id = chain(gf, middle_login=False)
    move_clock(gf, FRIDAY_MORNING)
    ok(event(gf, case_id, "return_materials", "s800", comment="补充材料"))
    assert gf.case(case_id, "hr1")["escalated_at"] is None
    ok(event(gf, case_id, "resubmit", "m001"))
    assert "approve_materials" not in gf.case(case_id, "s800")["available_events"]
    move_clock(gf, "2026-09-09T09:00:00+08:00")  # two more working days: escalated again, for the new wait
    assert len(escalations(gf, case_id)) == 2


def test_without_the_setting_nothing_escalates(build):
    gf = Driver(build())
    case_id = chain(gf, middle_login=False)
    move_clock(gf, "2026-09-30T09:00:00+08:00")
    assert escalations(gf, case_id) == []


# --- on up the chain, and the reporting line ----------------------------------------------------------------

def waits_on_them(gf, username: str, case_id: int) -> bool:
    """The case is on the user's "my work" page (due.waiting_on's answer)."""
    from tests.web.visitor import Visitor
    visitor = Visitor(gf.app, accept_language="en")
    assert visitor.sign_in(username).status_code == 302
    return f'data-testid="act-{case_id}"' in visitor.get("/").get_data(as_text=True)


def above_the_top(gf) -> None:
    """S700 above S800: the chain is S700 ← S800 ← S900 ← M001."""
    gf.manager("S700", "senior", org_unit="总行", login=True, roles=("employee", "supervisor"))
    ok(gf.patch(f"/managers/{TOP}", as_="hr1", json={"supervisor": "S700"}))


def test_a_case_escalated_to_a_supervisor_who_cannot_act_either_goes_on_up_after_the_policys_working_days(gf):
    case_id = chain(gf, middle_login=False)
    above_the_top(gf)
    move_clock(gf, FRIDAY_MORNING)  # escalated past S900 (no account) to S800
    leave(gf, TOP, "2026-09-04", 10)
    move_clock(gf, "2026-09-08T18:00:00+08:00")  # Mon 7 and Tue 8: S800 has had it two working days
    assert len(escalations(gf, case_id)) == 1
    move_clock(gf, "2026-09-09T09:00:00+08:00")
    first, second = escalations(gf, case_id)
    assert (second["data"]["absent"], second["data"]["reason"], second["data"]["to"], second["data"]["in_stead_of"]) \
        == (TOP, "on_leave", "S700", MIDDLE)
    shown = gf.case(case_id, "hr1")
    assert (shown["escalated_from"], shown["escalated_to"]) == (MIDDLE, "S700")
    assert [c["id"] for c in ok(gf.get("/cases?escalated=true", as_="hr1"))] == [case_id]
    assert "approve_materials" not in gf.case(case_id, "s800")["available_events"]
    ok(event(gf, case_id, "approve_materials", "s700", supervisor_score=80))
    assert gf.history(case_id, "hr1")[-1]["data"]["on_behalf_of"] == MIDDLE


def test_a_case_escalated_to_the_top_of_the_chain_who_cannot_act_goes_to_hr(gf):
    case_id = chain(gf, middle_login=False)
    move_clock(gf, FRIDAY_MORNING)
    ok(gf.patch("/users/s800", as_="hr1", json={"active": False}))
    move_clock(gf, "2026-09-09T09:00:00+08:00")
    assert [e["data"]["to"] for e in escalations(gf, case_id)] == [TOP, None]
    assert gf.case(case_id, "hr1")["escalated_to"] is None
    assert [c["id"] for c in ok(gf.get("/cases?escalated=true", as_="hr1"))] == [case_id]


def test_an_escalation_overtaken_by_a_new_reporting_line_is_called_off_and_the_reminders_follow_the_new_line(gf):
    import sqlalchemy as sa

    from models import OutboxMessage, db
    case_id = chain(gf)
    leave(gf, MIDDLE, "2026-09-01", 10)
    move_clock(gf, FRIDAY_MORNING)  # escalated past S900 (on leave) to S800
    gf.manager("S901", "senior", supervisor=TOP, login=True, roles=("employee", "supervisor"))
    ok(gf.patch("/managers/M001", as_="hr1", json={"supervisor": "S901"}))
    assert "approve_materials" not in gf.case(case_id, "s800")["available_events"]
    assert "approve_materials" in gf.case(case_id, "s901")["available_events"]
    assert not waits_on_them(gf, "s800", case_id) and waits_on_them(gf, "s901", case_id)  # before any check
    move_clock(gf, "2026-09-07T09:00:00+08:00")  # overdue, reminded; and the escalation looked at again
    with gf.app.app_context():
        reminded = set(db.session.scalars(sa.select(OutboxMessage.recipient).where(
            OutboxMessage.case_id == case_id, OutboxMessage.kind == "reminder")))
        db.session.remove()
    assert reminded == {"s901"}
    [void] = [e for e in gf.history(case_id, "hr1") if e["event"] == "escalation_void"]
    assert (void["data"]["absent"], void["data"]["to"], void["data"]["reason"]) == (
        MIDDLE, TOP, "reporting_line_changed")
    assert gf.case(case_id, "hr1")["escalated_at"] is None
    assert ok(gf.get("/cases?escalated=true", as_="hr1")) == []
