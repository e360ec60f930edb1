"""Notices (issue 15, point 1; workflow/services/notices.py): every event a person must act on or must know of becomes
one outbox message, read from the audit chain after the fact, in the recipient's language: a case waiting on them, a
deadline approaching, a decision published, an appeal filed or resolved, a grade changed. Written once per dedupe key,
also by two writers at once."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from models import OutboxMessage, db
from tests.support.answers import assert_problem, ok
from tests.support.driver import Driver
from tests.support.outbox import messages, notify
from tests.support.steps import appeal, apply, decide, event, in_deliberation, interview, move_clock, publish, review
from tests.support.world import BOSS, COMMITTEE, HR, candidate, organisation
from workflow.services.notices import HORIZON

SHANGHAI = "+08:00"


@pytest.fixture
def gf(app) -> Driver:
    driver = Driver(app)
    organisation(driver)
    candidate(driver, "E001")
    return driver


def to_whom(gf, kind: str) -> list[str]:
    return [m.recipient for m in messages(gf, kind)]


def test_a_case_waiting_on_its_supervisor_is_announced_to_them_once_in_chinese(gf):
    case_id = apply(gf, "E001")

    assert notify(gf) == 1 and notify(gf) == 0
    [message] = messages(gf)
    assert (message.kind, message.recipient, message.case_id, message.timer_id) == (
        "case_waiting", BOSS, case_id, None)
    assert message.subject == f"【待办】晋级案件 {case_id}（经理E001）待您处理"
    assert "已于 2026-09-01 09:00 进入“已提交”" in message.body
    assert message.dedupe_key == f"case_waiting:{case_id}:h{_history_ids(gf, case_id)[0]}:{BOSS}"


def test_messages_are_in_the_language_of_the_recipient_s_account(gf):
    ok(gf.patch(f"/users/{BOSS}", as_=HR, json={"language": "en"}))
    case_id = apply(gf, "E001")
    notify(gf)
    [message] = messages(gf)
    assert message.subject == f"To do: promotion case {case_id} (经理E001) is waiting for you"
    assert "has been submitted since 2026-09-01 09:00 and is waiting for you" in message.body


def test_a_wait_that_moved_on_before_the_notices_were_written_is_not_announced(gf):
    case_id = apply(gf, "E001")
    ok(event(gf, case_id, "withdraw", "e001"))
    notify(gf)
    assert messages(gf) == []


def test_the_deadline_approaching_is_announced_a_working_day_before_the_case_is_overdue(gf):
    case_id = apply(gf, "E001")  # Tuesday 2026-09-01 09:00: overdue after three working days, on Monday 09:00
    notify(gf)
    move_clock(gf, f"2026-09-04T08:59:00{SHANGHAI}")
    notify(gf)
    assert to_whom(gf, "deadline_approaching") == []
    move_clock(gf, f"2026-09-04T09:00:00{SHANGHAI}")
    notify(gf)
    notify(gf, timedelta(hours=3))
    [message] = messages(gf, "deadline_approaching")
    assert (message.recipient, message.case_id) == (BOSS, case_id)
    assert "将于 2026-09-07 09:00 逾期" in message.body
    move_clock(gf, f"2026-09-07T09:30:00{SHANGHAI}")  # overdue: the reminders take over
    notify(gf)
    assert len(messages(gf, "deadline_approaching")) == 1 and to_whom(gf, "reminder") == [BOSS]


def test_publication_appeal_resolution_and_the_grade_change_are_announced_to_those_concerned(gf):
    case_id = apply(gf, "E001")
    notify(gf)
    review(gf, case_id, 80)
    notify(gf)
    interview(gf, case_id, 80)
    notify(gf)  # the supervisor's review, the committee's interview, the chair's deliberation
    assert to_whom(gf, "case_waiting") == [BOSS, *COMMITTEE, COMMITTEE[0]]
    decide(gf)
    publish(gf)
    notify(gf)
    [published] = messages(gf, "decision_published")
    assert published.recipient == "e001" and "评审结果为“通过”" in published.body
    assert "如有异议，可在 2026-09-04 23:59 前提出申诉" in published.body

    ok(appeal(gf, case_id, "e001", reason="面试评分有误"), 201)
    notify(gf)
    assert to_whom(gf, "appeal_filed") == [HR] and "申诉理由：面试评分有误" in messages(gf, "appeal_filed")[0].body
    ok(event(gf, case_id, "uphold", HR, comment="评分无误"))
    notify(gf)
    [resolved] = messages(gf, "appeal_resolved")
    assert resolved.recipient == "e001" and "维持原评审结果" in resolved.subject and "评分无误" in resolved.body

    move_clock(gf, f"2026-09-05T00:00:00{SHANGHAI}")  # the window has closed: the promotion takes effect
    notify(gf)
    assert sorted(to_whom(gf, "grade_changed")) == sorted(["e001", BOSS])
    assert "的等级自 2026-09-05 起由“初级客户经理”调整为“中级客户经理”" in messages(gf, "grade_changed")[0].body
    total = len(messages(gf))
    assert notify(gf) == 0 and len(messages(gf)) == total


def test_the_appeal_window_closing_is_announced_to_the_applicant_the_day_before(gf):
    case_id = in_deliberation(gf, "E001", supervisor=80, scores=80)
    decide(gf)
    publish(gf)  # the window closes on 2026-09-04 23:59:59
    move_clock(gf, f"2026-09-03T23:59:00{SHANGHAI}")
    notify(gf)
    assert to_whom(gf, "appeal_deadline") == []
    move_clock(gf, f"2026-09-04T00:00:00{SHANGHAI}")
    notify(gf)
    [closing] = messages(gf, "appeal_deadline")
    assert (closing.recipient, closing.case_id) == ("e001", case_id) and "2026-09-04 23:59 截止" in closing.body


def test_the_appeal_window_closing_is_not_announced_to_an_applicant_whose_appeal_was_answered(gf):
    case_id = in_deliberation(gf, "E001", supervisor=80, scores=80)
    decide(gf)
    publish(gf)  # the window closes on 2026-09-04 23:59:59
    ok(appeal(gf, case_id, "e001", reason="面试评分有误"), 201)
    ok(event(gf, case_id, "uphold", HR, comment="评分无误"))  # back in publication: one appeal per case
    move_clock(gf, f"2026-09-04T00:00:00{SHANGHAI}")
    notify(gf)
    assert to_whom(gf, "appeal_deadline") == []


def test_an_entry_older_than_the_horizon_is_not_announced(gf):
    apply(gf, "E001")
    assert notify(gf, HORIZON + timedelta(seconds=1)) == 0 and messages(gf, "case_waiting") == []
    assert notify(gf) == 0  # the cursor moved past it


def test_two_writers_at_once_write_each_notice_once(gf):
    for no in ("E002", "E003", "E004"):
        candidate(gf, no)
        apply(gf, no)
    apply(gf, "E001")
    barrier, counts, errors = threading.Barrier(2), [], []

    def writer():
        try:
            barrier.wait()
            counts.append(notify(gf))
        except Exception as failed:  # noqa: BLE001 (reported below)
            errors.append(failed)

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and sorted(counts) == [0, 4]
    assert len({m.dedupe_key for m in messages(gf)}) == len(messages(gf)) == 4


@pytest.mark.parametrize("field, value, rule", [
    ("email", "not-an-address", "email_format"),
    ("mobile", "12345", "mobile_format"),
    ("language", "fr", "known_language"),
])
def test_a_user_s_contact_details_are_checked_naming_the_field_and_the_rule(gf, field, value, rule):
    assert_problem(gf.patch(f"/users/{BOSS}", as_=HR, json={field: value}), 422, "validation_error",
                   field=field, rule=rule)
    body = {"username": "new1", "password": "long-enough-1", "roles": ["committee"], field: value}
    assert_problem(gf.post("/users", as_=HR, json=body), 422, "validation_error", field=field, rule=rule)


def test_hr_sets_and_clears_a_user_s_contact_details(gf):
    shown = ok(gf.patch(f"/users/{BOSS}", as_=HR, json={"email": "s900@bank.example", "mobile": "+8613800138000"}))
    assert (shown["email"], shown["mobile"], shown["language"]) == ("s900@bank.example", "+8613800138000", None)
    shown = ok(gf.patch(f"/users/{BOSS}", as_=HR, json={"email": None}))
    assert (shown["email"], shown["mobile"]) == (None, "+8613800138000")


def _history_ids(gf, case_id: int) -> list[int]:
    with gf.app.app_context():
        from models import CaseHistory
        ids = db.session.scalars(sa.select(CaseHistory.id).where(CaseHistory.case_id == case_id)
                                 .order_by(CaseHistory.seq)).all()
        db.session.remove()
        return ids


def test_dedupe_keys_are_unique_in_the_database(gf):
    case_id = apply(gf, "E001")
    notify(gf)
    with gf.app.app_context():
        [message] = db.session.scalars(sa.select(OutboxMessage)).all()
        db.session.add(OutboxMessage(kind="case_waiting", recipient=BOSS, case_id=case_id,
                                     dedupe_key=message.dedupe_key, subject="x", body="x",
                                     created_at=datetime.now().astimezone()))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()
        db.session.remove()


def test_a_case_waiting_on_an_absent_supervisor_is_announced_to_their_substitute_too(gf):
    from datetime import date
    gf.manager("S901", "senior", org_unit="总行", login=True, roles=("supervisor", "employee"),
               grade_since=date(2020, 1, 1))
    ok(gf.post("/delegations", as_=BOSS, json={"substitute": "s901", "scope": "supervisor",
                                               "starts_on": "2026-09-01", "ends_on": "2026-09-30"}), 201)
    case_id = apply(gf, "E001")
    notify(gf)
    assert sorted(to_whom(gf, "case_waiting")) == [BOSS, "s901"]
    assert all(m.case_id == case_id for m in messages(gf))


def test_on_the_system_clock_a_wait_is_announced_although_every_reading_of_the_clock_differs(build):
    """The case's state_since is its history entry's moment, not a later reading of the clock: on the system clock
    (as `gradeflow serve` runs) the notices still know the wait the entry began."""
    gf = Driver(build(GRADEFLOW_CLOCK="system"))
    organisation(gf)
    candidate(gf, "E001")
    case_id = apply(gf, "E001")
    notify(gf)
    assert [(m.recipient, m.case_id) for m in messages(gf, "case_waiting")] == [(BOSS, case_id)]


def test_hr_sets_their_own_address_but_not_another_hr_s(gf):
    gf.user("hr2", "hr")
    shown = ok(gf.patch(f"/users/{HR}", as_=HR, json={"email": "hr1@bank.example"}))
    assert shown["email"] == "hr1@bank.example"
    assert_problem(gf.patch("/users/hr2", as_=HR, json={"email": "hr2@bank.example"}), 403, "forbidden")
    assert_problem(gf.patch(f"/users/{HR}", as_=HR, json={"email": "x@bank.example", "roles": ["hr", "admin"]}),
                   403, "forbidden")


def test_a_deadline_is_announced_by_the_days_of_the_policy_the_case_follows_when_they_are_fewer_than_the_company_s(
        build, tmp_path):
    from tests.support.policies import company_with_units
    from tests.support.steps import hr_case

    def one_day(document):
        document["reminders"]["overdue_after_working_days"] = 1
    branch = Driver(build(GRADEFLOW_POLICY=company_with_units(tmp_path, {"北京分行": ("beijing", one_day)})))
    organisation(branch)
    candidate(branch, "E001", "mid")  # of 北京分行: overdue after one working day, the company's three
    case_id = hr_case(branch, "demotion", "E001")["id"]  # Tuesday 09:00, waiting on hr in deliberation
    move_clock(branch, f"2026-09-02T09:00:00{SHANGHAI}")  # its last working day: overdue on Thursday 09:00
    notify(branch)
    [message] = messages(branch, "deadline_approaching")
    assert (message.recipient, message.case_id) == (HR, case_id) and "将于 2026-09-03 09:00 逾期" in message.body
