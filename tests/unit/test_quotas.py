"""Quota shapes (issue 13, point 5; workflow/quotas.py): maximum and minimum shares of a grade over an org
unit, its parent unit or the company; the decision ranks each grade's candidates over its quota's area and
denies those a quota has no place for."""
from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from workflow.decision import APPROVED, DENIED, Candidate, Outcome, decide
from workflow.policy import load_policy
from workflow.quotas import (COMPANY, COMPANY_AREA, MINIMUM_SHARE_REACHED, ORG_UNIT, PARENT, QUOTA_EXCEEDED, Area,
                             Headcount, Quota, QuotaLedger, area_of, free_departures, free_slots)
from workflow.scoring import BELOW_PASS_MARK, ScoreCard

KECHENG, QUJIANG, XIHU = "衢州市/柯城区", "衢州市/衢江区", "杭州市/西湖区"


def policy_with(*quotas: Quota):
    return dataclasses.replace(load_policy(), quotas=quotas)


def candidate(case_id: int, final: str, org_unit: str, *, from_grade: str = "junior", target: str = "mid"):
    card = ScoreCard(supervisor=Decimal(70), interview=Decimal(70), interview_mean=Decimal(70),
                     performance=Decimal(70), final=Decimal(final))
    return Candidate(case_id, f"E{case_id:03d}", org_unit, from_grade, target, date(2024, 1, 1), card)


def by_case(outcomes: list[Outcome]) -> dict[int, Outcome]:
    return {o.case_id: o for o in outcomes}


# --- areas ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("scope, org_unit, area", [
    (ORG_UNIT, KECHENG, Area(KECHENG)),
    (ORG_UNIT, "北京分行", Area("北京分行")),
    (PARENT, KECHENG, Area("衢州市", below=True)),
    (PARENT, "浙江省/衢州市/柯城区", Area("浙江省/衢州市", below=True)),
    (PARENT, "北京分行", COMPANY_AREA),  # a unit at the top has the company as its parent
    (COMPANY, KECHENG, COMPANY_AREA),
])
def test_quota_area_is_the_org_unit_its_parent_path_or_the_company(scope, org_unit, area):
    assert area_of(scope, org_unit) == area


def test_quota_areas_read_in_words():
    assert [str(a) for a in (Area(KECHENG), Area("衢州市", below=True), COMPANY_AREA)] == [
        KECHENG, "衢州市 and its units", "the company"]


# --- the two limits ------------------------------------------------------------------------------

@pytest.mark.parametrize("active, holding, arriving, expected", [
    (10, 1, 0, 2), (10, 1, 1, 1), (10, 2, 1, 0), (10, 3, 1, 0), (9, 0, 0, 2)])
def test_maximum_share_leaves_floor_of_share_times_active_minus_holding_and_arriving(active, holding, arriving,
                                                                                     expected):
    assert free_slots(Decimal("0.3"), Headcount(active, holding, arriving=arriving, leaving=5)) == expected


@pytest.mark.parametrize("active, holding, leaving, expected", [
    (10, 6, 0, 2),  # ceil(3.5) = 4 must stay
    (10, 6, 1, 1),  # one approved to leave already counts as gone
    (10, 4, 0, 0),
    (10, 3, 0, 0),  # below the minimum already: never negative
    (20, 10, 0, 3),  # 7 must stay
])
def test_minimum_share_leaves_holding_minus_leaving_minus_ceil_of_share_times_active(active, holding, leaving,
                                                                                     expected):
    assert free_departures(Decimal("0.35"), Headcount(active, holding, arriving=9, leaving=leaving)) == expected


def test_a_full_grade_s_refusal_counts_the_promotions_into_it():
    ledger = QuotaLedger((Quota("senior", max_share=Decimal("0.3"), scope=COMPANY),),
                         lambda area, grade: Headcount(active=10, holding=2, arriving=1, leaving=4))
    refusal = ledger.refusal("mid", "senior", KECHENG)
    assert (refusal.reason, refusal.area, refusal.holding) == (QUOTA_EXCEEDED, COMPANY_AREA, 3)
    assert refusal.describe() == ("the company has no free senior slot: 3 hold or are promoted to it, and at most "
                                  "30 % of 10 active managers may")


