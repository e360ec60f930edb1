"""Imports (issue 16, point 1): a file's rows, checked by the rules of the API's own use cases, written all or none.

`import_rows` takes the rows of one file (workflow/imports.py read them; the API's schemas typed them, and named
what they refused in `problems`), checks each by the rules that refuse the same record entered through the API, and
raises ImportRefused naming every problem (row, column, rule): the unit of work then rolls back, so that nothing is
written. Otherwise every row is created, updated or skipped as unchanged, so that importing a file twice changes
nothing the second time. What a row may change is what the API may change (docs/imports.md):

- roster: a new manager is registered; a known one's name, org unit, supervisor, education, birth date and
  certificates are corrected; a different grade, grade start or hire date is refused (a grade moves through a case).
  The roster is checked and written set-wise (a supervisor may be on any row of the file, before or after);
- users: a new account is created with the file's initial password; a known one's roles are changed as
  `PATCH /users/{username}` would; its employee number is never changed;
- performance: a record is entered or corrected (a new version, chained in the audit) by record_performance;
- events: each event is entered by record_event; one already on the record (the same manager, kind, day, days,
  reason and note, as many times as stored) is left as it is.

Two imports at once: performance records and events hold their managers' rows first, so that the second waits and
then compares with what the first wrote. A new manager or user has no row to hold: the import that loses the race
to register it is refused 409 `import_conflict`, nothing of it written; `import_file_rows` then imports it once
again, now seeing the winner's rows (409 only when it loses a second time).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from workflow import access
from workflow.accounts import Actor
from workflow.errors import Conflict, DomainError, DuplicateKey, Forbidden, NotFound, RuleViolation, Violations
from workflow.imports import EVENTS, KINDS, PERFORMANCE, ROSTER, USERS, ImportRefused, Problem, Row
from workflow.passwords import Passwords
from workflow.services import accounts, manager_events, managers
from workflow.services.committee import reporting_lines_changed
from workflow.services.context import Rules
from workflow.services.timers import probation_end_row
from workflow.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Outcome:
    kind: str
    created: int
    updated: int
    unchanged: int
    dry_run: bool

    def as_dict(self) -> dict:
        return {"kind": self.kind, "rows": self.created + self.updated + self.unchanged, "created": self.created,
                "updated": self.updated, "unchanged": self.unchanged, "dry_run": self.dry_run}


class _Tally:
    def __init__(self, progress: Callable[[int, int], None] | None = None):
        self.counts = Counter()
        self.problems: list[Problem] = []
        self.rows, self.checked, self._progress = 0, 0, progress  # rows: those checked one by one

    def row_checked(self) -> None:
        """One more row checked (and written): the import's progress, for a long file (the CLI's)."""
        self.checked += 1
        if self._progress is not None:
            self._progress(self.checked, self.rows)

    def refused(self, row: Row, error: DomainError, field: str | None = None) -> None:
        """The row's problems from a use case's refusal, each at its column."""
        if isinstance(error, RuleViolation):
            self.problems.extend(row.problem(e.field, e.rule, e.message) for e in error.errors)
        elif isinstance(error, NotFound):
            self.problems.append(row.problem("employee_no", "known_manager", error.detail))
        else:
            self.problems.append(row.problem(error.extra.get("field", field), error.code, error.detail))

    def add(self, row: Row, violations: Violations) -> None:
        self.problems.extend(row.problem(e.field, e.rule, e.message) for e in violations.errors)


def import_rows(uow: UnitOfWork, rules: Rules, passwords: Passwords, actor: Actor, kind: str, rows: Sequence[Row],
                problems: Sequence[Problem] = (), *, dry_run: bool = False,
                progress: Callable[[int, int], None] | None = None) -> Outcome:
    """Check and write the rows of a file of `kind`, all or none (ImportRefused); with `dry_run`, check them the
    same way and write nothing. `progress(done, of)` hears how many rows are checked."""
    require_importer(actor, kind)
    tally = _Tally(progress)
    tally.problems.extend(problems)
    _twice(tally, rows, _KEYS[kind])
    refused = {(p.sheet, p.row) for p in tally.problems}  # a row the schema refused is not checked further
    tally.rows = len(checking := [r for r in rows if (r.sheet, r.number) not in refused])
    _IMPORTERS[kind](uow, rules, passwords, actor, checking, tally)
    if tally.problems:
        raise ImportRefused(tally.problems)
    if dry_run:
        uow.rollback()
    return Outcome(kind, tally.counts["created"], tally.counts["updated"], tally.counts["unchanged"], dry_run)


def import_file_rows(make_uow: Callable[[], UnitOfWork], rules: Rules, passwords: Passwords, actor: Actor, kind: str,
                     rows: Sequence[Row], problems: Sequence[Problem] = (), *, dry_run: bool = False,
                     progress: Callable[[int, int], None] | None = None) -> Outcome:
    """import_rows in a transaction of its own; an import that lost a race to a concurrent one runs once more, now
    seeing the winner's rows (which it counts unchanged), and is refused 409 import_conflict only if it loses again."""
    def once() -> Outcome:
        with make_uow() as uow:
            return import_rows(uow, rules, passwords, actor, kind, rows, problems, dry_run=dry_run, progress=progress)
    try:
        return once()
    except Conflict as raced:
        if raced.code != IMPORT_CONFLICT:
            raise
    return once()


