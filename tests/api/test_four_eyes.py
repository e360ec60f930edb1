"""Four eyes (issue 16, point 4; workflow/case_access.py SEPARATE_REVIEWS): the supervisor's review and the second
supervisor's are done by two people. Whoever did a step of one, in their own right, as a substitute or by
escalation, does none of the other; where nobody else in the chain holds that part, hr acts."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import OutboxMessage, db

from tests.support.answers import assert_problem, ok
from tests.support.driver import Driver
from tests.support.escalation import FRIDAY_MORNING, MIDDLE, TOP, chain, escalating
from tests.support.steps import event, move_clock

STAGES = [{"stage": "second_review", "label": "二次审核", "by": "second_supervisor", "records": "comment"},
          {"stage": "supervisor_check", "label": "主管复核", "by": "supervisor", "records": "comment"}]


@pytest.fixture
def gf(build, tmp_path):
    from tests.support.policies import policy_file

    def reviewed_twice(document):
        escalating(document)
        document["stages"] = {"promotion": STAGES}
    return Driver(build(GRADEFLOW_POLICY=policy_file(tmp_path, reviewed_twice)))


def delegate(gf, principal: str, substitute: str) -> None:
    ok(gf.post("/delegations", as_=principal, json={"substitute": substitute, "scope": "supervisor",
                                                   "starts_on": "2026-09-01", "ends_on": "2026-09-30"}), 201)


def pass_stage(gf, case_id: int, as_: str):
    return event(gf, case_id, "pass_stage", as_, comment="同意")


def reminded(gf, case_id: int) -> set[str]:
    with gf.app.app_context():
        sent = set(db.session.scalars(sa.select(OutboxMessage.recipient).where(
            OutboxMessage.case_id == case_id, OutboxMessage.kind == "reminder")))
        db.session.remove()
    return sent


def test_a_substitute_who_did_the_supervisors_review_may_not_do_the_second_supervisors(gf):
    case_id = chain(gf)
    delegate(gf, "s900", "s800")  # the applicant's second supervisor stands in for the first
    ok(event(gf, case_id, "approve_materials", "s800", supervisor_score=80))
    assert gf.case(case_id, "hr1")["stage"] == "second_review"
    assert "pass_stage" not in gf.case(case_id, "s800")["available_events"]
    problem = assert_problem(pass_stage(gf, case_id, "s800"), 403, "four_eyes")
    assert problem["party"] == "second_supervisor"
    # nobody else in the chain holds the second supervisor's part: hr does, and the reminders go to hr
    assert "pass_stage" in gf.case(case_id, "hr1")["available_events"]
    move_clock(gf, "2026-09-07T09:00:00+08:00")  # overdue: three working days
    assert reminded(gf, case_id) == {"hr1"}
    ok(pass_stage(gf, case_id, "hr1"))


def test_the_case_page_says_why_a_review_kept_apart_is_not_offered(gf):
    from tests.web.visitor import Visitor
    case_id = chain(gf)
    delegate(gf, "s900", "s800")
    ok(event(gf, case_id, "approve_materials", "s800", supervisor_score=80))
    visitor = Visitor(gf.app, accept_language="en")
    assert visitor.sign_in("s800").status_code == 302
    page = visitor.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'data-testid="four-eyes"' in page and "four eyes" in page


def test_the_supervisor_a_wait_was_escalated_to_may_not_do_both_reviews(gf):
    case_id = chain(gf, middle_login=False)
    move_clock(gf, FRIDAY_MORNING)  # escalated past S900 (no account) to S800
    ok(event(gf, case_id, "approve_materials", "s800", supervisor_score=80))
    assert_problem(pass_stage(gf, case_id, "s800"), 403, "four_eyes")
    ok(pass_stage(gf, case_id, "hr1"))


def test_the_second_supervisor_who_did_their_review_may_not_do_the_supervisors_as_a_substitute(gf):
    case_id = chain(gf)
    ok(event(gf, case_id, "approve_materials", "s900", supervisor_score=80))
    ok(pass_stage(gf, case_id, "s800"))
    assert gf.case(case_id, "hr1")["stage"] == "supervisor_check"
    delegate(gf, "s900", "s800")
    assert_problem(pass_stage(gf, case_id, "s800"), 403, "four_eyes")
    ok(pass_stage(gf, case_id, "s900"))  # the supervisor themselves did no other review step


def test_the_substitute_of_a_supervisor_kept_apart_may_do_their_review(gf):
    case_id = chain(gf)
    gf.manager("S801", "senior", org_unit="总行", login=True, roles=("employee", "supervisor"))
    delegate(gf, "s900", "s800")
    ok(event(gf, case_id, "approve_materials", "s800", supervisor_score=80))
    delegate(gf, "s800", "s801")
    ok(pass_stage(gf, case_id, "s801"))
    entry = gf.history(case_id, "hr1")[-1]
    assert (entry["actor"], entry["data"]["on_behalf_of"]) == ("s801", "s800")


def test_an_escalation_never_goes_to_the_supervisor_who_did_the_other_review(gf):
    """The second supervisor's stage waits on S800, who has gone; above them is the one who did the first review as
    S900's substitute: it goes to hr instead."""
    case_id = chain(gf, top=False)
    gf.manager("S700", "senior", org_unit="总行", login=True, roles=("employee", "supervisor"))
    gf.manager(TOP, "senior", supervisor="S700", login=True, roles=("employee", "supervisor"))
    ok(gf.patch(f"/managers/{MIDDLE}", as_="hr1", json={"supervisor": TOP}))
    delegate(gf, "s900", "s700")
    ok(event(gf, case_id, "approve_materials", "s700", supervisor_score=80))
    ok(gf.patch("/users/s800", as_="hr1", json={"active": False}))
    move_clock(gf, "2026-09-07T09:00:00+08:00")
    [entry] = [e for e in gf.history(case_id, "hr1") if e["event"] == "escalate"]
    assert (entry["data"]["absent"], entry["data"]["to"]) == (TOP, None)


def test_returning_the_materials_is_no_review_step_the_substitute_may_still_do_the_second_supervisors(gf):
    """The second supervisor, standing in for the first, sends the materials back: that decides nothing, so once
    the first supervisor approves them the second may still do their own review."""
    case_id = chain(gf)
    delegate(gf, "s900", "s800")
    ok(event(gf, case_id, "return_materials", "s800", reason="请补充业绩证明"))
    ok(event(gf, case_id, "resubmit", gf.case(case_id, "hr1")["employee_no"].lower()))
    ok(event(gf, case_id, "approve_materials", "s900", supervisor_score=80))
    assert "pass_stage" in gf.case(case_id, "s800")["available_events"]
    ok(pass_stage(gf, case_id, "s800"))
