"""The grading policy: every number of the rule book, loaded from a data file.

The file (YAML or JSON) is validated once at start-up into frozen dataclasses; a bad file
raises PolicyError naming the key path and the problem. No rule is ever evaluated from
the file as code.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from workflow.grading_rules import DOWN, EXIT, UP, GradingRule, parse_rules
from workflow.periods import KINDS as PERIOD_KINDS, MONTHS as PERIOD_MONTHS, QUARTER, YEAR
from workflow.quotas import ORG_UNIT, SCOPES, UNIT_SEPARATOR, Quota
from workflow.stages import INTERVIEW_MARK, RECORDS, SCORE, STAGE_PARTIES, Stage

# the policies shipped in workflow/policies/ (the default, and a rule pack per company of the seeds), by file name
BUILTIN_POLICIES = ("default", *sorted(entry.name.removesuffix(".yaml") for entry in
                                       resources.files("workflow.policies").iterdir()
                                       if entry.name.endswith(".yaml") and entry.name != "default.yaml"))
STORED_DECIMAL_PLACES = 2  # scores are stored as NUMERIC(6, 2)
TIE_BREAK_KEYS = ("interview_score", "time_in_grade", "employee_no")
CODE = re.compile(r"[a-z][a-z0-9_]{0,31}\Z")  # a code a policy names (a grade, an exam)
_HHMM = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]\Z")


class PolicyError(ValueError):
    """The policy file is malformed; the message names the key and the problem (the first one, when there are
    several: `problems` lists each)."""

    def __init__(self, key: str, problem: str, source: str | None = None,
                 others: tuple["PolicyError", ...] = ()):
        self.key, self.problem, self.source = key, problem, source
        self.problems = (self, *others)
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{key}: {problem}")

    @classmethod
    def of(cls, problems: list["PolicyError"], source: str | None = None) -> "PolicyError":
        first, *others = (cls(p.key, p.problem, source) for p in problems)
        return cls(first.key, first.problem, source, tuple(others))


@dataclass(frozen=True)
class Grade:
    code: str
    zh: str
    en: str
    rank: int  # position on the ladder, 0 = lowest; the exit grade has rank -1


@dataclass(frozen=True)
class LadderPolicy:
    grades: tuple[Grade, ...]
    exited: Grade
    entry_grade: str
    demotion_floor: str
    promotion_steps: int
    exceptional_steps: int
    demotion_steps: int = 1  # how far a demotion may go: one grade, or more where a close's rule says (跃级调整)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(g.code for g in self.grades)

    @property
    def all_codes(self) -> tuple[str, ...]:
        return self.codes + (self.exited.code,)

    def grade(self, code: str) -> Grade:
        for g in self.grades + (self.exited,):
            if g.code == code:
                return g
        raise KeyError(code)

    def rank(self, code: str) -> int:
        return self.grade(code).rank

    @property
    def confirmation_target(self) -> str:
        """The grade a confirmed probationer reaches (转正): the one above the entry grade."""
        return self.codes[1]

    def is_exited(self, code: str) -> bool:
        return code == self.exited.code


@dataclass(frozen=True)
class RecentResults:
    """Each of the last `count` periods of kind `period` scored at least `min_score` (考核结果)."""
    period: str
    count: int
    min_score: Decimal


@dataclass(frozen=True)
class ExamSource:
    """The result an exam rule reads: the latest in `exam` taken within the last `within_months` months."""
    exam: str
    within_months: int


@dataclass(frozen=True)
class ExamRule(ExamSource):
    """An eligibility pass mark: the latest result (ExamSource) scored at least `min_score`."""
    min_score: Decimal


@dataclass(frozen=True)
class TargetRule:
    grade: str
    min_months_in_grade: int
    top_percent: Decimal
    min_education: str | None = None  # one of EligibilityPolicy.education_levels (学历), or no such rule
    education_waived_in: tuple[str, ...] = ()  # org units where the education rule does not apply (e.g. head office)
    recent_results: RecentResults | None = None
    max_age: int | None = None  # full years (周岁) on the day of application, or no age limit
    certificates: tuple[str, ...] = ()  # each needed (资格证书), as HR writes them on the managers' records
    exam: ExamRule | None = None  # an exam's pass mark (岗位技能鉴定), or none


@dataclass(frozen=True)
class EligibilityPolicy:
    targets: tuple[TargetRule, ...]
    exceptional_ignores_tenure: bool
    exceptional_needs_hr_approval: bool
    education_levels: tuple[str, ...] = ()  # lowest first, as written on the managers' records

    def for_target(self, grade: str) -> TargetRule | None:
        return next((t for t in self.targets if t.grade == grade), None)


@dataclass(frozen=True)
class ScoreScale:
    min: Decimal
    max: Decimal

    def contains(self, value: Decimal) -> bool:
        return self.min <= value <= self.max


@dataclass(frozen=True)
class PerformanceSource:
    """The performance component of a final score: the mean of the `last` periods of kind `period` that ended
    before the decision, each of which needs a record (tobacco: the last four quarters)."""
    period: str
    last: int


@dataclass(frozen=True)
class Deduction:
    """Points off the final score (扣分): `points` for each of the last `last` periods of kind `period` ended before
    the decision whose record has a compliance violation (查实一项次有违章违纪行为的, 扣5分: seed 004), at most `max`."""
    code: str
    label: str
    points: Decimal
    period: str
    last: int
    max: Decimal | None = None

    def off(self, violations: int) -> Decimal:
        taken = self.points * violations
        return taken if self.max is None else min(taken, self.max)


@dataclass(frozen=True)
class SupervisorItem:
    """An item the supervisor scores on its own (上级评价 by item: 工作业绩 40, 工作能力 40, 工作态度 20), from 0 to its
    `points`; the supervisor score is the items' sum (workflow/supervisor_items.py)."""
    code: str
    label: str
    points: Decimal


@dataclass(frozen=True)
class ScoringPolicy:
    scale: ScoreScale
    supervisor_weight: Decimal
    interview_weight: Decimal
    performance_weight: Decimal
    trim_min_scores: int
    trim_drop_highest: int
    trim_drop_lowest: int
    decimal_places: int
    pass_mark: Decimal
    # a component's own pass mark (supervisor, interview, performance, exam), besides the final score's
    component_pass_marks: tuple[tuple[str, Decimal], ...] = ()
    exam_weight: Decimal = Decimal(0)
    exam: ExamSource | None = None  # the exam component's result, when the exam weighs
    performance: PerformanceSource | None = None  # None: the latest annual score
    # (stage code, weight): a promotion's own scored stage weighed in the final score (workflow/stages.py)
    stage_weights: tuple[tuple[str, Decimal], ...] = ()
    deductions: tuple[Deduction, ...] = ()  # points off the weighted score, never below the scale's minimum
    supervisor_items: tuple[SupervisorItem, ...] = ()  # the supervisor scores these, and their sum is the score


