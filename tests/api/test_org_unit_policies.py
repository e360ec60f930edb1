"""A policy per org unit (issue 13, point 6): 衢州市/柯城区 follows the policy `kecheng` (a mid needs 24 months in
grade, not 6), named under `org_units` by the company's default policy; head office and everyone else follow
the company's. A case records the version of its manager's unit's policy and follows it; a cycle's cases follow
one policy. The manual clock stands at 2026-09-01; the managers have held their grade since 2025-01-01 (20
months).
"""
from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa

from tests.support.answers import assert_problem, ok
from tests.support.steps import move_clock
from tests.support.world import HEAD_OFFICE, HR, organisation

KECHENG = "衢州市/柯城区"
BRANCH = KECHENG + "/网点一"  # a unit below it follows its policy too
CYCLE, BRANCH_CYCLE = "2026H2", "2026H2-KC"


@pytest.fixture
def units(build, tmp_path):
    from tests.support.driver import Driver
    from tests.support.policies import company_with_units

    def kecheng(document):
        document["eligibility"]["targets"]["mid"]["min_months_in_grade"] = 24
        document["reminders"]["overdue_after_working_days"] = 1
    gf = Driver(build(GRADEFLOW_POLICY=company_with_units(tmp_path, {KECHENG: ("kecheng", kecheng)})))
    organisation(gf)
    ok(gf.post("/cycles", as_=HR, json={"code": BRANCH_CYCLE, "name": "柯城区 2026 下半年"}), 201)
    for no, unit in (("K001", BRANCH), ("H001", HEAD_OFFICE)):
        gf.manager(no, "junior", org_unit=unit, supervisor="S900", login=True)
        gf.performance(no, "2025", "90")
    return gf


def _policies(gf) -> dict[str, str]:
    """The references in force, by policy name, as GET /policies answers them."""
    with gf.app.app_context():
        from api.context import rules
        company = rules()
        return {company.policy.name: company.policy.reference,
                **{r.policy.name: r.policy.reference for _unit, r in company.units}}


def _apply(gf, applicant: str, cycle: str):
    return gf.post("/cases", as_=applicant, json={"cycle": cycle, "target_grade": "mid", "statement": "申请晋升"})


def test_a_branch_managers_application_is_judged_and_recorded_under_the_branchs_policy(units):
    refused = assert_problem(_apply(units, "k001", BRANCH_CYCLE), 422, "not_eligible")
    assert [r["rule"] for r in refused["reasons"]] == ["tenure"]
    assert "24 months" in refused["reasons"][0]["detail"]
    opened = ok(_apply(units, "h001", CYCLE), 201)  # head office: the company's 6 months
    assert opened["policy"] == _policies(units)["default"]


def test_a_case_the_hr_opens_for_a_branch_manager_records_the_branchs_policy(units):
    opened = ok(units.post("/cases", as_=HR, json={"kind": "exit", "employee_no": "K001", "statement": "劝退"}),
                201)
    assert opened["policy"] == _policies(units)["kecheng"]
    assert units.case(opened["id"], HR)["policy"].startswith("kecheng@")


def test_a_cycle_takes_the_cases_of_one_policy(units):
    ok(_apply(units, "h001", CYCLE), 201)  # the cycle's cases now follow the company's policy
    units.manager("K002", "junior", org_unit=KECHENG, supervisor="S900", login=True)
    refused = assert_problem(_apply(units, "k002", CYCLE), 422, "validation_error", "cycle", "cycle_policy")
    assert "'default'" in refused["detail"] and "'kecheng'" in refused["detail"]


def test_the_versions_in_force_are_readable_each_by_its_reference(units):
    for reference in _policies(units).values():
        shown = ok(units.get(f"/policies/{reference}", as_="k001"))
        assert shown["current"] is True and shown["reference"] == reference


