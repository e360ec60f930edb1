"""A promotion's own stages, declared by the policy (issue 13, point 1), over HTTP.

The company's policy is the default one with four stages between the supervisor's review of the materials and
the committee's interview: hr's qualification check (资质审核, pass or fail), hr's skills test (技能鉴定, a score, 60
to pass), a second review by the supervisor's own supervisor (二次审核, with a comment) and an observation period
of three months (考察期) that hr may fail early. The organisation is the committee tests' (S001 ← S002 ← E001,
E002; hr1; cycle 2026-H2); the manual clock stands at Tuesday 2026-09-01 09:00+08:00.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import OutboxMessage, Timer, db
from tests.support.answers import assert_problem, ok
from tests.support.committee_world import CYCLE, HR, committee_org
from tests.support.steps import move_clock

STAGES = [
    {"stage": "qualification_check", "label": "资质审核", "by": "hr"},
    {"stage": "skills_test", "label": "技能鉴定", "by": "hr", "records": "score", "pass_mark": 60},
    {"stage": "second_review", "label": "二次审核", "by": "second_supervisor", "records": "comment"},
    {"stage": "observation", "label": "考察期", "months": 3, "by": "hr"},
]


@pytest.fixture
def staged(build, tmp_path):
    from tests.support.driver import Driver
    from tests.support.policies import policy_file

    def with_stages(document):
        document["stages"] = {"promotion": STAGES}
    gf = committee_org(Driver(build(GRADEFLOW_POLICY=policy_file(tmp_path, with_stages))))
    gf.user("root", "admin")  # moves the manual clock
    return gf


def _apply(gf, applicant: str = "e001", *, exceptional: bool = False) -> int:
    response = gf.post("/cases", as_=applicant, json={"cycle": CYCLE, "target_grade": "mid", "statement": "申请晋升",
                                                      "exceptional": exceptional})
    return ok(response, 201)["id"]


def _event(gf, case_id: int, as_: str, event: str, **more):
    return gf.post(f"/cases/{case_id}/events", as_=as_, json={"event": event, **more})


def _in_stage(gf, applicant: str = "e001") -> int:
    case_id = _apply(gf, applicant)
    case = ok(_event(gf, case_id, "s002", "approve_materials", supervisor_score=80))
    assert (case["state"], case["stage"]) == ("in_stage", "qualification_check")
    return case_id


def _through(gf, case_id: int, *steps) -> dict:
    for as_, event, more in steps:
        case = ok(_event(gf, case_id, as_, event, **more))
    return case


TO_OBSERVATION = (("hr1", "pass_stage", {}), ("hr1", "pass_stage", {"score": 75}),
                  ("s001", "pass_stage", {"comment": "业绩突出, 同意"}))


def test_approved_materials_enter_the_policys_first_stage_which_only_its_party_passes(staged):
    case_id = _in_stage(staged)
    assert "pass_stage" in staged.case(case_id, HR)["available_events"]
    assert not {"pass_stage", "fail_stage"} & set(staged.case(case_id, "s002")["available_events"])
    assert "hr" in assert_problem(_event(staged, case_id, "s002", "pass_stage"), 403, "forbidden")["detail"]
    case = ok(_event(staged, case_id, HR, "pass_stage", comment="资质齐全"))
    assert (case["state"], case["stage"]) == ("in_stage", "skills_test")


def test_a_scored_stage_needs_its_score_and_is_passed_only_at_its_pass_mark(staged):
    case_id = _in_stage(staged)
    ok(_event(staged, case_id, HR, "pass_stage"))
    assert_problem(_event(staged, case_id, HR, "pass_stage"), 422, "validation_error", field="score", rule="required")
    assert_problem(_event(staged, case_id, HR, "pass_stage", score=59.5), 422, "validation_error", field="score",
                   rule="below_pass_mark")
    assert_problem(_event(staged, case_id, HR, "pass_stage", score=101), 422, "validation_error", field="score")
    assert staged.case(case_id, HR)["stage"] == "skills_test"  # nothing half-written
    case = ok(_event(staged, case_id, HR, "pass_stage", score=75))
    assert case["stage"] == "second_review"
    entry = staged.history(case_id, HR)[-1]
    assert (entry["event"], entry["actor"], entry["data"]) == ("pass_stage", HR, {
        "stage": "skills_test", "score": "75", "to_stage": "second_review"})


def test_a_score_is_refused_where_the_stage_records_none(staged):
    case_id = _in_stage(staged)
    assert_problem(_event(staged, case_id, HR, "pass_stage", score=80), 422, "validation_error", field="score",
                   rule="not_for_stage")
    assert_problem(_event(staged, case_id, "e001", "withdraw", score=80), 422, "validation_error", field="score",
                   rule="not_for_event")


def test_the_second_review_is_the_supervisors_supervisors_and_records_why(staged):
    case_id = _in_stage(staged)
    _through(staged, case_id, *TO_OBSERVATION[:2])
    refused = assert_problem(_event(staged, case_id, HR, "pass_stage", comment="同意"), 403, "forbidden")
    assert "the supervisor of the applicant's supervisor" in refused["detail"]
    assert_problem(_event(staged, case_id, "s002", "pass_stage", comment="同意"), 403, "forbidden")
    assert_problem(_event(staged, case_id, "s001", "pass_stage"), 422, "validation_error", field="comment",
                   rule="required")
    case = ok(_event(staged, case_id, "s001", "pass_stage", comment="业绩突出, 同意"))
    assert case["stage"] == "observation"


def test_failing_a_stage_rejects_the_application(staged):
    case_id = _in_stage(staged)
    case = ok(_event(staged, case_id, HR, "fail_stage", comment="资质不符"))
    assert (case["state"], case["stage"]) == ("rejected", None)
    entry = staged.history(case_id, HR)[-1]
    assert (entry["event"], entry["from_state"], entry["to_state"], entry["data"]) == (
        "fail_stage", "in_stage", "rejected", {"stage": "qualification_check"})


def test_the_applicant_may_withdraw_during_a_stage(staged):
    case_id = _in_stage(staged)
    case = ok(_event(staged, case_id, "e001", "withdraw"))
    assert (case["state"], case["stage"]) == ("withdrawn", None)


def _timers(app, case_id: int) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(sa.select(Timer.kind, Timer.due_at, Timer.fired_at, Timer.result)
                                  .where(Timer.case_id == case_id).order_by(Timer.id)).all()
        db.session.remove()
    return rows


def test_an_observation_period_passes_by_itself_when_its_months_are_over(staged):
    case_id = _in_stage(staged)
    _through(staged, case_id, *TO_OBSERVATION)
    assert_problem(_event(staged, case_id, HR, "pass_stage"), 403, "forbidden")["detail"]
    (observation,) = [t for t in _timers(staged.app, case_id) if t.kind == "observation_end"]
    assert observation.due_at.isoformat() == "2026-12-01T01:00:00+00:00"  # 3 months on, 09:00 in Shanghai
    move_clock(staged, "2026-11-30T09:00:00+08:00")
    assert staged.case(case_id, HR)["stage"] == "observation"
    move_clock(staged, "2026-12-01T09:00:00+08:00")
    case = staged.case(case_id, HR)
    assert (case["state"], case["stage"]) == ("interview", None)
    entry = [e for e in staged.history(case_id, HR) if e["event"] == "pass_stage"][-1]
    assert (entry["actor"], entry["data"]) == ("(gradeflow)", {"stage": "observation"})


def test_an_observation_period_waits_on_nobody_and_hr_may_fail_it_early(staged):
    case_id = _in_stage(staged)
    _through(staged, case_id, *TO_OBSERVATION)
    move_clock(staged, "2026-10-20T09:00:00+08:00")  # weeks of working days: no reminder, nobody is late
    assert staged.case(case_id, HR)["overdue"] is False
    with staged.app.app_context():
        reminded = db.session.scalars(sa.select(OutboxMessage.recipient).where(OutboxMessage.case_id == case_id))
        assert list(reminded) == []
        db.session.remove()
    case = ok(_event(staged, case_id, HR, "fail_stage", comment="考察期内出现违规"))
    assert case["state"] == "rejected"
    move_clock(staged, "2026-12-02T09:00:00+08:00")  # the period's timer finds the case gone
    assert staged.case(case_id, HR)["state"] == "rejected"


def test_a_stage_waits_on_its_party_and_reminds_them_when_it_is_late(staged):
    case_id = _in_stage(staged)
    _through(staged, case_id, *TO_OBSERVATION[:2])  # second review: the supervisor's supervisor, s001
    move_clock(staged, "2026-09-07T09:00:00+08:00")  # 3 working days (Wed–Fri) passed: overdue on Monday
    assert staged.case(case_id, HR)["overdue"] is True
    with staged.app.app_context():
        reminded = db.session.scalars(sa.select(OutboxMessage.recipient).where(OutboxMessage.case_id == case_id))
        assert list(reminded) == ["s001"]
        db.session.remove()


def test_the_interview_after_the_last_stage_recuses_the_reviewer_as_usual(staged):
    case_id = _in_stage(staged)
    ok(staged.put(f"/cycles/{CYCLE}/committee", as_=HR, json={"chair": "chair1",
                                                               "members": ["chair1", "cm1", "cm2", "s002"]}))
    _through(staged, case_id, *TO_OBSERVATION)
    move_clock(staged, "2026-12-01T09:00:00+08:00")
    interview = staged.case(case_id, HR)["interview"]
    assert {"member": "s002", "reason": "line_manager"} in interview["recusals"]


def test_an_exceptional_promotion_meets_the_stages_after_hr_approves_the_exception(staged):
    case_id = _apply(staged, exceptional=True)
    assert ok(_event(staged, case_id, "s002", "approve_materials", supervisor_score=80))["state"] == "hr_review"
    case = ok(_event(staged, case_id, HR, "approve_exception"))
    assert (case["state"], case["stage"]) == ("in_stage", "qualification_check")


def test_a_case_opened_under_the_default_policy_keeps_going_straight_to_the_interview(org_default, staged_later):
    """A change of policy never changes a case already open: the stages added later do not apply to it."""
    case_id, changed = org_default, staged_later
    case = ok(_event(changed, case_id, "s002", "approve_materials", supervisor_score=80))
    assert (case["state"], case["stage"]) == ("interview", None)


@pytest.fixture
def org_default(gf) -> int:
    committee_org(gf)
    return _apply(gf)  # under the default policy, before the stages are added


@pytest.fixture
def staged_later(build, org_default, tmp_path):
    from tests.support.driver import Driver
    from tests.support.policies import policy_file
    return Driver(build(GRADEFLOW_POLICY=policy_file(tmp_path, lambda d: d.update(stages={"promotion": STAGES}))))


def test_a_pass_sent_twice_for_one_stage_does_not_pass_the_next(staged):
    """Every stage's events have the same names: the caller names the stage it means."""
    case_id = _in_stage(staged)
    ok(_event(staged, case_id, HR, "pass_stage", stage="qualification_check"))
    again = _event(staged, case_id, HR, "pass_stage", stage="qualification_check", score=75)
    body = assert_problem(again, 409, "stage_moved")
    assert body["stage"] == "skills_test"
    assert staged.case(case_id, HR)["stage"] == "skills_test"
