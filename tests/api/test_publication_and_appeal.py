"""Publication (公示) and appeal (申诉): POST /cycles/{code}/publish, the board, the case-level publish event,
the appeal deadline in statutory working days, POST /cases/{id}/appeal, uphold and overturn."""
from __future__ import annotations

from tests.support.answers import assert_problem, ok
from tests.support.cycles import decided_cycle
from tests.support.reads import case_of
from tests.support.steps import appeal, event, hr_case, move_clock, publish
from tests.support.world import ADMIN, BOSS, CYCLE, HR, candidate, organisation

PUBLISHED_AT = "2026-09-01T09:00:00+08:00"  # the clock's start, a Tuesday
# Wed 2, Thu 3, Fri 4 September are the three working days after it
DEADLINE = "2026-09-04T23:59:59+08:00"
OUTSIDER = "o001"  # an employee of another org unit, who sees none of the cases


def published_case(gf) -> int:
    """E001's approved promotion, published on 2026-09-01 (deadline 2026-09-04 23:59:59)."""
    approved, _ = decided_cycle(gf)
    publish(gf)
    return approved


# --- publishing a cycle ------------------------------------------------------------------------

def test_publishing_a_cycle_moves_every_decided_case_to_published_with_one_appeal_deadline(gf):
    approved, denied = decided_cycle(gf)

    body = publish(gf)

    assert body == {"published_at": PUBLISHED_AT, "appeal_deadline": DEADLINE, "deadline_confirmed": True,
                    "case_ids": sorted([approved, denied])}
    for case_id, outcome in ((approved, "approved"), (denied, "denied")):
        shown = case_of(gf, case_id)
        assert (shown["state"], shown["outcome"], shown["published_at"], shown["appeal_deadline"],
                shown["deadline_confirmed"]) == ("published", outcome, PUBLISHED_AT, DEADLINE, True)


def test_only_hr_publishes_a_cycle(gf):
    approved, denied = decided_cycle(gf)

    for caller in ("chair", ADMIN, BOSS, "e001"):
        assert_problem(gf.post(f"/cycles/{CYCLE}/publish", as_=caller), 403, "forbidden")

    assert {case_of(gf, c)["state"] for c in (approved, denied)} == {"decided"}


def test_publishing_a_cycle_without_a_decided_case_is_nothing_to_publish(gf):
    organisation(gf)
    assert_problem(gf.post(f"/cycles/{CYCLE}/publish", as_=HR), 409, "nothing_to_publish")


def test_publishing_a_cycle_twice_is_nothing_to_publish(gf):
    decided_cycle(gf)
    publish(gf)
    assert_problem(gf.post(f"/cycles/{CYCLE}/publish", as_=HR), 409, "nothing_to_publish")


def test_a_cycle_case_is_not_published_on_its_own(gf):
    approved, _ = decided_cycle(gf)
    body = assert_problem(event(gf, approved, "publish", HR), 409, "invalid_transition")
    assert body["state"] == "decided"


# --- the publication board ---------------------------------------------------------------------

def test_the_publication_board_is_visible_to_any_user_and_shows_no_scores_by_default(gf):
    approved, denied = decided_cycle(gf)
    before = ok(gf.get(f"/cycles/{CYCLE}/publication", as_=OUTSIDER))
    assert before["entries"] == [] and before["published_at"] is None
    publish(gf)

    board = ok(gf.get(f"/cycles/{CYCLE}/publication", as_=OUTSIDER))

    assert (board["published_at"], board["appeal_deadline"]) == (PUBLISHED_AT, DEADLINE)
    entries = {e["case_id"]: e for e in board["entries"]}
    assert set(entries) == {approved, denied}
    assert {k: entries[approved][k] for k in ("employee_no", "name", "org_unit", "kind", "from_grade",
                                              "target_grade", "outcome")} == {
        "employee_no": "E001", "name": "经理E001", "org_unit": "北京分行", "kind": "promotion",
        "from_grade": "junior", "target_grade": "mid", "outcome": "approved"}
    assert entries[denied]["outcome"] == "denied"
    for entry in board["entries"]:
        assert not {k for k in entry if "score" in k or k == "rank"}, entry
    # the board is public; the case itself is not
    assert_problem(gf.get(f"/cases/{approved}", as_=OUTSIDER), 404, "not_found")


# --- a case outside a cycle --------------------------------------------------------------------