IMPORT_CONFLICT = "import_conflict"
# what a use case answers when a record it found missing was written meanwhile by another transaction
_RACE_CODES = frozenset({"username_taken", "employee_no_taken", "concurrent_update"})


def _raced(what: str) -> Conflict:
    return Conflict(IMPORT_CONFLICT, f"{what} was written by another import or request at the same moment; nothing "
                                     "of this file was written: import it again")


def may_import(actor: Actor, kind: str) -> bool:
    """Who may import a kind: who may enter its records one at a time (users: hr and admin; the rest: hr)."""
    return access.can_manage_accounts(actor) if kind == USERS else access.can_manage_people(actor)


def require_importer(actor: Actor, kind: str) -> None:
    access.require(may_import(actor, kind), f"you may not import {kind}")


def importable_kinds(actor: Actor) -> list[str]:
    return [kind for kind in KINDS if may_import(actor, kind)]


_KEYS: dict[str, tuple[str, ...] | None] = {ROSTER: ("employee_no",), USERS: ("username",),
                                            PERFORMANCE: ("employee_no", "period"), EVENTS: None}


def _twice(tally: _Tally, rows: Sequence[Row], key: tuple[str, ...] | None) -> None:
    """A record on two rows of one file: which is meant? The second is refused."""
    if key is None:
        return
    first: dict[tuple, int] = {}
    for row in rows:
        value = tuple(row.values.get(k) for k in key)
        if None in value:
            continue
        if value in first:
            tally.problems.append(row.problem(key[-1], "row_twice", f"also on row {first[value]}"))
        else:
            first[value] = row.number


# --- the roster: checked against the organisation the file makes, written set-wise ---------------------------

_FIXED = {"grade": "grade_through_case", "grade_since": "not_correctable", "hire_date": "not_correctable"}


