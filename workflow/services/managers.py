"""Manager records: registration, corrections, visibility and performance data."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal

from workflow import access
from workflow.accounts import Actor
from workflow.eligibility import MIN_WORKING_AGE, age_on
from workflow.errors import Conflict, DuplicateKey, FieldError, NotFound, RuleViolation, Violations, quoted
from workflow.period_scorecard import entry_problems, score_parts
from workflow.periods import EXAMPLES, NAMES, Period
from workflow.scoring import score_problem
from workflow.services.committee import reporting_lines_changed
from workflow.services.context import Rules
from workflow.services.timers import schedule_probation_end
from workflow.services.unit_of_work import UnitOfWork


def check_grade(problems: Violations, rules: Rules, grade: str) -> None:
    ladder = rules.policy.ladder
    if ladder.is_exited(grade):
        problems.add("grade", "active_grade", f"a manager is registered on an active grade, not {grade!r}")
    elif grade not in ladder.codes:
        problems.add("grade", "known_grade", f"unknown grade {quoted(grade)}; the ladder is {', '.join(ladder.codes)}")


def check_dates(problems: Violations, today: date, hire_date: date, grade_since: date) -> None:
    if grade_since < hire_date:
        problems.add("grade_since", "hire_date_before_grade_since",
                     f"grade_since {grade_since} is before hire_date {hire_date}")
    for field, value in (("hire_date", hire_date), ("grade_since", grade_since)):
        if value > today:
            problems.add(field, "not_in_future", f"{field} {value} is after today ({today})")


def check_qualifications(problems: Violations, hire_date: date, changes: dict) -> None:
    """A birth date at least MIN_WORKING_AGE years before the hire date (劳动法: nobody under 16 is hired); each
    certificate named once."""
    birth_date = changes.get("birth_date")
    if birth_date is not None and age_on(birth_date, hire_date) < MIN_WORKING_AGE:
        problems.add("birth_date", "working_age", f"birth_date {birth_date} makes the manager younger than "
                                                  f"{MIN_WORKING_AGE} on the hire date {hire_date}")
    certificates = changes.get("certificates") or []
    if twice := sorted({c for c in certificates if certificates.count(c) > 1}):
        problems.add("certificates", "listed_twice", f"listed twice: {', '.join(twice)}")


def check_supervisor(problems: Violations, rules: Rules, employee_no: str, supervisor_no: str | None, *,
                     grade_of: Callable[[str], str | None], chain_of: Callable[[str], Sequence[str]]) -> None:
    """The supervisor rules, over any organisation: `grade_of(no)` is a manager's grade (None: no such manager),
    `chain_of(no)` the employee numbers above them (a single registration asks the database, an import the
    organisation its file makes)."""
    if supervisor_no is None:
        return
    if supervisor_no == employee_no:
        problems.add("supervisor", "no_supervisor_cycle", "a manager cannot supervise themselves")
        return
    grade = grade_of(supervisor_no)
    if grade is None:
        problems.add("supervisor", "known_supervisor", f"no manager has employee number {supervisor_no!r}")
    elif rules.policy.ladder.is_exited(grade):
        problems.add("supervisor", "active_supervisor", f"{supervisor_no} has left the ladder")
    elif employee_no in chain_of(supervisor_no):
        problems.add("supervisor", "no_supervisor_cycle",
                     f"{supervisor_no} reports (directly or not) to {employee_no}: that would make a cycle")


def _check_supervisor(problems: Violations, uow: UnitOfWork, rules: Rules, employee_no: str,
                      supervisor_no: str | None) -> None:
    def grade_of(no: str) -> str | None:
        manager = uow.managers.get(no)
        return None if manager is None else manager.grade
    check_supervisor(problems, rules, employee_no, supervisor_no, grade_of=grade_of,
                     chain_of=uow.managers.supervisor_chain)


def register_manager(uow: UnitOfWork, rules: Rules, actor: Actor, *, employee_no: str, name: str, org_unit: str,
                     grade: str, grade_since: date, hire_date: date, supervisor: str | None = None,
                     education: str | None = None, birth_date: date | None = None,
                     certificates: list[str] | None = None):
    access.require(access.can_manage_people(actor), "only hr registers managers")
    problems = Violations()
    check_grade(problems, rules, grade)
    check_dates(problems, rules.today(), hire_date, grade_since)
    check_qualifications(problems, hire_date, {"birth_date": birth_date, "certificates": certificates})
    _check_supervisor(problems, uow, rules, employee_no, supervisor)
    problems.raise_if_any()
    now = rules.now()
    try:
        manager = uow.managers.add(employee_no=employee_no, name=name, org_unit=org_unit, grade=grade,
                                   grade_since=grade_since, hire_date=hire_date, supervisor_no=supervisor,
                                   education=education, birth_date=birth_date, certificates=list(certificates or []),
                                   created_at=now, updated_at=now)
    except DuplicateKey:
        raise Conflict("manager_exists", f"a manager with employee number {employee_no} exists",
                       field="employee_no") from None
    if grade == rules.policy.ladder.entry_grade:
        schedule_probation_end(uow, rules, manager)
    return manager


CORRECTABLE = ("name", "org_unit", "supervisor", "education", "birth_date", "certificates")


def correct_manager(uow: UnitOfWork, rules: Rules, actor: Actor, employee_no: str, **changes):
    """Correct a record (a reorganisation, a typo). The grade is not here: only the ladder moves it."""
    access.require(access.can_manage_people(actor), "only hr corrects manager records")
    manager = uow.managers.get(employee_no, for_update=True)
    if manager is None:
        raise NotFound(f"no manager {employee_no}")
    problems = Violations()
    for field in sorted(set(changes) - set(CORRECTABLE)):
        problems.add(field, "unknown_field", "not correctable here (a grade moves only through cases)")
    if "supervisor" in changes:
        _check_supervisor(problems, uow, rules, employee_no, changes["supervisor"])
    check_qualifications(problems, manager.hire_date, changes)
    problems.raise_if_any()
    new_line = "supervisor" in changes and changes["supervisor"] != manager.supervisor_no
    for field, value in changes.items():
        setattr(manager, "supervisor_no" if field == "supervisor" else field, value)
    manager.updated_at = rules.now()
    if new_line:  # the manager and everyone below them now report through someone else
        uow.flush()
        reporting_lines_changed(uow, rules, {employee_no} | uow.managers.reports_of(employee_no))
    return manager


def visible_manager(uow: UnitOfWork, actor: Actor, employee_no: str):
    """The manager, if the caller may see them; otherwise NotFound, so that nothing is confirmed."""
    manager = uow.managers.get(employee_no)
    if manager is None or not access.can_view_manager(actor, employee_no, uow.managers.supervisor_chain(employee_no)):
        raise NotFound(f"no manager {employee_no}")
    return manager


def supervisor_of(uow: UnitOfWork, manager):
    """The manager's supervisor, so that a page names them beside their number (whoever may see the manager sees
    who supervises them); None for a manager without one."""
    return uow.managers.get(manager.supervisor_no) if manager.supervisor_no else None


def list_managers(uow: UnitOfWork, actor: Actor, *, page: int, per_page: int, org_unit: str | None = None,
                  grade: str | None = None):
    access.require(access.can_list_managers(actor), "only hr, committee members and admins list managers")
    return uow.managers.page(page, per_page, org_unit=org_unit, grade=grade)


def grade_history(uow: UnitOfWork, actor: Actor, employee_no: str, *, page: int, per_page: int):
    visible_manager(uow, actor, employee_no)
    return uow.grade_history.page(employee_no, page, per_page)


def parse_period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise RuleViolation([FieldError("period", "period_format", str(exc))]) from None


def record_performance(uow: UnitOfWork, rules: Rules, actor: Actor, employee_no: str, period_text: str, *,
                       months_worked: int, score: Decimal | None = None, parts: dict[str, Decimal] | None = None,
                       metrics: dict[str, Decimal] | None = None, violation: bool = False, reason: str | None = None):
    """Enter or correct a manager's score for a period: the score, or where the policy's period scorecard covers
    the period, the parts it is made from. A correction is a new version with who, when and why; the earlier
    ones stay readable (performance_versions). The same values again change nothing."""
    access.require(access.can_manage_people(actor), "only hr records performance")
    period = parse_period(period_text)
    if period.kind not in rules.policy.periods:
        kinds = ", ".join(f"{kind} ({EXAMPLES[kind]})" for kind in rules.policy.periods)
        raise RuleViolation([FieldError("period", "period_kind", f"the policy records performance by {kinds}, "
                                                                 f"not by {period.kind}")])
    if uow.managers.get(employee_no) is None:
        raise NotFound(f"no manager {employee_no}")
    problems = Violations()
    scored = _score_of(problems, rules, period, score, parts)
    metrics = _metrics_of(problems, rules, metrics)
    if not 0 <= months_worked <= period.months:
        problems.add("months_worked", "months_in_period",
                     f"must be between 0 and {period.months} for {NAMES[period.kind]}")
    problems.raise_if_any()
    score, parts = scored
    if rules.policy.close_of(period.kind) is not None:  # a close of it may be under way: wait for it
        uow.evaluations.lock_period(str(period))
    # a closed period's records are locked, also one closed under an earlier policy that closed another kind
    if (close := uow.evaluations.close_of(str(period))) is not None:
        closed_at = close.closed_at.astimezone(rules.policy.tz)
        raise Conflict("period_closed", f"{period} was closed on {closed_at:%Y-%m-%d %H:%M}; its records are locked",
                       period=str(period))
    values = dict(score=score, parts=parts, metrics=metrics, months_worked=months_worked, violation=violation,
                  recorded_at=rules.now(), recorded_by=actor.username)
    record = uow.performance.get(employee_no, str(period), for_update=True)
    if record is None:
        try:
            record = uow.performance.add(employee_no=employee_no, period=str(period), version=1, **values)
        except DuplicateKey:
            raise Conflict("concurrent_update", f"the {period} record of {employee_no} was saved by another request "
                           "at the same moment; repeat yours to correct it") from None
    elif _held(record) == (score, parts, metrics, months_worked, violation):
        return record
    else:
        record.version += 1
        for field, value in values.items():
            setattr(record, field, value)
    uow.performance.add_version(employee_no=employee_no, period=str(period), version=record.version,
                                reason=reason or None, **values)
    return record


def holds(rules: Rules, record, period_text: str, *, months_worked: int, score: Decimal | None = None,
          parts: dict[str, Decimal] | None = None, metrics: dict[str, Decimal] | None = None,
          violation: bool = False) -> bool:
    """Whether `record` holds these values as record_performance would keep them, so that entering them changes
    nothing (an import counts such a row unchanged, also in a closed period)."""
    problems = Violations()
    score, parts = _score_of(problems, rules, parse_period(period_text), score, parts)
    metrics = _metrics_of(problems, rules, metrics)
    return not problems.errors and _held(record) == (score, parts, metrics, months_worked, violation)


def _held(record) -> tuple:
    return record.score, record.parts, record.metrics, record.months_worked, record.violation


METRIC_PLACES = 2


def _metrics_of(problems: Violations, rules: Rules, metrics: dict[str, Decimal] | None) -> dict[str, str] | None:
    """The policy's metrics as recorded (text, to two places), or None where none was entered."""
    if not metrics:
        return None
    declared = {m.code: m for m in rules.policy.metrics}
    kept = {}
    for code, value in sorted(metrics.items()):
        field = f"metrics.{code}"
        if code not in declared:
            problems.add(field, "metric_unknown", f"the policy has no metric {quoted(code)}"
                         + (f" (it has: {', '.join(declared)})" if declared else " (it declares none)"))
        elif not value.is_finite() or not 0 <= value <= declared[code].max:
            problems.add(field, "metric_range", f"from 0 to {declared[code].max}")
        elif value != value.quantize(Decimal(1).scaleb(-METRIC_PLACES)):
            problems.add(field, "metric_precision", f"at most {METRIC_PLACES} decimal places")
        else:
            kept[code] = str(value.quantize(Decimal(1).scaleb(-METRIC_PLACES)))
    return kept


