"""Exam results (岗位技能鉴定, 业务考试): entered by hr once each, never overwritten, read by whoever may read the
manager's performance records. A policy reads the latest within a window: for an exam pass mark
(eligibility.targets.<grade>.min_exam) and for an exam component of the final score (scoring.exam)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from workflow import access
from workflow.accounts import Actor
from workflow.eligibility import exam_window_start
from workflow.errors import Conflict, DuplicateKey, NotFound, Violations
from workflow.policy import CODE as EXAM_CODE, ExamSource
from workflow.scoring import score_problem
from workflow.services.context import Rules
from workflow.services.managers import visible_manager
from workflow.services.unit_of_work import UnitOfWork

def record_exam_result(uow: UnitOfWork, rules: Rules, actor: Actor, employee_no: str, *, exam: str, taken_on: date,
                       score: Decimal):
    access.require(access.can_manage_people(actor), "only hr records exam results")
    if uow.managers.get(employee_no) is None:
        raise NotFound(f"no manager {employee_no}")
    problems = Violations()
    if not EXAM_CODE.match(exam):
        problems.add("exam", "exam_code", "an exam's code: lowercase letters, digits and underscores, as the "
                                          "policy names it (e.g. skills_test)")
    if taken_on > rules.today():
        problems.add("taken_on", "not_in_future", f"taken_on {taken_on} is after today ({rules.today()})")
    if (problem := score_problem(rules.policy.scoring, score)) is not None:
        problems.add("score", *problem)
    problems.raise_if_any()
    try:
        return uow.exams.add(employee_no=employee_no, exam=exam, taken_on=taken_on, score=score,
                             recorded_at=rules.now(), recorded_by=actor.username)
    except DuplicateKey:
        raise Conflict("exam_result_exists", f"{employee_no} has a {exam} result of {taken_on} already; a result is "
                       "entered once and never overwritten", field="taken_on") from None


def latest_result(uow: UnitOfWork, employee_no: str, source: ExamSource, today: date):
    """The manager's latest result in the source's exam taken within its window, or None."""
    return uow.exams.latest(employee_no, source.exam, exam_window_start(source, today))


def exam_results(uow: UnitOfWork, actor: Actor, employee_no: str):
    visible_manager(uow, actor, employee_no)
    return uow.exams.for_manager(employee_no)