def _import_roster(uow: UnitOfWork, rules: Rules, _passwords, _actor: Actor, rows: list[Row], tally: _Tally) -> None:
    stored = {m.employee_no: m for m in uow.managers.every(for_update=True)}
    grade_of = {no: m.grade for no, m in stored.items()}
    supervisor_of = {no: m.supervisor_no for no, m in stored.items()}
    new, changed = [], []
    for row in rows:
        values, no = row.values, row.values["employee_no"]
        problems = Violations()
        manager = stored.get(no)
        if manager is None:
            managers.check_grade(problems, rules, values["grade"])
            managers.check_dates(problems, rules.today(), values["hire_date"], values["grade_since"])
            managers.check_qualifications(problems, values["hire_date"], values)
            new.append(row)
            grade_of[no], supervisor_of[no] = values["grade"], values["supervisor"]
        else:
            changes = {f: values[f] for f in sorted(row.present)
                       if f in (*_FIXED, *managers.CORRECTABLE) and values[f] != _stored(manager, f)}
            for field in [f for f in _FIXED if f in changes]:
                problems.add(field, _FIXED[field], f"{no}'s {field} is {_stored(manager, field)}: an import does not "
                                                   f"change it" + (" (a grade moves through a case)"
                                                                   if field == "grade" else ""))
            managers.check_qualifications(problems, manager.hire_date, changes)
            if changes:
                changed.append((row, manager, changes))
            if "supervisor" in changes:
                supervisor_of[no] = changes["supervisor"]
        tally.add(row, problems)
        tally.row_checked()

    def chain_of(no: str) -> list[str]:
        return _above(no, supervisor_of)

    for row in new + [row for row, _, changes in changed if "supervisor" in changes]:
        problems = Violations()
        managers.check_supervisor(problems, rules, row.values["employee_no"], supervisor_of[row.values["employee_no"]],
                                  grade_of=grade_of.get, chain_of=chain_of)
        tally.add(row, problems)
    if tally.problems:
        return
    try:
        _register_all(uow, rules, [r.values for r in new], chain_of)
    except DuplicateKey:
        raise _raced("a manager of the file") from None
    _correct_all(uow, rules, changed, supervisor_of)
    tally.counts.update(created=len(new), updated=len(changed), unchanged=len(rows) - len(new) - len(changed))


def _stored(manager, field: str):
    return getattr(manager, "supervisor_no" if field == "supervisor" else field)


def _register_all(uow: UnitOfWork, rules: Rules, new: list[dict], chain_of: Callable[[str], list[str]]) -> None:
    """What register_manager does for one, for all: the rows (a supervisor before those they supervise) and the
    probation timers."""
    now = rules.now()
    # in one order whatever the file's (a supervisor first, then by number), as for users: no deadlock between two
    ordered = sorted(new, key=lambda v: (len(chain_of(v["employee_no"])), v["employee_no"]))
    uow.managers.add_all([dict(employee_no=v["employee_no"], name=v["name"], org_unit=v["org_unit"],
                               grade=v["grade"], grade_since=v["grade_since"], hire_date=v["hire_date"],
                               supervisor_no=v["supervisor"], education=v.get("education"),
                               birth_date=v.get("birth_date"), certificates=list(v.get("certificates") or []),
                               standing="active", created_at=now, updated_at=now) for v in ordered])
    entry = rules.policy.ladder.entry_grade
    uow.timers.schedule_all([probation_end_row(rules, v["employee_no"], v["grade_since"])
                             for v in ordered if v["grade"] == entry])


def _correct_all(uow: UnitOfWork, rules: Rules, changed: list[tuple], supervisor_of: dict[str, str | None]) -> None:
    """What correct_manager does for one, for all: the new values and, where a supervisor changed, the recusals of
    the cases of everyone whose line now runs differently."""
    now = rules.now()
    moved = set()
    for _row, manager, changes in changed:
        for field, value in changes.items():
            setattr(manager, "supervisor_no" if field == "supervisor" else field, value)
        manager.updated_at = now
        if "supervisor" in changes:
            moved.add(manager.employee_no)
    if moved:
        uow.flush()
        below = {no for no in supervisor_of if moved & set(_above(no, supervisor_of))}
        reporting_lines_changed(uow, rules, moved | below)


def _above(no: str, supervisor_of: dict[str, str | None]) -> list[str]:
    """The employee numbers above `no`, nearest first, in the organisation the file makes; one that leads back
    round a loop ends the walk (the loop is then a problem of its row)."""
    chain, at = [], supervisor_of.get(no)
    while at is not None and at not in chain:
        chain.append(at)
        at = supervisor_of.get(at)
    return chain


# --- users, performance records and events: one row at a time through the API's use cases --------------------

