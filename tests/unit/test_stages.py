"""A promotion's own stages, as a policy declares them (issue 13, point 1): the declaration's rules, the machine
built from it, and who acts in each stage."""
from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
import yaml

from tests.support.policies import default_document
from workflow.accounts import Actor
from workflow.case_access import CasePeople, may_fire, parties_for, standing
from workflow.case_machine import (DELIBERATION, IN_STAGE, INTERVIEW, REJECTED, STATES, WITHDRAWN, CaseMachine,
                                   EventDoesNotApply)
from workflow.policy import PolicyError, load_policy, parse_policy
from workflow.policy_summary import describe
from workflow.scoring import score_card
from workflow.stages import SECOND_SUPERVISOR, Stage, stage_after

# seed 002 (China Mobile Quzhou): 资质审核, 技能鉴定; seed 003 (the kitchen): 二次审核, 考察期 of three months
STAGES = [
    {"stage": "qualification_check", "label": "资质审核", "by": "hr"},
    {"stage": "skills_test", "label": "技能鉴定", "by": "hr", "records": "score", "pass_mark": 60},
    {"stage": "second_review", "label": "二次审核", "by": "second_supervisor", "records": "comment"},
    {"stage": "observation", "label": "考察期", "months": 3, "by": "hr"},
]


def policy_with(stages, **more):
    document = default_document()
    document["stages"] = stages
    document.update(more)
    return parse_policy(yaml.safe_dump(document, allow_unicode=True))


def problems(stages) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        policy_with(stages)
    return [f"{p.key}: {p.problem}" for p in caught.value.problems]


STAGED = policy_with({"promotion": STAGES})


def test_stages_are_read_in_order_with_who_acts_and_what_each_records():
    assert STAGED.promotion_stages == (
        Stage("qualification_check", "资质审核", "hr"),
        Stage("skills_test", "技能鉴定", "hr", "score", Decimal(60)),
        Stage("second_review", "二次审核", "second_supervisor", "comment"),
        Stage("observation", "考察期", "hr", months=3),
    )
    assert STAGED.promotion_stages[3].is_observation and not STAGED.promotion_stages[0].is_observation


def test_the_default_policy_declares_no_stage_of_its_own_and_keeps_its_version():
    assert load_policy().promotion_stages == ()
    assert policy_with({}).promotion_stages == ()
    assert load_policy().version == "eb268c937786"  # no `stages` key: the same file, the same version


def test_stage_after_walks_the_declared_order():
    stages = STAGED.promotion_stages
    assert stage_after(stages, None).code == "qualification_check"
    assert stage_after(stages, "skills_test").code == "second_review"
    assert stage_after(stages, "observation") is None
    assert stage_after((), None) is None


