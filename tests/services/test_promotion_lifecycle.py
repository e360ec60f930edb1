"""A promotion case from application to changed grade, told through the services alone: each step is one use
case in one unit of work, as its caller (the applicant, their supervisor, each committee member, the chair, hr,
the applicant again, hr, the service itself). The API adds nothing to these rules; tests/api tells the same
story over HTTP.

SH01 (junior since 2025-01-01, 2025 score 85) applies for mid in cycle 2026H2 on Tuesday 2026-09-01; the
chair decides and hr publishes on Monday 2026-09-14: three working days to appeal, until the end of Thursday
2026-09-17. SH01 appeals on the Wednesday, hr upholds, and the decision takes effect on Friday 2026-09-18.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import sqlalchemy as sa

from models import PerformanceVersion
from models.audit import verify_chain
from workflow.services.appeals import file_appeal
from workflow.services.cases import fire_event
from workflow.services.finalization import finalize_case
from workflow.timer_kinds import APPEAL_WINDOW_END

SHANGHAI = timezone(timedelta(hours=8))
DECIDED_AT = datetime(2026, 9, 14, 10, 0, tzinfo=SHANGHAI)
DEADLINE = datetime(2026, 9, 17, 23, 59, 59, tzinfo=SHANGHAI)


def test_a_promotion_goes_from_application_to_changed_grade_and_history_tells_every_step(
        steps, use_case, unit_of_work, clock, organisation, sessions):
    org = organisation
    case_id = steps.apply()
    assert unit_of_work().cases.get(case_id).state == "submitted"
    assert steps.review(case_id, supervisor_score="85") == "interview"
    # the interview ends by itself once every member who counts has scored
    assert steps.interview(case_id, scores=("80", "82", "78")) == "deliberation"

    decided = steps.decide(DECIDED_AT)
    # 0.3 × 85 (supervisor) + 0.4 × 80 (the mean of three scores, too few to trim) + 0.3 × 85 (performance)
    assert [(d["case_id"], d["outcome"], d["final_score"], d["rank"], d["reasons"]) for d in decided] == [
        (case_id, "approved", Decimal("83"), 1, [])]

    published = steps.publish()
    assert (published["case_ids"], published["appeal_deadline"], published["deadline_confirmed"]) == (
        [case_id], DEADLINE, True)
    uow = unit_of_work()
    window = uow.timers.pending_unclaimed(kind=APPEAL_WINDOW_END, case_id=case_id)
    assert [timer.due_at for timer in window] == [datetime(2026, 9, 18, 0, 0, tzinfo=SHANGHAI)]

    clock.set(datetime(2026, 9, 16, 15, 0, tzinfo=SHANGHAI))
    case = use_case(file_appeal, org.applicant, case_id, reason="面试评分标准不一致").case
    assert (case.state, case.appeal.status, case.appeal.filed_by) == ("appealed", "pending", "sh01")
    upheld = use_case(fire_event, org.hr, case_id, "uphold", comment="评分无误, 维持原决定").case
    assert (upheld.state, upheld.appeal.status) == ("published", "upheld")

    clock.set(DEADLINE)
    assert use_case(finalize_case, case_id, clock.now()) is False  # the window is open to the second
    clock.set(datetime(2026, 9, 18, 0, 0, tzinfo=SHANGHAI))
    assert use_case(finalize_case, case_id, clock.now()) is True

    uow = unit_of_work()
    case, manager = uow.cases.get(case_id), uow.managers.get("SH01")
    assert (case.state, case.outcome, case.effective_on) == ("effective", "approved", date(2026, 9, 18))
    assert (manager.grade, manager.grade_since) == ("mid", date(2026, 9, 18))
    grades, total = uow.grade_history.page("SH01", 1, 10)
    assert total == 1
    assert [(g.from_grade, g.to_grade, g.event, g.effective_on, g.case_id) for g in grades] == [
        ("junior", "mid", "promote", date(2026, 9, 18), case_id)]

    history = uow.cases.history(case_id)
    assert [(h.event, h.from_state, h.to_state, h.actor) for h in history] == [
        ("submit", None, "submitted", "sh01"),
        ("approve_materials", "submitted", "interview", "sh00"),
        ("score", "interview", "interview", "chair1"),
        ("score", "interview", "interview", "member2"),
        ("score", "interview", "interview", "member3"),
        ("interview_complete", "interview", "deliberation", "(gradeflow)"),
        ("decide", "deliberation", "decided", "chair1"),
        ("cycle_publish", "decided", "published", "hr1"),
        ("appeal", "published", "appealed", "sh01"),
        ("uphold", "appealed", "published", "hr1"),
        ("finalize", "published", "effective", "(gradeflow)"),
    ]
    assert [h.seq for h in history] == list(range(1, 12))
    assert history[-1].data == {"effective_on": "2026-09-18", "from_grade": "junior", "to_grade": "mid"}
    # every entry was chained into the tamper-evident history when its unit of work committed (and so was every
    # version of the performance records the organisation was given)
    session = sessions()
    checked, problem, _head = verify_chain(session)
    versions = session.scalar(sa.select(sa.func.count()).select_from(PerformanceVersion))
    assert (checked, problem) == (len(history) + versions, None) and versions > 0
