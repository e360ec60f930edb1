"""The committee's decision over a cycle (shared/domain.md, "Scoring and the decision"): the pass
mark, the senior quota per org unit (slots = floor(0.30 × headcount) − current seniors), ranking by
final score with ties broken by interview score, time in grade and employee number."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from workflow.decision import APPROVED, DENIED, Candidate, Outcome, decide
from workflow.quotas import QUOTA_EXCEEDED, Area, Headcount, free_slots
from workflow.policy import load_policy
from workflow.scoring import BELOW_PASS_MARK, ScoreCard

POLICY = load_policy()
QUOTAS = {quota.grade: quota for quota in POLICY.quotas}
SENIOR_SHARE = QUOTAS["senior"].max_share
BEIJING, SHANGHAI = "北京分行", "上海分行"


def candidate(case_id: int, final: str, *, no: str | None = None, target: str = "senior", org_unit: str = BEIJING,
              interview: str = "70", since: date = date(2024, 1, 1), from_grade: str | None = None) -> Candidate:
    card = ScoreCard(supervisor=Decimal(70), interview=Decimal(interview), interview_mean=Decimal(interview),
                     performance=Decimal(70), final=Decimal(final))
    from_grade = from_grade or {"mid": "junior", "senior": "mid"}[target]
    return Candidate(case_id, no or f"E{case_id:03d}", org_unit, from_grade, target, since, card)


def slots(n: int, active: int = 100):
    """A headcount callable leaving `n` free senior slots in every org unit (0.30 × 100 = 30)."""
    return lambda area, grade: Headcount(active=active, holding=30 - n)


def by_case(outcomes: list[Outcome]) -> dict[int, Outcome]:
    return {o.case_id: o for o in outcomes}


# --- free_slots -----------------------------------------------------------------------

def test_default_policy_caps_seniors_at_30_percent_and_no_other_grade():
    assert SENIOR_SHARE == Decimal("0.3")
    assert set(QUOTAS) == {"senior"}


@pytest.mark.parametrize("active, holding, expected", [
    (10, 0, 3),
    (10, 1, 2),
    (10, 3, 0),
    (9, 0, 2),  # floor(2.7)
    (3, 0, 0),  # floor(0.9)
    (4, 0, 1),  # floor(1.2)
    (0, 0, 0),
])
def test_free_slots_is_floor_of_share_times_active_minus_holding(active, holding, expected):
    assert free_slots(SENIOR_SHARE, Headcount(active=active, holding=holding)) == expected


@pytest.mark.parametrize("active, holding", [(10, 4), (10, 9), (3, 1)])
def test_free_slots_is_never_below_zero(active, holding):
    assert free_slots(SENIOR_SHARE, Headcount(active=active, holding=holding)) == 0


# --- the pass mark --------------------------------------------------------------------

def test_below_pass_mark_is_denied_with_below_pass_mark():
    outcomes = by_case(decide(POLICY, [candidate(1, "59.99"), candidate(2, "60.00")], slots(5)))
    assert outcomes[1] == Outcome(1, DENIED, 2, (BELOW_PASS_MARK,))
    assert outcomes[2] == Outcome(2, APPROVED, 1, ())


def test_below_pass_mark_wins_over_quota_exceeded():
    outcomes = by_case(decide(POLICY, [candidate(1, "80"), candidate(2, "50")], slots(0)))
    assert outcomes[1].reasons == (QUOTA_EXCEEDED,)
    assert outcomes[2].reasons == (BELOW_PASS_MARK,)


def test_failing_candidates_take_no_slot():
    outcomes = by_case(decide(POLICY, [candidate(1, "59"), candidate(2, "61"), candidate(3, "40")], slots(1)))
    assert outcomes[2].outcome == APPROVED
    assert outcomes[1].reasons == outcomes[3].reasons == (BELOW_PASS_MARK,)


# --- the quota ------------------------------------------------------------------------

def test_senior_quota_denies_lowest_ranked_beyond_slots():
    cands = [candidate(1, "70"), candidate(2, "90"), candidate(3, "80")]
    outcomes = by_case(decide(POLICY, cands, slots(2)))
    assert outcomes[2] == Outcome(2, APPROVED, 1, ())
    assert outcomes[3] == Outcome(3, APPROVED, 2, ())
    assert outcomes[1] == Outcome(1, DENIED, 3, (QUOTA_EXCEEDED,))


def test_no_free_slot_denies_every_passing_senior():
    outcomes = decide(POLICY, [candidate(1, "95"), candidate(2, "85")], slots(0))
    assert {o.outcome for o in outcomes} == {DENIED}
    assert {o.reasons for o in outcomes} == {(QUOTA_EXCEEDED,)}


def test_quota_is_counted_per_org_unit():
    free = {BEIJING: 1, SHANGHAI: 2}
    asked = []

    def headcount(area, grade):
        asked.append((area, grade))
        return Headcount(active=10, holding=3 - free[area.unit])

    cands = [candidate(1, "90", org_unit=BEIJING), candidate(2, "80", org_unit=BEIJING),
             candidate(3, "70", org_unit=SHANGHAI), candidate(4, "65", org_unit=SHANGHAI)]
    outcomes = by_case(decide(POLICY, cands, headcount))
    assert [outcomes[i].outcome for i in (1, 2, 3, 4)] == [APPROVED, DENIED, APPROVED, APPROVED]
    assert outcomes[2].reasons == (QUOTA_EXCEEDED,)
    assert sorted(asked) == sorted([(Area(BEIJING), "senior"), (Area(SHANGHAI), "senior")])  # once per capped group


def test_quota_is_counted_per_target_grade():
    """A mid candidate takes no senior slot: with one senior slot both the best mid and the best
    senior candidate are approved."""
    cands = [candidate(1, "95", target="mid"), candidate(2, "90"), candidate(3, "85")]
    outcomes = by_case(decide(POLICY, cands, slots(1)))
    assert outcomes[1] == Outcome(1, APPROVED, 1, ())
    assert outcomes[2] == Outcome(2, APPROVED, 1, ())
    assert outcomes[3] == Outcome(3, DENIED, 2, (QUOTA_EXCEEDED,))


def test_grades_without_a_quota_only_use_the_pass_mark():
    def headcount(org_unit, grade):
        raise AssertionError(f"headcount asked for uncapped grade {grade}")

    cands = [candidate(i, str(60 + i), target="mid") for i in range(1, 8)] + [candidate(9, "59.99", target="mid")]
    outcomes = by_case(decide(POLICY, cands, headcount))
    assert all(outcomes[i].outcome == APPROVED for i in range(1, 8))
    assert outcomes[9] == Outcome(9, DENIED, 8, (BELOW_PASS_MARK,))


# --- ties -----------------------------------------------------------------------------

def test_default_tie_break_order():
    assert POLICY.tie_break == ("interview_score", "time_in_grade", "employee_no")


def test_tie_on_final_score_goes_to_the_higher_interview_score():
    cands = [candidate(1, "80", interview="75", since=date(2020, 1, 1), no="E001"),
             candidate(2, "80", interview="76", since=date(2024, 1, 1), no="E002")]
    outcomes = by_case(decide(POLICY, cands, slots(1)))
    assert outcomes[2] == Outcome(2, APPROVED, 1, ())
    assert outcomes[1] == Outcome(1, DENIED, 2, (QUOTA_EXCEEDED,))


def test_tie_on_final_and_interview_goes_to_longer_time_in_grade():
    cands = [candidate(1, "80", since=date(2024, 6, 1), no="E001"),
             candidate(2, "80", since=date(2024, 5, 31), no="E002")]
    outcomes = by_case(decide(POLICY, cands, slots(1)))
    assert outcomes[2] == Outcome(2, APPROVED, 1, ())
    assert outcomes[1] == Outcome(1, DENIED, 2, (QUOTA_EXCEEDED,))


def test_full_tie_goes_to_the_lower_employee_number():
    cands = [candidate(1, "80", no="E007"), candidate(2, "80", no="E003")]
    outcomes = by_case(decide(POLICY, cands, slots(1)))
    assert outcomes[2] == Outcome(2, APPROVED, 1, ())
    assert outcomes[1] == Outcome(1, DENIED, 2, (QUOTA_EXCEEDED,))


def test_final_score_outranks_every_tie_break():
    cands = [candidate(1, "80.01", interview="60", since=date(2025, 1, 1), no="E009"),
             candidate(2, "80.00", interview="99", since=date(2010, 1, 1), no="E001")]
    outcomes = by_case(decide(POLICY, cands, slots(1)))
    assert outcomes[1].outcome == APPROVED and outcomes[2].reasons == (QUOTA_EXCEEDED,)


# --- ranks ----------------------------------------------------------------------------

def test_ranks_run_from_one_per_grade_and_org_unit():
    cands = [candidate(1, "90"), candidate(2, "70"), candidate(3, "50"),
             candidate(4, "88", org_unit=SHANGHAI), candidate(5, "77", org_unit=SHANGHAI),
             candidate(6, "66", target="mid"), candidate(7, "99", target="mid"),
             candidate(8, "75", target="mid", org_unit=SHANGHAI)]
    outcomes = by_case(decide(POLICY, cands, slots(10)))
    assert {i: outcomes[i].rank for i in outcomes} == {1: 1, 2: 2, 3: 3, 4: 1, 5: 2, 6: 2, 7: 1, 8: 1}


def test_every_candidate_gets_exactly_one_outcome():
    cands = [candidate(i, str(50 + 5 * i), target="senior" if i % 2 else "mid") for i in range(1, 9)]
    outcomes = decide(POLICY, cands, slots(1))
    assert sorted(o.case_id for o in outcomes) == list(range(1, 9))


def test_no_candidates_no_outcomes():
    assert decide(POLICY, [], slots(1)) == []


def test_lower_employee_number_compares_digits_as_numbers():
    from workflow.decision import employee_number_order
    assert sorted(["M1001", "M999", "E10", "E9", "1001", "99"], key=employee_number_order) == [
        "99", "1001", "E9", "E10", "M999", "M1001"]


def test_interview_tie_break_compares_the_exact_means_not_the_shown_ones():
    def shows_83_33(case_id: int, exact_mean: Decimal) -> Candidate:
        card = ScoreCard(Decimal(70), Decimal("83.33"), exact_mean, Decimal(70), Decimal(80))
        return Candidate(case_id, f"E00{case_id}", BEIJING, "mid", "senior", date(2024, 1, 1), card)

    candidates = [shows_83_33(1, Decimal("83.33")), shows_83_33(2, Decimal(250) / 3)]
    ranks = {o.case_id: o.rank for o in decide(POLICY, candidates, slots(5))}
    assert ranks == {2: 1, 1: 2}  # 83.333… beats 83.33 although both show 83.33


def test_a_component_below_its_pass_mark_is_denied_and_takes_no_slot():
    import dataclasses
    policy = dataclasses.replace(POLICY, scoring=dataclasses.replace(
        POLICY.scoring, component_pass_marks=(("interview", Decimal(65)),)))
    outcomes = by_case(decide(policy, [candidate(1, "90", interview="64"), candidate(2, "70", interview="65")],
                              slots(1)))
    assert outcomes[1] == Outcome(1, DENIED, 1, ("component_below_pass_mark",))
    assert outcomes[2] == Outcome(2, APPROVED, 2, ())
