"""A case's own stages (workflow/stages.py): passing or failing the one a case is in, and the end of an observation
period. A probation confirmation's last stage passed, or one failed, decides it; a demotion's or an exit's failed
stage decides it denied (the move does not happen)."""
from __future__ import annotations

from decimal import Decimal

from workflow.case_file import CaseFile
from workflow.case_machine import APPROVED, DECIDED, DENIED, IN_STAGE, PROBATION_CONFIRMATION
from workflow.errors import Conflict, Violations
from workflow.scoring import score_problem
from workflow.services.case_steps import SYSTEM_ACTOR, claim, move
from workflow.services.committee import committee_takes_over
from workflow.services.context import Rules
from workflow.services.decisions import PROBATION_FAILED, STAGE_FAILED, record_decision
from workflow.stages import COMMENT, SCORE, Stage

STAGE_EVENTS = ("pass_stage", "fail_stage")


def check_stage_meant(case, stage: str | None) -> None:
    """`stage`: the stage the caller means to pass or fail (optional). Every stage's events have the same names,
    so a request sent twice would otherwise pass the next stage too: 409 stage_moved when the case is elsewhere."""
    if stage is not None and stage != case.stage:
        raise Conflict("stage_moved", f"case {case.id} is " + (f"in the stage {case.stage}" if case.stage else
                                                               f"in no stage ({case.state})") + f", not in {stage}",
                       state=case.state, stage=case.stage)


def check_stage_inputs(rules: Rules, stage: Stage | None, event: str, score: Decimal | None,
                       comment: str | None) -> None:
    """422 naming the field: the score a scored stage records (on the policy's scale; a pass at least its pass
    mark), the comment a commented stage records; no score for any other event or stage."""
    problems = Violations()
    if event not in STAGE_EVENTS or stage is None:
        if score is not None:
            problems.add("score", "not_for_event", f"{event} takes no score (only a stage that records one)")
        problems.raise_if_any()
        return
    if stage.records == SCORE:
        if score is None:
            problems.add("score", "required", f"the stage {stage.label} records a score")
        elif (problem := score_problem(rules.policy.scoring, score)) is not None:
            problems.add("score", *problem)
        elif event == "pass_stage" and stage.pass_mark is not None and score < stage.pass_mark:
            problems.add("score", "below_pass_mark",
                         f"the stage {stage.label} is passed with {stage.pass_mark} or more, not {score}")
    elif score is not None:
        problems.add("score", "not_for_stage", f"the stage {stage.label} records no score")
    if stage.records == COMMENT and not (comment or "").strip():
        problems.add("comment", "required", f"the stage {stage.label} records a comment saying why")
    problems.raise_if_any()


def stage_result(uow, rules: Rules, actor, file: CaseFile, event: str, *, comment: str | None,
                 score: Decimal | None = None, **_) -> None:
    """pass_stage or fail_stage by the stage's party: the history names the stage (and its score)."""
    _leave_stage(uow, rules, file, event, actor=actor.username, comment=comment, score=score,
                 on_behalf_of=actor.acting_for)


def end_observation(uow, rules: Rules, file: CaseFile, stage_code: str, since: str) -> str:
    """The timer of an observation period: the case passes the stage, if it is still in that very period (it may
    have been withdrawn, failed, or have entered the stage again since)."""
    case = file.case
    if case.state != IN_STAGE or case.stage != stage_code or case.state_since.isoformat() != since:
        return f"nothing to do: case {case.id} has left that observation period"
    claim(rules, case)
    _leave_stage(uow, rules, file, "pass_stage", actor=SYSTEM_ACTOR, comment=None, score=None)
    return f"case {case.id} passed {stage_code}: now {case.state}"


def _leave_stage(uow, rules: Rules, file: CaseFile, event: str, *, actor: str, comment: str | None,
                 score: Decimal | None, on_behalf_of: str | None = None) -> None:
    case = file.case
    data = {"stage": case.stage} | ({"score": str(score)} if score is not None else {})
    if score is not None:  # a new dict: the column is saved when it is assigned, not when a dict changes
        case.stage_scores = (case.stage_scores or {}) | {case.stage: str(score)}
    if rules.cases.destination(case, event) == DECIDED:  # a probation confirmation's last stage, or a failed one
        passed = event == "pass_stage"
        failed = PROBATION_FAILED if case.kind == PROBATION_CONFIRMATION else STAGE_FAILED
        record_decision(uow, rules, case, event, actor=actor, outcome=APPROVED if passed else DENIED,
                        reasons=() if passed else (failed,), comment=comment, about=data, on_behalf_of=on_behalf_of)
        return
    move(uow, rules, case, event, actor=actor, comment=comment, data=data, on_behalf_of=on_behalf_of)
    committee_takes_over(uow, rules, file)  # as when the materials go straight on