@pytest.mark.parametrize("stages, expected", [
    ({"promotion": [{"stage": "exam"}]},
     "stages.promotion[0]: needs by (who passes or fails it), or months (an observation period that ends by itself)"),
    ({"promotion": [{"stage": "decision", "by": "hr"}]},
     "stages.promotion[0].stage: 'decision' is a step every promotion has, or a state: name the stage otherwise"),
    ({"promotion": [{"stage": "interview", "by": "hr"}]},
     "stages.promotion[0].by: unknown key (allowed: stage)"),
    ({"promotion": [{"stage": "interview"}, {"stage": "interview"}]},
     "stages.promotion[1].stage: the interview is placed twice"),
    ({"promotion": [{"stage": "Exam!", "by": "hr"}]},
     "stages.promotion[0].stage: must be a code of lowercase letters, digits and underscores"),
    ({"promotion": [{"stage": "exam", "by": "boss"}]},
     "stages.promotion[0].by: unknown party 'boss' (known: supervisor, second_supervisor, hr, chair)"),
    ({"promotion": [{"stage": "exam", "by": "hr", "records": "grade"}]},
     "stages.promotion[0].records: unknown record 'grade' (known: pass_fail, score, comment)"),
    ({"promotion": [{"stage": "exam", "by": "hr", "pass_mark": 60}]},
     "stages.promotion[0].pass_mark: only a stage that records a score has a pass mark"),
    ({"promotion": [{"stage": "exam", "by": "hr", "records": "score", "pass_mark": 101}]},
     "stages.promotion[0].pass_mark: must be between 0 and 100"),
    ({"promotion": [{"stage": "watch", "months": 3, "records": "score"}]},
     "stages.promotion[0].records: an observation period (months) records nothing: it passes when it ends"),
    ({"promotion": [{"stage": "watch", "months": 0}]}, "stages.promotion[0].months: must be between 1 and 24"),
    ({"promotion": [{"stage": "exam", "by": "hr"}, {"stage": "exam", "by": "chair"}]},
     "stages.promotion[1].stage: 'exam' is declared twice"),
    ({"promotion": [{"stage": "exam", "by": "hr", "when": "always"}]},
     "stages.promotion[0].when: unknown key (allowed: by, label, months, pass_mark, records, stage)"),
    ({"transfer": [{"stage": "exam", "by": "hr"}]},
     "stages.transfer: unknown key (allowed: advancement, demotion, exit, probation_confirmation, promotion)"),
    ({"promotion": {"stage": "exam"}}, "stages.promotion: must be a list"),
])
def test_a_bad_stage_is_named_with_its_key_and_the_problem(stages, expected):
    assert problems(stages) == [expected]


def test_policy_check_prints_the_stages_in_order():
    (line,) = [line for line in describe(STAGED) if line.startswith("  promotion:")]
    assert (" → qualification_check 资质审核 (hr passes or fails it) → skills_test 技能鉴定 (hr scores it, passed with 60 "
            "or more) → second_review 二次审核 (the supervisor's supervisor passes or fails it with a comment) → "
            "observation 考察期 (observation: passes by itself after 3 months; hr may fail it before) → interview"
            ) in line
    (default_line,) = [line for line in describe(load_policy()) if line.startswith("  promotion:")]
    assert "→ exception review (hr, for an exceptional promotion) → interview" in default_line


# --- the machine built from the declaration ----------------------------------------------

def a_case(state: str = "submitted", *, stage: str | None = None, exceptional: bool = False) -> SimpleNamespace:
    return SimpleNamespace(kind="promotion", state=state, stage=stage, exceptional=exceptional, cycle_code="2026H2",
                           outcome=None, reopened_by_appeal=False)


def test_approved_materials_enter_the_first_stage_and_each_pass_the_next_then_the_interview():
    machine, case = CaseMachine(STAGED), a_case()
    assert machine.fire(case, "approve_materials") == ("submitted", IN_STAGE)
    walked = [case.stage]
    while case.state == IN_STAGE:
        machine.fire(case, "pass_stage")
        walked.append(case.stage)
    assert walked == ["qualification_check", "skills_test", "second_review", "observation", None]
    assert case.state == INTERVIEW


def test_an_exceptional_promotion_meets_the_stages_after_hrs_exception_review():
    machine, case = CaseMachine(STAGED), a_case(exceptional=True)
    machine.fire(case, "approve_materials")
    assert (case.state, case.stage) == ("hr_review", None)
    machine.fire(case, "approve_exception")
    assert (case.state, case.stage) == (IN_STAGE, "qualification_check")


@pytest.mark.parametrize("event, state", [("fail_stage", REJECTED), ("withdraw", WITHDRAWN)])
def test_failing_a_stage_rejects_the_case_and_the_applicant_may_withdraw_from_any(event, state):
    machine, case = CaseMachine(STAGED), a_case(IN_STAGE, stage="skills_test")
    assert machine.fire(case, event) == (IN_STAGE, state)
    assert case.stage is None