SCORE_COMPONENTS = ("supervisor", "interview", "performance", "exam")


@dataclass(frozen=True)
class ScorecardItem:
    """A sub-item of a scorecard's part, worth up to `points` (作风纪律 40). With `deduct`, HR enters the number of
    findings and each takes `deduct` points off, never below zero (扣完为止); `zero_at` findings score zero
    (累计被查处达3次的,该项为零分). Without it, HR enters the points."""
    code: str
    points: Decimal
    deduct: Decimal | None = None
    zero_at: int | None = None
    zh: str = ""  # its name for HR (作风纪律): an import's column; the code where none is given

    def points_for(self, entered: Decimal) -> Decimal:
        if self.deduct is None:
            return entered
        if self.zero_at is not None and entered >= self.zero_at:
            return Decimal(0)
        return max(Decimal(0), self.points - self.deduct * entered)


@dataclass(frozen=True)
class ScorecardPart:
    """A weighted part of a period's score (经营业绩 60 %): entered as points up to `max`, or the sum of its items."""
    code: str
    weight: Decimal
    max: Decimal
    items: tuple[ScorecardItem, ...] = ()
    zh: str = ""  # its name for HR (经营业绩)


@dataclass(frozen=True)
class PeriodScorecard:
    """How the score of a record of one of `periods` is made from its parts (月度考核: seed 004): HR enters
    the parts, and the score is their weighted sum; nobody types the total."""
    periods: tuple[str, ...]
    parts: tuple[ScorecardPart, ...]

    @property
    def entries(self) -> tuple[str, ...]:
        """What HR enters, by code: each part without items, and each item."""
        return tuple(entry.code for entry in self.entered)

    @property
    def entered(self) -> tuple[ScorecardPart | ScorecardItem, ...]:
        """What HR enters: each part without items, and each item."""
        return tuple(entry for part in self.parts for entry in (part.items or (part,)))


@dataclass(frozen=True)
class Metric:
    """A figure of a period's record (seed 000: 每月到店新客数达到90位, 广告置换金额不少于20万)."""
    code: str
    zh: str
    en: str
    max: Decimal


@dataclass(frozen=True)
class QuarterClosePolicy:
    """The period-end evaluation (按季评价, 能升能降): of each quarter by default, or of the policy's `period`;
    `consecutive_quarters` and `run_after_days` count periods and days of that kind."""
    min_months_worked: int
    violation_demotes: bool
    demotion_thresholds: tuple[tuple[str, Decimal], ...]
    consecutive_quarters: int
    exit_after_demotion_years: int
    run_after_days: int
    run_at: time  # local time
    period: str = QUARTER  # the kind of period closed
    rules: tuple[GradingRule, ...] = ()  # the grading rules of its periods (workflow/grading_rules.py)

    def threshold(self, grade: str) -> Decimal | None:
        return next((value for code, value in self.demotion_thresholds if code == grade), None)


@dataclass(frozen=True)
class Policy:
    name: str
    title: str
    timezone: str
    ladder: LadderPolicy
    eligibility: EligibilityPolicy
    scoring: ScoringPolicy
    quorum: int  # 0 without the interview
    quotas: tuple[Quota, ...]
    tie_break: tuple[str, ...]
    show_scores: bool
    appeal_window_working_days: int  # 0: no appeals, a published decision takes effect at once (`appeals`)
    probation_months: int
    overdue_after_working_days: int
    reminder_at: time  # local time of the day's reminders
    closes: tuple[QuarterClosePolicy, ...]  # the period-end evaluations, one per kind of period closed
    periods: tuple[str, ...] = (YEAR, QUARTER)  # the kinds of period performance is recorded for
    # figures HR enters with a period's record besides its score (新客到店数, 广告置换金额), read by grading rules
    metrics: tuple[Metric, ...] = ()
    period_scorecard: PeriodScorecard | None = None  # records of its periods are entered by their parts
    # a promotion's own stages between the review of the materials and the interview (workflow/stages.py)
    promotion_stages: tuple[Stage, ...] = ()
    # a case waiting this long on a supervisor who cannot act goes up the chain (workflow/escalation.py); None: never
    escalate_after_working_days: int | None = None
    # a probation confirmation's own stages, after the supervisor's pass (seed 002: 通过客户经理岗位技能鉴定的, 晋升为
    # 初级客户经理): the last one passed confirms the manager, one failed fails the probation
    probation_stages: tuple[Stage, ...] = ()
    # a demotion's and an exit's own stages before the decision (a talk with the manager, hr's check): the last one
    # passed leads to the decision, one failed ends the case without the move (denied)
    demotion_stages: tuple[Stage, ...] = ()
    exit_stages: tuple[Stage, ...] = ()
    advancement_stages: tuple[Stage, ...] = ()  # of a move up by a close's grading rule, before the decision
    interview: bool = True  # whether a promotion has the committee's interview (committee.interview)
    # org units whose cases follow a policy file of their own, as the file names them: (unit, file); the files are
    # read by workflow/org_unit_policies.py, which puts their policies in `units`
    org_unit_files: tuple[tuple[str, str], ...] = ()
    units: tuple[tuple[str, "Policy"], ...] = dataclasses.field(default=(), compare=False, repr=False)
    version: str = ""  # a fingerprint of the file's content: the same rules, the same version
    # the file's content as JSON, in the file's key order (comments dropped): stored with the cases it governs, it
    # parses back to this policy, the same version and the same words in `policy check`
    document: str = dataclasses.field(default="", compare=False, repr=False)

    @property
    def reference(self) -> str:
        """`name@version`: recorded on every case when it is opened; the rules of that version govern the case to
        its end (workflow/services/governing.py)."""
        return f"{self.name}@{self.version}"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def stages_of(self, kind: str) -> tuple[Stage, ...]:
        """The stages of its own a case of `kind` passes (workflow/stages.py)."""
        return {"promotion": self.promotion_stages, "probation_confirmation": self.probation_stages,
                "demotion": self.demotion_stages, "exit": self.exit_stages,
                "advancement": self.advancement_stages}[kind]

    @property
    def appeals(self) -> bool:
        """Whether a published decision can be appealed (in its window) before it takes effect."""
        return self.appeal_window_working_days > 0

    @property
    def closed_kinds(self) -> tuple[str, ...]:
        return tuple(close.period for close in self.closes)

    def close_of(self, kind: str) -> QuarterClosePolicy | None:
        """The close of periods of `kind`, or None where the policy closes none."""
        return next((close for close in self.closes if close.period == kind), None)

    @property
    def exit_after_demotion_years(self) -> int:
        """Demotions in this many consecutive years open an exit, whichever close opened them (the same in each)."""
        return self.closes[0].exit_after_demotion_years



