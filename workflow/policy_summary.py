"""A policy in plain words, for `gradeflow policy check`: the ladder, the stages of each kind of case, the
periods, the scorecard and the quotas, as an HR department would check them against its own rules."""
from __future__ import annotations

from decimal import Decimal

from workflow.periods import EXAMPLES, HALF, MONTH, QUARTER, YEAR
from workflow.policy import Policy
from workflow.quotas import COMPANY, ORG_UNIT, PARENT


def _percent(share: Decimal) -> str:
    return f"{(share * 100).normalize():f} %"


def _ladder(policy: Policy) -> list[str]:
    ladder = policy.ladder
    return [
        "ladder (lowest first): " + " → ".join(f"{g.code} {g.zh}" for g in ladder.grades)
        + f"; leaving it: {ladder.exited.code} {ladder.exited.zh}",
        f"  new managers start on {ladder.entry_grade} and are confirmed to {ladder.confirmation_target} after "
        f"{policy.probation_months} months; a promotion moves {ladder.promotion_steps} grade(s) "
        f"(an exceptional one up to {ladder.exceptional_steps}); demotions stop at {ladder.demotion_floor}",
    ]


def _eligibility(policy: Policy) -> list[str]:
    rules = policy.eligibility
    lines = [f"  applying for {t.grade}: at least {t.min_months_in_grade} months in grade and in the top "
             f"{t.top_percent.normalize():f} % of the org unit's latest annual scores" + _more_for(t)
             for t in rules.targets]
    next_step = ("policy's own stages" if any(not s.after_interview for s in policy.promotion_stages) else
                 "interview" if policy.interview else "decision")
    exceptional = ("ignores tenure" if rules.exceptional_ignores_tenure else "keeps the tenure rule") + (
        f", then hr approves it before the {next_step}" if rules.exceptional_needs_hr_approval else "")
    return ["eligibility:", *lines, f"  an exceptional promotion {exceptional}"]


def _more_for(target) -> str:
    more = ""
    if target.min_education:
        waived = f" (not in {', '.join(target.education_waived_in)})" if target.education_waived_in else ""
        more += f"; education {target.min_education} or above{waived}"
    if target.recent_results:
        wanted = target.recent_results
        more += (f"; at least {wanted.min_score.normalize():f} in each of the last {wanted.count} "
                 f"{wanted.period} periods")
    if target.max_age is not None:
        more += f"; aged {target.max_age} or younger"
    if target.certificates:
        more += f"; holding {', '.join(target.certificates)}"
    if target.exam is not None:
        more += (f"; at least {target.exam.min_score.normalize():f} in {target.exam.exam} within the last "
                 f"{target.exam.within_months} months")
    return more


def _stages(policy: Policy) -> list[str]:
    exception = " → exception review (hr, for an exceptional promotion)" if \
        policy.eligibility.exceptional_needs_hr_approval else ""
    window = (f"appeal window {policy.appeal_window_working_days} working days" if policy.appeals else
              "no appeals: effective as published")
    return [
        "stages:",
        f"  promotion: materials (the supervisor: approve with a score, return or reject){exception}"
        + "".join(f" → {_own_stage(stage)}" for stage in policy.promotion_stages if not stage.after_interview)
        + (f" → interview (the cycle's committee scores; quorum {policy.quorum})"
           + "".join(f" → {_own_stage(stage)}" for stage in policy.promotion_stages if stage.after_interview)
           + " → decision (the chair or hr, for the whole cycle)" if policy.interview else
           " → decision (hr, or the cycle's chair if it has one, for the whole cycle; no interview)")
        + f" → publication ({window}) → effective",
        "  probation_confirmation: the supervisor passes or fails it"
        + "".join(f" → {_own_stage(stage)}" for stage in policy.probation_stages)
        + f" → publication ({window}) → effective",
        *([f"  {', '.join(_DECIDED_KINDS)}: decision (the chair or hr) → publication ({window}) → effective"]
          if not any(policy.stages_of(kind) for kind in _DECIDED_KINDS) else
          [f"  {kind}: " + "".join(f"{_own_stage(stage)} → " for stage in policy.stages_of(kind))
           + f"decision (the chair or hr) → publication ({window}) → effective" for kind in _DECIDED_KINDS]),
    ]


_DECIDED_KINDS = ("demotion", "exit", "advancement")  # opened by the service, decided one by one
_PARTIES = {"supervisor": "the supervisor", "second_supervisor": "the supervisor's supervisor", "hr": "hr",
            "chair": "the cycle's chair"}
_RECORDS = {"pass_fail": "passes or fails it", "score": "scores it", "comment": "passes or fails it with a comment"}


def _own_stage(stage) -> str:
    """One of the policy's own stages (workflow/stages.py), as `policy check` prints it."""
    if stage.is_observation:
        early = f"; {_PARTIES[stage.by]} may fail it before" if stage.by else ""
        return f"{stage.code} {stage.label} (observation: passes by itself after {stage.months} months{early})"
    mark = f", passed with {stage.pass_mark.normalize():f} or more" if stage.pass_mark is not None else ""
    return f"{stage.code} {stage.label} ({_PARTIES[stage.by]} {_RECORDS[stage.records]}{mark})"