def test_without_stages_of_its_own_the_machine_goes_straight_to_the_interview():
    machine = CaseMachine(load_policy())
    case = a_case()
    machine.fire(case, "approve_materials")
    assert (case.state, case.stage) == (INTERVIEW, None)
    assert not machine.applies(a_case(IN_STAGE, stage=None), "pass_stage")
    with pytest.raises(EventDoesNotApply):
        machine.fire(a_case("interview"), "pass_stage")


def test_a_stage_the_policy_does_not_declare_is_hrs_and_passing_it_ends_the_stages():
    """A case whose own policy version cannot be used follows the policy in force, which may lack its stage:
    the case is not stuck."""
    machine = CaseMachine(load_policy())
    stray = a_case(IN_STAGE, stage="skills_test")
    assert machine.stage_of(stray) == Stage("skills_test", "skills_test", "hr")
    assert parties_for("pass_stage", machine.stage_of(stray), PEOPLE) == {"hr"}
    assert machine.fire(stray, "pass_stage") == (IN_STAGE, INTERVIEW)
    assert CaseMachine(STAGED).fire(a_case(IN_STAGE, stage="retired_stage"), "pass_stage") == (IN_STAGE, INTERVIEW)


def test_in_stage_is_a_state_of_the_machine_and_the_stage_events_apply_only_there():
    machine = CaseMachine(STAGED)
    assert IN_STAGE in STATES
    for state in set(STATES) - {IN_STAGE}:
        assert not machine.applies(a_case(state, stage=None), "pass_stage")
    assert machine.applicable(a_case(IN_STAGE, stage="second_review")) == ("withdraw", "pass_stage", "fail_stage")


# --- who acts in a stage -----------------------------------------------------------------

PEOPLE = CasePeople(applicant_no="E100", supervisor_chain=("E050", "E010"), chair="chair",
                    members=("chair", "m1"), recused=(), reviewer="e050")


def actor(username: str, *roles: str, employee_no: str | None = None) -> Actor:
    return Actor(user_id=1, username=username, roles=frozenset(roles), employee_no=employee_no)


@pytest.mark.parametrize("code, who", [
    ("qualification_check", actor("hr1", "hr")),
    ("second_review", actor("e010", "employee", "supervisor", employee_no="E010")),
])
def test_only_the_party_a_stage_names_passes_or_fails_it(code, who):
    stage = next(s for s in STAGED.promotion_stages if s.code == code)
    others = [actor("hr1", "hr"), actor("e050", "employee", "supervisor", employee_no="E050"),
              actor("e010", "employee", "supervisor", employee_no="E010"), actor("chair", "committee"),
              actor("e100", "employee", employee_no="E100")]
    for someone in others:
        allowed = someone == who
        assert may_fire(standing(someone, PEOPLE), "pass_stage", stage) == allowed, someone.username
        assert may_fire(standing(someone, PEOPLE), "fail_stage", stage) == allowed, someone.username


def test_the_second_supervisor_is_the_supervisors_own_supervisor_with_the_supervisor_role():
    assert SECOND_SUPERVISOR in standing(actor("e010", "supervisor", employee_no="E010"), PEOPLE).parties
    assert SECOND_SUPERVISOR not in standing(actor("e010", "employee", employee_no="E010"), PEOPLE).parties
    assert SECOND_SUPERVISOR not in standing(actor("e050", "supervisor", employee_no="E050"), PEOPLE).parties


def test_an_observation_period_passes_only_by_itself_and_its_party_may_only_fail_it():
    observation = STAGED.promotion_stages[3]
    assert parties_for("pass_stage", observation) == frozenset()
    assert parties_for("fail_stage", observation) == {"hr"}
    assert parties_for("fail_stage", Stage("watch", "考察", None, months=3)) == frozenset()
    assert parties_for("pass_stage", None) == frozenset()  # in no stage: nobody's


# each section of docs/policies.md about stages, with the heading that follows it
STAGE_SECTIONS = ["A promotion's own stages", "Stages after the interview", "A probation confirmation's own stages",
                  "A demotion's or an exit's own stages", "A promotion without the interview"]