# --- loading ---------------------------------------------------------------------------

def load_policy(path: str | Path | None = None) -> Policy:
    """Load and validate a policy file; None or a built-in name loads a shipped policy."""
    if path is None or str(path) in BUILTIN_POLICIES:
        name = str(path or "default")
        text = resources.files("workflow.policies").joinpath(f"{name}.yaml").read_text("utf-8")
        return parse_policy(text, source=f"built-in policy {name!r}")
    p = Path(path)
    try:
        text = p.read_text("utf-8")
    except OSError as exc:
        raise PolicyError("(file)", f"cannot read: {exc.strerror or exc}", str(p)) from exc
    return parse_policy(text, source=str(p), as_json=p.suffix.lower() == ".json")


def parse_policy(text: str, *, source: str | None = None, as_json: bool = False) -> Policy:
    try:
        data = json.loads(text) if as_json else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise PolicyError("(file)", f"not valid {'JSON' if as_json else 'YAML'}: {exc}", source) from exc
    try:
        policy = _build(_Node(data, ""))
    except PolicyError as exc:
        raise PolicyError.of(list(exc.problems), source) from None
    document = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return dataclasses.replace(policy, version=fingerprint(data), document=document)


def fingerprint(data: Any) -> str:
    """The first 12 hex digits of the SHA-256 of the document's canonical JSON: comments, key order and YAML or
    JSON do not change it; any rule does."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


class _Node:
    """A value in the policy document together with its key path, for error messages."""

    def __init__(self, value: Any, path: str):
        self.value, self.path = value, path

    def fail(self, problem: str) -> PolicyError:
        return PolicyError(self.path or "(top level)", problem)

    def _child_path(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    def mapping(self, allowed: set[str]) -> "_Node":
        if not isinstance(self.value, dict):
            raise self.fail("must be a mapping")
        unknown = sorted(set(map(str, self.value)) - allowed)
        if unknown:
            raise PolicyError(self._child_path(unknown[0]), f"unknown key (allowed: {', '.join(sorted(allowed))})")
        return self

    def __getitem__(self, key: str) -> "_Node":
        if key not in self.value:
            raise PolicyError(self._child_path(key), "is required")
        return _Node(self.value[key], self._child_path(key))

    def get(self, key: str, default: Any) -> "_Node":
        return self[key] if key in self.value else _Node(default, self._child_path(key))

    def items(self) -> list[tuple[str, "_Node"]]:
        return [(str(k), _Node(v, self._child_path(str(k)))) for k, v in self.value.items()]

    def elements(self, *, min_len: int = 0) -> list["_Node"]:
        if not isinstance(self.value, list):
            raise self.fail("must be a list")
        if len(self.value) < min_len:
            raise self.fail(f"must have at least {min_len} entries")
        return [_Node(v, self._child_path(i)) for i, v in enumerate(self.value)]

    def distinct_choices(self, known: tuple[str, ...], what: str) -> list[str]:
        """A list of at least one value out of `known`, none twice."""
        chosen: list[str] = []
        for item in self.elements(min_len=1):
            if item.value not in known:
                raise item.fail(f"unknown {what} {item.value!r} (known: {', '.join(known)})")
            if item.value in chosen:
                raise item.fail(f"{item.value!r} is listed twice")
            chosen.append(item.value)
        return chosen

    def text(self) -> str:
        if not isinstance(self.value, str) or not self.value.strip():
            raise self.fail("must be a non-empty string")
        return self.value

    def code(self) -> str:
        if not isinstance(self.value, str) or not CODE.match(self.value):
            raise self.fail("must be a code of lowercase letters, digits and underscores")
        return self.value

    def boolean(self) -> bool:
        if not isinstance(self.value, bool):
            raise self.fail("must be true or false")
        return self.value

    def integer(self, lo: int, hi: int) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self.fail("must be a whole number")
        if not lo <= self.value <= hi:
            raise self.fail(f"must be between {lo} and {hi}")
        return self.value

    def local_time(self) -> time:
        if not isinstance(self.value, str) or not _HHMM.match(self.value):
            raise self.fail("must be a local time HH:MM")
        hours, minutes = map(int, self.value.split(":"))
        return time(hours, minutes)

    def number(self, lo: Decimal, hi: Decimal) -> Decimal:
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float)):
            raise self.fail("must be a number")
        value = Decimal(str(self.value))
        if not value.is_finite():
            raise self.fail("must be a finite number")
        if not lo <= value <= hi:
            raise self.fail(f"must be between {lo} and {hi}")
        return value


_TOP = {"name", "title", "timezone", "ladder", "eligibility", "scoring", "committee", "quotas",
        "ranking", "publication", "probation", "reminders", "quarter_close", "periods", "period_scorecard", "metrics",
        "org_units", "stages"}


class _Problems:
    """The problems of a file, section by section: a broken section does not hide the next one's problems."""

    def __init__(self):
        self.found: list[PolicyError] = []

    def attempt(self, build: Callable[[], Any]) -> Any:
        try:
            return build()
        except PolicyError as exc:
            self.found.append(exc)
            return None


