"""What the quarter close reads from a manager's past (workflow/quarter_close.py): the grade held at the end
of a quarter, walked back from the grade now over the changes since; and a quarter whose low score already
led to a demotion, which does not count again (one bad stretch demotes once)."""
from __future__ import annotations

from datetime import date

from workflow.quarter_close import counted_towards_demotion, grade_on

# latest first, as the close reads them: senior since 2026-10-05, mid since 2026-04-01, junior before
CHANGES = [(date(2026, 10, 5), "mid"), (date(2026, 4, 1), "junior")]


def test_the_grade_held_on_a_day_is_the_grade_now_without_changes_after_it():
    assert grade_on("senior", [], date(2026, 9, 30)) == "senior"
    assert grade_on("senior", CHANGES, date(2026, 10, 5)) == "senior"  # effective that day: held on it
    assert grade_on("senior", CHANGES, date(2026, 12, 31)) == "senior"


def test_the_grade_held_on_a_day_walks_back_over_every_change_effective_after_it():
    assert grade_on("senior", CHANGES, date(2026, 10, 4)) == "mid"
    assert grade_on("senior", CHANGES, date(2026, 9, 30)) == "mid"
    assert grade_on("senior", CHANGES, date(2026, 3, 31)) == "junior"


def test_only_a_demotion_for_low_scores_makes_a_quarter_count_once():
    assert counted_towards_demotion([{"rule": "below_threshold", "grade": "mid", "threshold": "80",
                                      "quarters": []}])
    assert counted_towards_demotion([{"rule": "violation"}, {"rule": "below_threshold"}])
    assert not counted_towards_demotion([{"rule": "violation"}])
    assert not counted_towards_demotion([{"rule": "months_worked", "months_worked": 1, "minimum": 2}])
    assert not counted_towards_demotion([])
