"""The case state machine: every state and event of a grading case, and who fires each event.

One `transitions.Machine` is built per policy (in `Rules`) and fired on the case row, whose
`state` column holds the state; the machine validates the move and sets the column. Conditions
read only the case itself (its kind, outcome, cycle, appeal), so `applicable` can list the
events that apply without firing anything.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from transitions import Machine

from workflow.policy import Policy
from workflow.stages import before_interview, first_after_interview, stage_after, stage_named

# --- kinds and states -------------------------------------------------------------------
PROMOTION, PROBATION_CONFIRMATION, DEMOTION, EXIT = "promotion", "probation_confirmation", "demotion", "exit"
ADVANCEMENT = "advancement"  # up by a period close's grading rule (业绩晋级): opened by the service, like a demotion
KINDS = (PROMOTION, PROBATION_CONFIRMATION, DEMOTION, EXIT, ADVANCEMENT)
OPENED_BY_HAND = (PROMOTION, PROBATION_CONFIRMATION, DEMOTION, EXIT)  # the kinds POST /cases opens
OPENED_FOR_DECISION = (DEMOTION, EXIT, ADVANCEMENT)  # opened by the service at the decision, or its stages before

SUBMITTED, RETURNED, HR_REVIEW, INTERVIEW = "submitted", "returned", "hr_review", "interview"
IN_STAGE = "in_stage"  # in one of the policy's own stages (workflow/stages.py); `cases.stage` names it
DELIBERATION, DECIDED, PUBLISHED, APPEALED = "deliberation", "decided", "published", "appealed"
EFFECTIVE, CLOSED, REJECTED, WITHDRAWN = "effective", "closed", "rejected", "withdrawn"
STATES = (SUBMITTED, RETURNED, HR_REVIEW, IN_STAGE, INTERVIEW, DELIBERATION, DECIDED, PUBLISHED, APPEALED,
          EFFECTIVE, CLOSED, REJECTED, WITHDRAWN)
TERMINAL_STATES = (EFFECTIVE, CLOSED, REJECTED, WITHDRAWN)
OPEN_STATES = tuple(s for s in STATES if s not in TERMINAL_STATES)
# Open states in which a cycle cannot be decided yet (the committee has not finished).
BEFORE_DELIBERATION = (SUBMITTED, RETURNED, HR_REVIEW, IN_STAGE, INTERVIEW)
# States whose case carries a decision (outcome, decider).
DECIDED_STATES = (DECIDED, PUBLISHED, APPEALED, EFFECTIVE, CLOSED)
# States whose current decision has been published (a re-decision after an appeal is not, until published again).
PUBLISHED_STATES = (PUBLISHED, APPEALED, EFFECTIVE, CLOSED)
# Where each kind starts.
INITIAL_STATE = {PROMOTION: SUBMITTED, PROBATION_CONFIRMATION: SUBMITTED, DEMOTION: DELIBERATION, EXIT: DELIBERATION,
                 ADVANCEMENT: DELIBERATION}

APPROVED, DENIED = "approved", "denied"

# --- parties: how a caller stands to a case ---------------------------------------------
APPLICANT = "applicant"
SUPERVISOR = "supervisor"  # the applicant's direct supervisor
CHAIR = "chair"  # the chair of the case's cycle
HR = "hr"
SYSTEM = "system"  # the service itself (automatic moves, the scheduler)
STAGE_PARTY = "stage_party"  # whoever the policy names for the case's stage (workflow/stages.py)


def changes_grade(case) -> bool:
    """Whether the case, once final, moves the manager on the ladder: an approval does, and so
    does a failed probation (the manager leaves the ladder)."""
    return case.outcome == APPROVED or case.kind == PROBATION_CONFIRMATION


@dataclass(frozen=True)
class Move:
    event: str
    sources: tuple[str, ...]
    dest: str
    kinds: tuple[str, ...]
    when: str | None = None  # name of an extra condition on the case (see CaseMachine._conditions)


# Every transition of api.md's table; an event may have several moves, chosen by their conditions. The moves into
# and through `in_stage` apply only under a policy that declares stages of its own (workflow/stages.py), before
# the interview or after it; those into `deliberation` straight from the review or the stages only under a policy
# without the interview (or with stages after it). A probation confirmation's stages follow the supervisor's pass;
# the last one passed, or any one failed, decides it. A demotion or an exit with stages opens in the first one;
# the last passed leads to the decision, one failed decides it denied.
MOVES = (
    Move("approve_materials", (SUBMITTED,), INTERVIEW, (PROMOTION,), when="straight_to_interview"),
    Move("approve_materials", (SUBMITTED,), IN_STAGE, (PROMOTION,), when="straight_to_stages"),
    Move("approve_materials", (SUBMITTED,), DELIBERATION, (PROMOTION,), when="straight_to_decision"),
    Move("approve_materials", (SUBMITTED,), HR_REVIEW, (PROMOTION,), when="needs_exception_review"),
    Move("return_materials", (SUBMITTED,), RETURNED, (PROMOTION,)),
    Move("reject_materials", (SUBMITTED,), REJECTED, (PROMOTION,)),
    Move("resubmit", (RETURNED,), SUBMITTED, (PROMOTION,)),
    Move("withdraw", (SUBMITTED, RETURNED, HR_REVIEW, IN_STAGE, INTERVIEW), WITHDRAWN, (PROMOTION,)),
    Move("approve_exception", (HR_REVIEW,), INTERVIEW, (PROMOTION,), when="interview_next"),
    Move("approve_exception", (HR_REVIEW,), IN_STAGE, (PROMOTION,), when="has_stages"),
    Move("approve_exception", (HR_REVIEW,), DELIBERATION, (PROMOTION,), when="decision_next"),
    Move("reject_exception", (HR_REVIEW,), REJECTED, (PROMOTION,)),
    Move("pass_stage", (IN_STAGE,), IN_STAGE, (PROMOTION,), when="more_stages"),
    Move("pass_stage", (IN_STAGE,), INTERVIEW, (PROMOTION,), when="last_stage"),
    Move("pass_stage", (IN_STAGE,), DELIBERATION, (PROMOTION,), when="last_stage_then_decision"),
    Move("fail_stage", (IN_STAGE,), REJECTED, (PROMOTION,), when="in_own_stage"),
    Move("pass_probation", (SUBMITTED,), DECIDED, (PROBATION_CONFIRMATION,), when="probation_decided_at_once"),
    Move("pass_probation", (SUBMITTED,), IN_STAGE, (PROBATION_CONFIRMATION,), when="probation_stages_next"),
    Move("fail_probation", (SUBMITTED,), DECIDED, (PROBATION_CONFIRMATION,)),
    Move("pass_stage", (IN_STAGE,), IN_STAGE, (PROBATION_CONFIRMATION,), when="more_probation_stages"),
    Move("pass_stage", (IN_STAGE,), DECIDED, (PROBATION_CONFIRMATION,), when="last_probation_stage"),
    Move("fail_stage", (IN_STAGE,), DECIDED, (PROBATION_CONFIRMATION,), when="in_probation_stage"),
    Move("pass_stage", (IN_STAGE,), IN_STAGE, OPENED_FOR_DECISION, when="more_stages_before_decision"),
    Move("pass_stage", (IN_STAGE,), DELIBERATION, OPENED_FOR_DECISION, when="last_stage_before_decision"),
    Move("fail_stage", (IN_STAGE,), DECIDED, OPENED_FOR_DECISION, when="in_stage_before_decision"),
    Move("interview_complete", (INTERVIEW,), DELIBERATION, (PROMOTION,), when="decision_after_interview"),
    Move("interview_complete", (INTERVIEW,), IN_STAGE, (PROMOTION,), when="stages_after_interview"),
    Move("close_interview", (INTERVIEW,), DELIBERATION, (PROMOTION,), when="decision_after_interview"),
    Move("close_interview", (INTERVIEW,), IN_STAGE, (PROMOTION,), when="stages_after_interview"),
    Move("decide", (DELIBERATION,), DECIDED, (PROMOTION,), when="in_cycle"),
    Move("approve", (DELIBERATION,), DECIDED, KINDS, when="single_case"),
    Move("deny", (DELIBERATION,), DECIDED, KINDS, when="single_case"),
    Move("publish", (DECIDED,), PUBLISHED, KINDS, when="single_case"),
    Move("cycle_publish", (DECIDED,), PUBLISHED, (PROMOTION,)),
    Move("appeal", (PUBLISHED,), APPEALED, KINDS),
    Move("uphold", (APPEALED,), PUBLISHED, KINDS),
    Move("overturn", (APPEALED,), DELIBERATION, KINDS),
    Move("finalize", (PUBLISHED,), EFFECTIVE, KINDS, when="changes_grade"),
    Move("finalize", (PUBLISHED,), CLOSED, KINDS, when="leaves_grade"),
)

# Who fires each event. The service's own moves are SYSTEM; cycle-wide decisions and
# publication come through /cycles and are listed for completeness.
WHO: dict[str, frozenset[str]] = {
    "approve_materials": frozenset({SUPERVISOR}),
    "return_materials": frozenset({SUPERVISOR}),
    "reject_materials": frozenset({SUPERVISOR}),
    "pass_stage": frozenset({STAGE_PARTY}),  # an observation period passes by itself (due.py: the service)
    "fail_stage": frozenset({STAGE_PARTY}),
    "pass_probation": frozenset({SUPERVISOR}),
    "fail_probation": frozenset({SUPERVISOR}),
    "resubmit": frozenset({APPLICANT}),
    "withdraw": frozenset({APPLICANT}),
    "appeal": frozenset({APPLICANT}),
    "approve_exception": frozenset({HR}),
    "reject_exception": frozenset({HR}),
    "publish": frozenset({HR}),
    "cycle_publish": frozenset({HR}),
    "uphold": frozenset({HR}),
    "overturn": frozenset({HR}),
    "close_interview": frozenset({CHAIR}),
    "decide": frozenset({CHAIR, HR}),
    "approve": frozenset({CHAIR, HR}),
    "deny": frozenset({CHAIR, HR}),
    "interview_complete": frozenset({SYSTEM}),
    "finalize": frozenset({SYSTEM}),
}
EVENTS = tuple(dict.fromkeys(m.event for m in MOVES))
# Events a caller sends to POST /cases/{id}/events (the others are fired by /cycles or by the service).
CALLER_EVENTS = tuple(e for e in EVENTS if SYSTEM not in WHO[e] and e not in ("decide", "cycle_publish"))
# Events that carry the supervisor score.
SCORED_EVENTS = ("approve_materials", "pass_probation", "fail_probation")


class EventDoesNotApply(Exception):
    def __init__(self, event: str, state: str):
        super().__init__(f"{event} does not apply to a case in state {state}")
        self.event, self.state = event, state


class CaseMachine:
    def __init__(self, policy: Policy):
        self._exception_review = policy.eligibility.exceptional_needs_hr_approval
        self.stages, self.interview, self._appeals = policy.promotion_stages, policy.interview, policy.appeals
        self._kind_stages = {kind: policy.stages_of(kind) for kind in KINDS}
        conditions = self._conditions()
        self._checks: dict[str, list[tuple[Move, tuple]]] = {}
        transitions = []
        for move in MOVES:
            checks = (self._of_kind(move.kinds),) + ((conditions[move.when],) if move.when else ())
            transitions.append({"trigger": move.event, "source": list(move.sources), "dest": move.dest,
                                "conditions": [self._on_event_data(c) for c in checks]})
            self._checks.setdefault(move.event, []).append((move, checks))
        self.machine = Machine(model=None, states=list(STATES), transitions=transitions, initial=None,
                               auto_transitions=False, send_event=True, model_attribute="state")
        self.moves = self._possible_moves()

    def _possible_moves(self) -> tuple[Move, ...]:
        """The moves a case can make under this policy (for the workflow diagram and strip): none into a stage
        without stages of its own, none into the interview without the interview, none into hr's review of an
        exception where the policy does not ask for it, no appeal where the policy has none."""
        before, after, interview = self._sides()
        probation = bool(self._kind_stages[PROBATION_CONFIRMATION])
        before_decision = any(self._kind_stages[kind] for kind in OPENED_FOR_DECISION)
        possible = {"needs_exception_review": self._exception_review,
                    "straight_to_interview": interview and not before, "straight_to_stages": before,
                    "straight_to_decision": not interview and not before, "interview_next": interview and not before,
                    "has_stages": before, "decision_next": not interview and not before,
                    "more_stages": bool(self.stages), "last_stage": before and interview,
                    "last_stage_then_decision": after or (before and not interview), "in_own_stage": bool(self.stages),
                    "stages_after_interview": after, "decision_after_interview": not after,
                    "probation_decided_at_once": not probation, "probation_stages_next": probation,
                    "more_probation_stages": probation, "last_probation_stage": probation,
                    "in_probation_stage": probation, "more_stages_before_decision": before_decision,
                    "last_stage_before_decision": before_decision, "in_stage_before_decision": before_decision}
        unreachable = {state for state, reached in ((IN_STAGE, any(self._kind_stages.values())),
                                                    (INTERVIEW, interview),
                                                    (HR_REVIEW, self._exception_review),
                                                    (APPEALED, self._appeals)) if not reached}
        moves = []
        for move in MOVES:
            sources = tuple(s for s in move.sources if s not in unreachable)
            if possible.get(move.when, True) and move.dest not in unreachable and sources:
                moves.append(replace(move, sources=sources))
        return tuple(moves)

    def _sides(self) -> tuple[bool, bool, bool]:
        """Whether the policy has stages before the interview, stages after it, and the interview."""
        return bool(before_interview(self.stages)), first_after_interview(self.stages) is not None, self.interview

    def _conditions(self) -> dict[str, Callable[[object], bool]]:
        before, after, interview = self._sides()
        exception_review = lambda case: case.exceptional and self._exception_review  # noqa: E731
        in_stage = lambda case: self.stage_of(case) is not None  # noqa: E731
        last_stage = lambda case: in_stage(case) and stage_after(self.stages, case.stage) is None  # noqa: E731
        follows_interview = lambda case: self.stage_of(case).after_interview  # noqa: E731
        # another of its kind's stages follows (a probation confirmation, a demotion, an exit), or none does
        next_of_kind = lambda case: stage_after(self.stages_for(case.kind), case.stage)  # noqa: E731
        more_of_kind = lambda case: in_stage(case) and next_of_kind(case) is not None  # noqa: E731
        last_of_kind = lambda case: in_stage(case) and next_of_kind(case) is None  # noqa: E731
        return {
            # after the review (and hr's review of an exception): the policy's stages before the interview, the
            # interview, or the decision where the policy has no interview
            "needs_exception_review": exception_review,
            "straight_to_interview": lambda case: not exception_review(case) and not before and interview,
            "straight_to_stages": lambda case: not exception_review(case) and before,
            "straight_to_decision": lambda case: not exception_review(case) and not before and not interview,
            "interview_next": lambda case: not before and interview,
            "has_stages": lambda case: before,
            "decision_next": lambda case: not before and not interview,
            # in one of this policy's stages, with more to come on its side of the interview or the last one
            "more_stages": lambda case: in_stage(case) and stage_after(self.stages, case.stage) is not None,
            "last_stage": lambda case: last_stage(case) and interview and not follows_interview(case),
            "last_stage_then_decision": lambda case: last_stage(case) and (not interview or follows_interview(case)),
            "in_own_stage": in_stage,
            # after the interview: the policy's stages that follow it, or the decision
            "stages_after_interview": lambda case: after,
            "decision_after_interview": lambda case: not after,
            # a probation confirmation: decided by the supervisor, or by its stages after the supervisor's pass
            "probation_decided_at_once": lambda case: not self.stages_for(case.kind),
            "probation_stages_next": lambda case: bool(self.stages_for(case.kind)),
            "more_probation_stages": more_of_kind,
            "last_probation_stage": last_of_kind,
            "in_probation_stage": in_stage,
            # a demotion or an exit: its stages before the decision
            "more_stages_before_decision": more_of_kind,
            "last_stage_before_decision": last_of_kind,
            "in_stage_before_decision": in_stage,
            # single-case decisions and publication: outside a cycle, or a re-decision after an appeal
            "single_case": lambda case: case.cycle_code is None or case.reopened_by_appeal,
            # the cycle's decision also takes cases back in deliberation after an overturned appeal
            "in_cycle": lambda case: case.cycle_code is not None,
            "changes_grade": changes_grade,
            "leaves_grade": lambda case: not changes_grade(case),
        }

    @staticmethod
    def _of_kind(kinds: tuple[str, ...]) -> Callable[[object], bool]:
        return lambda case: case.kind in kinds

    @staticmethod
    def _on_event_data(check: Callable[[object], bool]):
        return lambda event_data: check(event_data.model)

    def stages_for(self, kind: str) -> tuple:
        """The policy's own stages of a case of `kind`."""
        return self._kind_stages[kind]

    def opening(self, kind: str) -> tuple[str, str | None]:
        """The state a new case of `kind` opens in, and its stage: a demotion or an exit with stages of its own
        opens in the first."""
        first = stage_after(self.stages_for(kind), None) if kind in OPENED_FOR_DECISION else None
        return (IN_STAGE, first.code) if first is not None else (INITIAL_STATE[kind], None)

    def stage_of(self, case):
        """The Stage the case is in (None outside the policy's own stages). A stage the policy does not declare (see
        stage_named) follows the interview where the committee has scored the case: passing it leads to the
        decision, not back to the interview."""
        stages = self.stages_for(case.kind)
        stage = stage_named(stages, case.stage)
        if stage is not None and stage not in stages and getattr(case, "scores", None):
            return replace(stage, after_interview=True)
        return stage

    def destination(self, case, event: str) -> str | None:
        """The state `event` would move the case to now (None: it does not apply)."""
        return next((move.dest for move, checks in self._checks.get(event, ())
                     if case.state in move.sources and all(check(case) for check in checks)), None)

    def applies(self, case, event: str) -> bool:
        return self.destination(case, event) is not None

    def applicable(self, case) -> tuple[str, ...]:
        """The events that apply to the case in its state, whoever fires them."""
        return tuple(e for e in EVENTS if self.applies(case, e))

    def fire(self, case, event: str) -> tuple[str, str]:
        """Move the case by `event`; (from_state, to_state). EventDoesNotApply if it does not apply. A move into
        `in_stage` names the stage the case is in now (from the interview: the first stage after it); any other move
        leaves the stages behind."""
        before = case.state
        if not self.applies(case, event) or not self.machine.events[event].trigger(case):
            raise EventDoesNotApply(event, before)
        if case.state == IN_STAGE:
            stages = self.stages_for(case.kind)
            entered = (stage_after(stages, case.stage) if before == IN_STAGE else
                       first_after_interview(stages) if before == INTERVIEW else stage_after(stages, None))
            case.stage = entered.code
        else:
            case.stage = None
        return before, case.state