def _score_of(problems: Violations, rules: Rules, period: Period, score: Decimal | None,
              parts: dict[str, Decimal] | None) -> tuple[Decimal | None, dict | None]:
    """(score, parts as recorded): the score as entered, or made by the policy's period scorecard from the parts
    entered, where it covers the period's kind. Problems go to `problems`."""
    card, scoring = rules.policy.period_scorecard, rules.policy.scoring
    if card is None or period.kind not in card.periods:
        if parts is not None:
            problems.add("parts", "no_scorecard", f"the policy makes no scorecard for {NAMES[period.kind]}: "
                                                  "enter its score")
        if score is None:
            problems.add("score", "required", "Missing data for required field.")
        elif (problem := score_problem(scoring, score)) is not None:
            problems.add("score", *problem)
        return score, None
    if score is not None:
        problems.add("score", "score_from_parts", f"the policy makes the score of {NAMES[period.kind]} from its "
                                                  f"parts ({', '.join(card.entries)}): enter those, not the score")
    if parts is None:
        problems.add("parts", "required", f"the parts the score is made from: {', '.join(card.entries)}")
        return None, None
    found = entry_problems(card, parts, scoring.decimal_places)
    problems.errors.extend(found)
    if found or score is not None:
        return None, None
    scored = score_parts(card, parts, scoring.decimal_places)
    return scored.score, scored.as_record()


def performance_versions(uow: UnitOfWork, actor: Actor, employee_no: str, period_text: str | None = None):
    """Every value the period's record has had (every period's when None), oldest first; none before a record is
    entered. Whoever may read the records may read them."""
    period = None if period_text is None else str(parse_period(period_text))
    visible_manager(uow, actor, employee_no)
    return uow.performance.versions(employee_no, period)


def performance_records(uow: UnitOfWork, actor: Actor, employee_no: str):
    visible_manager(uow, actor, employee_no)
    return uow.performance.for_manager(employee_no)