@pytest.mark.parametrize("section, next_section", list(zip(STAGE_SECTIONS, STAGE_SECTIONS[1:])))
def test_stages_documented_examples_print_as_the_page_says(section, next_section):
    from tests.support.policies import documented_example
    lines, printed = documented_example(section, next_section)
    assert printed and all(line in lines for line in printed)


def test_hr_acts_in_a_supervisors_stage_where_the_applicant_has_no_such_supervisor():
    second_review = STAGED.promotion_stages[2]
    short_chain = CasePeople(applicant_no="E050", supervisor_chain=("E010",), chair="chair", members=(),
                             recused=(), reviewer="e010")
    assert parties_for("pass_stage", second_review, short_chain) == {"hr"}
    assert may_fire(standing(actor("hr1", "hr"), short_chain), "pass_stage", second_review, short_chain)
    assert parties_for("pass_stage", second_review, PEOPLE) == {"second_supervisor"}
    top = CasePeople(applicant_no="E010", supervisor_chain=(), chair=None, members=(), recused=(), reviewer=None)
    assert parties_for("fail_stage", Stage("check", "检查", "supervisor"), top) == {"hr"}


def test_the_chairs_stage_is_the_chairs_or_hrs_and_not_a_chair_with_reasons_to_step_aside():
    interview_check = Stage("panel_check", "评委会初审", "chair")
    assert parties_for("pass_stage", interview_check, PEOPLE) == {"chair", "hr"}
    assert may_fire(standing(actor("chair", "committee"), PEOPLE), "pass_stage", interview_check, PEOPLE)
    assert may_fire(standing(actor("hr1", "hr"), PEOPLE), "fail_stage", interview_check, PEOPLE)
    # the chair who is the applicant's line manager (no recusal recorded before the interview) is no chair
    line_manager_chair = CasePeople(applicant_no="E100", supervisor_chain=("E050", "E010"), chair="e010",
                                    members=("e010", "m1"), recused=(), reviewer="e050")
    chair = actor("e010", "committee", "supervisor", employee_no="E010")
    assert not may_fire(standing(chair, line_manager_chair), "pass_stage", interview_check, line_manager_chair)


# --- when an observation period ends -----------------------------------------------------

def test_an_observation_period_ends_its_months_later_at_the_same_local_time():
    from datetime import datetime, timedelta, timezone

    from workflow.timeline import observation_ends
    observation, tz = STAGED.promotion_stages[3], STAGED.tz
    began = datetime(2026, 9, 1, 1, 30, tzinfo=timezone.utc)  # 09:30 in Shanghai
    assert observation_ends(observation, began, tz) == datetime(2026, 12, 1, 9, 30, tzinfo=tz)
    month_end = datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)  # Dec 1 00:00 in Shanghai: 3 months → Mar 1
    assert observation_ends(observation, month_end, tz) == datetime(2027, 3, 1, 0, 0, tzinfo=tz)
    last_day = datetime(2026, 11, 30, 2, 0, tzinfo=timezone(timedelta(hours=8)))  # Nov 30 → Feb 28
    assert observation_ends(observation, last_day, tz).date().isoformat() == "2027-02-28"


def test_the_case_timeline_shows_when_the_observation_period_ends_not_a_deadline_to_act():
    from datetime import datetime

    from workflow.calendar import WorkingCalendar
    from workflow.timeline import OBSERVATION_ENDS, steps_to_come
    tz = STAGED.tz
    since = datetime(2026, 9, 1, 9, 0, tzinfo=tz)
    case = SimpleNamespace(kind="promotion", state=IN_STAGE, stage="observation", state_since=since, overdue_since=None,
                           published_at=None, appeal_deadline=None)
    (step,) = steps_to_come(STAGED, WorkingCalendar(), case, datetime(2026, 10, 20, 9, 0, tzinfo=tz))
    assert (step.kind, step.due, step.overdue) == (OBSERVATION_ENDS, datetime(2026, 12, 1, 9, 0, tzinfo=tz), False)
    waiting = SimpleNamespace(kind="promotion", state=IN_STAGE, stage="second_review", state_since=since,
                              overdue_since=None, published_at=None, appeal_deadline=None)
    (act,) = steps_to_come(STAGED, WorkingCalendar(), waiting, datetime(2026, 9, 2, 9, 0, tzinfo=tz))
    assert act.kind == "act"


