"""Quota shapes over the API (issue 13, point 5): a policy's maximum and minimum shares of a grade, counted over
an org unit, its parent unit or the whole company, decide a cycle and a single approval. The rules themselves
are tests/unit/test_quotas.py."""
from __future__ import annotations

import pytest

from tests.support.answers import assert_problem, ok
from tests.support.driver import Driver
from tests.support.policies import policy_file
from tests.support.steps import decide, event, in_deliberation, overturned
from tests.support.world import HR, candidate, fillers, open_cycle, organisation

BEIJING, SHANGHAI = "北京分行", "上海分行"
KECHENG, QUJIANG, XIHU = "衢州市/柯城区", "衢州市/衢江区", "杭州市/西湖区"


@pytest.fixture
def under(build, tmp_path):
    """under(*quotas) → a driver of the app whose policy has these quotas instead of the default's."""
    def driver(*quotas: dict) -> Driver:
        policy = policy_file(tmp_path, lambda document: document.update(quotas=list(quotas)))
        gf = Driver(build(GRADEFLOW_POLICY=policy))
        organisation(gf)  # the supervisor S900 is a senior of 总行
        return gf
    return driver


def in_deliberation_for(gf, people, grade: str = "junior", target: str = "mid",
                        cycle: str = "2026H2") -> dict[str, int]:
    """people: (employee_no, org_unit, score) of managers of `grade`, each in deliberation for `target` with
    `score` from the supervisor and every member."""
    cases = {}
    for no, org_unit, score in people:
        candidate(gf, no, grade, org_unit=org_unit)
        cases[no] = in_deliberation(gf, no, supervisor=score, scores=score, target=target, cycle=cycle)
    return cases


def outcomes(decided: dict, cases: dict) -> dict:
    return {no: (decided[case]["outcome"], decided[case]["rank"], decided[case]["reasons"])
            for no, case in cases.items()}


def test_a_company_wide_senior_quota_ranks_candidates_of_every_unit_together(under):
    gf = under({"grade": "senior", "max_share": 0.2, "scope": "company"})
    cases = in_deliberation_for(gf, (("M101", BEIJING, 80), ("M102", SHANGHAI, 90), ("M103", BEIJING, 70)), "mid",
                                "senior")
    fillers(gf, BEIJING, 3)
    fillers(gf, SHANGHAI, 3)
    # the company: S900 (senior), 3 mid, 6 junior = 10 active; floor(0.2 × 10) − 1 senior = 1 slot

    decided = decide(gf)

    assert outcomes(decided, cases) == {"M102": ("approved", 1, []), "M101": ("denied", 2, ["quota_exceeded"]),
                                        "M103": ("denied", 3, ["quota_exceeded"])}


def test_a_parent_unit_quota_counts_the_units_below_it_and_no_other(under):
    gf = under({"grade": "senior", "max_share": 0.1, "scope": "parent"})
    cases = in_deliberation_for(gf, (("M101", KECHENG, 90), ("M102", QUJIANG, 85), ("M103", XIHU, 70)), "mid",
                                "senior")
    for i, org_unit in enumerate([KECHENG] * 4 + [QUJIANG] * 4 + [XIHU] * 9):
        gf.manager(f"F{i:02d}", "junior", org_unit=org_unit)
    # 衢州市: 2 mid + 8 junior = 10 active, 1 slot for its two units; 杭州市: 10 active, 1 slot

    decided = decide(gf)

    assert outcomes(decided, cases) == {"M101": ("approved", 1, []), "M102": ("denied", 2, ["quota_exceeded"]),
                                        "M103": ("approved", 1, [])}


