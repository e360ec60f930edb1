"""Decisions and publication: score cards, the cycle's decision under quotas, single-case
decisions, probation confirmations, and putting a decision on the publication board (公示)."""
from __future__ import annotations

from decimal import Decimal

from workflow.calendar import Deadline, working_days_after
from workflow.case_machine import ADVANCEMENT, APPROVED, DECIDED, DENIED, PROMOTION
from workflow.clock import local_date
from workflow.committee import InterviewProgress
from workflow.decision import Candidate, decide
from workflow.eligibility import exam_window_start
from workflow.errors import Conflict
from workflow.periods import Period
from workflow.quotas import Headcount, QuotaLedger
from workflow.scoring import BELOW_PASS_MARK, COMPONENT_BELOW_PASS_MARK, ScoreCard, score_card
from workflow.case_file import CaseFile
from workflow.services import exams
from workflow.services.case_steps import claim, move
from workflow.services.committee import sync_recusals
from workflow.services.context import Rules

DENIED_ON_REVIEW = "denied_on_review"  # a decider's own denial of a case that the rules would let pass
PROBATION_FAILED = "probation_failed"
STAGE_FAILED = "stage_failed"  # a demotion's or an exit's own stage failed: the move does not happen


def quorum_not_met(case, progress: InterviewProgress) -> Conflict:
    return Conflict("quorum_not_met", f"case {case.id}: {progress.shortfall()}", quorum=progress.quorum,
                    counting_members=list(progress.eligible), scored=list(progress.scored))


def score_card_of(uow, rules: Rules, file: CaseFile) -> ScoreCard:
    """Supervisor, interview (scores of the members who count), performance (the latest annual score, or the
    policy's period results), the exam and the scored stages where they weigh, less the policy's deductions."""
    case = file.case
    committee = None  # a policy without the interview
    if rules.policy.interview:
        sync_recusals(uow, rules, file)  # a reporting line may have changed since the scores were given
        progress = file.progress(rules.policy.quorum)
        committee = [s.score for s in case.scores if s.username in progress.eligible]
        if len(committee) < rules.policy.quorum:  # e.g. a scorer became the applicant's line manager since
            raise quorum_not_met(case, progress)
    return score_card(rules.policy.scoring, supervisor=case.supervisor_score, committee=committee,
                      performance=_performance_component(uow, rules, case), exam=_exam_component(uow, rules, case),
                      stages=_stage_components(rules, case), violations=_violations(uow, rules, case))


def _performance_component(uow, rules: Rules, case) -> Decimal:
    """The latest annual score, or the exact mean of the policy's last periods ended before today."""
    source = rules.policy.scoring.performance
    if source is None:
        latest = uow.cases.latest_annual_score(case.employee_no, rules.today().year)
        if latest is None:
            raise Conflict("no_annual_performance", f"case {case.id}: {case.employee_no} has no annual performance "
                           "score to decide on; hr must record one", case_id=case.id)
        return latest[1]
    periods = [str(p) for p in reversed(Period.ended_before(source.period, rules.today(), source.last))]
    scores = uow.performance.scores(case.employee_no, periods)
    if missing := [p for p in periods if p not in scores]:
        raise Conflict("no_period_results", f"case {case.id}: {case.employee_no} has no record for "
                       f"{', '.join(missing)} to decide on; hr must record them", case_id=case.id, periods=missing)
    return sum((scores[p] for p in periods), Decimal(0)) / len(periods)


def _exam_component(uow, rules: Rules, case) -> Decimal | None:
    """The applicant's latest result in the policy's scoring exam within its window (None: no exam weighs)."""
    source = rules.policy.scoring.exam
    if source is None:
        return None
    found = exams.latest_result(uow, case.employee_no, source, rules.today())
    if found is None:
        raise Conflict("no_exam_result", f"case {case.id}: {case.employee_no} has no {source.exam} result taken since "
                       f"{exam_window_start(source, rules.today())} to decide on; hr must record one",
                       case_id=case.id, exam=source.exam)
    return found.score