def _build(root: _Node) -> Policy:
    if not isinstance(root.value, dict):
        raise root.fail("must be a mapping")
    problems = _Problems()
    attempt = problems.attempt
    attempt(lambda: root.mapping(_TOP))
    timezone = attempt(lambda: _timezone(root["timezone"]))
    ladder = attempt(lambda: _ladder(root["ladder"]))
    scoring = attempt(lambda: _scoring(root["scoring"]))
    periods = attempt(lambda: _periods(root.get("periods", list(Policy.periods))))
    metrics = attempt(lambda: _metrics(root.get("metrics", [])))
    eligibility = attempt(lambda: _eligibility(root["eligibility"], ladder, periods, scoring.scale)
                          if ladder and periods and scoring else _present(root, "eligibility"))
    fields = dict(
        name=attempt(lambda: _name(root["name"])),
        title=attempt(lambda: root.get("title", root.value["name"]).text()) if "name" in root.value else None,
        timezone=timezone,
        ladder=ladder,
        eligibility=eligibility,
        scoring=scoring,
        **(attempt(lambda: _committee(root["committee"])) or {}),
        quotas=attempt(lambda: _quotas(root.get("quotas", []), ladder)) if ladder else None,
        tie_break=attempt(lambda: _tie_break(root["ranking"].mapping({"tie_break"})["tie_break"])),
        **(attempt(lambda: _publication(root["publication"])) or {}),
        probation_months=attempt(lambda: root["probation"].mapping({"months"})["months"].integer(1, 36)),
        **(attempt(lambda: _reminders(root["reminders"])) or {}),
        metrics=metrics,
        closes=attempt(lambda: _closes(root["quarter_close"], ladder, scoring.scale, periods, metrics,
                                       eligibility.education_levels if eligibility else ())
                       if ladder and scoring and periods and metrics is not None else _present(root, "quarter_close")),
        periods=periods,
        period_scorecard=attempt(lambda: _period_scorecard(root.get("period_scorecard", None), periods,
                                                           scoring.scale)) if periods and scoring else None,
        org_unit_files=attempt(lambda: _org_unit_files(root.get("org_units", {}))),
    )
    if scoring:
        fields.update(attempt(lambda: _stages(root.get("stages", {}), scoring.scale,
                                              fields.get("interview", True))) or {})
    if scoring and periods:
        attempt(lambda: _performance_recorded(root, scoring, periods))
    if fields.get("closes"):
        attempt(lambda: _direct_moves_have_no_stages(root, fields))
    if scoring and fields.get("promotion_stages") is not None:
        attempt(lambda: _weighed_stages_score(root, scoring, fields["promotion_stages"]))
    if scoring and fields.get("interview") is False:
        attempt(lambda: _nothing_reads_an_interview(root, scoring, fields["tie_break"]))
    elif scoring and fields.get("interview"):
        attempt(lambda: root["scoring"]["trim"])  # the interview's scores are trimmed as the policy says
    if problems.found:
        raise PolicyError.of(problems.found)
    return Policy(**fields)


# Names a stage may not take: the states of a case, and the steps every promotion has anyway.
_RESERVED_STAGE_CODES = {"materials", "interview", "deliberation", "decision", "publication", "in_stage",
                         "submitted", "returned", "hr_review", "decided", "published", "appealed", "effective",
                         "closed", "rejected", "withdrawn"}


def _stages(node: _Node, scale: ScoreScale, interview: bool) -> dict:
    """`stages: {promotion, probation_confirmation, demotion, exit}`: each kind's own stages, in order
    (workflow/stages.py)."""
    node.mapping({"promotion", "probation_confirmation", "demotion", "exit", "advancement"})
    decision_stages = {}
    # opened by the service in bulk (a quarter close): no observation periods
    for kind in ("demotion", "exit", "advancement"):
        decision_stages[kind] = _stage_list(node.get(kind, []), scale, interview_placed=None)
        for index, stage in enumerate(decision_stages[kind]):
            if stage.is_observation:
                raise node[kind].elements()[index]["months"].fail(
                    "the stages of a demotion or an exit are decided by their party: no observation period")
    return dict(promotion_stages=_stage_list(node.get("promotion", []), scale, interview_placed=interview),
                probation_stages=_stage_list(node.get("probation_confirmation", []), scale, interview_placed=None),
                demotion_stages=decision_stages["demotion"], exit_stages=decision_stages["exit"],
                advancement_stages=decision_stages["advancement"])


def _stage_list(node: _Node, scale: ScoreScale, *, interview_placed: bool | None) -> tuple[Stage, ...]:
    """A kind's stages. In a promotion's (`interview_placed` not None: whether the policy has the interview),
    `{stage: interview}` may say where the committee's interview falls among them: the stages after it follow the
    interview."""
    stages: list[Stage] = []
    after_interview = False
    for item in node.elements():
        if isinstance(item.value, dict) and item.value.get("stage") == INTERVIEW_MARK and interview_placed is not None:
            item.mapping({"stage"})
            if not interview_placed:
                raise item["stage"].fail("the policy has no interview (committee.interview: false)")
            if after_interview:
                raise item["stage"].fail("the interview is placed twice")
            after_interview = True
            continue
        stage = dataclasses.replace(_stage(item, scale), after_interview=after_interview)
        if stage.code in {s.code for s in stages}:
            raise item["stage"].fail(f"{stage.code!r} is declared twice")
        stages.append(stage)
    return tuple(stages)


def _stage(node: _Node, scale: ScoreScale) -> Stage:
    node.mapping({"stage", "label", "by", "records", "pass_mark", "months"})
    code = node["stage"].code()
    if code in _RESERVED_STAGE_CODES:
        raise node["stage"].fail(f"{code!r} is a step every promotion has, or a state: name the stage otherwise")
    label = node.get("label", code).text()
    by = node.get("by", None)
    if by.value is not None and by.value not in STAGE_PARTIES:
        raise by.fail(f"unknown party {by.value!r} (known: {', '.join(STAGE_PARTIES)})")
    if "months" in node.value:  # an observation period: it passes by itself; `by` may end it early (fail only)
        for key in ("records", "pass_mark"):
            if key in node.value:
                raise node[key].fail("an observation period (months) records nothing: it passes when it ends")
        return Stage(code, label, by.value, months=node["months"].integer(1, 24))
    if by.value is None:
        raise node.fail("needs by (who passes or fails it), or months (an observation period that ends by itself)")
    records = node.get("records", RECORDS[0])
    if records.value not in RECORDS:
        raise records.fail(f"unknown record {records.value!r} (known: {', '.join(RECORDS)})")
    pass_mark = None
    if "pass_mark" in node.value:
        if records.value != SCORE:
            raise node["pass_mark"].fail("only a stage that records a score has a pass mark")
        pass_mark = node["pass_mark"].number(scale.min, scale.max)
    return Stage(code, label, by.value, records.value, pass_mark)


