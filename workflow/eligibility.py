"""Who may have which case: a promotion (seed 002's table: tenure, performance rank, one step at a
time; where the policy says so, education with its waivers, minimum results in recent periods, an age limit and
certificates, an exam's pass mark), a
probation confirmation (转正, once probation has ended), a demotion (not below the floor).

Each `*_refusals` returns every rule the case would break, so that a refusal names all of them at
once; an empty list means eligible.
"""
from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from workflow.ranking import competition_rank, rank_cutoff
from workflow.errors import quoted
from workflow.periods import Period
from workflow.policy import ExamSource, LadderPolicy, Policy, TargetRule


@dataclass(frozen=True)
class Refusal:
    """A broken rule: `detail` says how in English (the API's words); `facts` are its figures (grades as codes, days
    as dates, periods as their codes), for a page to say the same in its reader's language."""
    rule: str
    detail: str
    facts: dict = field(default_factory=dict, compare=False)  # what `detail` says, as figures


LEFT_THE_LADDER = Refusal("active_manager", "the manager has left the ladder")


@dataclass(frozen=True)
class Applicant:
    employee_no: str
    grade: str
    grade_since: date
    org_unit: str = ""
    education: str | None = None
    birth_date: date | None = None
    certificates: tuple[str, ...] = ()


@dataclass(frozen=True)
class PeerScores:
    """The latest annual scores of the applicant's grade in their org unit (the applicant included)."""
    period: str | None  # the applicant's latest annual period; None: the applicant has no annual score
    scores: dict[str, Decimal]  # employee_no → score for that period


MIN_WORKING_AGE = 16  # 劳动法 第十五条: nobody under sixteen is hired


def age_on(birth_date: date, day: date) -> int:
    """Full years of age on `day` (周岁): one more on each birthday; a 29 February birthday counts on 1 March in
    other years."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it is shorter (Jan 31 + 1 → Feb 28)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def full_months_between(start: date, end: date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    while months > 0 and add_months(start, months) > end:
        months -= 1
    return max(months, 0)


def promotion_targets(ladder: LadderPolicy, grade: str) -> list[str]:
    """The grades a promotion from `grade` may aim at: those above it (promotion_goes_up refuses the others; an
    exceptional promotion may skip one, and the other rules judge the rest). Every grade of the ladder for a grade it
    does not know, which known_grade refuses."""
    if grade not in ladder.codes:
        return list(ladder.codes)
    return [code for code in ladder.codes if ladder.rank(code) > ladder.rank(grade)]


def promotion_refusals(policy: Policy, applicant: Applicant, target: str, *, exceptional: bool, today: date,
                       peers: PeerScores, recent: dict[str, Decimal] | None = None,
                       exam: tuple[date, Decimal] | None = None) -> list[Refusal]:
    """`recent`: the applicant's scores of the periods the target's recent-results rule reads (recent_periods);
    `exam`: (taken on, score) of the applicant's latest result in the target's exam since exam_window_start, if
    the target has an exam rule."""
    ladder = policy.ladder
    if ladder.is_exited(applicant.grade):
        return [LEFT_THE_LADDER]
    if applicant.grade == ladder.entry_grade:
        return [Refusal("probation_confirmation",
                        f"a {applicant.grade} manager reaches {ladder.confirmation_target} by probation "
                        "confirmation (转正), not by application")]
    if target not in ladder.codes:
        return [Refusal("known_grade", f"unknown grade {quoted(target)}; the ladder is {', '.join(ladder.codes)}")]
    steps = ladder.rank(target) - ladder.rank(applicant.grade)
    if steps <= 0:
        return [Refusal("promotion_goes_up", f"{target} is not above the current grade {applicant.grade}",
                        {"grade": applicant.grade, "target": target})]
    refusals = []
    allowed = ladder.exceptional_steps if exceptional else ladder.promotion_steps
    if steps > allowed:
        refusals.append(Refusal(
            "one_step_at_a_time",
            f"{applicant.grade} → {target} is {steps} grades; "
            + (f"an exceptional promotion skips at most {allowed - 1}" if exceptional
               else f"promotion is {allowed} grade at a time (逐级晋升, 不得越级) unless exceptional"),
            {"grade": applicant.grade, "target": target, "steps": steps, "allowed": allowed,
             "exceptional": exceptional}))
    rule = policy.eligibility.for_target(target)
    if rule is None:
        refusals.append(Refusal("target_open_to_application", f"{target} is not open to application"))
        return refusals
    if not (exceptional and policy.eligibility.exceptional_ignores_tenure):
        months = full_months_between(applicant.grade_since, today)
        if months < rule.min_months_in_grade:
            refusals.append(Refusal(
                "tenure", f"{rule.min_months_in_grade} months as {applicant.grade} are required for {target}; "
                          f"{months} completed since {applicant.grade_since}",
                {"grade": applicant.grade, "target": target, "required": rule.min_months_in_grade, "months": months,
                 "since": applicant.grade_since,
                 "from_day": add_months(applicant.grade_since, rule.min_months_in_grade)}))
    refusals.extend(_rank_refusals(rule.top_percent, applicant, target, peers))
    refusals.extend(_education_refusals(policy.eligibility.education_levels, rule, applicant))
    refusals.extend(_recent_results_refusals(rule, today, recent or {}))
    refusals.extend(_age_refusals(rule, applicant, today))
    refusals.extend(_certificate_refusals(rule, applicant))
    refusals.extend(_exam_refusals(rule, today, exam))
    return refusals


def exam_window_start(source: ExamSource, today: date) -> date:
    """The first day a result of the exam counts from: `within_months` before today."""
    return add_months(today, -source.within_months)


def recent_periods(rule: TargetRule | None, today: date) -> list[Period]:
    """The periods a target's recent-results rule reads on `today`, the latest first (none without the rule)."""
    if rule is None or rule.recent_results is None:
        return []
    return Period.ended_before(rule.recent_results.period, today, rule.recent_results.count)


