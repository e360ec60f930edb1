"""What a use case asks of the database: the unit of work and its repositories, as Protocols.

The services in workflow/services/ are written against these; models.unit_of_work.SqlUnitOfWork satisfies
them structurally (tests/services/test_unit_of_work_interface.py holds the two together), and workflow/
names no class of models/. Rows are models' mapped classes, whose columns the services read and set as
attributes: workflow/ cannot name those classes, so a row is typed by what it is (`CaseRow`) and checked as
Any.
"""
from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, Self, runtime_checkable

from workflow.calendar import WorkingCalendar
from workflow.case_access import CaseScope
from workflow.case_file import CaseFile
from workflow.quotas import Area
from workflow.sign_in_throttling import Attempt

# Mapped rows of models/ (the class each stands for in parentheses).
UserRow = Any  # models.accounts.User
ManagerRow = Any  # models.managers.Manager
GradeHistoryRow = Any  # models.managers.GradeHistory
PerformanceRow = Any  # models.managers.PerformanceRecord
PerformanceVersionRow = Any  # models.managers.PerformanceVersion
ExamResultRow = Any  # models.managers.ExamResult
ManagerEventRow = Any  # models.managers.ManagerEvent
CycleRow = Any  # models.cases.Cycle
CaseRow = Any  # models.cases.Case
CaseHistoryRow = Any  # models.cases.CaseHistory
ScoreRow = Any  # models.cases.CommitteeScore
RecusalRow = Any  # models.cases.Recusal
AppealRow = Any  # models.cases.Appeal
TimerRow = Any  # models.timers.Timer
SchedulerRunRow = Any  # models.timers.SchedulerRun
OutboxRow = Any  # models.timers.OutboxMessage
CalendarDayRow = Any  # models.calendar_days.CalendarDay
CalendarChangeRow = Any  # models.calendar_days.CalendarChange
QuarterCloseRow = Any  # models.evaluations.QuarterClose
QuarterResultRow = Any  # models.evaluations.QuarterResult
DelegationRow = Any  # models.delegations.Delegation
OpenedCase = Any  # a case just inserted as a row: its columns as attributes, its id among them

# One page of a list: its rows and the total over all pages.
Page = tuple[Sequence[Any], int]


class Users(Protocol):
    def get(self, user_id: int) -> UserRow | None: ...

    def by_username(self, username: str) -> UserRow | None: ...

    def holding(self, employee_nos: Collection[str]) -> set[str]:
        """The employee numbers among these that have an account."""

    def add(self, **fields: Any) -> UserRow:
        """Raises DuplicateKey("username" or "employee_no") when the key is taken."""

    def page(self, page: int, per_page: int) -> Page: ...


class SignInAttempts(Protocol):
    def lock(self, username: str, address: str | None) -> None:
        """Until the transaction ends, no other sign-in for this username or from this address counts."""

    def prune(self, before: datetime) -> int: ...

    def for_username(self, username: str, since: datetime) -> list[Attempt]: ...

    def from_address(self, address: str | None, since: datetime) -> list[Attempt]: ...

    def begin(self, username: str, address: str | None, at: datetime) -> int:
        """Record a pending attempt; its id."""

    def finish(self, attempt_id: int, outcome: str) -> None: ...


class Managers(Protocol):
    def get(self, employee_no: str, *, for_update: bool = False) -> ManagerRow | None: ...

    def add(self, **fields: Any) -> ManagerRow:
        """Raises DuplicateKey("employee_no") when the number is taken."""

    def every(self, *, for_update: bool = False) -> list[ManagerRow]: ...

    def add_all(self, rows: list[dict[str, Any]]) -> None:
        """Many managers in one statement, in the order given (supervisors first); DuplicateKey("employee_no")
        when one is taken."""

    def lock(self, employee_nos: Collection[str]) -> None:
        """Hold the rows of those of these managers that exist until the transaction ends."""

    def supervisor_chain(self, employee_no: str) -> list[str]:
        """The employee numbers above `employee_no`, nearest first."""

    def reports_of(self, employee_no: str) -> set[str]:
        """Everyone below `employee_no` in the supervisor tree."""

    def named(self, employee_nos: Collection[str], *, for_update: bool = False) -> dict[str, ManagerRow]:
        """Those of the managers that exist, by employee number; `for_update`: locked and read afresh."""

    def page(self, page: int, per_page: int, *, org_unit: str | None = None, grade: str | None = None) -> Page: ...


