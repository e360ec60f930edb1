"""Every rule pack shipped in workflow/policies/ (issue 14, point 4) loads, has its page in docs/rule-packs/ that
quotes the seed it implements, is listed in the packs' index, and plays a year over the API in a test of its own."""
from __future__ import annotations

from pathlib import Path

import pytest

from workflow.policy import BUILTIN_POLICIES, load_policy

ROOT = Path(__file__).resolve().parents[2]
PACKS = [name for name in BUILTIN_POLICIES if name != "default"]
YEAR_TESTS = {"salon-cba": "salon", "bank-six-level": "bank", "cmcc-quzhou": "quzhou", "cmcc-jilin": "jilin",
              "kitchen-three-levels": "kitchen", "tobacco-monthly-quarterly": "tobacco",
              "group-competency-bands": "bands", "grade-review-three-levels": "review",
              "mobile-four-posts": "mobile", "sales-four-grades": "sales"}


def test_every_pack_has_a_year_played_over_the_api():
    assert set(PACKS) == set(YEAR_TESTS)
    for pack, short in YEAR_TESTS.items():
        played = (ROOT / "tests" / "api" / f"test_rule_pack_{short}.py").read_text("utf-8")
        assert f'GRADEFLOW_POLICY="{pack}"' in played, pack


@pytest.mark.parametrize("pack", PACKS)
def test_a_pack_loads_under_its_own_name_and_its_page_quotes_its_seed(pack):
    policy = load_policy(pack)
    assert policy.name == pack
    page = (ROOT / "docs" / "rule-packs" / f"{pack}.md").read_text("utf-8")
    assert f"workflow/policies/{pack}.yaml" in page and "seed 00" in page and "「" in page
    assert f"[{pack}.md]({pack}.md)" in (ROOT / "docs" / "rule-packs" / "README.md").read_text("utf-8")
    for rule in (rule for close in policy.closes for rule in close.rules):
        assert f"`{rule.code}`" in page, (pack, rule.code)  # every rule is explained on the page
