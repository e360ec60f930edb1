"""Reminders (domain.md "Period-end triggers"): a case waiting on the same person for more than 3
working days is flagged overdue (on the case, and in GET /cases?overdue=true) and its waiting party
gets one reminder a working day, written to the outbox; never on a weekend or a holiday. A move to
another state ends the wait: the flag clears, pending reminders are cancelled, a new wait begins."""
from __future__ import annotations

from collections import Counter
from datetime import datetime

import sqlalchemy as sa

from models import OutboxMessage, Timer, db
from tests.support.answers import ok
from tests.support.reads import case_of
from tests.support.settings import CLOCK_START, SHANGHAI
from tests.support.steps import appeal, apply, event, hr_case, interview, move_clock
from tests.support.world import BOSS, HR, candidate, organisation
from workflow.calendar import WorkingCalendar
from workflow.waiting import first_reminder

SYSTEM = "(gradeflow)"
SUBMITTED_AT = "2026-09-01T09:00:00+08:00"  # CLOCK_START, a Tuesday
OVERDUE_AT = "2026-09-07T09:00:00+08:00"  # Wed 2, Thu 3, Fri 4 are the 3 working days; then Monday 09:00


def messages(app, case_id: int | None = None) -> list[OutboxMessage]:
    with app.app_context():
        stmt = sa.select(OutboxMessage).order_by(OutboxMessage.id)
        if case_id is not None:
            stmt = stmt.where(OutboxMessage.case_id == case_id)
        rows = list(db.session.scalars(stmt))
        db.session.remove()
        return rows


def recipients(app, case_id: int) -> list[str]:
    return sorted(m.recipient for m in messages(app, case_id))


def per_day(app, case_id: int) -> dict[str, int]:
    """Outbox rows of the case per local day they were written."""
    return dict(Counter(m.created_at.astimezone(SHANGHAI).date().isoformat() for m in messages(app, case_id)))


def reminder_timers(app, case_id: int) -> list[Timer]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(Timer).where(Timer.kind == "reminder", Timer.case_id == case_id)
                                       .order_by(Timer.id)))
        db.session.remove()
        return rows


def overdue_ids(gf, as_: str = HR, overdue: str = "true") -> list[int]:
    return [c["id"] for c in ok(gf.get(f"/cases?overdue={overdue}&per_page=500", as_=as_))]


def submitted_promotion(gf, no: str = "E001") -> int:
    candidate(gf, no)
    return apply(gf, no)


def test_the_first_reminder_is_due_on_the_first_working_day_after_three_full_working_days(app):
    policy = app.extensions["gradeflow"]["rules"].policy
    assert first_reminder(policy, WorkingCalendar(), CLOCK_START) == datetime(2026, 9, 7, 9, 0, tzinfo=SHANGHAI)
    # across National Day: Sep 30 (Wed) → Oct 8, 9, 10 (the make-up Saturday) → Mon Oct 12
    assert first_reminder(policy, WorkingCalendar(), datetime(2026, 9, 30, 17, 0, tzinfo=SHANGHAI)) == \
        datetime(2026, 10, 12, 9, 0, tzinfo=SHANGHAI)


def test_a_case_waiting_more_than_three_working_days_is_overdue(gf):
    organisation(gf)
    case_id = submitted_promotion(gf)
    shown = case_of(gf, case_id)
    assert (shown["waiting_since"], shown["overdue"], shown["overdue_since"]) == (SUBMITTED_AT, False, None)

    move_clock(gf, "2026-09-04T23:59:59+08:00")  # Friday
    assert case_of(gf, case_id)["overdue"] is False
    move_clock(gf, "2026-09-07T08:59:59+08:00")
    assert case_of(gf, case_id)["overdue"] is False and overdue_ids(gf) == []
    move_clock(gf, OVERDUE_AT)

    shown = case_of(gf, case_id)
    assert (shown["waiting_since"], shown["overdue"], shown["overdue_since"]) == (SUBMITTED_AT, True, OVERDUE_AT)
    assert overdue_ids(gf) == [case_id]
    assert case_id not in overdue_ids(gf, overdue="false")
    assert recipients(gf.app, case_id) == [BOSS]