def _stage_components(rules: Rules, case) -> dict[str, Decimal]:
    """The scores the case's stages recorded, of those the policy weighs. A case passes every stage before it is
    decided, so one is missing only where the stage was added to the policy after the case passed that point
    (then hr cannot decide it on this policy: 409 naming the stage)."""
    recorded = case.stage_scores or {}
    if missing := [code for code, _weight in rules.policy.scoring.stage_weights if code not in recorded]:
        raise Conflict("no_stage_score", f"case {case.id} has no score of the stage {', '.join(missing)} to decide on",
                       case_id=case.id, stages=missing)
    return {code: Decimal(recorded[code]) for code, _weight in rules.policy.scoring.stage_weights}


def _violations(uow, rules: Rules, case) -> dict[str, int]:
    """For each of the policy's deductions: in how many of its last periods ended before today the manager's record
    has a compliance violation (a period without a record has none to count)."""
    def periods(deduction) -> list[str]:
        return [str(p) for p in Period.ended_before(deduction.period, rules.today(), deduction.last)]
    return {deduction.code: uow.performance.violations(case.employee_no, periods(deduction))
            for deduction in rules.policy.scoring.deductions}


def headcounts(uow, rules: Rules):
    exited = rules.policy.ladder.exited.code
    return lambda area, grade: Headcount(*uow.cases.headcount(area, grade, exited))


def record_decision(uow, rules: Rules, case, event: str, *, actor: str, outcome: str, reasons: tuple[str, ...],
                    card: ScoreCard | None = None, rank: int | None = None, comment: str | None = None,
                    about: dict | None = None, on_behalf_of: str | None = None) -> None:
    """`about`: more of what the history entry records (the stage that decided the case)."""
    case.outcome, case.reasons, case.rank = outcome, list(reasons), rank
    case.decided_by, case.decided_at = actor, rules.now()
    data = (about or {}) | {"outcome": outcome, "reasons": list(reasons)}
    if card is not None:
        case.interview_score, case.performance_score, case.final_score = card.interview, card.performance, card.final
        case.exam_score = card.exam
        data["supervisor_score"] = str(card.supervisor)
        if card.interview is not None:  # none without the interview
            data["interview_score"] = str(card.interview)
        data.update(performance_score=str(card.performance), final_score=str(card.final))
        if card.exam is not None:
            data["exam_score"] = str(card.exam)
        if card.stages:
            data["stage_scores"] = {code: str(score) for code, score in card.stages}
        case.deductions = {code: str(points) for code, points in card.deductions if points} or None
        if case.deductions:
            data["deductions"] = case.deductions
    if rank is not None:
        data["rank"] = rank
    move(uow, rules, case, event, actor=actor, comment=comment, data=data, on_behalf_of=on_behalf_of)


def decide_cases(uow, rules: Rules, cases, *, actor: str, on_behalf_of: str | None = None) -> list[dict]:
    """Rank and decide cases of one cycle together (结果汇总计算, 按照晋升名额确定晋升人员名单)."""
    for case in cases:
        claim(rules, case)
    cards = {file.id: score_card_of(uow, rules, file) for file in uow.cases.files(cases)}
    candidates = [Candidate(case.id, case.employee_no, case.manager.org_unit, case.from_grade, case.target_grade,
                            case.manager.grade_since, cards[case.id]) for case in cases]
    by_id = {case.id: case for case in cases}
    results = []
    for outcome in decide(rules.policy, candidates, headcounts(uow, rules)):
        case = by_id[outcome.case_id]
        record_decision(uow, rules, case, "decide", actor=actor, outcome=outcome.outcome, reasons=outcome.reasons,
                        card=cards[case.id], rank=outcome.rank, on_behalf_of=on_behalf_of)
        results.append({"case_id": case.id, "outcome": outcome.outcome, "final_score": case.final_score,
                        "rank": outcome.rank, "reasons": list(outcome.reasons)})
    return results


def single_decision(uow, rules: Rules, actor, file: CaseFile, event: str, *, comment=None, reason=None,
                    **_) -> None:
    """approve / deny one case: outside a cycle, or a re-decision after an overturned appeal. An
    approved promotion obeys the pass mark and the quota as counted now; an approved advancement (a close's
    grading rule) the quota."""
    case = file.case
    card = score_card_of(uow, rules, file) if case.kind == PROMOTION else None
    if event == "approve":
        if card is not None:
            _check_pass_mark_and_quota(uow, rules, case, card)
        elif case.kind == ADVANCEMENT:
            check_quota(uow, rules, case)
        outcome, reasons = APPROVED, ()
    else:
        outcome = DENIED
        reasons = (card.failures(rules.policy.scoring) if card is not None else ()) or (DENIED_ON_REVIEW,)
    record_decision(uow, rules, case, event, actor=actor.username, outcome=outcome, reasons=reasons, card=card,
                    comment=comment or reason, on_behalf_of=actor.acting_for)


