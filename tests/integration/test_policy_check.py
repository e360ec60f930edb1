"""`gradeflow policy check FILE` (api.md; issue 13, point 8): validates a policy file without starting anything,
prints what it says (its ladder, stages, periods, scorecard and quotas), or exits 1 naming each problem."""
from __future__ import annotations

from importlib import resources

from tests.support.commands import gradeflow

DEFAULT_POLICY = resources.files("workflow.policies").joinpath("default.yaml").read_text("utf-8")
# nothing that starting the service would need: no database to reach, production mode without a secret key
NOTHING_STARTED = {"GRADEFLOW_ENV": "production", "GRADEFLOW_SECRET_KEY": None,
                   "GRADEFLOW_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}


def test_a_valid_policy_is_printed_in_plain_words(tmp_path):
    shipped = tmp_path / "bank.yaml"
    shipped.write_text(resources.files("workflow.policies").joinpath("bank-six-level.yaml").read_text("utf-8"),
                       "utf-8")
    result = gradeflow(tmp_path, "policy", "check", str(shipped), **NOTHING_STARTED)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    from workflow.policy import load_policy
    assert lines[0].startswith(f"policy bank-six-level@{load_policy('bank-six-level').version} (")
    assert lines[1].startswith("ladder (lowest first): level6 六级(待定级)客户经理 → level5") and "level1" in lines[1]
    for heading in ("eligibility:", "stages:", "periods:", "quotas:"):
        assert heading in lines, (heading, lines)
    assert any(line.startswith("scorecard (scale 0–100, 2 decimals, pass mark 70)") for line in lines), lines
    assert "  supervisor 20 % + interview 30 % (the committee's mean, dropping the 1 highest and 1 lowest once " \
           "there are 5 scores) + annual performance 50 %" in lines
    assert "  level1: at most 10 % of an org unit's active managers" in lines
    assert lines[-1] == f"{shipped}: no problems"
    assert not (tmp_path / "instance").exists()


def test_a_broken_policy_exits_1_naming_each_problem(tmp_path):
    broken = tmp_path / "policy.yaml"
    broken.write_text(DEFAULT_POLICY.replace("quorum: 3", "quorum: 0")
                      .replace("timezone: Asia/Shanghai", "timezone: Mars/Olympus_Mons")
                      .replace("weights: {supervisor: 0.3, interview: 0.4, performance: 0.3}",
                               "weights: {supervisor: 0.3, interview: 0.3, performance: 0.3, exam: 0.1}"), "utf-8")
    result = gradeflow(tmp_path, "policy", "check", str(broken), **NOTHING_STARTED)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{broken}: timezone: unknown time zone 'Mars/Olympus_Mons'",
        f"{broken}: scoring.weights.exam: an exam component needs both weights.exam above 0 and scoring.exam "
        "{exam, within_months}",
        f"{broken}: committee.quorum: must be between 1 and 100",
        f"{broken}: 3 problem(s); nothing was started"]


def test_a_file_that_cannot_be_read_is_one_problem(tmp_path):
    result = gradeflow(tmp_path, "policy", "check", str(tmp_path / "missing.yaml"), **NOTHING_STARTED)
    assert result.returncode == 1
    assert f"{tmp_path / 'missing.yaml'}: (file): cannot read" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_education_and_recent_results_rules_are_printed_with_the_target(tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text(DEFAULT_POLICY.replace(
        "    senior: {min_months_in_grade: 12, top_percent: 40}",
        "    senior:\n      min_months_in_grade: 12\n      top_percent: 40\n      min_education: 大专\n"
        "      education_waived_in: [总行]\n      min_recent_results: {period: quarter, count: 2, min_score: 70}")
        .replace("  targets:", "  education_levels: [中专, 大专, 本科]\n  targets:"), "utf-8")
    result = gradeflow(tmp_path, "policy", "check", str(policy), **NOTHING_STARTED)
    assert result.returncode == 0, result.stderr
    assert ("  applying for senior: at least 12 months in grade and in the top 40 % of the org unit's latest annual "
            "scores; education 大专 or above (not in 总行); at least 70 in each of the last 2 quarter periods"
            ) in result.stdout.splitlines()


def test_the_policies_of_org_units_are_checked_and_printed_with_the_companys(tmp_path):
    from tests.support.policies import company_with_units

    def kecheng(document):
        document["eligibility"]["targets"]["mid"]["min_months_in_grade"] = 12
    company = company_with_units(tmp_path, {"衢州市/柯城区": ("kecheng", kecheng)})
    result = gradeflow(tmp_path, "policy", "check", company, **NOTHING_STARTED)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "  衢州市/柯城区: kecheng.yaml" in lines
    assert lines[lines.index("org unit 衢州市/柯城区 follows:") + 1].startswith("  policy kecheng@")
    assert "    applying for mid: at least 12 months in grade and in the top 60 % of the org unit's latest annual " \
           "scores" in lines

    (tmp_path / "kecheng.yaml").write_text(DEFAULT_POLICY.replace("name: default", "name: kecheng")
                                           .replace("months: 3", "months: 6"), "utf-8")
    result = gradeflow(tmp_path, "policy", "check", company, **NOTHING_STARTED)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{company}: org_units.衢州市/柯城区: kecheng.yaml: its probation differs from the company policy's: a unit's "
        "policy may differ only in what governs its cases (eligibility, scoring other than its scale, committee, "
        "quotas, ranking, publication, reminders)",
        f"{company}: 1 problem(s); nothing was started"]