def test_the_overdue_list_holds_only_overdue_cases(gf):
    organisation(gf)
    late = submitted_promotion(gf, "E001")
    move_clock(gf, "2026-09-03T09:00:00+08:00")
    fresh = submitted_promotion(gf, "E002")  # submitted two days later: overdue from Wed 09-09

    move_clock(gf, "2026-09-08T09:00:00+08:00")

    assert overdue_ids(gf) == [late]
    assert overdue_ids(gf, overdue="false") == [fresh]
    assert case_of(gf, fresh)["overdue"] is False


def test_reminders_are_written_once_a_working_day_never_on_weekends_or_holidays(gf):
    organisation(gf)
    case_id = submitted_promotion(gf)

    for instant in ("2026-09-07T09:00", "2026-09-07T15:00", "2026-09-08T09:00",
                    "2026-09-12T10:00",  # a Saturday: the reminder due on Wednesday is put off to Monday
                    "2026-09-28T09:00", "2026-09-29T09:00", "2026-09-30T09:00",
                    *(f"2026-10-{d:02d}T09:00" for d in range(1, 13))):  # National Day Oct 1–7, make-up Sat Oct 10
        move_clock(gf, f"{instant}:00+08:00")

    assert per_day(gf.app, case_id) == {
        "2026-09-07": 1, "2026-09-08": 1, "2026-09-28": 1, "2026-09-29": 1, "2026-09-30": 1,
        "2026-10-08": 1, "2026-10-09": 1, "2026-10-10": 1, "2026-10-12": 1}
    assert set(recipients(gf.app, case_id)) == {BOSS}
    assert all(str(case_id) in m.subject and m.sent_at is None and m.kind == "reminder"
               for m in messages(gf.app, case_id))
    pending = [t for t in reminder_timers(gf.app, case_id) if t.fired_at is None]
    assert [t.due_at.astimezone(SHANGHAI) for t in pending] == [datetime(2026, 10, 13, 9, 0, tzinfo=SHANGHAI)]


def test_the_overdue_history_entry_is_written_once(gf):
    organisation(gf)
    case_id = submitted_promotion(gf)

    for day in ("07", "08", "09", "10"):
        move_clock(gf, f"2026-09-{day}T09:00:00+08:00")

    history = ok(gf.get(f"/cases/{case_id}/history", as_=HR))
    overdue = [h for h in history if h["event"] == "overdue"]
    assert len(overdue) == 1
    assert (overdue[0]["actor"], overdue[0]["from_state"], overdue[0]["to_state"], overdue[0]["at"]) == (
        SYSTEM, "submitted", "submitted", OVERDUE_AT)
    assert len(messages(gf.app, case_id)) == 4
    assert case_of(gf, case_id)["overdue_since"] == OVERDUE_AT


def test_reminders_go_to_whoever_the_case_waits_on_in_each_state(gf):
    organisation(gf)
    gf.user("hr2", "hr")
    submitted = submitted_promotion(gf, "E001")
    returned = submitted_promotion(gf, "E002")
    in_interview = submitted_promotion(gf, "E003")
    deliberating = submitted_promotion(gf, "E004")
    candidate(gf, "E005")
    exceptional = apply(gf, "E005", "senior", exceptional=True)
    for no in ("D001", "D002", "D003"):
        candidate(gf, no, "mid")
    demotion, decided, appealed = (hr_case(gf, "demotion", no)["id"] for no in ("D001", "D002", "D003"))
    # every move an hour after the one before (the manual clock stands still in between)
    move_clock(gf, "2026-09-01T10:00:00+08:00")
    ok(event(gf, returned, "return_materials", BOSS, comment="请补充材料"))
    for case_id in (in_interview, deliberating):
        ok(event(gf, case_id, "approve_materials", BOSS, supervisor_score=80))
    assert ok(event(gf, exceptional, "approve_materials", BOSS, supervisor_score=90))["state"] == "hr_review"
    for case_id in (decided, appealed):
        ok(event(gf, case_id, "approve", HR))
    move_clock(gf, "2026-09-01T11:00:00+08:00")
    ok(gf.put(f"/cases/{in_interview}/score", as_="chair", json={"score": 80}))
    interview(gf, deliberating, 80)
    ok(event(gf, appealed, "publish", HR))
    move_clock(gf, "2026-09-01T12:00:00+08:00")
    ok(appeal(gf, appealed, "d003"), 201)
    states = {case_id: case_of(gf, case_id)["state"] for case_id in
              (submitted, returned, in_interview, deliberating, exceptional, demotion, decided, appealed)}
    assert list(states.values()) == ["submitted", "returned", "interview", "deliberation", "hr_review",
                                     "deliberation", "decided", "appealed"]

    move_clock(gf, OVERDUE_AT)

    assert recipients(gf.app, submitted) == [BOSS]  # the direct supervisor
    assert recipients(gf.app, returned) == ["e002"]  # the applicant
    assert recipients(gf.app, in_interview) == ["cm2", "cm3"]  # the members who have not scored
    assert recipients(gf.app, deliberating) == ["chair"]  # in a cycle: its chair
    for waiting_on_hr in (exceptional, demotion, decided, appealed):
        assert recipients(gf.app, waiting_on_hr) == [HR, "hr2"], states[waiting_on_hr]
    assert sorted(overdue_ids(gf)) == sorted(states)