def _education_refusals(levels: tuple[str, ...], rule: TargetRule, applicant: Applicant) -> Sequence[Refusal]:
    if rule.min_education is None or applicant.org_unit in rule.education_waived_in:
        return []
    needed = f"{rule.grade} needs {rule.min_education} or above"
    if applicant.education not in levels:
        recorded = ("no education is recorded" if not applicant.education
                    else f"the recorded education is none of {', '.join(levels)}")
        return [Refusal("education", f"{needed}; {recorded}",
                        {"grade": rule.grade, "needed": rule.min_education, "recorded": applicant.education})]
    if levels.index(applicant.education) < levels.index(rule.min_education):
        return [Refusal("education", f"{needed}; the recorded education is {applicant.education}",
                        {"grade": rule.grade, "needed": rule.min_education, "recorded": applicant.education})]
    return []


def _recent_results_refusals(rule: TargetRule, today: date, recent: dict[str, Decimal]) -> Sequence[Refusal]:
    periods = recent_periods(rule, today)
    if not periods:
        return []
    wanted = rule.recent_results
    shortfalls = [f"{p} has no record" if str(p) not in recent else f"{p} scored {recent[str(p)].normalize():f}"
                  for p in periods if str(p) not in recent or recent[str(p)] < wanted.min_score]
    if shortfalls:
        return [Refusal("recent_results",
                        f"{rule.grade} needs at least {wanted.min_score.normalize():f} in each of the last "
                        f"{wanted.count} {wanted.period} periods ({', '.join(str(p) for p in periods)}); "
                        + "; ".join(shortfalls),
                        {"grade": rule.grade, "min_score": wanted.min_score, "periods": [str(p) for p in periods],
                         "short": [(str(p), recent.get(str(p))) for p in periods
                                   if str(p) not in recent or recent[str(p)] < wanted.min_score]})]
    return []