def _committee(node: _Node) -> dict:
    """`committee: {quorum}`, or `{interview: false}` for promotions decided without the committee's interview (the
    salon of seed 000 has no committee): no quorum then."""
    node.mapping({"quorum", "interview"})
    interview = node.get("interview", True).boolean()
    if not interview:
        if "quorum" in node.value:
            raise node["quorum"].fail("a policy without the interview has no quorum (nobody scores an interview)")
        return {"interview": False, "quorum": 0}
    return {"interview": True, "quorum": node["quorum"].integer(1, 100)}


def _nothing_reads_an_interview(root: _Node, scoring: ScoringPolicy, tie_break: tuple[str, ...] | None) -> None:
    """Without the interview, no rule may read its score."""
    why = "the policy has no interview (committee.interview: false)"
    if scoring.interview_weight:
        raise root["scoring"]["weights"]["interview"].fail(f"must be 0: {why}")
    if "interview" in dict(scoring.component_pass_marks):
        raise root["scoring"]["component_pass_marks"]["interview"].fail(f"cannot be set: {why}")
    if "trim" in root["scoring"].value:
        raise root["scoring"]["trim"].fail(f"cannot be set: {why}")
    if tie_break and "interview_score" in tie_break:
        raise root["ranking"]["tie_break"].fail(f"cannot break ties by interview_score: {why}")


def _org_unit_files(node: _Node) -> tuple[tuple[str, str], ...]:
    """`org_units`: org unit path → the policy file its cases follow (beside this file, or a built-in name)."""
    if not isinstance(node.value, dict):
        raise node.fail("must be a mapping of org units (such as 衢州市/柯城区) to policy files")
    files = []
    for unit, file in node.items():
        if not unit.strip() or len(unit) > 100 or any(not part.strip() for part in unit.split(UNIT_SEPARATOR)):
            raise file.fail("must be an org unit path of at most 100 characters, its units separated by "
                            f"{UNIT_SEPARATOR!r} (such as 衢州市/柯城区)")
        files.append((unit, file.text()))
    return tuple(files)


def _name(node: _Node) -> str:
    if len(node.text()) > 64:
        raise node.fail("must be at most 64 characters (cases record it with the policy's version)")
    return node.value


def _direct_moves_have_no_stages(root: _Node, fields: dict) -> None:
    """A `direct` rule takes effect at the close: its kind of case may not have stages of its own to pass first."""
    stages = {UP: fields.get("advancement_stages"), DOWN: fields.get("demotion_stages"),
              EXIT: fields.get("exit_stages")}
    node = root["quarter_close"]
    for close in fields["closes"]:
        close_node = node if not isinstance(node.value, list) else next(
            item for item in node.elements() if item.get("period", QUARTER).value == close.period)
        for index, rule in enumerate(close.rules):
            if rule.direct and stages.get(rule.move.kind):
                raise close_node["rules"].elements()[index]["direct"].fail(
                    f"a direct move takes effect at the close: the {rule.move.kind} move's case has stages of its "
                    "own (stages) to pass first")


def _present(root: _Node, key: str) -> None:
    """A section that cannot be checked (the ladder it refers to is broken) must at least be there."""
    root[key]


def _timezone(node: _Node) -> str:
    try:
        ZoneInfo(node.text())
    except (ZoneInfoNotFoundError, ValueError):
        raise node.fail(f"unknown time zone {node.value!r}") from None
    return node.value


def _periods(node: _Node) -> tuple[str, ...]:
    kinds = node.distinct_choices(PERIOD_KINDS, "period")
    if YEAR not in kinds:
        raise node.fail(f"must include {YEAR!r}: the annual score enters eligibility and the final score")
    return tuple(k for k in PERIOD_KINDS if k in kinds)


def _publication(node: _Node) -> dict:
    """公示 and the appeal window; `appeals: false` for a company whose published result takes effect at once
    (seed 002: 人力资源部核准后, 公布晋级结果并立即生效): then there is no window to state."""
    node.mapping({"show_scores", "appeal_window_working_days", "appeals"})
    if not node.get("appeals", True).boolean():
        if "appeal_window_working_days" in node.value:
            raise node["appeal_window_working_days"].fail("a policy without appeals (appeals: false) has no window")
        return dict(show_scores=node["show_scores"].boolean(), appeal_window_working_days=0)
    return dict(show_scores=node["show_scores"].boolean(),
                appeal_window_working_days=node["appeal_window_working_days"].integer(1, 60))


def _reminders(node: _Node) -> dict:
    node.mapping({"overdue_after_working_days", "at", "escalate_after_working_days"})
    escalate = node["escalate_after_working_days"].integer(1, 60) if "escalate_after_working_days" in node.value \
        else None
    return dict(overdue_after_working_days=node["overdue_after_working_days"].integer(1, 60),
                reminder_at=node.get("at", "09:00").local_time(), escalate_after_working_days=escalate)


def _grade(node: _Node, rank: int) -> Grade:
    node.mapping({"code", "zh", "en"})
    return Grade(code=node["code"].code(), zh=node["zh"].text(), en=node["en"].text(), rank=rank)


def _known_grade(node: _Node, ladder_codes: tuple[str, ...]) -> str:
    code = node.code()
    if code not in ladder_codes:
        raise node.fail(f"{code!r} is not a grade of the ladder ({', '.join(ladder_codes)})")
    return code


def _ladder(node: _Node) -> LadderPolicy:
    node.mapping({"grades", "exited", "entry_grade", "demotion_floor", "promotion_steps", "exceptional_steps",
                  "demotion_steps"})
    grades = tuple(_grade(g, i) for i, g in enumerate(node["grades"].elements(min_len=2)))
    exited = _grade(node["exited"], -1)
    seen: set[str] = set()
    for i, g in enumerate(grades + (exited,)):
        if g.code in seen:
            where = f"grades[{i}].code" if i < len(grades) else "exited.code"
            raise PolicyError(f"{node.path}.{where}", f"duplicate grade code {g.code!r}")
        seen.add(g.code)
    codes = tuple(g.code for g in grades)
    entry = _known_grade(node["entry_grade"], codes)
    if entry != codes[0]:
        raise node["entry_grade"].fail("must be the lowest grade of the ladder")
    floor = _known_grade(node["demotion_floor"], codes)
    top = len(grades) - 1
    promotion_steps = node["promotion_steps"].integer(1, top)
    exceptional = node["exceptional_steps"].integer(promotion_steps, top)
    demotion_steps = node.get("demotion_steps", 1).integer(1, max(1, top))
    return LadderPolicy(grades=grades, exited=exited, entry_grade=entry, demotion_floor=floor,
                        promotion_steps=promotion_steps, exceptional_steps=exceptional, demotion_steps=demotion_steps)