def test_a_refusal_names_the_area_the_grade_and_the_counts():
    ledger = QuotaLedger((Quota("junior", min_share=Decimal("0.35"), scope=PARENT),),
                         lambda area, grade: Headcount(active=20, holding=8, leaving=1))
    refusal = ledger.refusal("junior", "mid", KECHENG)
    assert (refusal.reason, refusal.area, refusal.holding) == (MINIMUM_SHARE_REACHED, Area("衢州市", True), 7)
    assert refusal.describe() == ("衢州市 and its units must keep at least 35 % of 20 active managers in junior: 7 "
                                  "remain after the promotions approved, so no more may be promoted out of it")


# --- the decision under each shape ---------------------------------------------------------------

def test_a_company_wide_maximum_ranks_every_unit_together():
    policy = policy_with(Quota("senior", max_share=Decimal("0.1"), scope=COMPANY))
    asked = []

    def headcount(area, grade):
        asked.append((area, grade))
        return Headcount(active=30, holding=1)  # floor(3.0) − 1 = 2 slots for the whole company

    cands = [candidate(1, "70", KECHENG, from_grade="mid", target="senior"),
             candidate(2, "90", XIHU, from_grade="mid", target="senior"),
             candidate(3, "80", QUJIANG, from_grade="mid", target="senior")]
    outcomes = by_case(decide(policy, cands, headcount))
    assert outcomes == {2: Outcome(2, APPROVED, 1, ()), 3: Outcome(3, APPROVED, 2, ()),
                        1: Outcome(1, DENIED, 3, (QUOTA_EXCEEDED,))}
    assert asked == [(COMPANY_AREA, "senior")]


def test_a_parent_unit_maximum_ranks_the_units_below_it_together():
    policy = policy_with(Quota("senior", max_share=Decimal("0.1"), scope=PARENT))
    cands = [candidate(1, "70", KECHENG, from_grade="mid", target="senior"),
             candidate(2, "90", QUJIANG, from_grade="mid", target="senior"),
             candidate(3, "60", XIHU, from_grade="mid", target="senior")]
    outcomes = by_case(decide(policy, cands, lambda area, grade: Headcount(active=10, holding=0)))
    assert outcomes[2] == Outcome(2, APPROVED, 1, ())
    assert outcomes[1] == Outcome(1, DENIED, 2, (QUOTA_EXCEEDED,))  # 衢州市 has one slot, 西湖区's parent another
    assert outcomes[3] == Outcome(3, APPROVED, 1, ())


def test_a_minimum_share_caps_promotions_out_of_its_grade():
    policy = policy_with(Quota("junior", min_share=Decimal("0.35")))
    # 10 active, 5 junior: ceil(3.5) = 4 must stay, so one junior may leave
    cands = [candidate(1, "90", KECHENG), candidate(2, "80", KECHENG), candidate(3, "50", KECHENG)]
    outcomes = by_case(decide(policy, cands, lambda area, grade: Headcount(active=10, holding=5)))
    assert outcomes[1] == Outcome(1, APPROVED, 1, ())
    assert outcomes[2] == Outcome(2, DENIED, 2, (MINIMUM_SHARE_REACHED,))
    assert outcomes[3] == Outcome(3, DENIED, 3, (BELOW_PASS_MARK,))  # the pass mark still comes first


def test_a_minimum_share_counts_promotions_approved_not_yet_effective_as_gone():
    policy = policy_with(Quota("junior", min_share=Decimal("0.35")))
    outcomes = decide(policy, [candidate(1, "90", KECHENG)],
                      lambda area, grade: Headcount(active=10, holding=5, leaving=1))
    assert outcomes == [Outcome(1, DENIED, 1, (MINIMUM_SHARE_REACHED,))]


