"""Finalization: once the appeal window has passed with no appeal pending, a published decision takes
effect (the grade moves, dated the day after the deadline) or the case closes (the grade stays).
Triggered by moving the manual clock (PUT /clock) and by `gradeflow run-due`."""
from __future__ import annotations

from datetime import date

import pytest

from tests.support.answers import ok
from tests.support.commands import run_due
from tests.support.cycles import AFTER_DEADLINE, DAY_AFTER, DEADLINE, published_cycle
from tests.support.reads import case_of, grade_history, manager
from tests.support.steps import appeal, event, hr_case, move_clock
from tests.support.world import BOSS, HR, candidate, organisation


def events_of(gf, case_id: int) -> list[str]:
    return [h["event"] for h in ok(gf.get(f"/cases/{case_id}/history", as_=HR))]


def published_single_case(gf, kind: str, no: str, decision: str, **body) -> int:
    """A case outside any cycle, decided (`decision` fired by its decider) and published by hr."""
    case_id = hr_case(gf, kind, no)["id"]
    decider = BOSS if decision in ("pass_probation", "fail_probation") else HR
    ok(event(gf, case_id, decision, decider, **body))
    assert ok(event(gf, case_id, "publish", HR))["appeal_deadline"] == DEADLINE
    return case_id


# --- promotions --------------------------------------------------------------------------------

def test_an_approved_promotion_becomes_effective_and_the_grade_moves_the_day_after_the_deadline(gf):
    approved, _ = published_cycle(gf)

    move_clock(gf, AFTER_DEADLINE)

    shown = case_of(gf, approved)
    assert (shown["state"], shown["effective_on"]) == ("effective", DAY_AFTER)
    assert (manager(gf, "E001")["grade"], manager(gf, "E001")["grade_since"]) == ("mid", DAY_AFTER)
    assert grade_history(gf, "E001") == [
        {"from_grade": "junior", "to_grade": "mid", "effective_on": DAY_AFTER, "case_id": approved}]
    final = ok(gf.get(f"/cases/{approved}/history", as_=HR))[-1]
    assert (final["event"], final["from_state"], final["to_state"], final["at"]) == (
        "finalize", "published", "effective", AFTER_DEADLINE)


def test_a_denied_promotion_closes_and_the_grade_stays(gf):
    _, denied = published_cycle(gf)

    move_clock(gf, AFTER_DEADLINE)

    shown = case_of(gf, denied)
    assert (shown["state"], shown["outcome"], shown["effective_on"]) == ("closed", "denied", None)
    assert (manager(gf, "E002")["grade"], manager(gf, "E002")["grade_since"]) == ("junior", "2025-01-01")
    assert grade_history(gf, "E002") == []


def test_nothing_is_finalized_before_the_deadline_to_the_second(gf):
    approved, denied = published_cycle(gf)

    move_clock(gf, DEADLINE)

    assert {case_of(gf, c)["state"] for c in (approved, denied)} == {"published"}
    assert manager(gf, "E001")["grade"] == "junior" and grade_history(gf, "E001") == []
    move_clock(gf, AFTER_DEADLINE)
    assert (case_of(gf, approved)["state"], case_of(gf, denied)["state"]) == ("effective", "closed")


def test_nothing_is_finalized_while_an_appeal_is_pending(gf):
    approved, _ = published_cycle(gf)
    ok(appeal(gf, approved, "e001"), 201)

    move_clock(gf, "2026-09-10T09:00:00+08:00")

    assert case_of(gf, approved)["state"] == "appealed"
    assert manager(gf, "E001")["grade"] == "junior" and grade_history(gf, "E001") == []


def test_an_appeal_upheld_after_the_deadline_is_finalized_on_the_next_run_dated_the_day_after_the_deadline(gf):
    approved, _ = published_cycle(gf)
    ok(appeal(gf, approved, "e001"), 201)
    move_clock(gf, "2026-09-10T09:00:00+08:00")
    assert ok(event(gf, approved, "uphold", HR))["state"] == "published"

    move_clock(gf, "2026-09-10T09:00:01+08:00")

    assert (case_of(gf, approved)["state"], case_of(gf, approved)["effective_on"]) == ("effective", DAY_AFTER)
    assert grade_history(gf, "E001")[0]["effective_on"] == DAY_AFTER


def test_finalizing_twice_has_the_effect_of_once(gf):
    approved, denied = published_cycle(gf)
    move_clock(gf, AFTER_DEADLINE)
    versions = {c: case_of(gf, c)["version"] for c in (approved, denied)}

    move_clock(gf, "2026-09-06T09:00:00+08:00")
    move_clock(gf, "2026-09-07T09:00:00+08:00")

    for case_id in (approved, denied):
        assert events_of(gf, case_id).count("finalize") == 1
        assert case_of(gf, case_id)["version"] == versions[case_id]
    assert len(grade_history(gf, "E001")) == 1
    assert manager(gf, "E001")["grade"] == "mid"


def test_a_late_run_still_dates_the_grade_on_the_day_after_the_deadline(gf):
    approved, _ = published_cycle(gf)

    move_clock(gf, "2026-09-20T15:30:00+08:00")  # the first run after an outage

    assert case_of(gf, approved)["effective_on"] == DAY_AFTER
    assert manager(gf, "E001")["grade_since"] == DAY_AFTER
    assert grade_history(gf, "E001")[0]["effective_on"] == DAY_AFTER


