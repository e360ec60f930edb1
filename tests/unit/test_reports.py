"""workflow/reports.py: the funnel of a cycle's cases and the grade distribution against the quotas."""
from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace as Row

from workflow.quotas import COMPANY, Quota
from workflow.reports import distributions, funnels, quota_uses, steps_of


def case(state="decided", reviewed_by="boss", outcome=None, reasons=(), appeal=None, unit="北京分行",
         from_grade="junior", target_grade="mid"):
    return Row(state=state, reviewed_by=reviewed_by, outcome=outcome, reasons=list(reasons),
               appeal=None if appeal is None else Row(status=appeal), manager=Row(org_unit=unit),
               from_grade=from_grade, target_grade=target_grade)


def test_an_application_not_yet_reviewed_has_only_applied():
    assert steps_of(case(state="submitted", reviewed_by=None)) == ("applied",)


def test_materials_rejected_are_not_eligible():
    assert steps_of(case(state="rejected")) == ("applied",)


def test_a_case_below_the_pass_mark_is_eligible_and_did_not_pass():
    assert steps_of(case(outcome="denied", reasons=["below_pass_mark"])) == ("applied", "eligible")


def test_a_case_denied_only_for_the_quota_passed_and_was_not_promoted():
    assert steps_of(case(outcome="denied", reasons=["quota_exceeded"])) == ("applied", "eligible", "passed")


def test_an_approved_case_was_promoted():
    assert steps_of(case(outcome="approved")) == ("applied", "eligible", "passed", "promoted")


def test_an_appeal_overturned_counts_as_appealed_and_overturned():
    upheld = steps_of(case(state="published", outcome="denied", reasons=["below_pass_mark"], appeal="upheld"))
    assert upheld[-1] == "appealed"
    overturned = steps_of(case(state="deliberation", appeal="overturned"))
    assert overturned == ("applied", "eligible", "appealed", "overturned")


def test_the_funnel_of_the_cycle_is_the_sum_of_its_org_units():
    total, units = funnels([case(outcome="approved"), case(unit="上海分行", state="submitted", reviewed_by=None),
                            case(outcome="denied", reasons=["below_pass_mark"])], lambda c: c.manager.org_unit)
    assert [u.org_unit for u in units] == ["上海分行", "北京分行"]
    assert total.counts == {"applied": 3, "eligible": 2, "passed": 1, "promoted": 1, "appealed": 0, "overturned": 0}
    assert units[1].counts["applied"] == 2


GRADES = ("probation", "junior", "mid", "senior")


def managers(unit: str, *grades: str):
    return [Row(org_unit=unit, grade=g) for g in grades]


def test_the_distribution_counts_active_managers_by_grade_in_the_ladders_order():
    staff = managers("北京分行", "senior", "junior", "junior", "exited")
    [beijing] = distributions(staff, GRADES, lambda g: g == "exited")
    assert beijing.active == 3 and beijing.by_grade == (("probation", 0), ("junior", 2), ("mid", 0), ("senior", 1))


def test_a_quota_counts_the_approvals_not_yet_effective_against_its_most():
    staff = managers("北京分行", *["mid"] * 9, "senior")
    approved = [case(outcome="approved", from_grade="mid", target_grade="senior")] * 2
    [use] = quota_uses((Quota("senior", max_share=Decimal("0.3")),), staff, approved, lambda g: False, ["北京分行"])
    assert (use.active, use.holding, use.arriving, use.most) == (10, 1, 2, 3) and not use.over
    [full] = quota_uses((Quota("senior", max_share=Decimal("0.2")),), staff, approved, lambda g: False, ["北京分行"])
    assert full.most == 2 and full.over


def test_a_company_quota_counts_every_unit_once():
    staff = managers("北京分行", "senior", "mid") + managers("上海分行", "mid", "mid")
    uses = quota_uses((Quota("senior", max_share=Decimal("0.5"), scope=COMPANY),), staff, [], lambda g: False,
                      ["北京分行", "上海分行"])
    assert [(u.active, u.holding, u.most) for u in uses] == [(4, 1, 2)]


def test_a_minimum_share_is_met_or_not():
    staff = managers("北京分行", "junior", "junior", "mid", "mid")
    leaving = [case(outcome="approved", from_grade="junior", target_grade="mid", state="published")]
    [use] = quota_uses((Quota("junior", min_share=Decimal("0.5")),), staff, leaving, lambda g: False, ["北京分行"])
    assert (use.fewest, use.leaving, use.over) == (2, 1, True)