# --- stages after the interview (seed 003, the kitchen: a third review after the observation period) ---------

KITCHEN = policy_with({"promotion": [
    {"stage": "grade_exam", "label": "等级考试", "by": "hr", "records": "score", "pass_mark": 60},
    {"stage": "interview"},
    {"stage": "observation", "label": "考察期", "months": 3},
    {"stage": "third_review", "label": "三次审核", "by": "second_supervisor", "records": "comment"}]})


def test_stages_after_the_interview_are_read_as_following_it():
    assert [(s.code, s.after_interview) for s in KITCHEN.promotion_stages] == [
        ("grade_exam", False), ("observation", True), ("third_review", True)]
    assert stage_after(KITCHEN.promotion_stages, "grade_exam") is None  # the interview comes between


def test_stages_after_the_interview_follow_it_and_lead_to_the_decision():
    machine, case = CaseMachine(KITCHEN), a_case()
    machine.fire(case, "approve_materials")
    assert (case.state, case.stage) == (IN_STAGE, "grade_exam")
    machine.fire(case, "pass_stage")
    assert (case.state, case.stage) == (INTERVIEW, None)
    assert machine.fire(case, "interview_complete") == (INTERVIEW, IN_STAGE)
    assert case.stage == "observation"
    machine.fire(case, "pass_stage")
    assert (case.state, case.stage) == (IN_STAGE, "third_review")
    assert machine.fire(case, "pass_stage") == (IN_STAGE, DELIBERATION)
    assert case.stage is None


def test_the_chair_closing_the_interview_also_leads_to_the_stages_after_it():
    machine, case = CaseMachine(KITCHEN), a_case(INTERVIEW)
    machine.fire(case, "close_interview")
    assert (case.state, case.stage) == (IN_STAGE, "observation")


def test_only_stages_after_the_interview_leave_the_review_for_the_interview():
    machine, case = CaseMachine(policy_with({"promotion": [{"stage": "interview"}, STAGES[2]]})), a_case()
    machine.fire(case, "approve_materials")
    assert (case.state, case.stage) == (INTERVIEW, None)


def test_a_policy_without_the_interview_cannot_place_it_among_its_stages():
    document = default_document()
    document["committee"] = {"interview": False}
    document["scoring"]["weights"] = {"supervisor": 0.5, "interview": 0, "performance": 0.5}
    document["ranking"]["tie_break"] = ["time_in_grade", "employee_no"]
    del document["scoring"]["trim"]
    document["stages"] = {"promotion": [{"stage": "interview"}, STAGES[0]]}
    with pytest.raises(PolicyError) as caught:
        parse_policy(yaml.safe_dump(document, allow_unicode=True))
    assert [f"{p.key}: {p.problem}" for p in caught.value.problems] == [
        "stages.promotion[0].stage: the policy has no interview (committee.interview: false)"]


def test_policy_check_prints_the_stages_after_the_interview_in_their_place():
    (line,) = [line for line in describe(KITCHEN) if line.startswith("  promotion:")]
    assert ("→ grade_exam 等级考试 (hr scores it, passed with 60 or more) → interview (the cycle's committee scores; "
            "quorum 3) → observation 考察期 (observation: passes by itself after 3 months) → third_review 三次审核 (the "
            "supervisor's supervisor passes or fails it with a comment) → decision") in line


