"""A policy per org unit (issue 13, point 6): the company's file names the units with a policy of their own; a
unit's policy governs it and the units below it; what the company shares, a unit's file must say the same; every
problem is named with its key."""
from __future__ import annotations

from datetime import datetime, timezone
from dataclasses import replace

import pytest

from tests.support.policies import company_with_units, policy_file
from workflow.clock import FixedClock
from workflow.org_unit_policies import load_policies, unit_of
from workflow.policy import PolicyError, load_policy
from workflow.policy_summary import describe_with_units
from workflow.services.context import Rules

KECHENG, QUZHOU = "衢州市/柯城区", "衢州市"


def _stricter(document):
    document["eligibility"]["targets"]["mid"]["min_months_in_grade"] = 24


def _problems(path) -> list[tuple[str, str]]:
    with pytest.raises(PolicyError) as refused:
        load_policies(path)
    return [(p.key, p.problem) for p in refused.value.problems]


def test_a_company_policy_without_org_units_is_the_policy_file_alone():
    assert load_policies().units == () and load_policies() == load_policy()


def test_each_unit_named_follows_its_own_file_read_beside_the_company_file(tmp_path):
    company = load_policies(company_with_units(tmp_path, {KECHENG: ("kecheng", _stricter)}))
    [(unit, policy)] = company.units
    assert unit == KECHENG and policy.name == "kecheng"
    assert policy.eligibility.for_target("mid").min_months_in_grade == 24
    assert company.eligibility.for_target("mid").min_months_in_grade == 6
    assert company.org_unit_files == ((KECHENG, "kecheng.yaml"),)


def test_a_unit_policy_governs_its_unit_and_the_units_below_it_the_nearest_first():
    units = ((QUZHOU, "quzhou"), (KECHENG, "kecheng"))
    assert unit_of(units, KECHENG) == (KECHENG, "kecheng")
    assert unit_of(units, KECHENG + "/网点一") == (KECHENG, "kecheng")
    assert unit_of(units, QUZHOU + "/衢江区") == (QUZHOU, "quzhou")
    assert unit_of(units, "衢州市柯城区") is None  # a name that merely begins alike is not below it
    assert unit_of(units, "总行") is None


def test_a_problem_of_a_unit_file_is_named_under_org_units_with_the_file_and_its_key(tmp_path):
    def broken(document):
        document["committee"]["quorum"] = 0
    problems = _problems(company_with_units(tmp_path, {KECHENG: ("kecheng", broken)}))
    assert problems == [(f"org_units.{KECHENG}", "kecheng.yaml: committee.quorum: must be between 1 and 100")]


def test_a_missing_unit_file_is_named(tmp_path):
    path = policy_file(tmp_path, lambda document: document.update(org_units={KECHENG: "nowhere.yaml"}))
    [(key, problem)] = _problems(path)
    assert key == f"org_units.{KECHENG}" and problem.startswith("nowhere.yaml: (file): cannot read")


@pytest.mark.parametrize("key, change", [
    ("timezone", lambda d: d.update(timezone="Asia/Tokyo")),
    ("ladder", lambda d: d["ladder"].update(promotion_steps=2)),
    ("probation", lambda d: d["probation"].update(months=6)),
    ("periods", lambda d: d.update(periods=["year", "quarter", "month"])),
    ("quarter_close", lambda d: d["quarter_close"].update(consecutive_quarters=3)),
    ("scoring.scale", lambda d: d["scoring"].update(scale={"min": 0, "max": 200})),
    ("scoring.decimal_places", lambda d: d["scoring"].update(decimal_places=1)),
])
def test_what_the_company_shares_a_unit_policy_may_not_change(tmp_path, key, change):
    [(where, problem)] = _problems(company_with_units(tmp_path, {KECHENG: ("kecheng", change)}))
    assert where == f"org_units.{KECHENG}"
    assert problem.startswith(f"kecheng.yaml: its {key} differs from the company policy's")


def test_a_unit_policy_names_no_org_units_of_its_own(tmp_path):
    nested = company_with_units(tmp_path, {KECHENG: ("kecheng", lambda d: d.update(org_units={"x": "y.yaml"}))})
    assert _problems(nested) == [(f"org_units.{KECHENG}", "kecheng.yaml: names org_units of its own: only the "
                                                           "company's policy does")]