def _eligibility(node: _Node, ladder: LadderPolicy, periods: tuple[str, ...], scale: ScoreScale) -> EligibilityPolicy:
    node.mapping({"targets", "exceptional", "education_levels"})
    levels = _distinct_texts(node.get("education_levels", []))
    targets = []
    for code, rule in node["targets"].mapping(set(ladder.codes)).items():
        if ladder.rank(code) <= ladder.rank(ladder.confirmation_target):
            raise PolicyError(rule.path, f"{code!r} is reached by probation confirmation, not by application"
                              if code == ladder.confirmation_target else f"{code!r} cannot be applied for")
        rule.mapping({"min_months_in_grade", "top_percent", "min_education", "education_waived_in",
                      "min_recent_results", "max_age", "certificates", "min_exam"})
        max_age = rule.get("max_age", None)
        targets.append(TargetRule(grade=code,
                                  min_months_in_grade=rule["min_months_in_grade"].integer(0, 120),
                                  top_percent=rule["top_percent"].number(Decimal(1), Decimal(100)),
                                  min_education=_min_education(rule.get("min_education", None), levels),
                                  education_waived_in=tuple(u.text() for u in rule.get("education_waived_in",
                                                                                        []).elements()),
                                  recent_results=_recent_results(rule.get("min_recent_results", None), periods,
                                                                 scale),
                                  max_age=None if max_age.value is None else max_age.integer(18, 70),
                                  certificates=_distinct_texts(rule.get("certificates", [])),
                                  exam=_exam_rule(rule.get("min_exam", None), scale)))
    exceptional = node["exceptional"].mapping({"ignores_tenure", "needs_hr_approval"})
    return EligibilityPolicy(targets=tuple(sorted(targets, key=lambda t: ladder.rank(t.grade))),
                             exceptional_ignores_tenure=exceptional["ignores_tenure"].boolean(),
                             exceptional_needs_hr_approval=exceptional["needs_hr_approval"].boolean(),
                             education_levels=levels)


def _distinct_texts(node: _Node) -> tuple[str, ...]:
    texts: list[str] = []
    for item in node.elements():
        if item.text() in texts:
            raise item.fail(f"{item.value!r} is listed twice")
        texts.append(item.value)
    return tuple(texts)


def _min_education(node: _Node, levels: tuple[str, ...]) -> str | None:
    if node.value is None:
        return None
    if node.text() not in levels:
        raise node.fail(f"{node.value!r} is not one of eligibility.education_levels ({', '.join(levels) or 'none'})")
    return node.value


def _exam_rule(node: _Node, scale: ScoreScale) -> ExamRule | None:
    source = _exam_source(node, {"min_score"})
    if source is None:
        return None
    return ExamRule(source.exam, source.within_months, min_score=node["min_score"].number(scale.min, scale.max))


def _recent_results(node: _Node, periods: tuple[str, ...], scale: ScoreScale) -> RecentResults | None:
    if node.value is None:
        return None
    node.mapping({"period", "count", "min_score"})
    kind = node["period"]
    if kind.value not in periods:
        raise kind.fail(f"must be a period the policy records ({', '.join(periods)})")
    return RecentResults(period=kind.value, count=node["count"].integer(1, 24),
                         min_score=node["min_score"].number(scale.min, scale.max))


def _scoring(node: _Node) -> ScoringPolicy:
    node.mapping({"scale", "weights", "trim", "decimal_places", "pass_mark", "component_pass_marks", "exam",
                  "performance", "deductions", "supervisor_items"})
    scale_node = node["scale"].mapping({"min", "max"})
    lo = scale_node["min"].number(Decimal(0), Decimal(1000))
    hi = scale_node["max"].number(lo + 1, Decimal(9999))
    weights = node["weights"]
    if not isinstance(weights.value, dict):
        raise weights.fail("must be a mapping")
    w = {k: weights[k].number(Decimal(0), Decimal(1)) for k in ("supervisor", "interview", "performance")}
    w["exam"] = weights.get("exam", 0).number(Decimal(0), Decimal(1))  # optional: no exam component
    # any other key names a scored stage of the promotion (checked against the stages in _build)
    stage_weights = tuple((_Node(code, weights._child_path(code)).code(), item.number(Decimal(0), Decimal(1)))
                          for code, item in weights.items() if code not in SCORE_COMPONENTS)
    total = sum(w.values()) + sum(weight for _code, weight in stage_weights)
    if total != 1:
        raise weights.fail(f"must add up to 1 (they add up to {total})")
    exam = _exam_source(node.get("exam", None))
    if (exam is None) != (w["exam"] == 0):
        raise (node["exam"] if exam is not None else weights["exam"]).fail(
            "an exam component needs both weights.exam above 0 and scoring.exam {exam, within_months}")
    marks = node.get("component_pass_marks", {}).mapping(set(SCORE_COMPONENTS) - ({"exam"} if exam is None
                                                                                   else set()))
    # required with the interview (checked in _build); a policy without it trims nothing
    trim = node.get("trim", {"min_scores": 1, "drop_highest": 0, "drop_lowest": 0}).mapping(
        {"min_scores", "drop_highest", "drop_lowest"})
    drop_hi = trim["drop_highest"].integer(0, 10)
    drop_lo = trim["drop_lowest"].integer(0, 10)
    min_scores = trim["min_scores"].integer(drop_hi + drop_lo + 1, 100)
    places = node["decimal_places"].integer(0, STORED_DECIMAL_PLACES)
    return ScoringPolicy(
        scale=ScoreScale(lo, hi),
        supervisor_weight=w["supervisor"], interview_weight=w["interview"], performance_weight=w["performance"],
        trim_min_scores=min_scores, trim_drop_highest=drop_hi, trim_drop_lowest=drop_lo,
        decimal_places=places,
        pass_mark=node["pass_mark"].number(lo, hi),
        component_pass_marks=tuple((name, mark.number(lo, hi)) for name, mark in marks.items()),
        exam_weight=w["exam"], exam=exam, performance=_performance_source(node.get("performance", None)),
        stage_weights=stage_weights, deductions=_deductions(node.get("deductions", []), hi - lo),
        supervisor_items=_supervisor_items(node.get("supervisor_items", []), ScoreScale(lo, hi), places),
    )