# --- other kinds -------------------------------------------------------------------------------

def on_probation(gf, no: str = "P001") -> str:
    """A manager whose 3 months of probation ended on 2026-08-01."""
    organisation(gf)
    gf.manager(no, "probation", supervisor="S900", grade_since=date(2026, 5, 1), login=True)
    return no


def test_a_passed_probation_confirmation_makes_the_manager_junior(gf):
    no = on_probation(gf)
    case_id = published_single_case(gf, "probation_confirmation", no, "pass_probation", supervisor_score=85)

    move_clock(gf, AFTER_DEADLINE)

    assert case_of(gf, case_id)["state"] == "effective"
    assert (manager(gf, no)["grade"], manager(gf, no)["status"]) == ("junior", "active")
    assert grade_history(gf, no) == [
        {"from_grade": "probation", "to_grade": "junior", "effective_on": DAY_AFTER, "case_id": case_id}]


def test_a_failed_probation_confirmation_moves_the_manager_to_exited(gf):
    no = on_probation(gf)
    case_id = published_single_case(gf, "probation_confirmation", no, "fail_probation", supervisor_score=40)
    assert case_of(gf, case_id)["reasons"] == ["probation_failed"]

    move_clock(gf, AFTER_DEADLINE)

    shown = case_of(gf, case_id)
    assert (shown["state"], shown["outcome"]) == ("effective", "denied")
    assert (manager(gf, no)["grade"], manager(gf, no)["status"]) == ("exited", "exited")
    assert grade_history(gf, no) == [
        {"from_grade": "probation", "to_grade": "exited", "effective_on": DAY_AFTER, "case_id": case_id}]


@pytest.mark.parametrize("grade, lower", [("mid", "junior"), ("senior", "mid")])
def test_an_approved_demotion_moves_the_manager_one_grade_down(gf, grade, lower):
    organisation(gf)
    candidate(gf, "D001", grade)
    case_id = published_single_case(gf, "demotion", "D001", "approve")

    move_clock(gf, AFTER_DEADLINE)

    assert case_of(gf, case_id)["state"] == "effective"
    assert manager(gf, "D001")["grade"] == lower
    assert grade_history(gf, "D001") == [
        {"from_grade": grade, "to_grade": lower, "effective_on": DAY_AFTER, "case_id": case_id}]


def test_a_denied_demotion_closes_and_the_grade_stays(gf):
    organisation(gf)
    candidate(gf, "D001", "mid")
    case_id = published_single_case(gf, "demotion", "D001", "deny")

    move_clock(gf, AFTER_DEADLINE)

    assert case_of(gf, case_id)["state"] == "closed"
    assert manager(gf, "D001")["grade"] == "mid" and grade_history(gf, "D001") == []


# --- gradeflow run-due -------------------------------------------------------------------------

def test_run_due_finalizes_what_is_due_once(gf, migrated, tmp_path):
    approved, denied = published_cycle(gf)
    clock_at = "2026-09-10T09:00:00+08:00"

    early = run_due(tmp_path, migrated, "--now", DEADLINE, clock_at=clock_at)
    assert early.returncode == 0, early.stderr
    assert "fired 0 timer(s)" in early.stdout
    assert {case_of(gf, c)["state"] for c in (approved, denied)} == {"published"}

    due = run_due(tmp_path, migrated, "--now", AFTER_DEADLINE, clock_at=clock_at)
    assert due.returncode == 0, due.stderr
    assert "fired 2 timer(s)" in due.stdout
    assert due.stdout.index("appeal_window_end): finalized: effective") < \
        due.stdout.index("appeal_window_end): finalized: closed")  # one deadline: in the order scheduled
    assert (case_of(gf, approved)["state"], case_of(gf, denied)["state"]) == ("effective", "closed")
    assert grade_history(gf, "E001") == [
        {"from_grade": "junior", "to_grade": "mid", "effective_on": DAY_AFTER, "case_id": approved}]

    again = run_due(tmp_path, migrated, clock_at=clock_at)  # without --now: the clock's instant
    assert again.returncode == 0, again.stderr
    assert "fired 0 timer(s)" in again.stdout
    assert events_of(gf, approved).count("finalize") == 1


def test_run_due_without_now_fires_what_is_due_at_the_service_clock(gf, migrated, tmp_path):
    approved, _ = published_cycle(gf)

    result = run_due(tmp_path, migrated, clock_at="2026-09-20T09:00:00+08:00")

    assert result.returncode == 0, result.stderr
    assert (case_of(gf, approved)["state"], case_of(gf, approved)["effective_on"]) == ("effective", DAY_AFTER)


def test_run_due_refuses_now_in_the_future_of_the_clock(gf, migrated, tmp_path):
    approved, _ = published_cycle(gf)

    result = run_due(tmp_path, migrated, "--now", "2026-09-10T09:00:00+08:00", clock_at="2026-09-02T09:00:00+08:00")

    assert result.returncode != 0
    assert "--now" in result.stderr and "future" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert case_of(gf, approved)["state"] == "published"
