"""Appeals (申诉): one per case, by the applicant, within the window; HR upholds or overturns."""
from __future__ import annotations

from workflow.case_access import APPLICANT
from workflow.case_machine import CLOSED, EFFECTIVE, PUBLISHED
from workflow.errors import Conflict, DuplicateKey, Forbidden
from workflow.services.case_steps import appeal_window_open, check_version, claim, load_case, move
from workflow.services.context import Rules

PENDING, UPHELD, OVERTURNED = "pending", "upheld", "overturned"


def file_appeal(uow, rules: Rules, actor, case_id: int, *, reason: str, version: int | None = None):
    """POST /cases/{id}/appeal → (appeal, case)."""
    case, standing = load_case(uow, actor, case_id, for_update=True)
    if not standing.is_(APPLICANT):
        raise Forbidden("only the applicant appeals")
    _refuse_a_second_appeal(case)  # before the version: a racer that lost learns that the case was appealed
    check_version(case, version)
    claim(uow, rules, case)
    appeal_event(uow, rules, actor, case, "appeal", reason=reason)
    return case.appeal, case


def appeal_event(uow, rules: Rules, actor, case, event: str, *, reason=None, comment=None, **_) -> None:
    """The checks, in api.md's order: an appeal exists; the case is not (or no longer) published;
    the window has closed (to the second)."""
    _refuse_a_second_appeal(case)
    if case.state in (EFFECTIVE, CLOSED) or (case.state == PUBLISHED and not appeal_window_open(case, rules.now())):
        raise Conflict("appeal_window_closed", f"the appeal window of case {case.id} closed at the end of "
                       f"{case.appeal_deadline.astimezone(rules.policy.tz):%Y-%m-%d %H:%M:%S}",
                       appeal_deadline=case.appeal_deadline, state=case.state)
    if case.state != PUBLISHED:
        raise Conflict("not_published", f"case {case.id} is {case.state}: only a published decision is appealed",
                       state=case.state)
    try:
        appeal = uow.cases.add_appeal(case, filed_by=actor.username, filed_at=rules.now(), reason=reason,
                                      status=PENDING)
    except DuplicateKey:  # a concurrent appeal won
        raise Conflict("appeal_exists", f"case {case.id} has been appealed already (one appeal per case)") from None
    move(uow, rules, case, "appeal", actor=actor.username, comment=reason,
         data={"appeal_id": appeal.id, "reason": reason})


def _refuse_a_second_appeal(case) -> None:
    if case.appeal is not None:
        raise Conflict("appeal_exists", f"case {case.id} has been appealed already (one appeal per case)",
                       appeal_id=case.appeal.id, state=case.state)


def resolve(uow, rules: Rules, actor, case, event: str, *, comment=None, reason=None, **_) -> None:
    """uphold: the decision stands and the case is published again (finalized once the window has
    passed); overturn: back to deliberation for a re-decision, the earlier decision kept in history."""
    appeal = case.appeal
    appeal.status = UPHELD if event == "uphold" else OVERTURNED
    appeal.resolved_by, appeal.resolved_at, appeal.resolution = actor.username, rules.now(), comment or reason
    if event == "overturn":
        case.outcome, case.reasons, case.rank = None, [], None
        case.decided_by = case.decided_at = None
        case.interview_score = case.performance_score = case.final_score = None
    move(uow, rules, case, event, actor=actor.username, comment=comment or reason,
         data={"appeal_id": appeal.id, "status": appeal.status})