def _supervisor_items(node: _Node, scale: ScoreScale, places: int) -> tuple[SupervisorItem, ...]:
    """`scoring.supervisor_items: [{code, label?, points}]`: scored from 0 to their points (which a score of the
    scoring's decimal places can reach), adding up to the scale."""
    items: list[SupervisorItem] = []
    for item in node.elements():
        item.mapping({"code", "label", "points"})
        code = item["code"].code()
        if code in {known.code for known in items}:
            raise item["code"].fail(f"{code!r} is declared twice")
        points = item["points"].number(Decimal("0.01"), scale.max)
        if points != points.quantize(Decimal(1).scaleb(-places)):
            raise item["points"].fail(f"at most {places} decimal places, as every score (scoring.decimal_places)")
        items.append(SupervisorItem(code, item.get("label", code).text(), points))
    total = sum((item.points for item in items), Decimal(0))
    if items and scale.min != 0:
        raise node.fail(f"items are scored from 0, so the score scale must start at 0 (it starts at {scale.min})")
    if items and total != scale.max:
        raise node.fail(f"the items' points must add up to the scale's maximum, {scale.max}: their sum is the "
                        f"supervisor score (they add up to {total})")
    return tuple(items)


def _deductions(node: _Node, span: Decimal) -> tuple[Deduction, ...]:
    """`scoring.deductions: [{code, label?, points, max?, period, last}]` (the periods are checked against the
    policy's `periods` in _build)."""
    deductions: list[Deduction] = []
    for item in node.elements():
        item.mapping({"code", "label", "points", "max", "period", "last"})
        code = item["code"].code()
        if code in {d.code for d in deductions}:
            raise item["code"].fail(f"{code!r} is declared twice")
        points = item["points"].number(Decimal("0.01"), span)
        period = item["period"]
        if period.value not in PERIOD_KINDS:
            raise period.fail(f"unknown period {period.value!r} (known: {', '.join(PERIOD_KINDS)})")
        deductions.append(Deduction(code, item.get("label", code).text(), points, period.value,
                                    item["last"].integer(1, 24),
                                    item["max"].number(points, span) if "max" in item.value else None))
    return tuple(deductions)


def _performance_source(node: _Node) -> PerformanceSource | None:
    if node.value is None:
        return None
    node.mapping({"period", "last"})
    period = node["period"]
    if period.value not in PERIOD_KINDS:
        raise period.fail(f"unknown period {period.value!r} (known: {', '.join(PERIOD_KINDS)})")
    return PerformanceSource(period=period.value, last=node["last"].integer(1, 24))


def _weighed_stages_score(root: _Node, scoring: ScoringPolicy, stages: tuple[Stage, ...]) -> None:
    """A weight other than the four components names a stage of the promotion that records a score."""
    scored = {stage.code for stage in stages if stage.records == SCORE}
    for code, _weight in scoring.stage_weights:
        if code not in scored:
            raise root["scoring"]["weights"][code].fail(
                "unknown component: supervisor, interview, performance, exam, or a stage of the promotion that "
                f"records a score ({', '.join(sorted(scored)) or 'the policy declares none'})")


def _performance_recorded(root: _Node, scoring: ScoringPolicy, periods: tuple[str, ...]) -> None:
    """The performance component and the deductions read records of a kind the policy records."""
    for index, deduction in enumerate(scoring.deductions):
        if deduction.period not in periods:
            raise root["scoring"]["deductions"].elements()[index]["period"].fail(
                f"the deduction reads {deduction.period} records, which periods ({', '.join(periods)}) does not "
                "include")
    source = scoring.performance
    if source is not None and source.period not in periods:
        raise root["scoring"]["performance"]["period"].fail(
            f"the performance component reads {source.period} records, which periods ({', '.join(periods)}) does "
            "not include")


def _period_scorecard(node: _Node, periods: tuple[str, ...], scale: ScoreScale) -> PeriodScorecard | None:
    if node.value is None:
        return None
    node.mapping({"periods", "parts"})
    kinds = node["periods"].distinct_choices(PERIOD_KINDS, "period")
    for kind, item in zip(kinds, node["periods"].elements()):
        if kind not in periods:
            raise item.fail(f"the policy records no {kind} results (periods)")
    seen: set[str] = set()

    def new_code(code_node: _Node) -> str:
        code = code_node.code()
        if code in seen:
            raise code_node.fail(f"{code!r} names another part or item: HR enters each by its code")
        seen.add(code)
        return code

    parts = tuple(_scorecard_part(part, new_code) for part in node["parts"].elements(min_len=1))
    if sum(p.weight for p in parts) != 1:
        raise node["parts"].fail(f"the weights must add up to 1 (they add up to {sum(p.weight for p in parts)})")
    top = sum(p.weight * p.max for p in parts)
    if scale.min > 0 or top > scale.max:
        raise node["parts"].fail(f"the score runs from 0 to {top}, which the score scale ({scale.min} to "
                                 f"{scale.max}) must hold")
    return PeriodScorecard(periods=tuple(k for k in PERIOD_KINDS if k in kinds), parts=parts)


def _scorecard_part(node: _Node, new_code: Callable[[_Node], str]) -> ScorecardPart:
    node.mapping({"code", "zh", "weight", "max", "items"})
    code = new_code(node["code"])
    zh = node["zh"].text() if "zh" in node.value else ""
    weight = node["weight"].number(Decimal(0), Decimal(1))
    if weight == 0:
        raise node["weight"].fail("must be above 0")
    if ("max" in node.value) == ("items" in node.value):
        raise node.fail("needs either max (the points HR enters, at most) or items (its sub-items), not both")
    if "max" in node.value:
        return ScorecardPart(code, weight, node["max"].number(Decimal(1), Decimal(1000)), zh=zh)
    items = tuple(_scorecard_item(item, new_code) for item in node["items"].elements(min_len=1))
    return ScorecardPart(code, weight, sum(i.points for i in items), items, zh=zh)


