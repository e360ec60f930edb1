"""The working-day calendar over the API (api.md: GET /calendar/days, PUT /calendar/days/{date}; domain.md
"Publication and appeal"): any signed-in user reads a range of at most 366 days; hr corrects a day; every
change is audited (table calendar_changes); a change that makes an open appeal deadline later extends it
(the case, its appeal_window_end timer, a `deadline_changed` history event), one that would make it earlier
leaves the announced deadline as it is."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from models import db
from models.calendar_days import CalendarChange, CalendarDay
from models.timers import Timer
from tests.support.answers import assert_problem, ok
from tests.support.cycles import AFTER_DEADLINE, DEADLINE, decided_cycle, published_cycle
from tests.support.reads import case_of
from tests.support.steps import appeal, move_clock, publish
from tests.support.world import ADMIN, CYCLE, HR

DAY_FIELDS = {"date", "working", "kind", "name", "source"}
EXTENDED = "2026-09-07T23:59:59+08:00"  # Sep 3 off: Wed 2, Fri 4, Mon 7


def days(gf, first: str, last: str, as_: str = HR):
    return gf.get(f"/calendar/days?from={first}&to={last}", as_=as_)


def set_day(gf, day: str, working: bool, name: str | None = None, as_: str = HR):
    return gf.put(f"/calendar/days/{day}", as_=as_, json={"working": working, "name": name})


def people(gf) -> None:
    gf.user(HR, "hr")
    gf.user(ADMIN, "admin")
    gf.user("chair", "committee")
    gf.manager("E001", login=True)


def history_events(gf, case_id: int, name: str) -> list[dict]:
    return [h for h in gf.history(case_id, HR) if h["event"] == name]


def changes(gf) -> list[CalendarChange]:
    with gf.app.app_context():
        rows = list(db.session.scalars(select(CalendarChange).order_by(CalendarChange.id)))
        db.session.expunge_all()
        return rows


def pending_window_timers(gf, case_id: int) -> list[datetime]:
    with gf.app.app_context():
        return [t.due_at for t in db.session.scalars(
            select(Timer).where(Timer.kind == "appeal_window_end", Timer.case_id == case_id,
                                Timer.fired_at.is_(None)))]


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)


# --- GET /calendar/days ------------------------------------------------------------------------

def test_any_signed_in_user_reads_the_calendar_with_its_fields(gf):
    people(gf)
    for caller in (HR, ADMIN, "chair", "e001"):
        body = ok(days(gf, "2026-02-13", "2026-02-16", as_=caller))
        assert body == [
            {"date": "2026-02-13", "working": True, "kind": "workday", "name": None, "source": "official"},
            {"date": "2026-02-14", "working": True, "kind": "makeup_workday", "name": "春节", "source": "official"},
            {"date": "2026-02-15", "working": False, "kind": "holiday", "name": "春节", "source": "official"},
            {"date": "2026-02-16", "working": False, "kind": "holiday", "name": "春节", "source": "official"},
        ], caller


def test_the_calendar_shows_national_day_weekends_and_the_2027_fallback(gf):
    people(gf)
    shown = {d["date"]: d for d in ok(days(gf, "2026-09-05", "2027-01-04", as_="e001"))}
    assert len(shown) == 122
    assert all(set(d) == DAY_FIELDS for d in shown.values())
    assert shown["2026-09-05"] == {"date": "2026-09-05", "working": False, "kind": "weekend", "name": None,
                                   "source": "official"}
    assert shown["2026-10-01"]["kind"] == "holiday" and shown["2026-10-01"]["name"] == "国庆节"
    assert shown["2026-10-10"] == {"date": "2026-10-10", "working": True, "kind": "makeup_workday",
                                   "name": "国庆节", "source": "official"}
    assert shown["2027-01-01"] == {"date": "2027-01-01", "working": True, "kind": "workday", "name": None,
                                   "source": "fallback"}
    assert shown["2027-01-02"]["source"] == "fallback" and shown["2027-01-02"]["kind"] == "weekend"


def test_a_single_day_range_is_one_day(gf):
    people(gf)
    assert ok(days(gf, "2026-10-10", "2026-10-10")) == [
        {"date": "2026-10-10", "working": True, "kind": "makeup_workday", "name": "国庆节", "source": "official"}]


def test_a_range_of_366_days_comes_whole(gf):
    people(gf)
    response = days(gf, "2026-01-01", "2027-01-01")
    body = ok(response)
    assert len(body) == 366
    assert (body[0]["date"], body[-1]["date"]) == ("2026-01-01", "2027-01-01")
    assert [d["date"] for d in body] == sorted(d["date"] for d in body)


def test_a_range_of_367_days_is_range_too_long_naming_to(gf):
    people(gf)
    assert_problem(days(gf, "2026-01-01", "2027-01-02"), 422, "validation_error", field="to", rule="range_too_long")


def test_to_before_from_is_refused(gf):
    people(gf)
    assert_problem(days(gf, "2026-09-02", "2026-09-01"), 422, "validation_error", field="to", rule="range_order")


@pytest.mark.parametrize("query, field", [
    ("to=2026-09-30", "from"),
    ("from=2026-09-01", "to"),
    ("from=2026-13-01&to=2026-09-30", "from"),
    ("from=2026-09-01&to=tomorrow", "to"),
])
def test_a_missing_or_malformed_bound_is_422(gf, query, field):
    people(gf)
    assert_problem(gf.get(f"/calendar/days?{query}", as_=HR), 422, "validation_error", field=field)


def test_an_unknown_query_parameter_is_422(gf):
    people(gf)
    response = gf.get("/calendar/days?from=2026-09-01&to=2026-09-02&page=1", as_=HR)
    assert_problem(response, 422, "validation_error")


def test_reading_the_calendar_without_signing_in_is_401(gf):
    people(gf)
    assert gf.get("/calendar/days?from=2026-09-01&to=2026-09-02").status_code == 401
    # 401 comes before validation
    assert gf.get("/calendar/days").status_code == 401


# --- PUT /calendar/days/{date} ------------------------------------------------------------------

def test_hr_declares_a_company_holiday_and_reads_it_back(gf):
    people(gf)

    body = ok(set_day(gf, "2026-09-08", False, "公司假日"))

    assert body == {"date": "2026-09-08", "working": False, "kind": "holiday", "name": "公司假日", "source": "company"}
    assert ok(days(gf, "2026-09-07", "2026-09-09", as_="e001")) == [
        {"date": "2026-09-07", "working": True, "kind": "workday", "name": None, "source": "official"},
        body,
        {"date": "2026-09-09", "working": True, "kind": "workday", "name": None, "source": "official"},
    ]


def test_a_working_weekend_day_set_by_hr_is_a_company_makeup_workday(gf):
    people(gf)
    assert ok(set_day(gf, "2026-09-12", True, "公司加班")) == {
        "date": "2026-09-12", "working": True, "kind": "makeup_workday", "name": "公司加班", "source": "company"}


def test_hr_may_leave_the_name_out(gf):
    people(gf)
    response = gf.put("/calendar/days/2026-09-08", as_=HR, json={"working": False})
    assert ok(response) == {"date": "2026-09-08", "working": False, "kind": "holiday", "name": None,
                            "source": "company"}


def test_hr_corrects_an_official_holiday_and_a_2027_day(gf):
    people(gf)
    assert ok(set_day(gf, "2026-10-05", True, "公司值班"))["source"] == "company"
    assert ok(set_day(gf, "2027-01-01", False, "元旦")) == {
        "date": "2027-01-01", "working": False, "kind": "holiday", "name": "元旦", "source": "company"}
    shown = ok(days(gf, "2026-10-05", "2026-10-05"))[0]
    assert (shown["working"], shown["kind"], shown["name"]) == (True, "workday", "公司值班")


def test_setting_a_day_again_replaces_the_earlier_correction(gf):
    people(gf)
    ok(set_day(gf, "2026-09-08", False, "公司假日"))
    assert ok(set_day(gf, "2026-09-08", True, None)) == {
        "date": "2026-09-08", "working": True, "kind": "workday", "name": None, "source": "company"}
    with gf.app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(CalendarDay)) == 1


@pytest.mark.parametrize("caller", [ADMIN, "chair", "e001"])
def test_only_hr_corrects_the_calendar(gf, caller):
    people(gf)
    assert_problem(set_day(gf, "2026-09-08", False, "公司假日", as_=caller), 403, "forbidden")
    assert ok(days(gf, "2026-09-08", "2026-09-08"))[0]["source"] == "official"
    assert changes(gf) == []


def test_correcting_the_calendar_without_signing_in_is_401(gf):
    people(gf)
    assert gf.put("/calendar/days/2026-09-08", json={"working": False}).status_code == 401


@pytest.mark.parametrize("body, field", [
    ({"working": False, "name": "x", "reason": "no"}, "reason"),
    ({"name": "公司假日"}, "working"),
    ({"working": "no"}, "working"),
    ({"working": None}, "working"),
    ({"working": "false"}, "working"),
    ({"working": False, "name": ""}, "name"),
    ({"working": False, "name": "长" * 101}, "name"),
])
def test_a_bad_body_is_422_naming_the_field(gf, body, field):
    people(gf)
    assert_problem(gf.put("/calendar/days/2026-09-08", as_=HR, json=body), 422, "validation_error", field=field)
    assert changes(gf) == []


@pytest.mark.parametrize("number", [0, 1])
def test_a_number_is_not_a_boolean(gf, number):
    people(gf)
    assert_problem(gf.put("/calendar/days/2026-09-08", as_=HR, json={"working": number}), 422, "validation_error",
                   field="working")


@pytest.mark.parametrize("path_day", ["2026-9-8", "20260908", "tomorrow", "2026-09-08T00:00"])
def test_a_malformed_date_in_the_path_is_404(gf, path_day):
    people(gf)
    assert gf.put(f"/calendar/days/{path_day}", as_=HR, json={"working": False}).status_code == 404


@pytest.mark.parametrize("path_day", ["2026-02-30", "2026-13-01", "2027-02-29", "2026-00-10"])
def test_an_impossible_date_in_the_path_is_404(gf, path_day):
    people(gf)
    assert gf.put(f"/calendar/days/{path_day}", as_=HR, json={"working": False}).status_code == 404
    assert changes(gf) == []


# --- the audit trail ---------------------------------------------------------------------------

def test_every_change_is_audited_with_before_after_and_actor(gf):
    people(gf)
    ok(set_day(gf, "2026-09-08", False, "公司假日"))
    ok(set_day(gf, "2026-09-08", True, None))

    first, second = changes(gf)
    assert (first.day, first.actor, second.day, second.actor) == (date(2026, 9, 8), HR, date(2026, 9, 8), HR)
    assert first.at == datetime(2026, 9, 1, 1, 0, tzinfo=timezone.utc)  # the clock's start, 09:00 in Shanghai
    assert first.before == {"date": "2026-09-08", "working": True, "kind": "workday", "name": None,
                            "source": "official"}
    assert first.after == {"date": "2026-09-08", "working": False, "kind": "holiday", "name": "公司假日",
                           "source": "company"}
    assert second.before == first.after
    assert second.after == {"date": "2026-09-08", "working": True, "kind": "workday", "name": None,
                            "source": "company"}
    assert first.deadlines == [] and second.deadlines == []


def test_a_change_that_changes_nothing_is_still_audited(gf):
    people(gf)
    ok(set_day(gf, "2026-09-08", False, "公司假日"))
    ok(set_day(gf, "2026-09-08", False, "公司假日"))
    assert len(changes(gf)) == 2


def test_a_refused_change_leaves_no_audit_entry_and_no_correction(gf):
    people(gf)
    set_day(gf, "2026-09-08", False, "公司假日", as_="e001")
    gf.put("/calendar/days/2026-09-08", as_=HR, json={"working": "maybe"})
    assert changes(gf) == []
    with gf.app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(CalendarDay)) == 0


# --- open appeal deadlines ------------------------------------------------------------------------

def test_a_company_holiday_inside_the_window_extends_the_open_deadline(gf):
    """Published Tue 2026-09-01: Wed 2, Thu 3, Fri 4 → with Thu 3 off: Wed 2, Fri 4, Mon 7."""
    approved, denied = published_cycle(gf)
    versions = {c: case_of(gf, c)["version"] for c in (approved, denied)}
    assert pending_window_timers(gf, approved) == [local("2026-09-05T00:00:00+08:00")]

    ok(set_day(gf, "2026-09-03", False, "公司假日"))

    for case_id in (approved, denied):
        shown = case_of(gf, case_id)
        assert (shown["state"], shown["appeal_deadline"], shown["deadline_confirmed"]) == (
            "published", EXTENDED, True)
        assert shown["version"] > versions[case_id]
        assert pending_window_timers(gf, case_id) == [local("2026-09-08T00:00:00+08:00")]
        [changed] = history_events(gf, case_id, "deadline_changed")
        assert (changed["actor"], changed["from_state"], changed["to_state"]) == (HR, "published", "published")
        assert changed["data"]["from"] == DEADLINE and changed["data"]["to"] == EXTENDED
        assert changed["data"]["deadline_confirmed"] is True
    [audit] = changes(gf)
    assert sorted(audit.deadlines, key=lambda d: d["case_id"]) == [
        {"case_id": approved, "from": DEADLINE, "to": EXTENDED, "deadline_confirmed": True},
        {"case_id": denied, "from": DEADLINE, "to": EXTENDED, "deadline_confirmed": True}]


def test_the_publication_board_entries_show_the_extended_deadline(gf):
    approved, denied = published_cycle(gf)
    ok(set_day(gf, "2026-09-03", False, "公司假日"))
    board = ok(gf.get(f"/cycles/{CYCLE}/publication", as_="e001"))
    assert {e["case_id"]: e["appeal_deadline"] for e in board["entries"]} == {approved: EXTENDED, denied: EXTENDED}


def test_the_publication_board_headline_shows_the_extended_deadline(gf):
    published_cycle(gf)
    ok(set_day(gf, "2026-09-03", False, "公司假日"))
    board = ok(gf.get(f"/cycles/{CYCLE}/publication", as_="e001"))
    assert (board["appeal_deadline"], board["deadline_confirmed"]) == (EXTENDED, True)


def test_the_publication_board_headline_shows_the_deadline_confirmed_by_2027_days(gf):
    decided_cycle(gf)
    move_clock(gf, "2026-12-30T10:00:00+08:00")
    publish(gf)
    for day, working in (("2027-01-01", True), ("2027-01-02", False), ("2027-01-03", False), ("2027-01-04", True)):
        ok(set_day(gf, day, working, None))
    board = ok(gf.get(f"/cycles/{CYCLE}/publication", as_=HR))
    assert all(e["appeal_deadline"] == "2027-01-04T23:59:59+08:00" for e in board["entries"])
    assert (board["appeal_deadline"], board["deadline_confirmed"]) == ("2027-01-04T23:59:59+08:00", True)


def test_a_change_outside_every_window_moves_no_deadline(gf):
    approved, _ = published_cycle(gf)
    version = case_of(gf, approved)["version"]

    ok(set_day(gf, "2026-09-10", False, "公司假日"))

    shown = case_of(gf, approved)
    assert (shown["appeal_deadline"], shown["version"]) == (DEADLINE, version)
    assert history_events(gf, approved, "deadline_changed") == []
    assert changes(gf)[0].deadlines == []
    assert pending_window_timers(gf, approved) == [local("2026-09-05T00:00:00+08:00")]


def test_a_change_that_would_shorten_the_window_leaves_the_announced_deadline(gf):
    """Published Fri 2026-09-04: Mon 7, Tue 8, Wed 9. A working Saturday Sep 5 would make it Tue 8."""
    approved, _ = decided_cycle(gf)
    move_clock(gf, "2026-09-04T10:00:00+08:00")
    assert publish(gf)["appeal_deadline"] == "2026-09-09T23:59:59+08:00"
    version = case_of(gf, approved)["version"]

    ok(set_day(gf, "2026-09-05", True, "公司加班"))

    shown = case_of(gf, approved)
    assert (shown["appeal_deadline"], shown["deadline_confirmed"], shown["version"]) == (
        "2026-09-09T23:59:59+08:00", True, version)
    assert history_events(gf, approved, "deadline_changed") == []
    assert pending_window_timers(gf, approved) == [local("2026-09-10T00:00:00+08:00")]
    assert changes(gf)[0].deadlines == []


def test_undoing_a_company_holiday_never_shortens_the_extended_deadline(gf):
    approved, _ = published_cycle(gf)
    ok(set_day(gf, "2026-09-03", False, "公司假日"))
    version = case_of(gf, approved)["version"]

    ok(set_day(gf, "2026-09-03", True, None))

    shown = case_of(gf, approved)
    assert (shown["appeal_deadline"], shown["version"]) == (EXTENDED, version)
    assert len(history_events(gf, approved, "deadline_changed")) == 1
    assert pending_window_timers(gf, approved) == [local("2026-09-08T00:00:00+08:00")]


def test_an_appeal_is_still_accepted_in_the_extended_window(gf):
    approved, _ = published_cycle(gf)
    ok(set_day(gf, "2026-09-03", False, "公司假日"))
    move_clock(gf, "2026-09-07T23:00:00+08:00")
    assert case_of(gf, approved)["state"] == "published"
    body = ok(appeal(gf, approved, "e001"), 201)
    assert body["case"]["state"] == "appealed"


def test_a_company_holiday_in_the_window_postpones_finalization(gf):
    approved, denied = published_cycle(gf)
    ok(set_day(gf, "2026-09-03", False, "公司假日"))

    move_clock(gf, AFTER_DEADLINE)  # the old deadline has passed

    assert {case_of(gf, c)["state"] for c in (approved, denied)} == {"published"}
    assert ok(gf.get("/managers/E001", as_=HR))["grade"] == "junior"

    move_clock(gf, "2026-09-07T23:59:59+08:00")
    assert case_of(gf, approved)["state"] == "published"

    move_clock(gf, "2026-09-08T00:00:00+08:00")
    shown = case_of(gf, approved)
    assert (shown["state"], shown["effective_on"]) == ("effective", "2026-09-08")
    assert case_of(gf, denied)["state"] == "closed"
    assert ok(gf.get("/managers/E001", as_=HR))["grade_since"] == "2026-09-08"


def test_a_deadline_already_passed_is_not_moved(gf):
    """E001 appealed; the deadline passed while the appeal is pending; a later change is not for this case."""
    approved, _ = published_cycle(gf)
    ok(appeal(gf, approved, "e001"), 201)
    move_clock(gf, "2026-09-10T09:00:00+08:00")
    version = case_of(gf, approved)["version"]

    ok(set_day(gf, "2026-09-03", False, "公司假日"))

    shown = case_of(gf, approved)
    assert (shown["state"], shown["appeal_deadline"], shown["version"]) == ("appealed", DEADLINE, version)
    assert history_events(gf, approved, "deadline_changed") == []


def test_declaring_the_2027_days_of_the_window_confirms_the_deadline(gf):
    """Published Wed 2026-12-30: Thu Dec 31 (official), Fri Jan 1 and Mon Jan 4 (fallback) → unconfirmed.
    HR declares 2027's first days: Jan 1–3 off, Jan 4 and 5 working → Dec 31, Jan 4, Jan 5, all known."""
    approved, _ = decided_cycle(gf)
    move_clock(gf, "2026-12-30T10:00:00+08:00")
    assert (publish(gf)["appeal_deadline"], case_of(gf, approved)["deadline_confirmed"]) == (
        "2027-01-04T23:59:59+08:00", False)

    ok(set_day(gf, "2027-01-01", False, "元旦"))
    shown = case_of(gf, approved)
    assert (shown["appeal_deadline"], shown["deadline_confirmed"]) == ("2027-01-05T23:59:59+08:00", False)

    for day, working in (("2027-01-02", False), ("2027-01-03", False), ("2027-01-04", True)):
        ok(set_day(gf, day, working, "元旦" if not working else None))
    shown = case_of(gf, approved)
    assert (shown["appeal_deadline"], shown["deadline_confirmed"]) == ("2027-01-05T23:59:59+08:00", False)
    version = shown["version"]

    ok(set_day(gf, "2027-01-05", True, None))  # the last counted day was still a fallback day

    shown = case_of(gf, approved)
    assert (shown["appeal_deadline"], shown["deadline_confirmed"]) == ("2027-01-05T23:59:59+08:00", True)
    assert shown["version"] > version
    last = history_events(gf, approved, "deadline_changed")[-1]
    assert last["data"]["deadline_confirmed"] is True and last["data"]["to"] == "2027-01-05T23:59:59+08:00"
    assert pending_window_timers(gf, approved) == [local("2027-01-06T00:00:00+08:00")]


