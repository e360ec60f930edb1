"""A demotion's and an exit's own stages before the decision, over HTTP (issue 13, point 1: stages for each kind
of case). The policy is the default one with a demotion's talk with the manager (约谈, by the supervisor, with a
comment) and hr's check (人力复核); exits declare none. The organisation is the standard one (hr1; S900
supervises the managers); the manual clock stands at 2026-09-01."""
from __future__ import annotations

import pytest

from tests.support.answers import assert_problem, ok
from tests.support.reads import case_of, manager
from tests.support.steps import event, hr_case, move_clock
from tests.support.world import BOSS, HR, candidate, organisation

TALK = {"stage": "talk", "label": "约谈", "by": "supervisor", "records": "comment"}
HR_CHECK = {"stage": "hr_check", "label": "人力复核", "by": "hr"}


@pytest.fixture
def talked(build, tmp_path):
    from tests.support.driver import Driver
    from tests.support.policies import policy_file
    gf = Driver(build(GRADEFLOW_POLICY=policy_file(
        tmp_path, lambda document: document.update(stages={"demotion": [TALK, HR_CHECK]}))))
    organisation(gf)
    candidate(gf, "E003", grade="mid")
    return gf


def test_a_demotion_opens_in_its_first_stage_and_the_last_leads_to_the_decision(talked):
    opened = hr_case(talked, "demotion", "E003")
    assert (opened["state"], opened["stage"]) == ("in_stage", "talk")
    assert_problem(event(talked, opened["id"], "approve", HR), 409, "invalid_transition")
    ok(event(talked, opened["id"], "pass_stage", BOSS, comment="已约谈, 本人无异议"))
    passed = ok(event(talked, opened["id"], "pass_stage", HR))
    assert (passed["state"], passed["stage"]) == ("deliberation", None)
    ok(event(talked, opened["id"], "approve", HR))
    assert ok(event(talked, opened["id"], "publish", HR))["state"] == "published"
    move_clock(talked, "2026-09-05T00:00:00+08:00")
    assert (case_of(talked, opened["id"])["state"], manager(talked, "E003")["grade"]) == ("effective", "junior")


def test_a_failed_stage_decides_the_demotion_denied_and_the_grade_stays(talked):
    case_id = hr_case(talked, "demotion", "E003")["id"]
    failed = ok(event(talked, case_id, "fail_stage", BOSS, comment="约谈核实: 违规系误报"))
    assert (failed["state"], failed["outcome"], failed["reasons"]) == ("decided", "denied", ["stage_failed"])
    ok(event(talked, case_id, "publish", HR))
    move_clock(talked, "2026-09-05T00:00:00+08:00")
    assert (case_of(talked, case_id)["state"], manager(talked, "E003")["grade"]) == ("closed", "mid")


def test_an_exit_without_stages_of_its_own_opens_in_deliberation(talked):
    assert hr_case(talked, "exit", "E003")["state"] == "deliberation"


def test_the_quarter_close_opens_its_demotions_in_the_first_stage(talked):
    """The close opens its cases in bulk (workflow/services/evaluations.py): the same first state and stage, and the
    first reminder goes to the stage's party."""
    for period, score in (("2026Q2", "70"), ("2026Q3", "70")):
        talked.performance("E003", period, score, months_worked=3)
    move_clock(talked, "2026-10-01T00:30:00+08:00")
    [case_id] = ok(talked.post("/evaluations/2026Q3/close", as_=HR))["demotion_cases"]
    shown = case_of(talked, case_id)
    assert (shown["state"], shown["stage"]) == ("in_stage", "talk")
    assert "pass_stage" in talked.case(case_id, BOSS)["available_events"]


def test_the_demotions_strip_starts_in_its_first_stage(talked):
    import re

    from tests.web.visitor import Visitor
    case_id = hr_case(talked, "demotion", "E003")["id"]
    visitor = Visitor(talked.app, accept_language="zh-CN")
    assert visitor.sign_in(HR).status_code == 302
    body = visitor.get(f"/cases/{case_id}").get_data(as_text=True)
    strip = re.search(r'data-testid="workflow-strip".*?</nav>', body, flags=re.S).group(0)
    assert [label for _state, label in re.findall(r'data-state="(\w+)">([^<]+)<', strip)] == [
        "约谈", "人力复核", "评议中", "已决定", "公示中", "已生效"]


def test_the_opening_entry_names_the_first_stage(talked):
    case_id = hr_case(talked, "demotion", "E003")["id"]
    assert talked.history(case_id, HR)[0]["data"]["to_stage"] == "talk"