def _scorecard_item(node: _Node, new_code: Callable[[_Node], str]) -> ScorecardItem:
    node.mapping({"code", "zh", "points", "deduct", "zero_at"})
    code = new_code(node["code"])
    points = node["points"].number(Decimal(1), Decimal(1000))
    deduct = node["deduct"].number(Decimal(0), points) if "deduct" in node.value else None
    if deduct == 0:
        raise node["deduct"].fail("must be above 0")
    if "zero_at" in node.value and deduct is None:
        raise node["zero_at"].fail("counts findings: only an item with deduct has them")
    zero_at = node["zero_at"].integer(1, 100) if "zero_at" in node.value else None
    return ScorecardItem(code, points, deduct, zero_at, zh=node["zh"].text() if "zh" in node.value else "")


def _exam_source(node: _Node, more: set[str] = frozenset()) -> ExamSource | None:
    """{exam, within_months} (and the `more` keys the caller reads)."""
    if node.value is None:
        return None
    node.mapping({"exam", "within_months"} | more)
    return ExamSource(exam=node["exam"].code(), within_months=node["within_months"].integer(1, 120))


def _quotas(node: _Node, ladder: LadderPolicy) -> tuple[Quota, ...]:
    quotas: list[Quota] = []
    for q in node.elements():
        q.mapping({"grade", "max_share", "min_share", "scope"})
        grade = _known_grade(q["grade"], ladder.codes)
        if any(existing.grade == grade for existing in quotas):
            raise q["grade"].fail(f"a quota for {grade!r} is already set")
        if "max_share" not in q.value and "min_share" not in q.value:
            raise q.fail("needs max_share, min_share or both")
        shares = {key: q[key].number(Decimal(0), Decimal(1)) if key in q.value else None
                  for key in ("max_share", "min_share")}
        if None not in shares.values() and shares["min_share"] > shares["max_share"]:
            raise q["min_share"].fail(f"must not exceed max_share ({shares['max_share']})")
        scope = q.get("scope", ORG_UNIT)
        if scope.value not in SCOPES:
            raise scope.fail(f"unknown scope {scope.value!r} (known: {', '.join(SCOPES)})")
        quotas.append(Quota(grade=grade, scope=scope.value, **shares))
    for scope in SCOPES:
        floors = sum((q.min_share for q in quotas if q.scope == scope and q.min_share is not None), Decimal(0))
        if floors > 1:
            raise node.fail(f"the minimum shares over the {scope} scope add up to {floors}, more than 1")
    return tuple(quotas)


def _tie_break(node: _Node) -> tuple[str, ...]:
    keys = node.distinct_choices(TIE_BREAK_KEYS, "tie-break")
    if keys[-1] != "employee_no":
        raise node.fail("must end with employee_no so that every tie is broken")
    return tuple(keys)


def _metrics(node: _Node) -> tuple[Metric, ...]:
    found: list[Metric] = []
    for item in node.elements():
        item.mapping({"code", "zh", "en", "max"})
        code = item["code"].code()
        if any(m.code == code for m in found):
            raise item["code"].fail(f"a second metric {code!r}")
        found.append(Metric(code=code, zh=item["zh"].text(), en=item["en"].text(),
                            max=item["max"].number(Decimal(1), Decimal(10) ** 12)))
    return tuple(found)


def _closes(node: _Node, ladder: LadderPolicy, scale: ScoreScale, periods: tuple[str, ...],
            metrics: tuple[Metric, ...] = (), education_levels: tuple[str, ...] = ()) -> tuple[QuarterClosePolicy, ...]:
    """One close (a mapping), or several side by side (a list of them), each of its own kind of period: tobacco
    assesses monthly and evaluates quarterly (月度考核、季度评价)."""
    if not isinstance(node.value, list):
        return (_quarter_close(node, ladder, scale, periods, metrics, education_levels),)
    closes: list[QuarterClosePolicy] = []
    for item in node.elements(min_len=1):
        close = _quarter_close(item, ladder, scale, periods, metrics, education_levels)
        if any(c.period == close.period for c in closes):
            raise item.fail(f"a second close of {close.period} periods: each kind of period is closed once")
        if closes and close.exit_after_demotion_years != closes[0].exit_after_demotion_years:
            raise item["exit_after_demotion_years"].fail(
                "must be the same in every close: demotions in consecutive years count whichever close opened them")
        closes.append(close)
    # in a fixed order, longest periods first, whatever the file's: the refusal's rule (quarter_or_month_only)
    # and the close page's first close do not depend on how HR listed them
    return tuple(sorted(closes, key=lambda c: PERIOD_KINDS.index(c.period)))


def _quarter_close(node: _Node, ladder: LadderPolicy, scale: ScoreScale, periods: tuple[str, ...],
                   metrics: tuple[Metric, ...], education_levels: tuple[str, ...]) -> QuarterClosePolicy:
    node.mapping({"period", "min_months_worked", "violation_demotes", "demotion_thresholds", "consecutive_quarters",
                  "exit_after_demotion_years", "run_after_quarter_end", "rules"})
    period = node.get("period", QUARTER)
    if period.value not in PERIOD_KINDS:
        raise period.fail(f"unknown period {period.value!r} (known: {', '.join(PERIOD_KINDS)})")
    if period.value not in periods:
        raise period.fail(f"the close reads {period.value} records, which periods ({', '.join(periods)}) does not "
                          "include")
    thresholds = tuple((_known_grade(_Node(code, t.path), ladder.codes), t.number(scale.min, scale.max))
                       for code, t in node["demotion_thresholds"].mapping(set(ladder.codes)).items())
    run = node["run_after_quarter_end"].mapping({"days", "at"})
    return QuarterClosePolicy(
        min_months_worked=node["min_months_worked"].integer(0, PERIOD_MONTHS[period.value]),
        violation_demotes=node["violation_demotes"].boolean(),
        demotion_thresholds=thresholds,
        consecutive_quarters=node["consecutive_quarters"].integer(1, 8),
        exit_after_demotion_years=node["exit_after_demotion_years"].integer(1, 10),
        run_after_days=run["days"].integer(1, 60),  # the period has ended: its last day is over
        run_at=run["at"].local_time(),
        period=period.value,
        rules=parse_rules(node.get("rules", []), grade_codes=ladder.codes, metric_codes=tuple(m.code for m in metrics),
                          scale_min=scale.min, scale_max=scale.max, promotion_steps=ladder.promotion_steps,
                          demotion_steps=ladder.demotion_steps, education_levels=education_levels,
                          period_months=PERIOD_MONTHS[period.value], problem=lambda n, text: n.fail(text)),
    )