def _import_users(uow: UnitOfWork, rules: Rules, passwords: Passwords, actor: Actor, rows: list[Row],
                  tally: _Tally) -> None:
    # an employee number taken, found before the insert that would find it (a failed insert ends the transaction)
    taken = uow.users.holding({r.values["employee_no"] for r in rows if r.values.get("employee_no")})
    # created in the order of their names, whatever the file's: two imports of the same new users in opposite
    # orders would each hold a name the other waits for (a deadlock); in one order the second waits, then finds it
    for row in sorted(rows, key=lambda r: r.values["username"]):
        tally.row_checked()
        values = row.values
        user = uow.users.by_username(values["username"])
        try:
            if user is None and values.get("employee_no") in taken:
                tally.problems.append(row.problem("employee_no", "employee_no_taken",
                                                  f"employee {values['employee_no']} already has a user account"))
            elif user is None:
                if values.get("employee_no"):
                    taken.add(values["employee_no"])
                accounts.create_user(uow, rules, passwords, actor, username=values["username"],
                                     password=values.get("password") or "", roles=values["roles"],
                                     employee_no=values.get("employee_no"))
                tally.counts["created"] += 1
            elif "employee_no" in row.present and values.get("employee_no") != user.employee_no:
                tally.problems.append(row.problem("employee_no", "not_correctable",
                                                  f"{user.username}'s employee number is {user.employee_no}: an "
                                                  "import does not change it"))
            elif set(values["roles"]) == set(user.roles):
                tally.counts["unchanged"] += 1
            else:
                accounts.update_user(uow, rules, actor, user.username, roles=values["roles"])
                tally.counts["updated"] += 1
        except Forbidden as refused:
            tally.problems.append(row.problem("roles", "forbidden", refused.detail))
        except (RuleViolation, Conflict) as refused:
            if refused.code in _RACE_CODES:  # found missing above, so registered meanwhile by another transaction
                raise _raced(f"the user {values['username']}") from None
            tally.refused(row, refused)


def _import_performance(uow: UnitOfWork, rules: Rules, _passwords, actor: Actor, rows: list[Row],
                        tally: _Tally) -> None:
    uow.managers.lock({row.values["employee_no"] for row in rows})
    for row in rows:
        tally.row_checked()
        values = row.values
        no = values["employee_no"]
        entered = dict(months_worked=values["months_worked"], score=values.get("score"), parts=values.get("parts"),
                       metrics=values.get("metrics"), violation=values.get("violation", False))
        try:
            period = str(managers.parse_period(values["period"]))
            record = uow.performance.get(no, period)
            if record is not None and managers.holds(rules, record, period, **entered):
                tally.counts["unchanged"] += 1  # also in a closed period: nothing to change
                continue
            managers.record_performance(uow, rules, actor, no, period, reason=values.get("reason"), **entered)
            tally.counts["created" if record is None else "updated"] += 1
        except (RuleViolation, Conflict, NotFound) as refused:
            if refused.code in _RACE_CODES:
                raise _raced(f"the {values['period']} record of {no}") from None
            tally.refused(row, refused, "period")


def _import_events(uow: UnitOfWork, rules: Rules, _passwords, actor: Actor, rows: list[Row], tally: _Tally) -> None:
    numbers = {row.values["employee_no"] for row in rows}
    uow.managers.lock(numbers)  # a concurrent import of the same events waits, then finds these stored
    stored = Counter()
    for no in sorted(numbers):
        stored.update(_event_key(e.employee_no, e.kind, e.occurred_on, e.days, e.reason, e.note)
                      for e in uow.manager_events.for_manager(no))
    for row in rows:
        tally.row_checked()
        fields = {k: row.values.get(k) for k in ("kind", "occurred_on", "days", "reason", "note")}
        key = _event_key(row.values["employee_no"], **fields)
        if stored[key]:
            stored[key] -= 1
            tally.counts["unchanged"] += 1
            continue
        try:
            manager_events.record_event(uow, rules, actor, row.values["employee_no"], **fields)
            tally.counts["created"] += 1
        except (RuleViolation, Conflict, NotFound) as refused:
            tally.refused(row, refused, "occurred_on")


def _event_key(employee_no, kind, occurred_on, days, reason, note) -> tuple:
    return employee_no, kind, occurred_on, days, reason, (note or "").strip() or None


_IMPORTERS = {ROSTER: _import_roster, USERS: _import_users, PERFORMANCE: _import_performance, EVENTS: _import_events}
