"""A change of the policy file never changes a case already open (issue 13, point 6): a case follows the policy
version it recorded when it was opened; the cases of a cycle follow the version of the cycle's first case; a new
case, in a new cycle, follows the policy in force.

The committee world (tests.support.committee_world) runs under the default policy; `changed` is a second app
over the same database under a policy whose scores run from 0 to 200 and weigh the interview more, whose
committees need five members, whose appeal window is five working days and whose reminders come after one. The
manual clock stands at Tuesday 2026-09-01 09:00+08:00.
"""
from __future__ import annotations

import pytest

from tests.support.answers import assert_problem, ok
from tests.support.committee_world import CYCLE, HR, committee_org
from tests.support.worlds import world_fixture
from workflow.policy import load_policy

DEFAULT = load_policy().reference


@pytest.fixture
@world_fixture
def org(gf):
    return committee_org(gf)


@pytest.fixture
def changed(build, org, tmp_path):
    from tests.support.driver import Driver
    from tests.support.policies import policy_file

    def changed_rules(document):
        document["scoring"]["scale"] = {"min": 0, "max": 200}
        document["scoring"]["weights"] = {"supervisor": 0.2, "interview": 0.5, "performance": 0.3}
        document["committee"]["quorum"] = 5
        document["publication"]["appeal_window_working_days"] = 5
        document["reminders"]["overdue_after_working_days"] = 1
    return Driver(build(GRADEFLOW_POLICY=policy_file(tmp_path, changed_rules)))