def test_a_parent_area_counts_the_parent_unit_itself_and_not_a_unit_whose_name_merely_starts_alike(under):
    gf = under({"grade": "senior", "max_share": 0.1, "scope": "parent"})
    cases = in_deliberation_for(gf, (("M101", KECHENG, 90), ("M102", QUJIANG, 85)), "mid", "senior")
    for i in range(8):  # in the parent unit itself: without them 衢州市 would have 2 active and no slot
        gf.manager(f"F{i:02d}", "junior", org_unit="衢州市")
    for i in range(30):  # 衢州市区 is not under 衢州市: counted, its juniors would make 3 more slots
        gf.manager(f"Q{i:02d}", "junior", org_unit="衢州市区")
    # 衢州市: 2 mid + 8 junior = 10 active: floor(1.0) = one slot

    decided = decide(gf)

    assert outcomes(decided, cases) == {"M101": ("approved", 1, []), "M102": ("denied", 2, ["quota_exceeded"])}


def test_a_minimum_share_counts_promotions_approved_not_yet_effective_as_gone(under):
    gf = under({"grade": "junior", "min_share": 0.5})
    first = in_deliberation_for(gf, (("E001", BEIJING, 90),))
    fillers(gf, BEIJING, 3)
    fillers(gf, BEIJING, 2, grade="mid", prefix="G")  # 6 active, 4 junior: 3 stay, one may leave
    assert decide(gf)[first["E001"]]["outcome"] == "approved"  # decided, not yet effective: E001 is still junior
    open_cycle(gf, "2026H2B")
    later = in_deliberation_for(gf, (("E002", BEIJING, 90),), cycle="2026H2B")
    # 7 active, 5 junior, 4 must stay; E001 counts as gone: 5 − 1 − 4 = 0 (without it one would be free)

    decided = decide(gf, "2026H2B")

    assert outcomes(decided, later) == {"E002": ("denied", 1, ["minimum_share_reached"])}


def test_a_minimum_share_of_juniors_caps_promotions_out_of_junior_per_org_unit(under):
    gf = under({"grade": "junior", "min_share": 0.5})
    cases = in_deliberation_for(gf, (("E001", BEIJING, 90), ("E002", BEIJING, 80), ("E003", BEIJING, 70),
                                     ("E101", SHANGHAI, 65)))
    fillers(gf, BEIJING, 1)
    fillers(gf, BEIJING, 2, grade="mid", prefix="G")
    fillers(gf, SHANGHAI, 1)
    # 北京分行: 6 active, 4 junior, ceil(0.5 × 6) = 3 must stay: one may leave; 上海分行: 2 junior, 1 must stay

    decided = decide(gf)

    assert outcomes(decided, cases) == {
        "E001": ("approved", 1, []), "E002": ("denied", 2, ["minimum_share_reached"]),
        "E003": ("denied", 3, ["minimum_share_reached"]), "E101": ("approved", 1, [])}


def test_a_single_approval_is_refused_while_the_grade_left_is_at_its_minimum(under):
    gf = under({"grade": "junior", "min_share": 0.5})
    cases = in_deliberation_for(gf, (("E001", BEIJING, 90), ("E002", BEIJING, 80)))
    fillers(gf, BEIJING, 2, grade="mid", prefix="G")  # 4 active, 2 junior: 2 must stay, so neither may leave
    gf.manager("J001", "junior", org_unit=BEIJING)  # 5 active, 3 junior, ceil(2.5) = 3 stay: still none
    decided = decide(gf)
    assert {d["reasons"][0] for d in decided.values()} == {"minimum_share_reached"}
    overturned(gf, cases["E001"], "e001")

    body = assert_problem(event(gf, cases["E001"], "approve", HR), 409, "minimum_share_reached")

    assert (body["grade"], body["area"], body["active_managers"], body["holding"]) == ("junior", BEIJING, 5, 3)
    assert "北京分行 must keep at least 50 % of 5 active managers in junior" in body["detail"]
    fillers(gf, BEIJING, 1)  # 6 active, 4 junior, 3 must stay: one may leave now
    approved = ok(event(gf, cases["E001"], "approve", HR))
    assert (approved["state"], approved["outcome"]) == ("decided", "approved")