# --- a stage's score in the final score (issue 13, point 3: the data a component comes from) --------------------

def weighed(**weights):
    document = default_document()
    document["stages"] = {"promotion": STAGES}
    document["scoring"]["weights"] = weights
    return parse_policy(yaml.safe_dump(document, allow_unicode=True))


def test_a_scored_stage_may_weigh_in_the_final_score():
    policy = weighed(supervisor=0.3, interview=0.4, performance=0.2, skills_test=0.1)
    assert policy.scoring.stage_weights == (("skills_test", Decimal("0.1")),)
    card = score_card(policy.scoring, supervisor=Decimal(80), committee=[Decimal(90)] * 3,
                      performance=Decimal(70), stages={"skills_test": Decimal(65)})
    assert (card.final, card.stages) == (Decimal("80.50"), (("skills_test", Decimal(65)),))  # 24 + 36 + 14 + 6.5
    with pytest.raises(ValueError):
        score_card(policy.scoring, supervisor=Decimal(80), committee=[Decimal(90)] * 3, performance=Decimal(70))


@pytest.mark.parametrize("weights, expected", [
    ({"supervisor": 0.3, "interview": 0.4, "performance": 0.2, "second_review": 0.1},
     "scoring.weights.second_review: unknown component: supervisor, interview, performance, exam, or a stage of the "
     "promotion that records a score (skills_test)"),
    ({"supervisor": 0.3, "interview": 0.4, "performance": 0.2, "skills_test": 0.2},
     "scoring.weights: must add up to 1 (they add up to 1.1)"),
    ({"supervisor": 0.3, "interview": 0.4, "performance": 0.2, "Skills": 0.1},
     "scoring.weights.Skills: must be a code of lowercase letters, digits and underscores"),
])
def test_a_weight_names_a_component_or_a_scored_stage(weights, expected):
    with pytest.raises(PolicyError) as caught:
        weighed(**weights)
    assert [f"{p.key}: {p.problem}" for p in caught.value.problems] == [expected]


def test_policy_check_prints_a_weighed_stage_in_the_scorecard():
    lines = describe(weighed(supervisor=0.3, interview=0.4, performance=0.2, skills_test=0.1))
    assert any(line.endswith("+ skills_test 技能鉴定 10 % (the stage's score)") for line in lines)


# --- a probation confirmation's own stages (seed 002: 试岗期满后经工作鉴定合格, 并通过客户经理岗位技能鉴定的, 晋升为初级客户经理)

PROBATION_STAGES = [{"stage": "skills_test", "label": "岗位技能鉴定", "by": "hr", "records": "score", "pass_mark": 60}]
CONFIRMED_BY_TEST = policy_with({"probation_confirmation": PROBATION_STAGES})


def a_probation(state: str = "submitted", stage: str | None = None):
    return SimpleNamespace(kind="probation_confirmation", state=state, stage=stage, exceptional=False,
                           cycle_code=None, outcome=None, reopened_by_appeal=False)


def test_a_probation_confirmations_stages_are_read_apart_from_the_promotions():
    assert CONFIRMED_BY_TEST.promotion_stages == ()
    assert CONFIRMED_BY_TEST.stages_of("probation_confirmation") == (
        Stage("skills_test", "岗位技能鉴定", "hr", "score", Decimal(60)),)
    assert CONFIRMED_BY_TEST.stages_of("demotion") == ()


def test_the_supervisors_pass_leads_into_the_probation_stages_and_the_last_decides():
    machine, case = CaseMachine(CONFIRMED_BY_TEST), a_probation()
    assert machine.destination(case, "pass_probation") == IN_STAGE
    machine.fire(case, "pass_probation")
    assert (case.state, case.stage) == (IN_STAGE, "skills_test")
    assert machine.destination(case, "pass_stage") == machine.destination(case, "fail_stage") == "decided"
    assert machine.fire(case, "pass_stage") == (IN_STAGE, "decided") and case.stage is None


