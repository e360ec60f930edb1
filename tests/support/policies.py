"""Policy files for tests that run the app under other rules than the default policy's."""
from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

import yaml

# seed 004's monthly scores: 经营业绩 60 %, 综合素质 40 % of 作风纪律 40 + 基础工作 40 + 培训成绩 20
TOBACCO_MONTHLY_SCORECARD = {
    "periods": ["year", "quarter", "month"],
    "period_scorecard": {"periods": ["month"], "parts": [
        {"code": "sales", "zh": "经营业绩", "weight": 0.6, "max": 100},
        {"code": "quality", "zh": "综合素质", "weight": 0.4, "items": [
            {"code": "conduct", "zh": "作风纪律", "points": 40, "deduct": 5, "zero_at": 3},
            {"code": "groundwork", "zh": "基础工作", "points": 40, "deduct": 5},
            {"code": "training", "points": 20, "deduct": 10}]}]},  # no zh: its column is headed by its code
}


# Closes side by side (seed 004: 月度考核、季度评价): two months below 60, or one quarter below the grade's mark
MONTHLY_AND_QUARTERLY = [
    {"period": "month", "min_months_worked": 1, "violation_demotes": True,
     "demotion_thresholds": {"mid": 60, "senior": 60}, "consecutive_quarters": 2, "exit_after_demotion_years": 2,
     "run_after_quarter_end": {"days": 3, "at": "02:00"}},
    {"period": "quarter", "min_months_worked": 2, "violation_demotes": False,
     "demotion_thresholds": {"mid": 80, "senior": 85}, "consecutive_quarters": 1, "exit_after_demotion_years": 2,
     "run_after_quarter_end": {"days": 7, "at": "03:00"}},
]



# A metric and grading rules of each kind of move (issue 14), for the pages that show them
GRADING_METRICS = [{"code": "new_customers", "zh": "新客到店数", "en": "New customers", "max": 10000}]
GRADING_RULES = [
    {"code": "two_excellent_quarters", "zh": "连续两季优秀晋级", "grades": ["junior"], "periods": 2,
     "score_at_least": 95, "metric_at_least": {"new_customers": 60}, "move": {"up": 1}},
    {"code": "three_complaints", "zh": "累计投诉三次解聘", "events": {"complaint": 3}, "move": "exit"},
    {"code": "failing", "zh": "考核不合格待岗", "score_below": 50, "move": "suspend"},
    {"code": "auto_down", "zh": "低于60分自动降级", "grades": ["mid"], "score_below": 60, "move": {"down": 1},
     "direct": True},
    {"code": "last_senior", "zh": "高级末位降级", "grades": ["senior"], "bottom": 1, "rank_among": "company",
     "move": {"down": 1}},
]


def with_grading_rules(document: dict) -> None:
    """The default policy with GRADING_METRICS and GRADING_RULES (a change for policy_file)."""
    document["metrics"] = GRADING_METRICS
    document["quarter_close"]["rules"] = GRADING_RULES


def default_document() -> dict:
    return yaml.safe_load(resources.files("workflow.policies").joinpath("default.yaml").read_text("utf-8"))


def policy_file(directory: Path, change: Callable[[dict], None]) -> str:
    """The default policy changed by `change(document)`, written to `directory`: its path, for GRADEFLOW_POLICY."""
    document = default_document()
    change(document)
    path = directory / "policy.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), "utf-8")
    return str(path)


def company_with_units(directory: Path, units: dict[str, tuple[str, Callable[[dict], None]]],
                       change: Callable[[dict], None] = lambda document: None) -> str:
    """The default policy (changed by `change`) naming under `org_units` each unit's file: `units` maps an org unit
    to (the policy's name, a change of the default policy), written beside it as NAME.yaml. The company file's path."""
    names = {}
    for unit, (name, change_unit) in units.items():
        document = default_document()
        document["name"] = name
        change_unit(document)
        (directory / f"{name}.yaml").write_text(yaml.safe_dump(document, allow_unicode=True), "utf-8")
        names[unit] = f"{name}.yaml"

    def company(document):
        document["org_units"] = names
        change(document)
    return policy_file(directory, company)


def documented_example(section: str, next_section: str) -> tuple[list[str], list[str]]:
    """docs/policies.md's example between two headings: (what `gradeflow policy check` prints for the default
    policy with the example's keys put in, the lines the page says it prints)."""
    import re

    from workflow.policy import parse_policy
    from workflow.policy_summary import describe
    page = (Path(__file__).parents[2] / "docs" / "policies.md").read_text("utf-8")
    text = page[page.index(f"## {section}"):page.index(f"## {next_section}")]
    example, printed = re.findall(r"```(?:yaml)?\n(.*?)```", text, re.S)
    document = default_document()
    document.update(yaml.safe_load(example))
    return describe(parse_policy(yaml.safe_dump(document, allow_unicode=True))), printed.splitlines()