def _age_refusals(rule: TargetRule, applicant: Applicant, today: date) -> Sequence[Refusal]:
    if rule.max_age is None:
        return []
    needed = f"{rule.grade} is open up to the age of {rule.max_age}"
    if applicant.birth_date is None:
        return [Refusal("age", f"{needed}; no birth date is recorded",
                        {"grade": rule.grade, "max_age": rule.max_age, "age": None})]
    age = age_on(applicant.birth_date, today)
    if age > rule.max_age:
        return [Refusal("age", f"{needed}; the manager is {age}",
                        {"grade": rule.grade, "max_age": rule.max_age, "age": age})]
    return []


def _certificate_refusals(rule: TargetRule, applicant: Applicant) -> Sequence[Refusal]:
    missing = [c for c in rule.certificates if c not in applicant.certificates]
    if missing:
        return [Refusal("certificates", f"{rule.grade} needs the certificates {', '.join(rule.certificates)}; "
                                        f"missing: {', '.join(missing)}", {"grade": rule.grade, "missing": missing})]
    return []


def _exam_refusals(rule: TargetRule, today: date, exam: tuple[date, Decimal] | None) -> Sequence[Refusal]:
    if rule.exam is None:
        return []
    wanted = rule.exam
    needed = (f"{rule.grade} needs at least {wanted.min_score.normalize():f} in {wanted.exam} taken since "
              f"{exam_window_start(wanted, today)}")
    facts = {"grade": rule.grade, "exam": wanted.exam, "min_score": wanted.min_score,
             "since": exam_window_start(wanted, today), "taken_on": None, "score": None}
    if exam is None:
        return [Refusal("exam", f"{needed}; no such result is recorded", facts)]
    taken_on, score = exam
    if score < wanted.min_score:
        return [Refusal("exam", f"{needed}; the latest ({taken_on}) scored {score.normalize():f}",
                        facts | {"taken_on": taken_on, "score": score})]
    return []


def _rank_refusals(top_percent: Decimal, applicant: Applicant, target: str, peers: PeerScores) -> Sequence[Refusal]:
    if peers.period is None or applicant.employee_no not in peers.scores:
        return [Refusal("performance_rank", "no annual performance score is recorded, so there is no rank",
                        {"rank": None})]
    rank = competition_rank(peers.scores, applicant.employee_no)
    cutoff = rank_cutoff(top_percent, len(peers.scores))
    if rank > cutoff:
        return [Refusal("performance_rank",
                        f"{target} needs the top {top_percent.normalize():f} % of {applicant.grade} managers of the "
                        f"org unit by {peers.period} score (rank ≤ {cutoff} of {len(peers.scores)}); rank is {rank}",
                        {"grade": applicant.grade, "target": target, "top_percent": top_percent,
                         "period": peers.period, "cutoff": cutoff, "ranked": len(peers.scores), "rank": rank})]
    return []


def probation_refusals(policy: Policy, grade: str, grade_since: date, today: date) -> list[Refusal]:
    """A probation confirmation: the manager is on probation, and it has ended."""
    ladder = policy.ladder
    if ladder.is_exited(grade):
        return [LEFT_THE_LADDER]
    if grade != ladder.entry_grade:
        return [Refusal("on_probation", f"the manager is {grade}, not on probation")]
    ends = add_months(grade_since, policy.probation_months)
    if ends > today:
        return [Refusal("probation_ended", f"probation ({policy.probation_months} months from "
                                           f"{grade_since}) ends on {ends}")]
    return []


def demotion_refusals(ladder: LadderPolicy, grade: str, target: str | None) -> list[Refusal]:
    """A demotion: the manager is on the ladder, above its floor (`target`: the grade below theirs, if any)."""
    if ladder.is_exited(grade):
        return [LEFT_THE_LADDER]
    if target is None:
        return [Refusal("demotable", f"a {grade} manager cannot be demoted (the floor is {ladder.demotion_floor})")]
    return []


def exit_refusals(ladder: LadderPolicy, grade: str) -> list[Refusal]:
    return [LEFT_THE_LADDER] if ladder.is_exited(grade) else []