def _check_pass_mark_and_quota(uow, rules: Rules, case, card: ScoreCard) -> None:
    scoring = rules.policy.scoring
    if card.final < scoring.pass_mark:
        raise Conflict(BELOW_PASS_MARK, f"case {case.id} scores {card.final}, below the pass mark of "
                       f"{scoring.pass_mark}", final_score=card.final, pass_mark=scoring.pass_mark)
    if below := card.below_component_marks(scoring):
        component, score, mark = below[0]
        raise Conflict(COMPONENT_BELOW_PASS_MARK, f"case {case.id}: the {component} score {score} is below its "
                       f"pass mark of {mark}", component=component, score=score, pass_mark=mark)
    check_quota(uow, rules, case)


def check_quota(uow, rules: Rules, case) -> None:
    ledger = QuotaLedger(rules.policy.quotas, headcounts(uow, rules))
    move = (case.from_grade, case.target_grade, case.manager.org_unit)
    ledger.count_first([move])
    refusal = ledger.refusal(*move)
    if refusal is not None:
        raise Conflict(refusal.reason, refusal.describe(), grade=refusal.quota.grade, area=str(refusal.area),
                       active_managers=refusal.headcount.active, holding=refusal.holding)


def record_supervisor_score(case, actor, supervisor_score: Decimal, supervisor_items: dict[str, str] | None) -> None:
    """The supervisor's score of the case (with the items it was made of, where the policy has them), and who
    gave it."""
    case.supervisor_score, case.supervisor_items, case.reviewed_by = supervisor_score, supervisor_items, actor.username


def supervisor_score_data(supervisor_score: Decimal, supervisor_items: dict[str, str] | None,
                          reason: str | None = None) -> dict:
    """What the history entry of the supervisor's decision says of their score (and the reason they gave)."""
    return {"supervisor_score": str(supervisor_score), **({"supervisor_items": supervisor_items}
                                                           if supervisor_items else {}),
            **({"reason": reason} if reason else {})}


def probation_decision(uow, rules: Rules, actor, file: CaseFile, event: str, *, comment=None,
                       supervisor_score=None, supervisor_items=None, reason=None, **_) -> None:
    """pass_probation / fail_probation: the supervisor's decision, with their score (no interview). Where the policy
    gives a probation confirmation stages of its own, the supervisor's pass leads into them, and they decide."""
    case = file.case
    record_supervisor_score(case, actor, supervisor_score, supervisor_items)
    scored = supervisor_score_data(supervisor_score, supervisor_items, reason)
    passed = event == "pass_probation"
    if rules.cases.destination(case, event) != DECIDED:
        move(uow, rules, case, event, actor=actor.username, comment=comment, data=scored,
             on_behalf_of=actor.acting_for)
        return
    record_decision(uow, rules, case, event, actor=actor.username, outcome=APPROVED if passed else DENIED,
                    reasons=() if passed else (PROBATION_FAILED,), comment=comment, about=scored,
                    on_behalf_of=actor.acting_for)


def appeal_deadline(uow, rules: Rules, published_at) -> Deadline:
    """The end of the n-th working day after the publication date (the publication day does not count); the
    publication itself where the policy has no appeals (its decisions take effect as they are published)."""
    if not rules.policy.appeals:
        return Deadline(published_at, True)
    tz = rules.policy.tz
    return working_days_after(uow.calendar.working_calendar(), local_date(published_at, tz),
                              rules.policy.appeal_window_working_days, tz)


def publish(uow, rules: Rules, case, event: str, *, actor: str, deadline: Deadline, comment: str | None = None):
    case.published_at, case.appeal_deadline, case.deadline_confirmed = rules.now(), deadline.at, deadline.confirmed
    move(uow, rules, case, event, actor=actor, comment=comment,
         data={"appeal_deadline": deadline.at.isoformat(), "deadline_confirmed": deadline.confirmed})


def publish_case(uow, rules: Rules, actor, file: CaseFile, event: str, *, comment=None, **_) -> None:
    publish(uow, rules, file.case, event, actor=actor.username, deadline=appeal_deadline(uow, rules, rules.now()),
            comment=comment)