_SCORES = {YEAR: "annual scores, used for the performance rank and the final score", HALF: "half-year scores",
           QUARTER: "quarterly scores", MONTH: "monthly scores"}
_PLURALS = {YEAR: "years", HALF: "half-years", QUARTER: "quarters", MONTH: "months"}


def _periods(policy: Policy) -> list[str]:
    lines = ["periods:"]
    for kind in policy.periods:
        line = f"  {kind} ({EXAMPLES[kind]}): {_SCORES[kind]}"
        if (close := policy.close_of(kind)) is not None:
            line += "; " + _close(close)
        elif kind != YEAR:
            line += ", recorded and kept (no close acts on them)"
        lines.append(line)
        if close is not None:
            lines += [f"    rule {_rule(rule, close.period)}" for rule in close.rules]
    if policy.metrics:
        lines.append("  metrics entered with a record: " + ", ".join(f"{m.code} {m.zh} (0 to {m.max.normalize():f})"
                                                                     for m in policy.metrics))
    return lines


def _rule(rule, period: str) -> str:
    """A grading rule in words: `c_to_b (达到B级标准): a grade_c with new_customers at least 60 in the month → up 1,
    at the close`."""
    who = f"{' or '.join(rule.grades) if rule.grades else 'any grade'}" + (
        " (suspended)" if rule.standing == "suspended" else "")
    window = f"the {period}" if rule.periods == 1 else f"each of {rule.periods} {_PLURALS[period]} running"
    conditions = [*(f"score ≥ {v.normalize():f}" + (f" as {g}" if g else "") for g, v in rule.score_at_least),
                  *(f"score < {v.normalize():f}" + (f" as {g}" if g else "") for g, v in rule.score_below),
                  *(f"{c} ≥ {v.normalize():f}" for c, v in rule.metric_at_least),
                  *(f"{c} < {v.normalize():f}" for c, v in rule.metric_below)]
    if rule.metric_short_of:
        conditions.append("short of " + ", ".join(f"{c} {v.normalize():f}" for c, v in rule.metric_short_of))
    for key, words in (("bottom", "the bottom {}"), ("top", "the top {}"), ("bottom_percent", "the bottom {} %"),
                       ("top_percent", "the top {} %")):
        value = getattr(rule, key)
        if value is not None:
            shown = f"{value.normalize():f}" if isinstance(value, Decimal) else value
            conditions.append(words.format(shown) + f" of the {rule.rank_among.replace('_', ' ')}")
    text = f"{rule.code} ({rule.zh}): {who}"
    if conditions:
        text += " with " + ", ".join(conditions) + f" in {window}"
    counted = [f"{n} {kind}" for kind, n in rule.events]
    if rule.leave_days_over is not None:
        counted.append(f"a leave over {rule.leave_days_over} days")
    if rule.leave_times is not None:
        counted.append(f"{rule.leave_times} leave(s)")
    if counted:
        text += ("; " if conditions else " with ") + " and ".join(counted) + (
            f" ({', '.join(rule.leave_reasons)})" if rule.leave_reasons else "") + (
            f" within {rule.periods} {_PLURALS[period]}" if rule.periods > 1 else f" in the {period}")
    if rule.months_worked_below is not None:
        text += f"; fewer than {rule.months_worked_below} months worked"
    if rule.review_every_months is not None:
        text += f"; reviewed every {rule.review_every_months} months in the grade"
    if rule.min_months_on_the_job is not None:
        text += f"; {rule.min_months_on_the_job} months on the job"
    if rule.educations:
        text += f"; education {rule.educations[0]} or above"
    move = {"up": f"up {rule.move.steps}", "down": f"down {rule.move.steps}"}.get(rule.move.kind, rule.move.kind)
    return text + f" → {move}" + (", at the close" if rule.direct else ", through a case")


def _close(close) -> str:
    thresholds = ", ".join(f"{grade} below {value.normalize():f}" for grade, value in close.demotion_thresholds)
    run = (f"in one {close.period}" if close.consecutive_quarters == 1
           else f"in {close.consecutive_quarters} consecutive {_PLURALS[close.period]}")
    demotes = " or ".join(([f"{thresholds} {run}"] if thresholds else [])
                          + (["a compliance violation"] if close.violation_demotes else []))
    return (f"closed {close.run_after_days} day(s) after the {close.period} at {close.run_at:%H:%M}; fewer than "
            f"{close.min_months_worked} months worked: not evaluated; " + (f"{demotes} opens a demotion; "
                                                                         if demotes else "")
            + f"demotions in {close.exit_after_demotion_years} consecutive years open an exit")


