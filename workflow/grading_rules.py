"""Grading rules of a period close (issue 14: 能升能降 from results, not only through applications): conditions on a
manager's results and on the events of their record, each leading to a move. The salon moves stylists between C, B
and A on monthly counts and amounts (seed 000), the rural bank confirms each level quarterly, up or down, sometimes
by two (seed 000), tobacco dismisses the bottom two of a quarter and whoever misses the sales target two months
running, or has three complaints (seed 004), China Mobile demotes, suspends or dismisses (seed 002).

A rule holds when every condition it names holds:

- over a window of `periods` consecutive periods ending with the one closed (1: that period alone), each with a
  record of at least the close's months worked, at the same grade, and not already counted towards a move by an
  earlier close: the score (`score_at_least`, `score_below`, by grade or for all), the period's metrics
  (`metric_at_least`, `metric_below`), the rank among the period's peers (`bottom`, `bottom_percent`, `top`,
  `top_percent`: same grade, same org unit or the whole company);
- over the window's days: counts of events (`events`), leave (`leave_days_over`, `leave_times`, of `leave_reasons`);
- the manager's `grades` and `standing`.

The move: `up` or `down` by a number of grades, `suspend` (待岗), `reinstate` (back from 待岗) or `exit`; through a
case of its kind (review, publication, appeal as the policy's stages say) or, where the rule says `direct`, taking
effect at the close. Several rules holding at once: the gravest move wins (exit, suspend, down, reinstate, up).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from workflow.manager_events import (ACTIVE, KINDS as EVENT_KINDS, LEAVE, LEAVE_REASONS, STANDING_CHANGES, STANDINGS,
                                     SUSPENDED, months_or_count)
from workflow.periods import Period
from workflow.ranking import rank_cutoff

UP, DOWN, SUSPEND, REINSTATE, EXIT = "up", "down", "suspend", "reinstate", "exit"
MOVES = (UP, DOWN, SUSPEND, REINSTATE, EXIT)
_GRAVITY = {EXIT: 4, SUSPEND: 3, DOWN: 2, REINSTATE: 1, UP: 0}
COMPANY, ORG_UNIT = "company", "org_unit"
MAX_WINDOW = 12


@dataclass(frozen=True)
class Move:
    kind: str  # MOVES
    steps: int = 0  # grades, for up and down

    def graver_than(self, other: "Move") -> bool:
        return (_GRAVITY[self.kind], self.steps) > (_GRAVITY[other.kind], other.steps)

    def as_data(self) -> dict:
        return {"move": self.kind} | ({"steps": self.steps} if self.kind in (UP, DOWN) else {})


@dataclass(frozen=True)
class GradingRule:
    code: str
    zh: str
    move: Move
    direct: bool = False  # takes effect at the close, without a case
    grades: tuple[str, ...] = ()  # the grades it applies to (all when empty)
    standing: str = ACTIVE
    periods: int = 1  # the window
    score_at_least: tuple[tuple[str | None, Decimal], ...] = ()  # (grade or None for every grade, value)
    score_below: tuple[tuple[str | None, Decimal], ...] = ()
    metric_at_least: tuple[tuple[str, Decimal], ...] = ()
    metric_below: tuple[tuple[str, Decimal], ...] = ()  # every one of them below
    metric_short_of: tuple[tuple[str, Decimal], ...] = ()  # one of them at least below (a standard not met)
    bottom: int | None = None
    bottom_percent: Decimal | None = None
    top: int | None = None
    top_percent: Decimal | None = None
    rank_among: str = ORG_UNIT
    events: tuple[tuple[str, int], ...] = ()  # (kind, at least) over the window's days
    leave_days_over: int | None = None  # one leave longer than this many days
    leave_times: int | None = None  # at least this many leaves
    leave_reasons: tuple[str, ...] = ()  # the leaves counted (all when empty)
    # the closed period only: fewer months worked than this (the close's exclusion does not hold the rule back)
    months_worked_below: int | None = None
    # only when the months the grade has been held at the period's end are a multiple of this (the salon's
    # two-month review: 享受两个月待遇, 第二个月业绩复核)
    review_every_months: int | None = None
    # the manager: time on the job since hiring (seed 002 Jilin: 本岗工作时间1年及以上), and the education levels
    # accepted (大专以上学历: that level and those above it on the policy's list)
    min_months_on_the_job: int | None = None
    educations: tuple[str, ...] = ()

    @property
    def ranks(self) -> bool:
        return any(v is not None for v in (self.bottom, self.bottom_percent, self.top, self.top_percent))

    @property
    def per_period(self) -> bool:
        """Whether it reads each period of its window (else only the events of the window's days)."""
        return bool(self.score_at_least or self.score_below or self.metric_at_least or self.metric_below
                    or self.metric_short_of or self.ranks)

    def applies_to(self, grade: str, manager: "ManagerFacts") -> bool:
        return ((not self.grades or grade in self.grades) and manager.standing == self.standing
                and (self.min_months_on_the_job is None or manager.months_on_the_job >= self.min_months_on_the_job)
                and (not self.educations or manager.education in self.educations))


@dataclass(frozen=True)
class ManagerFacts:
    """What a rule reads of the manager, beside the results: standing, time on the job at the period's end,
    education."""
    standing: str = ACTIVE
    months_on_the_job: int = 0
    education: str | None = None
    events_counted_until: date | None = None  # an earlier close moved the manager on the events up to this day


@dataclass(frozen=True)
class PeriodResult:
    """One period of a manager's record as the rules read it."""
    period: Period
    score: Decimal
    months_worked: int
    grade: str  # held on the period's last day
    metrics: Mapping[str, Decimal]
    counted: bool = False  # an earlier close already moved the manager on it
    months_in_grade: int | None = None  # whole months the grade had been held at the period's end (closed period)
    rank_from_bottom: int | None = None  # competition rank among its peers, 1 = the lowest score
    rank_from_top: int | None = None
    peers: int = 0


@dataclass(frozen=True)
class RecordedEvent:
    kind: str
    occurred_on: date
    days: int | None = None
    reason: str | None = None


def window_days(rule: GradingRule, period: Period) -> tuple[date, date]:
    return period.shifted(1 - rule.periods).first_day, period.last_day


def _by_grade(limits: Sequence[tuple[str | None, Decimal]], grade: str) -> Decimal | None:
    values = dict(limits)
    return values.get(grade, values.get(None))


def _period_holds(rule: GradingRule, result: PeriodResult) -> bool:
    at_least, below = _by_grade(rule.score_at_least, result.grade), _by_grade(rule.score_below, result.grade)
    if (rule.score_at_least and at_least is None) or (rule.score_below and below is None):
        return False  # the rule names thresholds for other grades only
    if at_least is not None and result.score < at_least or below is not None and result.score >= below:
        return False
    for code, value in rule.metric_at_least:
        if result.metrics.get(code) is None or result.metrics[code] < value:
            return False
    for code, value in rule.metric_below:
        if result.metrics.get(code) is None or result.metrics[code] >= value:
            return False
    if rule.metric_short_of and (any(result.metrics.get(code) is None for code, _ in rule.metric_short_of) or all(
            result.metrics[code] >= value for code, value in rule.metric_short_of)):
        return False  # figures not entered are no evidence of a standard missed
    if rule.ranks:
        if result.rank_from_bottom is None:
            return False
        def share(percent: Decimal) -> int:
            return rank_cutoff(percent, result.peers)
        if rule.bottom is not None and result.rank_from_bottom > rule.bottom:
            return False
        if rule.bottom_percent is not None and result.rank_from_bottom > share(rule.bottom_percent):
            return False
        if rule.top is not None and result.rank_from_top > rule.top:
            return False
        if rule.top_percent is not None and result.rank_from_top > share(rule.top_percent):
            return False
    return True


def _events_hold(rule: GradingRule, events: Sequence[RecordedEvent], first: date, last: date) -> dict | None:
    """The evidence of the window's events that the rule asks for (None: they fall short); `first` is the first day
    of the window whose events have not moved the manager yet."""
    within = [e for e in events if first <= e.occurred_on <= last]
    evidence: dict = {}
    for kind, at_least in rule.events:
        count = months_or_count(kind, (e.occurred_on for e in within if e.kind == kind))
        if count < at_least:
            return None
        evidence[kind] = count
    leaves = [e for e in within if e.kind == LEAVE and (not rule.leave_reasons or e.reason in rule.leave_reasons)]
    if rule.leave_days_over is not None:
        longest = max((e.days or 0 for e in leaves), default=0)
        if longest <= rule.leave_days_over:
            return None
        evidence["longest_leave_days"] = longest
    if rule.leave_times is not None:
        if len(leaves) < rule.leave_times:
            return None
        evidence["leaves"] = len(leaves)
    return evidence


def holds(rule: GradingRule, min_months_worked: int, manager: ManagerFacts, results: Sequence[PeriodResult | None],
          events: Sequence[RecordedEvent]) -> dict | None:
    """Whether `rule` holds for a manager: `results` are the closed period's result and those before it, latest
    first (None: no record); `events` their record's events (any dates). Returns the reason the close records."""
    current = results[0]
    if current is None or not rule.applies_to(current.grade, manager):
        return None
    if rule.months_worked_below is None:
        if current.months_worked < min_months_worked:
            return None  # excluded by the close
    elif current.months_worked >= rule.months_worked_below:
        return None
    if rule.review_every_months is not None and (
            not current.months_in_grade or current.months_in_grade % rule.review_every_months):
        return None
    window = list(results[:rule.periods])
    earlier = window[1:]
    if rule.per_period and (
            len(window) < rule.periods or not _period_holds(rule, current)
            or any(r is None or r.months_worked < min_months_worked or r.grade != current.grade or r.counted
                   or not _period_holds(rule, r) for r in earlier)):
        return None
    first, last = window_days(rule, current.period)
    if manager.events_counted_until is not None:
        first = max(first, manager.events_counted_until + timedelta(days=1))
    evidence = _events_hold(rule, events, first, last)
    if evidence is None:
        return None
    reason = {"rule": "grading_rule", "code": rule.code, "zh": rule.zh, **rule.move.as_data(),
              "direct": rule.direct, "from": first.isoformat(), "to": last.isoformat()}
    if rule.per_period:
        reason["periods"] = [{"period": str(r.period), "score": str(r.score)}
                             | ({"metrics": {k: str(v) for k, v in r.metrics.items()}} if r.metrics else {})
                             | ({"rank_from_bottom": r.rank_from_bottom, "rank_from_top": r.rank_from_top,
                                 "peers": r.peers} if rule.ranks else {})
                             for r in reversed(window)]
    if evidence:
        reason["events"] = evidence
    if rule.months_worked_below is not None:
        reason["months_worked"] = current.months_worked
    if rule.review_every_months is not None:
        reason["months_in_grade"] = current.months_in_grade
    return reason


def gravest(rules: Sequence[GradingRule], reasons: Sequence[dict | None]) -> tuple[GradingRule, dict] | None:
    """Of the rules that hold (their reasons not None), the one whose move is gravest; the first listed on a tie."""
    chosen = None
    for rule, reason in zip(rules, reasons):
        if reason is not None and (chosen is None or rule.move.graver_than(chosen[0].move)):
            chosen = (rule, reason)
    return chosen


def counted_towards_a_move(reasons: Sequence[dict]) -> bool:
    """Whether a period's result already moved the manager by a rule that reads periods (one stretch moves once)."""
    return any(r.get("rule") == "grading_rule" and "periods" in r for r in reasons)


# ---- reading a policy's rules ------------------------------------------------------------------------------------
RULE_KEYS = {"code", "zh", "move", "direct", "grades", "standing", "periods", "score_at_least", "score_below",
             "metric_at_least", "metric_below", "metric_short_of", "bottom", "bottom_percent", "top", "top_percent",
             "rank_among", "events", "leave_days_over", "leave_times", "leave_reasons", "months_worked_below",
             "review_every_months", "min_months_on_the_job", "min_education"}


def parse_rules(node, *, grade_codes: tuple[str, ...], metric_codes: tuple[str, ...], scale_min: Decimal,
                scale_max: Decimal, promotion_steps: int, demotion_steps: int, education_levels: tuple[str, ...],
                period_months: int, problem) -> tuple[GradingRule, ...]:
    """The `rules` of a close (a list of mappings). `node` is policy.py's document node; `problem(node, text)` makes
    its error."""
    rules: list[GradingRule] = []
    for item in node.elements():
        rule = _parse_rule(item, grade_codes, metric_codes, scale_min, scale_max, promotion_steps, demotion_steps,
                           education_levels, problem)
        _check_sense(item, rule, period_months, problem)
        if any(r.code == rule.code for r in rules):
            raise problem(item["code"], f"a second rule {rule.code!r}: each rule has its own code")
        rules.append(rule)
    return tuple(rules)


def _parse_rule(node, grade_codes, metric_codes, scale_min, scale_max, promotion_steps, demotion_steps,
                education_levels, problem) -> GradingRule:
    node.mapping(RULE_KEYS)
    move = _parse_move(node["move"], promotion_steps, demotion_steps, problem)
    direct = node.get("direct", move.kind in (SUSPEND, REINSTATE)).boolean()
    if move.kind in (SUSPEND, REINSTATE) and not direct:
        raise problem(node["direct"], f"a {move.kind} changes the manager's standing at the close: it is direct")
    grades = tuple(_grade(g, grade_codes, problem) for g in node.get("grades", []).elements())
    standing = node.get("standing", SUSPENDED if move.kind == REINSTATE else ACTIVE)
    if standing.value not in STANDINGS:
        raise problem(standing, f"one of: {', '.join(STANDINGS)}")
    if move.kind == REINSTATE and standing.value != SUSPENDED:
        raise problem(standing, "a reinstatement applies to suspended managers")

    def scores(key):
        value = node.get(key, None)
        if value.value is None:
            return ()
        if isinstance(value.value, dict):
            return tuple((_grade(_sub(value, code), grade_codes, problem), v.number(scale_min, scale_max))
                         for code, v in value.items())
        return ((None, value.number(scale_min, scale_max)),)

    def metrics(key):
        found = []
        for code, v in node.get(key, {}).mapping(set(metric_codes)).items():
            found.append((code, v.number(Decimal(0), Decimal(10) ** 12)))
        return tuple(found)

    def optional_integer(key, lo, hi):
        return node[key].integer(lo, hi) if key in node.value else None

    def optional_percent(key):
        return node[key].number(Decimal(0), Decimal(100)) if key in node.value else None

    counted = set(EVENT_KINDS) - set(STANDING_CHANGES)  # a standing is read by `standing`, not counted
    events = tuple((kind, v.integer(1, 1000)) for kind, v in node.get("events", {}).mapping(counted).items())
    reasons = node.get("leave_reasons", [])
    rule = GradingRule(
        code=node["code"].code(), zh=node["zh"].text(), move=move, direct=direct, grades=grades,
        standing=standing.value, periods=node.get("periods", 1).integer(1, MAX_WINDOW),
        score_at_least=scores("score_at_least"), score_below=scores("score_below"),
        metric_at_least=metrics("metric_at_least"), metric_below=metrics("metric_below"),
        metric_short_of=metrics("metric_short_of"),
        bottom=optional_integer("bottom", 1, 10_000), bottom_percent=optional_percent("bottom_percent"),
        top=optional_integer("top", 1, 10_000), top_percent=optional_percent("top_percent"),
        rank_among=_choice(node.get("rank_among", ORG_UNIT), (ORG_UNIT, COMPANY), problem),
        events=events, leave_days_over=optional_integer("leave_days_over", 0, 366),
        leave_times=optional_integer("leave_times", 1, 100),
        months_worked_below=optional_integer("months_worked_below", 1, 12),
        review_every_months=optional_integer("review_every_months", 1, 60),
        min_months_on_the_job=optional_integer("min_months_on_the_job", 1, 600),
        educations=_educations(node.get("min_education", None), education_levels, problem),
        leave_reasons=tuple(reasons.distinct_choices(LEAVE_REASONS, "leave reason")) if reasons.value else ())
    if not (rule.per_period or rule.events or rule.leave_days_over is not None or rule.leave_times is not None
            or rule.months_worked_below is not None):
        raise problem(node, "names no condition: a rule needs at least one (scores, metrics, ranks, events, leave, "
                            "months worked)")
    if rule.leave_reasons and rule.leave_days_over is None and rule.leave_times is None:
        raise problem(node["leave_reasons"], "counts leave: give leave_times or leave_days_over with it")
    return rule


def _check_sense(node, rule: GradingRule, period_months: int, problem) -> None:
    """What parses but could never mean what HR meant."""
    if rule.months_worked_below is not None and rule.months_worked_below > period_months:
        raise problem(node["months_worked_below"], f"a period of the close has {period_months} month(s): a rule on "
                                                   "fewer months worked than that holds for everyone")
    below = dict(rule.score_below)
    for grade, at_least in rule.score_at_least:
        limit = below.get(grade, below.get(None)) if grade is not None else below.get(None)
        if limit is not None and at_least >= limit:
            raise problem(node["score_at_least"], f"at least {at_least} and below {limit}: no score is both")
    for key in ("bottom_percent", "top_percent"):
        if getattr(rule, key) == 0:
            raise problem(node[key], "must be above 0")
    if rule.standing == SUSPENDED and rule.move.kind not in (REINSTATE, EXIT, DOWN):
        raise problem(node["standing"], "a suspended manager is reinstated, demoted or dismissed, not "
                                        f"{'suspended again' if rule.move.kind == SUSPEND else 'moved up'}")


def _parse_move(node, promotion_steps: int, demotion_steps: int, problem) -> Move:
    if isinstance(node.value, str):
        if node.value not in (SUSPEND, REINSTATE, EXIT):
            raise problem(node, "one of: suspend, reinstate, exit, or a mapping {up: n} or {down: n}")
        return Move(node.value)
    node.mapping({UP, DOWN})
    (kind, steps), = node.items() if len(node.value) == 1 else [(None, None)]
    if kind is None:
        raise problem(node, "one of {up: n} or {down: n}")
    most = promotion_steps if kind == UP else demotion_steps
    return Move(kind, steps.integer(1, most))


def _educations(node, levels: tuple[str, ...], problem) -> tuple[str, ...]:
    if node.value is None:
        return ()
    if node.value not in levels:
        raise problem(node, f"{node.value!r} is not one of eligibility.education_levels ({', '.join(levels)})"
                      if levels else "list the education levels first (eligibility.education_levels)")
    return levels[levels.index(node.value):]


def _grade(node, grade_codes, problem) -> str:
    if node.value not in grade_codes:
        raise problem(node, f"{node.value!r} is not a grade of the ladder ({', '.join(grade_codes)})")
    return node.value


def _sub(node, key):
    """The node of a mapping's key itself (for a message naming it)."""
    return type(node)(key, node._child_path(key))


def _choice(node, known, problem) -> str:
    if node.value not in known:
        raise problem(node, f"one of: {', '.join(known)}")
    return node.value