class GradeHistory(Protocol):
    def add(self, **fields: Any) -> GradeHistoryRow: ...

    def page(self, employee_no: str, page: int, per_page: int) -> Page: ...


class ExamResults(Protocol):
    def add(self, **fields: Any) -> ExamResultRow:
        """Raises DuplicateKey("employee_no, exam, taken_on") when that result exists."""

    def for_manager(self, employee_no: str) -> list[ExamResultRow]: ...

    def latest(self, employee_no: str, exam: str, since: date) -> ExamResultRow | None:
        """The manager's latest result in `exam` taken on `since` or later."""


class ManagerEvents(Protocol):
    def add(self, **fields: Any) -> ManagerEventRow: ...

    def for_manager(self, employee_no: str) -> list[ManagerEventRow]:
        """By day, oldest first."""

    def between(self, first_no: str, last_no: str, since: date, until: date) -> list[Any]:
        """The events from `since` to `until` of the managers from `first_no` to `last_no` (employee_no, kind,
        occurred_on, days, reason), by manager and day."""

    def on_leave(self, employee_nos: Collection[str], day: date) -> set[str]:
        """Those of the managers a leave on their record covers on `day`."""


class Performance(Protocol):
    def get(self, employee_no: str, period: str, *, for_update: bool = False) -> PerformanceRow | None: ...

    def add(self, **fields: Any) -> PerformanceRow:
        """Raises DuplicateKey("employee_no, period") when the record exists."""

    def for_manager(self, employee_no: str) -> list[PerformanceRow]: ...

    def scores(self, employee_no: str, periods: list[str]) -> dict[str, Any]:
        """period → score of the manager's records for those periods (none: not recorded)."""

    def violations(self, employee_no: str, periods: list[str]) -> int:
        """How many of the manager's records for those periods have a compliance violation."""

    def add_version(self, **fields: Any) -> PerformanceVersionRow:
        """Raises DuplicateKey("employee_no, period, version") when that version exists."""

    def versions(self, employee_no: str, period: str | None = None) -> list[PerformanceVersionRow]:
        """By period (all of the manager's when None), oldest first."""


class Cycles(Protocol):
    def get(self, code: str, *, for_update: bool = False, for_share: bool = False) -> CycleRow | None: ...

    def get_for_application(self, code: str, *, exclusive: bool) -> CycleRow | None: ...

    def add(self, **fields: Any) -> CycleRow:
        """Raises DuplicateKey("code") when the code is taken."""

    def page(self, page: int, per_page: int) -> Page: ...

    def set_members(self, cycle: CycleRow, usernames: Collection[str]) -> None: ...


class Cases(Protocol):
    def get(self, case_id: int, *, for_update: bool = False) -> CaseRow | None: ...

    def file(self, case_id: int, *, for_update: bool = False) -> CaseFile | None: ...

    def files(self, cases: Sequence[CaseRow]) -> list[CaseFile]: ...

    def add(self, **fields: Any) -> CaseRow:
        """Raises DuplicateKey("employee_no") when the manager has an open case already."""

    def open_case_of(self, employee_no: str) -> CaseRow | None: ...

    def in_cycle(self, cycle_code: str, states: Collection[str] | None = None, *,
                 for_update: bool = False) -> list[CaseRow]: ...

    def of_managers(self, employee_nos: Collection[str], states: Collection[str], *,
                    for_update: bool = False) -> list[CaseRow]: ...

    def with_open_appeal_window(self, now: datetime) -> list[CaseRow]: ...

    def of_kind_or_open(self, employee_nos: Collection[str], kind: str) -> list[CaseRow]:
        """The managers' cases of `kind` and their open cases, oldest first."""

    def add_opened(self, cases: Sequence[tuple[dict[str, Any], dict[str, Any]]]) -> list[OpenedCase]:
        """Cases and their first history entries, (case fields, entry fields) each, in a few statements; each new
        case's columns (`get` reads one as a CaseRow)."""

    def page(self, page: int, per_page: int, *, visible_to: CaseScope | None, cycle: str | None = None,
             state: str | None = None, kind: str | None = None, employee_no: str | None = None,
             overdue: bool | None = None, open_only: bool = False, escalated: bool | None = None) -> Page: ...

    def with_ids(self, case_ids: Collection[int], *, visible_to: CaseScope | None) -> list[CaseRow]: ...

    def ids(self, *, visible_to: CaseScope | None, kind: str | None = None, state: str | None = None,
            cycle: str | None = None, limit: int) -> list[int]: ...

    def add_history(self, case: CaseRow, **fields: Any) -> CaseHistoryRow: ...

    def history(self, case_id: int) -> list[CaseHistoryRow]: ...

    def opening(self, case_id: int) -> CaseHistoryRow | None:
        """The case's first history entry: how it was opened."""

    def add_score(self, case: CaseRow, **fields: Any) -> ScoreRow: ...

    def add_recusal(self, case: CaseRow, **fields: Any) -> RecusalRow: ...

    def add_appeal(self, case: CaseRow, **fields: Any) -> AppealRow:
        """Raises DuplicateKey("case_id") when the case has an appeal already."""

    def latest_annual_score(self, employee_no: str, up_to_year: int) -> tuple[str, Decimal] | None: ...

    def peer_annual_scores(self, employee_no: str, up_to_year: int, org_unit: str,
                           grade: str) -> tuple[str | None, dict[str, Decimal]]: ...

    def headcount(self, area: Area, grade: str, exited: str) -> tuple[int, int, int, int]:
        """(active managers of the area, those holding `grade`, approved cases not yet effective into it and out of
        it), the quota held."""