def _performance(scoring) -> str:
    source = scoring.performance
    if source is None:
        return "annual performance"
    return f"performance (the mean of the last {source.last} {_PLURALS[source.period]} ended)"


def _scorecard(policy: Policy) -> list[str]:
    scoring = policy.scoring
    trim = (f"dropping the {scoring.trim_drop_highest} highest and {scoring.trim_drop_lowest} lowest once there "
            f"are {scoring.trim_min_scores} scores")
    interview = (f" + interview {_percent(scoring.interview_weight)} (the committee's mean, {trim})"
                 if policy.interview else "")
    return [
        f"scorecard (scale {scoring.scale.min}–{scoring.scale.max}, {scoring.decimal_places} decimals, pass mark "
        f"{scoring.pass_mark}):",
        f"  supervisor {_percent(scoring.supervisor_weight)}{interview} + {_performance(scoring)} "
        f"{_percent(scoring.performance_weight)}"
        + (f" + exam {_percent(scoring.exam_weight)} (the latest {scoring.exam.exam} result of the last "
           f"{scoring.exam.within_months} months)" if scoring.exam is not None else "")
        + "".join(f" + {_stage_named(policy, code)} {_percent(weight)} (the stage's score)"
                  for code, weight in scoring.stage_weights),
        *(["  supervisor score = the sum of its items, each scored from 0: " + "; ".join(
            f"{item.code} {item.label} {item.points.normalize():f}" for item in scoring.supervisor_items)]
          if scoring.supervisor_items else []),
        *(f"  minus {d.code} {d.label}: {d.points.normalize():f} points for each of the last {d.last} "
          f"{_PLURALS[d.period]} ended with a compliance violation"
          + (f", at most {d.max.normalize():f}" if d.max is not None else "") for d in scoring.deductions),
        *(["  pass marks of the components: " + ", ".join(f"{name} {mark.normalize():f}"
                                                          for name, mark in scoring.component_pass_marks)]
          if scoring.component_pass_marks else []),
        "  ties broken by " + ", then ".join(policy.tie_break),
    ]


def _stage_named(policy: Policy, code: str) -> str:
    return next(f"{stage.code} {stage.label}" for stage in policy.promotion_stages if stage.code == code)


def _period_scorecard(policy: Policy) -> list[str]:
    card = policy.period_scorecard
    if card is None:
        return []
    kinds = ", ".join(_PLURALS[kind] for kind in card.periods)
    return [f"period scorecard ({kinds}): hr enters the parts, the score is their weighted sum", *(
        f"  {_named(part)} {_percent(part.weight)}: " + ("; ".join(_item(item) for item in part.items) if part.items
                                                      else f"points 0–{part.max.normalize():f}, as entered")
        for part in card.parts)]


def _named(part_or_item) -> str:
    """Its code, and its Chinese name where the policy gives one (the import's column header)."""
    return f"{part_or_item.code} {part_or_item.zh}" if part_or_item.zh else part_or_item.code


def _item(item) -> str:
    if item.deduct is None:
        return f"{_named(item)} 0–{item.points.normalize():f} points, as entered"
    zero = f", none from {item.zero_at} findings" if item.zero_at is not None else ""
    return f"{_named(item)} {item.points.normalize():f} points less {item.deduct.normalize():f} per finding{zero}"


_SCOPE_OWNERS = {ORG_UNIT: "an org unit's", PARENT: "a parent unit's", COMPANY: "the company's"}


def _quotas(policy: Policy) -> list[str]:
    if not policy.quotas:
        return ["quotas: none"]
    lines = ["quotas:"]
    for q in policy.quotas:
        limits = [f"at most {_percent(q.max_share)}" if q.max_share is not None else None,
                  f"at least {_percent(q.min_share)}" if q.min_share is not None else None]
        lines.append(f"  {q.grade}: {' and '.join(filter(None, limits))} of {_SCOPE_OWNERS[q.scope]} active "
                     "managers")
    return lines


def _org_units(policy: Policy) -> list[str]:
    if not policy.org_unit_files:
        return []
    return ["org units with a policy of their own (and the units below them):",
            *(f"  {unit}: {file}" for unit, file in policy.org_unit_files)]


def describe(policy: Policy) -> list[str]:
    return [f"policy {policy.reference} ({policy.title}), time zone {policy.timezone}",
            *_ladder(policy), *_eligibility(policy), *_stages(policy), *_periods(policy), *_period_scorecard(policy),
            *_scorecard(policy),
            *_quotas(policy), *_org_units(policy)]


def describe_with_units(policy: Policy) -> list[str]:
    """The company's policy, then each org unit's (once per policy, naming the units that follow it)."""
    lines = describe(policy)
    following: dict[str, tuple[Policy, list[str]]] = {}
    for unit, held in policy.units:
        following.setdefault(held.reference, (held, []))[1].append(unit)
    for held, units in following.values():
        lines += ["", f"org unit {', '.join(units)} follows:", *(f"  {line}" for line in describe(held))]
    return lines