def test_hr_publishes_a_case_outside_a_cycle_with_the_publish_event(gf):
    organisation(gf)
    candidate(gf, "D001", "mid")
    case_id = hr_case(gf, "demotion", "D001")["id"]
    ok(event(gf, case_id, "approve", HR))

    assert_problem(event(gf, case_id, "publish", BOSS), 403, "forbidden")
    published = ok(event(gf, case_id, "publish", HR))

    assert (published["state"], published["published_at"], published["appeal_deadline"],
            published["deadline_confirmed"]) == ("published", PUBLISHED_AT, DEADLINE, True)
    history = ok(gf.get(f"/cases/{case_id}/history", as_=HR))
    assert history[-1]["event"] == "publish" and history[-1]["actor"] == HR


# --- the appeal deadline -----------------------------------------------------------------------

def test_appeal_deadline_is_the_end_of_the_third_statutory_working_day_after_publication(gf):
    """Published on 2026-09-30: Oct 1–7 are the National Day holidays; Oct 8 (Thu), Oct 9 (Fri) and
    Oct 10 (Sat, a make-up workday, 调休补班) are the three working days."""
    approved, _ = decided_cycle(gf)
    move_clock(gf, "2026-09-30T10:00:00+08:00")

    body = publish(gf)

    assert (body["published_at"], body["appeal_deadline"], body["deadline_confirmed"]) == (
        "2026-09-30T10:00:00+08:00", "2026-10-10T23:59:59+08:00", True)
    assert case_of(gf, approved)["appeal_deadline"] == "2026-10-10T23:59:59+08:00"
    board = ok(gf.get(f"/cycles/{CYCLE}/publication", as_=OUTSIDER))
    assert (board["appeal_deadline"], board["deadline_confirmed"]) == ("2026-10-10T23:59:59+08:00", True)


def test_the_publication_date_is_the_local_date_in_asia_shanghai(gf):
    """00:30 on 2026-09-30 in Shanghai is still 2026-09-29 in UTC; the window counts from Sep 30
    (counted from Sep 29 it would end on Oct 9)."""
    decided_cycle(gf)
    move_clock(gf, "2026-09-30T00:30:00+08:00")

    body = publish(gf)

    assert (body["published_at"], body["appeal_deadline"]) == ("2026-09-30T00:30:00+08:00",
                                                               "2026-10-10T23:59:59+08:00")


def test_a_window_reaching_into_a_year_without_official_calendar_data_is_unconfirmed(gf):
    """Published on Wed 2026-12-30: Thu Dec 31 (official), then 2027 has no data: Monday–Friday counts,
    so Fri Jan 1 and Mon Jan 4 are working days; the deadline is not confirmed."""
    approved, _ = decided_cycle(gf)
    move_clock(gf, "2026-12-30T10:00:00+08:00")

    body = publish(gf)

    assert (body["appeal_deadline"], body["deadline_confirmed"]) == ("2027-01-04T23:59:59+08:00", False)
    shown = case_of(gf, approved)
    assert (shown["appeal_deadline"], shown["deadline_confirmed"]) == ("2027-01-04T23:59:59+08:00", False)


# --- who appeals, and when ---------------------------------------------------------------------

def test_the_applicant_appeals_a_published_decision(gf):
    case_id = published_case(gf)

    body = ok(appeal(gf, case_id, "e001", reason="面试评分不公"), 201)

    assert (body["appeal"]["status"], body["appeal"]["reason"], body["appeal"]["filed_at"]) == (
        "pending", "面试评分不公", PUBLISHED_AT)
    assert body["case"]["state"] == "appealed" and body["case"]["appeal"]["id"] == body["appeal"]["id"]
    assert case_of(gf, case_id)["state"] == "appealed"


def test_only_the_applicant_appeals_others_who_see_the_case_are_forbidden(gf):
    case_id = published_case(gf)

    for caller in (BOSS, HR, "chair", "cm2", ADMIN):
        assert_problem(appeal(gf, case_id, caller), 403, "forbidden")
    assert_problem(appeal(gf, case_id, OUTSIDER), 404, "not_found")
    assert_problem(appeal(gf, case_id, "e002"), 404, "not_found")  # another applicant of the same cycle

    assert case_of(gf, case_id)["state"] == "published" and case_of(gf, case_id)["appeal"] is None


def test_one_appeal_per_case(gf):
    case_id = published_case(gf)
    ok(appeal(gf, case_id, "e001"), 201)

    assert_problem(appeal(gf, case_id, "e001", reason="再次申诉"), 409, "appeal_exists")
    ok(event(gf, case_id, "uphold", HR))
    assert_problem(appeal(gf, case_id, "e001", reason="再次申诉"), 409, "appeal_exists")