class Timers(Protocol):
    def schedule(self, **fields: Any) -> None:
        """Insert the timer unless one with its key exists."""

    def get(self, timer_id: int) -> TimerRow | None: ...

    def cancel_pending(self, *, kind: str, case_id: int, at: datetime, why: str) -> None: ...

    def pending_unclaimed(self, *, kind: str, case_id: int) -> list[TimerRow]: ...

    def schedule_all(self, rows: Sequence[dict[str, Any]]) -> None:
        """`schedule` for many timers at once."""

    def due(self, until: datetime, now: datetime, skip: Collection[int], *, wait: bool,
            limit: int) -> list[TimerRow]: ...

    def count_due(self, until: datetime, now: datetime, skip: Collection[int]) -> int: ...

    def claim(self, timers: Sequence[TimerRow], run_id: int, now: datetime) -> list[TimerRow]:
        """Mark the timers fired, except those another sweep fired first; returns the claimed ones."""

    def attempt(self) -> AbstractContextManager[None]:
        """One timer's effect: rolled back alone if it fails, the transaction going on."""

    def probation_managers_without_timer(self, entry_grade: str) -> list[ManagerRow]: ...

    def waiting_cases_without_reminder(self, states: Collection[str]) -> list[CaseRow]: ...

    def published_cases_without_timer(self) -> list[CaseRow]: ...

    def start_run(self, **fields: Any) -> SchedulerRunRow: ...

    def run(self, run_id: int) -> SchedulerRunRow: ...

    def count(self, run_id: int, *, fired: int, failed: int) -> None: ...


class Outbox(Protocol):
    def add(self, **fields: Any) -> OutboxRow: ...

    def claim_due(self, now: datetime) -> OutboxRow | None:
        """The oldest pending message due now, locked (one a concurrent sender holds is skipped)."""

    def get(self, message_id: int, *, for_update: bool = False) -> OutboxRow | None: ...

    def page(self, status: str | None, page: int, per_page: int) -> Page:
        """Newest first, of one status or all."""

    def active_users(self, *, role: str | None = None, employee_no: str | None = None) -> list[str]: ...

    def accounts(self, usernames: Collection[str]) -> dict[str, Any]:
        """The recipients' accounts (language, email, mobile), by username."""

    def existing_keys(self, keys: Collection[str]) -> set[str]:
        """Those of the dedupe keys that a message already has."""

    def cursor(self, source: str) -> Any:
        """The notices' cursor over `source` (its last_seq), locked until the transaction ends."""

    def chain_after(self, seq: int, limit: int) -> list[tuple[int, str, int]]:
        """(seq, source, source_id) of the audit chain's links after `seq`, in commit order."""

    def history_entries(self, ids: Collection[int]) -> list[CaseHistoryRow]: ...

    def waits_begun_before(self, states: Collection[str], before: datetime) -> list[CaseRow]:
        """Open cases waiting in `states` since before `before`, not overdue yet."""

    def appeal_windows_closing(self, after: datetime, until: datetime) -> list[CaseRow]:
        """Published cases whose appeal window closes in (after, until]."""