def test_a_case_moved_at_the_instant_it_was_submitted_still_gets_reminders(gf):
    organisation(gf)
    case_id = submitted_promotion(gf, "E001")
    ok(event(gf, case_id, "return_materials", BOSS, comment="请补充材料"))  # the same instant (09-01 09:00):
    # the manual clock stands still, so both waits begin at once; each still has reminders of its own

    again = submitted_promotion(gf, "E002")
    ok(event(gf, again, "return_materials", BOSS, comment="请补充材料"))
    ok(event(gf, again, "resubmit", "e002"))  # back in the state it began in, at that same instant

    move_clock(gf, OVERDUE_AT)

    assert case_of(gf, case_id)["overdue"] is True
    assert recipients(gf.app, case_id) == ["e001"]
    assert case_of(gf, again)["overdue"] is True
    assert recipients(gf.app, again) == [BOSS]


def test_a_published_case_waits_on_nobody(gf):
    organisation(gf)
    candidate(gf, "D001", "mid")
    case_id = hr_case(gf, "demotion", "D001")["id"]
    ok(event(gf, case_id, "approve", HR))
    ok(event(gf, case_id, "publish", HR))

    move_clock(gf, "2026-09-04T23:59:59+08:00")  # still published, on the deadline

    assert case_of(gf, case_id)["overdue"] is False
    assert [t for t in reminder_timers(gf.app, case_id) if t.fired_at is None] == []


def test_a_move_to_another_state_clears_the_overdue_flag_and_starts_a_new_wait(gf):
    organisation(gf)
    case_id = submitted_promotion(gf)
    move_clock(gf, OVERDUE_AT)
    assert case_of(gf, case_id)["overdue"] is True
    [old] = [t for t in reminder_timers(gf.app, case_id) if t.fired_at is None]

    moved_at = "2026-09-07T10:00:00+08:00"
    move_clock(gf, moved_at)
    shown = ok(event(gf, case_id, "approve_materials", BOSS, supervisor_score=80))

    assert (shown["state"], shown["overdue"], shown["overdue_since"], shown["waiting_since"]) == (
        "interview", False, None, moved_at)
    assert overdue_ids(gf) == []
    timers = {t.id: t for t in reminder_timers(gf.app, case_id)}
    assert timers[old.id].fired_at is not None and timers[old.id].run_id is None
    assert timers[old.id].result.startswith("cancelled")
    [new] = [t for t in timers.values() if t.fired_at is None]
    assert new.due_at == datetime(2026, 9, 11, 9, 0, tzinfo=SHANGHAI)  # Tue 8, Wed 9, Thu 10; then Friday

    move_clock(gf, "2026-09-10T09:00:00+08:00")
    assert recipients(gf.app, case_id) == [BOSS]  # no reminder for the old wait
    assert case_of(gf, case_id)["overdue"] is False
    move_clock(gf, "2026-09-11T09:00:00+08:00")
    assert case_of(gf, case_id)["overdue_since"] == "2026-09-11T09:00:00+08:00"
    assert recipients(gf.app, case_id) == ["chair", "cm2", "cm3", BOSS]
    assert [h["event"] for h in ok(gf.get(f"/cases/{case_id}/history", as_=HR))].count("overdue") == 2


