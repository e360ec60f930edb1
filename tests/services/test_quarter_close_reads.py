"""What closing a quarter will do, read without writing (workflow/services/quarter_close_reads.py): the preview
names for each manager the outcome the close then records (a demotion with the grade it proposes, an exclusion
for too few months, nothing to do, a demotion the grade does not allow), writes nothing, and once the quarter is
closed shows the recorded close; only hr reads it."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from workflow.errors import Forbidden, RuleViolation
from workflow.services.accounts import OPERATOR
from workflow.services.evaluations import close_quarter
from workflow.services.managers import record_performance
from workflow.services.quarter_close_reads import close_preview

BRANCH = "杭州分行"


@pytest.fixture
def records(people, use_case):
    """2026Q2 (over on the clock's 2026-09-01): Q001 a mid below 80 twice, Q002 worked one month, Q003 a mid who
    scored well, Q004 on probation with a violation (no grade below it)."""
    hr = people.user("hr1", "hr")
    for no, grade in (("Q001", "mid"), ("Q002", "mid"), ("Q003", "mid"), ("Q004", "probation")):
        people.manager(no, grade, org_unit=BRANCH, grade_since=date(2024, 1, 1))
    for no, period, score, months, violation in (("Q001", "2026Q1", "70", 3, False), ("Q001", "2026Q2", "75", 3, False),
                                                 ("Q002", "2026Q2", "50", 1, True), ("Q003", "2026Q2", "92", 3, False),
                                                 ("Q004", "2026Q2", "60", 3, True)):
        use_case(record_performance, OPERATOR, no, period, score=Decimal(score), months_worked=months,
                 violation=violation)
    return hr


def test_the_preview_names_what_the_close_then_records_and_writes_nothing(unit_of_work, rules, records):
    with unit_of_work() as uow:
        preview = close_preview(uow, rules, records, "2026Q2")
    assert preview.over and preview.recorded is None and preview.last_day == date(2026, 6, 30)
    foreseen = {r.employee_no: (r.outcome, r.target) for r in preview.foreseen}
    assert foreseen == {"Q001": ("demotion", "junior"), "Q002": ("excluded", None), "Q003": ("kept", None),
                        "Q004": ("not_demotable", None)}
    assert [reason["rule"] for reason in preview.foreseen[0].reasons] == ["below_threshold"]
    with unit_of_work() as uow:  # nothing was written: the same preview again
        assert close_preview(uow, rules, records, "2026Q2").foreseen == preview.foreseen

    summary = close_quarter(unit_of_work, rules, records, "2026Q2")
    assert summary["excluded"] == ["Q002"] and summary["not_demotable"] == ["Q004"]
    assert len(summary["demotion_cases"]) == 1
    with unit_of_work() as uow:
        after = close_preview(uow, rules, records, "2026Q2")
    assert after.foreseen == [] and after.recorded["evaluated"] == 4


def test_a_quarter_not_over_is_previewed_as_not_over(unit_of_work, rules, records):
    with unit_of_work() as uow:
        assert not close_preview(uow, rules, records, "2026Q3").over


def test_a_year_is_refused_as_the_close_refuses_it(unit_of_work, rules, records):
    with unit_of_work() as uow, pytest.raises(RuleViolation) as refused:
        close_preview(uow, rules, records, "2026")
    assert refused.value.errors[0].rule == "quarter_only"


def test_only_hr_previews_the_close(unit_of_work, rules, people, records):
    clerk = people.user("sh99", "committee")
    with unit_of_work() as uow, pytest.raises(Forbidden):
        close_preview(uow, rules, clerk, "2026Q2")