def test_different_policies_have_different_names(tmp_path):
    path = company_with_units(tmp_path, {KECHENG: ("default", _stricter)})
    assert _problems(path) == [(f"org_units.{KECHENG}", "its name 'default' is taken by another policy: each "
                                                          "policy file has a name of its own")]


def test_two_units_may_follow_one_file(tmp_path):
    path = company_with_units(tmp_path, {KECHENG: ("kecheng", _stricter)},
                              lambda d: d.update(org_units={KECHENG: "kecheng.yaml", "衢州市/衢江区": "kecheng.yaml"}))
    company = load_policies(path)
    assert [unit for unit, _ in company.units] == [KECHENG, "衢州市/衢江区"]
    rules = Rules.for_policy(company, FixedClock(datetime(2026, 9, 1, tzinfo=timezone.utc)))
    assert rules.for_org_unit(KECHENG) is rules.for_org_unit("衢州市/衢江区")


@pytest.mark.parametrize("units", [{"": "a.yaml"}, {"衢州市//柯城区": "a.yaml"}, {KECHENG: ""}, ["a.yaml"]])
def test_org_units_is_a_mapping_of_unit_paths_to_files(tmp_path, units):
    [(key, _problem)] = _problems(policy_file(tmp_path, lambda document: document.update(org_units=units)))
    assert key.startswith("org_units")


def test_the_rules_of_a_managers_unit_and_those_in_force_by_reference(tmp_path):
    company = load_policies(company_with_units(tmp_path, {KECHENG: ("kecheng", _stricter)}))
    rules = Rules.for_policy(company, FixedClock(datetime(2026, 9, 1, tzinfo=timezone.utc)))
    branch = rules.for_org_unit(KECHENG + "/网点一")
    assert branch.policy.name == "kecheng" and rules.for_org_unit("总行") is rules
    assert rules.in_force(branch.policy.reference) is branch and rules.in_force(company.reference) is rules
    assert rules.in_force("kecheng@000000000000") is None
    later = replace(rules, clock=FixedClock(datetime(2027, 1, 4, tzinfo=timezone.utc)))
    assert later.for_org_unit(KECHENG).now() == later.now() != rules.now()  # a unit's rules read the caller's clock


def test_policy_check_prints_each_units_policy_after_the_companys(tmp_path):
    lines = describe_with_units(load_policies(company_with_units(tmp_path, {KECHENG: ("kecheng", _stricter)})))
    assert lines[lines.index("org units with a policy of their own (and the units below them):") + 1] == \
        f"  {KECHENG}: kecheng.yaml"
    header = lines.index(f"org unit {KECHENG} follows:")
    assert lines[header + 1].startswith("  policy kecheng@")
    assert "    applying for mid: at least 24 months in grade" in "\n".join(lines[header:])


def test_the_documented_example_loads_and_says_what_the_page_says(tmp_path):
    """docs/policies.md "A policy per org unit": its org_units, the problem it shows and what policy check
    prints, against the real thing (a kecheng.yaml beside the company's file)."""
    import re
    from pathlib import Path

    import yaml
    page = (Path(__file__).parents[2] / "docs" / "policies.md").read_text("utf-8")
    section = page[page.index("## A policy per org unit"):page.index("## A promotion's own stages")]
    example, problem, printed = re.findall(r"```(?:yaml)?\n(.*?)```", section, re.S)
    org_units = yaml.safe_load(example)["org_units"]
    assert org_units == {KECHENG: "kecheng.yaml"}

    def two_grades(document):
        document["ladder"]["promotion_steps"] = 2
    path = company_with_units(tmp_path, {KECHENG: ("kecheng", two_grades)})
    assert [f"{key}: {text}" for key, text in _problems(path)] == problem.splitlines()

    company_with_units(tmp_path, {KECHENG: ("kecheng", lambda document: document.update(title="柯城区客户经理等级评审"))})
    lines = describe_with_units(load_policies(path))
    shown = [line for line in printed.splitlines() if "…" not in line]
    start = lines.index(shown[0])
    assert lines[start:start + 4] == shown[:4]
    assert lines[start + 4].startswith("  policy kecheng@") and lines[start + 4].endswith(
        "(柯城区客户经理等级评审), time zone Asia/Shanghai")