def _apply(gf, applicant: str, cycle: str = CYCLE) -> dict:
    response = gf.post("/cases", as_=applicant, json={"cycle": cycle, "target_grade": "mid", "statement": "申请晋升"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _approve_materials(gf, case_id: int, score=80):
    return gf.post(f"/cases/{case_id}/events", as_="s002", json={"event": "approve_materials",
                                                                 "supervisor_score": score})


def _committee(gf, cycle: str, chair: str, *members: str):
    return gf.put(f"/cycles/{cycle}/committee", as_=HR, json={"chair": chair, "members": list(members)})


def test_a_change_of_policy_never_changes_a_case_already_open(org, changed):
    case = _apply(org, "e001")
    assert case["policy"] == DEFAULT
    # from here on the service runs the changed file; the case keeps its scale, quorum and appeal window
    assert_problem(_approve_materials(changed, case["id"], score=150), 422, "validation_error", "supervisor_score",
                   "score_range")
    assert ok(_approve_materials(changed, case["id"], score=80))["state"] == "interview"
    assert ok(_committee(changed, CYCLE, "chair1", "cm1", "cm2"))["chair"] == "chair1"
    assert changed.case(case["id"], HR)["interview"]["quorum"] == 3
    for member in ("chair1", "cm1", "cm2"):
        assert ok(changed.put(f"/cases/{case['id']}/score", as_=member, json={"score": 85}))
    assert changed.case(case["id"], HR)["state"] == "deliberation"
    decided = ok(changed.post(f"/cycles/{CYCLE}/decide", as_=HR))["decided"]
    # .3×80 + .4×85 + .3×90 under the case's version, not .2×80 + .5×85 + .3×90 = 85.5 under the changed file
    assert [(d["case_id"], d["outcome"], d["final_score"]) for d in decided] == [(case["id"], "approved", 85.0)]
    published = ok(changed.post(f"/cycles/{CYCLE}/publish", as_=HR))
    assert published["appeal_deadline"].startswith("2026-09-04T23:59:59")  # 3 working days, not 5
    # a day of the window becomes a holiday: the deadline moves by the case's 3 working days
    assert ok(changed.put("/calendar/days/2026-09-03", as_=HR, json={"working": False, "name": "停业"}))
    assert changed.case(case["id"], HR)["appeal_deadline"].startswith("2026-09-07T23:59:59")
    assert changed.case(case["id"], HR)["policy"] == DEFAULT


def test_the_cases_of_a_cycle_follow_the_version_of_its_first_case(org, changed):
    first = _apply(org, "e001")
    second = _apply(changed, "e002")  # opened while the changed file is in force, in the same cycle
    assert second["policy"] == first["policy"] == DEFAULT
    assert_problem(_approve_materials(changed, second["id"], score=150), 422, "validation_error",
                   "supervisor_score", "score_range")


def test_a_new_case_in_a_new_cycle_follows_the_policy_in_force(org, changed):
    _apply(org, "e001")
    assert ok(changed.post("/cycles", as_=HR, json={"code": "2027-H1", "name": "2027 上半年"}), 201)
    # a cycle without a case follows the policy in force: five members at least
    assert_problem(_committee(changed, "2027-H1", "chair1", "cm1", "cm2"), 422, "validation_error", "members",
                   "quorum")
    case = _apply(changed, "e002", cycle="2027-H1")
    assert case["policy"] != DEFAULT and case["policy"].startswith("default@")
    assert ok(_approve_materials(changed, case["id"], score=150))["state"] == "interview"


def test_a_case_the_service_opens_follows_the_policy_in_force_whatever_the_case_that_led_to_it(org, changed):
    """Demotions effective in 2026 and 2027 open an exit case when the second takes effect: the exit is a new
    case, opened under the file in force then, though the demotion that led to it follows its own version."""
    from tests.support.steps import hr_case, move_clock
    org.user("root", "admin")
    org.manager("S009", "senior", supervisor="S001", login=True)
    first = hr_case(org, "demotion", "S009")
    assert ok(org.post(f"/cases/{first['id']}/events", as_=HR, json={"event": "approve"}))["state"] == "decided"
    deadline = ok(org.post(f"/cases/{first['id']}/events", as_=HR, json={"event": "publish"}))["appeal_deadline"]
    move_clock(org, "2026-12-31T09:00:00+08:00")
    assert org.case(first["id"], HR)["state"] == "effective", deadline
    move_clock(org, "2027-01-04T09:00:00+08:00")
    second = hr_case(org, "demotion", "S009")
    assert ok(org.post(f"/cases/{second['id']}/events", as_=HR, json={"event": "approve"}))["state"] == "decided"
    assert ok(org.post(f"/cases/{second['id']}/events", as_=HR, json={"event": "publish"}))
    move_clock(changed, "2027-01-15T09:00:00+08:00")  # the changed file is in force when the second takes effect
    assert changed.case(second["id"], HR)["state"] == "effective"
    [exit_case] = ok(changed.get("/cases?kind=exit", as_=HR))
    assert exit_case["employee_no"] == "S009" and exit_case["policy"] not in (DEFAULT, None)
    assert exit_case["policy"].startswith("default@")


def test_a_reminder_restored_for_an_open_case_follows_its_version(org, changed):
    """A case's reminder lost (a restore from a backup) is scheduled again by the case's version: after 3 working
    days, as first scheduled, not the changed file's 1."""
    import sqlalchemy as sa

    from models import Timer, db
    from tests.support.steps import move_clock
    org.user("root", "admin")
    case = _apply(org, "e001")

    def reminders() -> list:
        with changed.app.app_context():
            due = list(db.session.scalars(sa.select(Timer.due_at).where(Timer.kind == "reminder",
                                                                        Timer.case_id == case["id"])))
            db.session.remove()
            return due
    scheduled = reminders()
    with changed.app.app_context():
        db.session.execute(sa.delete(Timer).where(Timer.kind == "reminder"))
        db.session.commit()
        db.session.remove()
    move_clock(changed, "2026-09-01T10:00:00+08:00")  # the standing timers are checked first
    assert reminders() == scheduled and len(scheduled) == 1


def test_a_cycle_follows_its_first_case_that_recorded_a_version(org, changed):
    """A case opened before versions were recorded (policy null) does not pin its cycle: the next one does."""
    import sqlalchemy as sa

    from models import Case, db
    first = _apply(org, "e001")
    with org.app.app_context():
        db.session.execute(sa.update(Case).where(Case.id == first["id"]).values(policy=None))
        db.session.commit()
        db.session.remove()
    second = _apply(changed, "e002")
    assert second["policy"] not in (DEFAULT, None)
    assert_problem(_committee(changed, CYCLE, "chair1", "cm1", "cm2"), 422, "validation_error", "members", "quorum")