def test_a_quarter_close_opens_each_demotion_case_under_its_managers_policy(units):
    for no, unit in (("M001", BRANCH), ("M002", HEAD_OFFICE)):
        units.manager(no, "mid", org_unit=unit, supervisor="S900", login=True)
        units.performance(no, "2026Q3", "95", months_worked=3, violation=True)
    move_clock(units, "2026-10-01T00:30:00+08:00")
    closed = ok(units.post("/evaluations/2026Q3/close", as_=HR))
    policies = _policies(units)
    by_manager = {units.case(case_id, HR)["employee_no"]: units.case(case_id, HR)["policy"]
                  for case_id in closed["demotion_cases"]}
    assert by_manager == {"M001": policies["kecheng"], "M002": policies["default"]}
    # and each case waits for hr as its policy says: 柯城区 reminds after 1 working day, the company after 3
    with units.app.app_context():
        from models import Case, Timer, db
        due = dict(db.session.execute(sa.select(Case.employee_no, Timer.due_at).join(Timer, Timer.case_id == Case.id)
                                      .where(Timer.kind == "reminder")).all())
        db.session.remove()
    assert due["M001"] < due["M002"]


def test_two_first_applications_from_units_of_two_policies_cannot_both_enter_an_empty_cycle(units):
    """The first application from 柯城区 holds the empty cycle until it commits; the one from head office, made
    meanwhile, then finds the cycle's case and is refused, rather than both finding the cycle without cases."""
    import threading
    import time

    from api.context import rules, uow
    from workflow.errors import RuleViolation
    from workflow.services.accounts import actor_for
    from workflow.services.cases import submit_case

    units.manager("K002", "junior", org_unit=KECHENG, supervisor="S900", login=True,
                  grade_since=date(2024, 1, 1))  # 32 months: eligible in 柯城区 too
    units.performance("K002", "2025", "90")
    applied, release, outcome = threading.Event(), threading.Event(), {}

    def apply_as(username: str, hold: bool) -> None:
        with units.app.app_context():
            try:
                with uow() as u:
                    actor = actor_for(u.users.by_username(username))
                    submit_case(u, rules(), actor, kind="promotion", statement="申请晋升", cycle=BRANCH_CYCLE,
                                target_grade="mid")
                    if hold:
                        applied.set()
                        release.wait(10)
                outcome[username] = "opened"
            except RuleViolation as refused:
                outcome[username] = [(e.field, e.rule) for e in refused.errors]
            except Exception as failed:  # noqa: BLE001 - reported by the assertion below
                outcome[username] = repr(failed)
            finally:
                applied.set()

    first = threading.Thread(target=apply_as, args=("k002", True))
    first.start()
    assert applied.wait(10)
    second = threading.Thread(target=apply_as, args=("h001", False))
    second.start()
    time.sleep(0.5)  # the second waits for the cycle meanwhile (were it not held, it would have finished)
    release.set()
    first.join(10), second.join(10)
    assert outcome == {"k002": "opened", "h001": [("cycle", "cycle_policy")]}


@pytest.mark.parametrize("grade, rule", [("初级", None), ("junior", None), ("特级", "known_grade"),
                                         ("exited", "active_grade")])
def test_a_unit_managers_grade_in_a_roster_import_is_refused_exactly_when_post_managers_refuses_it(units, grade, rule):
    """A unit's policy shares the company's ladder (workflow/org_unit_policies.py SHARED): both check against it."""
    row = f"工号,姓名,机构,等级,定级日期,入职日期,上级工号\nK009,柯九,{BRANCH},{grade},2025-01-01,2025-01-01,S900\n"
    imported = units.post("/imports/roster", as_=HR, content_type="multipart/form-data",
                          data={"file": (io.BytesIO(row.encode()), "roster.csv")})
    posted = units.post("/managers", as_=HR, json={
        "employee_no": "K010", "name": "柯十", "org_unit": BRANCH, "grade": grade_code(units, grade),
        "grade_since": "2025-01-01", "hire_date": "2025-01-01", "supervisor": "S900"})
    if rule is None:
        assert ok(imported)["created"] == 1 and ok(posted, 201)["grade"] == "junior"
    else:
        assert [e["rule"] for e in assert_problem(imported, 422, "import_refused")["errors"]] == [rule]
        assert_problem(posted, 422, "validation_error", "grade", rule)


def grade_code(gf, word: str) -> str:
    """The grade HR's word names (初级: junior), as the API takes it; an unknown word as it is."""
    from workflow.imports import grade_words
    with gf.app.app_context():
        from api.context import rules
        return grade_words(rules().policy.ladder).get(word, word)