def test_a_minimum_share_does_not_limit_promotions_into_its_grade():
    policy = policy_with(Quota("mid", min_share=Decimal("0.9")))
    outcomes = decide(policy, [candidate(1, "90", KECHENG)],
                      lambda area, grade: Headcount(active=10, holding=0))
    assert outcomes == [Outcome(1, APPROVED, 1, ())]


def test_the_grade_aimed_at_is_checked_before_the_grade_left():
    policy = policy_with(Quota("senior", max_share=Decimal("0.1")), Quota("mid", min_share=Decimal("0.5")))
    outcomes = decide(policy, [candidate(1, "90", KECHENG, from_grade="mid", target="senior")],
                      lambda area, grade: Headcount(active=10, holding=1 if grade == "senior" else 5))
    assert outcomes == [Outcome(1, DENIED, 1, (QUOTA_EXCEEDED,))]


def test_a_minimum_share_shared_by_two_target_grades_is_taken_in_decision_order():
    """With two-grade moves (the bank), juniors aiming at mid and at senior leave the same grade: its one free
    departure goes to the first group decided (mid, before senior)."""
    policy = policy_with(Quota("junior", min_share=Decimal("0.5"), scope=COMPANY))
    cands = [candidate(1, "95", KECHENG, target="senior"), candidate(2, "70", XIHU, target="mid")]
    outcomes = by_case(decide(policy, cands, lambda area, grade: Headcount(active=10, holding=6)))
    assert outcomes[2] == Outcome(2, APPROVED, 1, ())
    assert outcomes[1] == Outcome(1, DENIED, 1, (MINIMUM_SHARE_REACHED,))


def test_every_limit_is_counted_first_in_grade_and_area_order_whichever_group_comes_first():
    """So that on PostgreSQL a cycle decision and a single approval take the quota locks in the same order."""
    policy = policy_with(Quota("senior", max_share=Decimal("0.3"), scope=COMPANY),
                         Quota("mid", min_share=Decimal("0.1")), Quota("junior", min_share=Decimal("0.1")))
    asked = []

    def headcount(area, grade):
        asked.append((grade, area))
        return Headcount(active=100, holding=10)

    decide(policy, [candidate(1, "90", XIHU, from_grade="mid", target="senior"), candidate(2, "80", KECHENG),
                    candidate(3, "40", QUJIANG)], headcount)  # the third fails the pass mark: nothing to count
    assert asked == [("junior", Area(KECHENG)), ("mid", Area(XIHU)), ("senior", COMPANY_AREA)]


def test_within_one_area_a_unit_only_competes_with_itself_for_an_org_unit_quota():
    policy = policy_with(Quota("junior", min_share=Decimal("0.35")))
    cands = [candidate(1, "90", KECHENG), candidate(2, "80", QUJIANG)]
    asked = []

    def headcount(area, grade):
        asked.append(area)
        return Headcount(active=10, holding=5)

    assert {o.outcome for o in decide(policy, cands, headcount)} == {APPROVED}
    assert sorted(asked) == [Area(KECHENG), Area(QUJIANG)]


def test_policy_check_states_each_quota_with_its_shares_and_scope():
    from workflow.policy_summary import describe
    policy = policy_with(Quota("junior", min_share=Decimal("0.35"), scope=PARENT),
                         Quota("mid", max_share=Decimal("0.5"), min_share=Decimal("0.2"), scope=COMPANY),
                         Quota("senior", max_share=Decimal("0.15")))
    lines = describe(policy)
    quotas = lines[lines.index("quotas:") + 1:]
    assert quotas == ["  junior: at least 35 % of a parent unit's active managers",
                      "  mid: at most 50 % and at least 20 % of the company's active managers",
                      "  senior: at most 15 % of an org unit's active managers"]


def test_the_documented_quota_example_loads_and_prints_as_documented():
    """docs/policies.md's Quotas example, put into the default policy, is valid and reads back as the page says."""
    from tests.support.policies import documented_example
    lines, printed = documented_example("Quotas", "Which policy governs a case")
    assert lines[lines.index("quotas:"):] == printed