def test_declaring_2027_days_that_keep_the_deadline_confirms_it_without_moving_it(gf):
    """Published Wed 2026-12-30: HR declares Jan 1 and Jan 4 working days as in the fallback; the deadline
    stays Jan 4 and becomes confirmed."""
    approved, _ = decided_cycle(gf)
    move_clock(gf, "2026-12-30T10:00:00+08:00")
    publish(gf)

    ok(set_day(gf, "2027-01-01", True, None))
    assert case_of(gf, approved)["deadline_confirmed"] is False
    ok(set_day(gf, "2027-01-02", False, None))
    ok(set_day(gf, "2027-01-03", False, None))
    ok(set_day(gf, "2027-01-04", True, None))

    shown = case_of(gf, approved)
    assert (shown["appeal_deadline"], shown["deadline_confirmed"]) == ("2027-01-04T23:59:59+08:00", True)
    [changed] = history_events(gf, approved, "deadline_changed")
    assert changed["data"] == {"from": "2027-01-04T23:59:59+08:00", "to": "2027-01-04T23:59:59+08:00",
                               "deadline_confirmed": True}


def test_a_kept_deadline_is_confirmed_once_every_day_up_to_it_is_company_set(gf):
    """Published Wed 2026-12-30: deadline Mon 2027-01-04 by the fallback. HR makes Sat Jan 2 a working day
    (the window would now end on Jan 2: kept at Jan 4) and declares Jan 1, 3 and 4 too: every day up to the
    announced deadline is known, so it is confirmed."""
    approved, _ = decided_cycle(gf)
    move_clock(gf, "2026-12-30T10:00:00+08:00")
    publish(gf)

    for day, working in (("2027-01-01", True), ("2027-01-02", True), ("2027-01-03", False), ("2027-01-04", True)):
        ok(set_day(gf, day, working, None))

    shown = case_of(gf, approved)
    assert (shown["appeal_deadline"], shown["deadline_confirmed"]) == ("2027-01-04T23:59:59+08:00", True)


def test_an_appealed_case_inside_its_window_gets_the_extension_too(gf):
    approved, _ = published_cycle(gf)
    ok(appeal(gf, approved, "e001"), 201)

    ok(set_day(gf, "2026-09-03", False, "公司假日"))

    shown = case_of(gf, approved)
    assert (shown["state"], shown["appeal_deadline"]) == ("appealed", EXTENDED)
    assert len(history_events(gf, approved, "deadline_changed")) == 1


@pytest.mark.parametrize("first, last", [("1999-01-01", "1999-01-03"), ("9999-12-29", "9999-12-31")])
def test_years_far_outside_the_official_data_fall_back(gf, first, last):
    people(gf)
    body = ok(days(gf, first, last))
    assert len(body) == 3 and {d["source"] for d in body} == {"fallback"}