class Calendar(Protocol):
    def working_calendar(self) -> WorkingCalendar:
        """The statutory calendar with every correction HR made."""

    def get(self, day: date, *, for_update: bool = False) -> CalendarDayRow | None: ...

    def put(self, day: date, **fields: Any) -> CalendarDayRow: ...

    def add_change(self, **fields: Any) -> CalendarChangeRow: ...

    def lock(self) -> None:
        """Serialize calendar changes."""


class Evaluations(Protocol):
    def close_progress(self, period: str) -> tuple[int, int]:
        """(managers with a result, records of the period): how far its close is."""

    def lock_period(self, period: str) -> None:
        """Serialize a quarter's close with the writes of its records."""

    def close_of(self, period: str) -> QuarterCloseRow | None: ...

    def add_close(self, **fields: Any) -> QuarterCloseRow:
        """Raises DuplicateKey("period") when the quarter is closed already."""

    def pending(self, period: str, limit: int | None, *, lock: bool = True) -> list[Any]:
        """The quarter's records of managers still without a result, with the manager's grade, locked."""

    def earlier(self, periods: Collection[str], first: str, last: str) -> list[Any]: ...

    def population(self, periods: Collection[str]) -> list[Any]:
        """Every record of `periods` with the manager's grade and org unit now: the peers a grading rule ranks."""

    def grade_changes(self, first: str, last: str, after: date) -> list[Any]: ...

    def with_open_case(self, employee_nos: Collection[str]) -> set[str]: ...

    def add_results(self, rows: Sequence[dict[str, Any]]) -> None: ...

    def summarized_outcomes(self, period: str) -> tuple[int, list[Any]]:
        """How many results the close has, and those other than kept, by employee number."""

    def result(self, period: str, employee_no: str) -> QuarterResultRow | None: ...

    def demotion_years(self, employee_no: str, demote_event: str) -> set[int]: ...


class Policies(Protocol):
    def remember(self, reference: str, document: str, at: datetime) -> None:
        """Store the policy version unless it is stored already."""

    def get(self, reference: str) -> Any | None:
        """The stored version (reference, document, first_used_at), or None."""


class Delegations(Protocol):
    def add(self, **fields: Any) -> DelegationRow: ...

    def get(self, delegation_id: int, *, for_update: bool = False) -> DelegationRow | None: ...

    def hold_principal(self, username: str) -> None:
        """Until the transaction ends, no other delegation of this principal is written."""

    def overlapping(self, principal: str, starts_on: date, ends_on: date) -> list[DelegationRow]: ...

    def page(self, page: int, per_page: int, *, involving: str | None = None) -> Page: ...

    def in_force_for(self, substitute: str, day: date) -> list[tuple[DelegationRow, UserRow]]:
        """The delegations in force on `day` making `substitute` someone's substitute, with each principal's
        active account."""

    def substitutes_of(self, principals: Collection[str], day: date) -> list[DelegationRow]:
        """The delegations in force on `day` of these principals whose substitute's account is active."""

    def people(self) -> list[tuple[str, str | None, tuple[str, ...]]]:
        """(username, manager's name or None, roles) of the active accounts holding a role a delegation covers."""


@runtime_checkable
class UnitOfWork(Protocol):
    """One use case, one transaction: `with uow: ...` commits on success and rolls back on any error
    (a row changed meanwhile by another transaction becomes Conflict("version_conflict"))."""
    users: Users
    sign_in_attempts: SignInAttempts
    managers: Managers
    grade_history: GradeHistory
    performance: Performance
    exams: ExamResults
    manager_events: ManagerEvents
    cycles: Cycles
    cases: Cases
    timers: Timers
    outbox: Outbox
    calendar: Calendar
    evaluations: Evaluations
    policies: Policies
    delegations: Delegations

    def __enter__(self) -> Self: ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None: ...

    def flush(self) -> None:
        """Write what the use case changed so far, inside its transaction (database checks run now)."""

    def commit(self) -> None: ...

    def rollback(self) -> None:
        """Undo what the use case did so far (a dry run); nothing is left to commit."""