def test_the_supervisors_fail_still_decides_a_probation_at_once():
    machine = CaseMachine(CONFIRMED_BY_TEST)
    assert machine.destination(a_probation(), "fail_probation") == "decided"
    assert CaseMachine(load_policy()).destination(a_probation(), "pass_probation") == "decided"


def test_a_probation_confirmation_cannot_place_the_interview():
    assert problems({"probation_confirmation": [{"stage": "interview"}]}) == [
        "stages.probation_confirmation[0].stage: 'interview' is a step every promotion has, or a state: name the "
        "stage otherwise"]


def test_policy_check_prints_the_probation_stages():
    (line,) = [line for line in describe(CONFIRMED_BY_TEST) if line.startswith("  probation_confirmation:")]
    assert line == ("  probation_confirmation: the supervisor passes or fails it → skills_test 岗位技能鉴定 (hr scores "
                    "it, passed with 60 or more) → publication (appeal window 3 working days) → effective")


def test_policy_check_says_hr_approves_an_exception_before_the_stages_that_come_first():
    assert "  an exceptional promotion ignores tenure, then hr approves it before the policy's own stages" in \
        describe(STAGED)
    assert "  an exceptional promotion ignores tenure, then hr approves it before the interview" in \
        describe(policy_with({"promotion": [{"stage": "interview"}, STAGES[0]]}))


# --- a demotion's and an exit's own stages before the decision -------------------------------------------------

TALK = {"stage": "talk", "label": "约谈", "by": "supervisor", "records": "comment"}
DEMOTION_TALK = policy_with({"demotion": [TALK, {"stage": "hr_check", "label": "人力复核", "by": "hr"}]})


def a_demotion(state: str, stage: str | None = None):
    return SimpleNamespace(kind="demotion", state=state, stage=stage, exceptional=False, cycle_code=None,
                           outcome=None, reopened_by_appeal=False)


def test_a_demotion_with_stages_opens_in_the_first_and_the_last_leads_to_the_decision():
    machine = CaseMachine(DEMOTION_TALK)
    assert machine.opening("demotion") == (IN_STAGE, "talk")
    assert machine.opening("exit") == (DELIBERATION, None)  # the exit declares none
    case = a_demotion(IN_STAGE, "talk")
    machine.fire(case, "pass_stage")
    assert (case.state, case.stage) == (IN_STAGE, "hr_check")
    assert machine.fire(case, "pass_stage") == (IN_STAGE, DELIBERATION)
    assert machine.destination(a_demotion(IN_STAGE, "talk"), "fail_stage") == "decided"
    assert CaseMachine(load_policy()).opening("demotion") == (DELIBERATION, None)


def test_a_demotions_stages_cannot_be_an_observation_period():
    assert problems({"exit": [{"stage": "watch", "months": 3}]}) == [
        "stages.exit[0].months: the stages of a demotion or an exit are decided by their party: no observation period"]


def test_policy_check_prints_a_demotions_stages_on_its_own_line():
    lines = describe(DEMOTION_TALK)
    assert ("  demotion: talk 约谈 (the supervisor passes or fails it with a comment) → hr_check 人力复核 (hr passes or "
            "fails it) → decision (the chair or hr) → publication (appeal window 3 working days) → effective") in lines
    assert "  exit: decision (the chair or hr) → publication (appeal window 3 working days) → effective" in lines


def test_a_stage_not_declared_after_the_committee_has_scored_leads_to_the_decision():
    """A case past the interview whose own policy version cannot be used follows the policy in force, which may
    lack its stage: passing it leads to the decision, not back to the interview its committee has scored."""
    stray = a_case(IN_STAGE, stage="retired_review")
    stray.scores = [SimpleNamespace(username="cm1", score=Decimal(80))]
    assert CaseMachine(STAGED).fire(stray, "pass_stage") == (IN_STAGE, DELIBERATION)
