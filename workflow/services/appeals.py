"""Appeals (申诉): one per case, by the applicant, within the window; HR upholds or overturns."""
from __future__ import annotations

from workflow.case_access import APPLICANT, appeal_refusal
from workflow.case_file import CaseFile
from workflow.errors import Conflict, DuplicateKey, Forbidden
from workflow.services.case_steps import check_version, claim, load_case, move
from workflow.services.context import Rules
from workflow.services.governing import rules_for

PENDING, UPHELD, OVERTURNED = "pending", "upheld", "overturned"


def file_appeal(uow, rules: Rules, actor, case_id: int, *, reason: str, version: int | None = None) -> CaseFile:
    """POST /cases/{id}/appeal."""
    file, standing = load_case(uow, actor, case_id, for_update=True)
    case = file.case
    rules = rules_for(uow, rules, case)
    if not standing.is_(APPLICANT):
        raise Forbidden("only the applicant appeals")
    if case.appeal is not None:  # before the version: a racer that lost learns that the case was appealed
        raise appeal_refusal(rules, case)
    check_version(case, version)
    claim(rules, case)
    appeal_event(uow, rules, actor, file, "appeal", reason=reason)
    return file


def appeal_event(uow, rules: Rules, actor, file: CaseFile, event: str, *, reason=None, comment=None, **_) -> None:
    case = file.case
    if (refusal := appeal_refusal(rules, case)) is not None:
        raise refusal
    try:
        appeal = uow.cases.add_appeal(case, filed_by=actor.username, filed_at=rules.now(), reason=reason,
                                      status=PENDING)
    except DuplicateKey:  # a concurrent appeal won
        raise Conflict("appeal_exists", f"case {case.id} has been appealed already (one appeal per case)") from None
    move(uow, rules, case, "appeal", actor=actor.username, comment=reason,
         data={"appeal_id": appeal.id, "reason": reason})


def resolve(uow, rules: Rules, actor, file: CaseFile, event: str, *, comment=None, reason=None, **_) -> None:
    """uphold: the decision stands and the case is published again (finalized once the window has
    passed); overturn: back to deliberation for a re-decision, the earlier decision kept in history."""
    case = file.case
    appeal = case.appeal
    appeal.status = UPHELD if event == "uphold" else OVERTURNED
    appeal.resolved_by, appeal.resolved_at, appeal.resolution = actor.username, rules.now(), comment or reason
    if event == "overturn":
        case.outcome, case.reasons, case.rank = None, [], None
        case.decided_by = case.decided_at = None
        case.interview_score = case.performance_score = case.final_score = case.exam_score = case.deductions = None
    move(uow, rules, case, event, actor=actor.username, comment=comment or reason,
         data={"appeal_id": appeal.id, "status": appeal.status})
