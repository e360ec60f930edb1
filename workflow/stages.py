"""A policy's own stages of a case (issue 13, point 1): the steps a company puts between the supervisor's review of
a promotion's materials and the committee's interview, as data (and, below, those of the other kinds).

Seed 003 (the kitchen) runs a grade exam, a second review and a three-month observation period (考察期) before its
third review; seed 002 (China Mobile Quzhou) a qualification check (资质审核) and a skills test (技能鉴定). Each is a
`Stage`: who acts in it, what it records, or how long it lasts. A case in one of them is in the state `in_stage`
and names the stage (`cases.stage`); `pass_stage` moves it to the next stage (after the last: to the interview),
`fail_stage` rejects it. The default policy declares none: approved materials go straight to the interview.
A policy may place the interview among its stages (`{stage: interview}`): the stages after it run between the
interview's end and the decision (the kitchen's third review after its observation period). A probation
confirmation's stages follow the supervisor's pass and decide it; a demotion or an exit opens in its first stage and
goes to the decision after the last (workflow/case_machine.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# Who acts in a stage: the applicant's supervisor, that supervisor's own supervisor, hr, the cycle's chair (the
# parties of workflow/case_machine.py, spelled here because the policy file names them and case_machine imports it).
SUPERVISOR, SECOND_SUPERVISOR, HR, CHAIR = "supervisor", "second_supervisor", "hr", "chair"
STAGE_PARTIES = (SUPERVISOR, SECOND_SUPERVISOR, HR, CHAIR)

# What a stage records when it is passed or failed: the decision only, a score (on the policy's scale), or a
# comment that says why (required either way).
PASS_FAIL, SCORE, COMMENT = "pass_fail", "score", "comment"
RECORDS = (PASS_FAIL, SCORE, COMMENT)

INTERVIEW_MARK = "interview"  # in a policy's list of stages: where the committee's interview falls


@dataclass(frozen=True)
class Stage:
    code: str
    label: str  # what people read (资质审核)
    by: str | None  # the party who passes or fails it; an observation may have none (it ends by itself)
    records: str = PASS_FAIL
    pass_mark: Decimal | None = None  # a scored stage is passed only with at least this score
    months: int | None = None  # an observation period: it passes by itself this many months after it began
    after_interview: bool = False  # it follows the committee's interview (before the decision)

    @property
    def is_observation(self) -> bool:
        return self.months is not None


def stage_named(stages: tuple[Stage, ...], code: str | None) -> Stage | None:
    """The stage `code` of `stages`; None for no code. A code the stages do not declare (a case whose own policy
    version could not be used follows the policy in force, which may lack its stage) is hr's to pass or fail,
    and passing it ends the stages."""
    if code is None:
        return None
    return next((s for s in stages if s.code == code), None) or Stage(code, code, HR)


def stage_after(stages: tuple[Stage, ...], code: str | None) -> Stage | None:
    """The stage that follows `code` on the same side of the interview (None: the first one before it); None after
    the last of its side, or after a code not declared."""
    if code is None:
        return next((s for s in stages if not s.after_interview), None)
    codes = [s.code for s in stages]
    position = codes.index(code) if code in codes else len(codes)
    following = stages[position + 1] if position + 1 < len(stages) else None
    return following if following is not None and following.after_interview == stages[position].after_interview \
        else None


def first_after_interview(stages: tuple[Stage, ...]) -> Stage | None:
    """The first stage that follows the committee's interview, if the policy places any there."""
    return next((s for s in stages if s.after_interview), None)


def before_interview(stages: tuple[Stage, ...]) -> tuple[Stage, ...]:
    return tuple(s for s in stages if not s.after_interview)