def test_a_wait_that_began_before_national_day_is_overdue_after_it(gf):
    organisation(gf)
    move_clock(gf, "2026-09-30T17:00:00+08:00")
    case_id = submitted_promotion(gf)

    move_clock(gf, "2026-10-11T23:00:00+08:00")  # Oct 8, 9 and the make-up Saturday counted; Sunday rests
    assert case_of(gf, case_id)["overdue"] is False and messages(gf.app, case_id) == []
    move_clock(gf, "2026-10-12T09:00:00+08:00")

    assert case_of(gf, case_id)["overdue_since"] == "2026-10-12T09:00:00+08:00"
    assert per_day(gf.app, case_id) == {"2026-10-12": 1}



def test_the_interview_reminds_only_the_members_who_still_have_to_score(gf):
    organisation(gf)
    case_id = submitted_promotion(gf)
    move_clock(gf, "2026-09-01T10:00:00+08:00")
    ok(event(gf, case_id, "approve_materials", BOSS, supervisor_score=80))  # interview from 09-01 10:00
    move_clock(gf, OVERDUE_AT)
    assert recipients(gf.app, case_id) == ["chair", "cm2", "cm3"]

    ok(gf.put(f"/cases/{case_id}/score", as_="cm2", json={"score": 75}))
    move_clock(gf, "2026-09-08T09:00:00+08:00")

    assert per_day(gf.app, case_id) == {"2026-09-07": 3, "2026-09-08": 2}
    assert sorted(m.recipient for m in messages(gf.app, case_id)[3:]) == ["chair", "cm3"]
    assert case_of(gf, case_id)["overdue_since"] == OVERDUE_AT  # scoring is no move: the same wait


def test_a_case_whose_supervisor_has_no_account_reminds_hr(gf):
    organisation(gf)
    gf.user("hr2", "hr")
    gf.manager("S800", "senior", org_unit="总行")  # no login
    gf.manager("E009", supervisor="S800", login=True)
    gf.performance("E009", "2025", "80")
    case_id = apply(gf, "E009")

    move_clock(gf, OVERDUE_AT)

    assert recipients(gf.app, case_id) == [HR, "hr2"]


def test_a_company_holiday_set_during_the_wait_puts_the_first_reminder_off(gf):
    organisation(gf)
    case_id = submitted_promotion(gf)
    ok(gf.put("/calendar/days/2026-09-03", as_=HR, json={"working": False, "name": "公司活动日"}))

    move_clock(gf, OVERDUE_AT)  # Wed 2, Fri 4, Mon 7 are now the 3 working days
    assert case_of(gf, case_id)["overdue"] is False and messages(gf.app, case_id) == []
    move_clock(gf, "2026-09-08T09:00:00+08:00")

    assert case_of(gf, case_id)["overdue_since"] == "2026-09-08T09:00:00+08:00"
    assert per_day(gf.app, case_id) == {"2026-09-08": 1}


def test_reminders_follow_make_up_workdays_and_skip_mid_autumn(gf):
    organisation(gf)
    move_clock(gf, "2026-09-14T09:00:00+08:00")  # Monday: Tue 15, Wed 16, Thu 17 → overdue Fri 18 09:00
    case_id = submitted_promotion(gf)

    for day in ("17", "18", "19", "20", "21", "24", "25", "26", "28"):
        move_clock(gf, f"2026-09-{day}T09:30:00+08:00")

    # Sat 19 rests, Sun 20 is a make-up workday, Fri 25 is Mid-Autumn; the reminder due Tue 22 is sent late on Thu 24
    assert per_day(gf.app, case_id) == {"2026-09-18": 1, "2026-09-20": 1, "2026-09-21": 1, "2026-09-24": 1,
                                        "2026-09-28": 1}
    assert case_of(gf, case_id)["overdue_since"] == "2026-09-18T09:00:00+08:00"