def test_appeal_exists_is_checked_before_the_window(gf):
    case_id = published_case(gf)
    ok(appeal(gf, case_id, "e001"), 201)
    ok(event(gf, case_id, "uphold", HR))
    move_clock(gf, "2026-09-10T09:00:00+08:00")  # long after the deadline (the case is final now)

    assert_problem(appeal(gf, case_id, "e001", reason="再次申诉"), 409, "appeal_exists")


def test_an_appeal_at_23_59_59_on_the_deadline_is_accepted(gf):
    case_id = published_case(gf)
    move_clock(gf, DEADLINE)
    assert "appeal" in case_of(gf, case_id, as_="e001")["available_events"]

    body = ok(appeal(gf, case_id, "e001"), 201)

    assert body["appeal"]["filed_at"] == DEADLINE
    assert body["case"]["state"] == "appealed"


def test_an_appeal_at_midnight_after_the_deadline_is_appeal_window_closed(gf):
    case_id = published_case(gf)
    move_clock(gf, "2026-09-05T00:00:00+08:00")
    assert "appeal" not in case_of(gf, case_id, as_="e001")["available_events"]

    assert_problem(appeal(gf, case_id, "e001"), 409, "appeal_window_closed")
    assert case_of(gf, case_id)["appeal"] is None


def test_an_appeal_before_publication_is_not_published(gf):
    approved, _ = decided_cycle(gf)

    assert_problem(appeal(gf, approved, "e001"), 409, "not_published")
    assert case_of(gf, approved)["state"] == "decided"


def test_an_appeal_of_a_case_still_in_the_interview_is_not_published(gf):
    organisation(gf)
    candidate(gf, "E001")
    case_id = ok(gf.post("/cases", as_="e001", json={"cycle": CYCLE, "target_grade": "mid", "statement": "申请"}),
                 201)["id"]

    assert_problem(appeal(gf, case_id, "e001"), 409, "not_published")


# --- hr resolves the appeal --------------------------------------------------------------------

def test_only_hr_resolves_an_appeal(gf):
    case_id = published_case(gf)
    ok(appeal(gf, case_id, "e001"), 201)

    for name in ("uphold", "overturn"):
        for caller in ("e001", BOSS, "chair", ADMIN):
            assert_problem(event(gf, case_id, name, caller), 403, "forbidden")
    assert case_of(gf, case_id)["state"] == "appealed"


def test_upholding_an_appeal_publishes_the_decision_again_and_it_is_finalized_after_the_deadline(gf):
    case_id = published_case(gf)
    ok(appeal(gf, case_id, "e001"), 201)

    upheld = ok(event(gf, case_id, "uphold", HR, comment="评分无误"))

    assert (upheld["state"], upheld["outcome"], upheld["appeal_deadline"]) == ("published", "approved", DEADLINE)
    assert (upheld["appeal"]["status"], upheld["appeal"]["resolution"]) == ("upheld", "评分无误")
    move_clock(gf, "2026-09-05T00:00:00+08:00")
    assert case_of(gf, case_id)["state"] == "effective"


def test_overturning_an_appeal_returns_the_case_to_deliberation_with_its_outcome_cleared(gf):
    case_id = published_case(gf)
    ok(appeal(gf, case_id, "e001"), 201)

    overturned = ok(event(gf, case_id, "overturn", HR, comment="面试记录不全"))

    assert overturned["state"] == "deliberation"
    assert (overturned["outcome"], overturned["reasons"], overturned["final_score"], overturned["rank"]) == (
        None, [], None, None)
    assert overturned["appeal"]["status"] == "overturned"
    history = ok(gf.get(f"/cases/{case_id}/history", as_=HR))
    decision = next(h for h in history if h["event"] == "decide")
    assert (decision["data"]["outcome"], decision["data"]["final_score"], decision["data"]["rank"]) == (
        "approved", "80.00", 1)
    assert [h["event"] for h in history[-3:]] == ["cycle_publish", "appeal", "overturn"]
    assert (history[-1]["from_state"], history[-1]["to_state"]) == ("appealed", "deliberation")
    board = {e["case_id"]: e for e in ok(gf.get(f"/cycles/{CYCLE}/publication", as_=OUTSIDER))["entries"]}
    assert board[case_id]["outcome"] is None
    # nothing is finalized while the case is decided again
    move_clock(gf, "2026-09-10T09:00:00+08:00")
    assert case_of(gf, case_id)["state"] == "deliberation"
    assert ok(gf.get("/managers/E001", as_=HR))["grade"] == "junior"
