"""Queries for cycles and cases. Services in workflow/ reach these tables only through here."""
from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import Session

from models.cases import Appeal, Case, CaseHistory, CommitteeMember, CommitteeScore, Cycle, Recusal
from models.managers import Manager, PerformanceRecord
from models.repositories import _insert, _page
from workflow.case_access import CaseScope
from workflow.case_machine import APPEALED, APPROVED, DECIDED, OPEN_STATES, PUBLISHED


class CycleRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, code: str, *, for_update: bool = False, for_share: bool = False) -> Cycle | None:
        """for_share: a submission holds the cycle against a concurrent decision (which locks it for update)."""
        lock = True if for_update else ({"read": True} if for_share else None)
        return self.session.get(Cycle, code, with_for_update=lock, populate_existing=lock is not None)

    def add(self, **fields) -> Cycle:
        return _insert(self.session, Cycle(**fields), ("code",))

    def page(self, page: int, per_page: int):
        return _page(self.session, select(Cycle).order_by(Cycle.created_at.desc(), Cycle.code), page, per_page)

    def set_members(self, cycle: Cycle, usernames: Collection[str]) -> None:
        cycle.members = [CommitteeMember(cycle_code=cycle.code, username=u) for u in sorted(set(usernames))]

    def cycles_of_member(self, username: str) -> list[str]:
        return list(self.session.scalars(select(CommitteeMember.cycle_code).where(CommitteeMember.username == username)))


class CaseRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, case_id: int, *, for_update: bool = False) -> Case | None:
        # a locked read refreshes a copy the session already holds, so that checks see the locked row
        return self.session.get(Case, case_id, with_for_update=for_update or None, populate_existing=for_update)

    def add(self, **fields) -> Case:
        """DuplicateKey("employee_no") when the manager already has an open case."""
        return _insert(self.session, Case(**fields), ("employee_no",))

    def open_case_of(self, employee_no: str) -> Case | None:
        return self.session.scalar(select(Case).where(Case.employee_no == employee_no, Case.state.in_(OPEN_STATES)))

    def in_cycle(self, cycle_code: str, states: Collection[str] | None = None, *,
                 for_update: bool = False) -> list[Case]:
        stmt = select(Case).where(Case.cycle_code == cycle_code).order_by(Case.id)
        if states is not None:
            stmt = stmt.where(Case.state.in_(states))
        return self._locked(stmt) if for_update else list(self.session.scalars(stmt))

    def _locked(self, stmt) -> list[Case]:
        return list(self.session.scalars(stmt.with_for_update().execution_options(populate_existing=True)))

    def of_managers(self, employee_nos: Collection[str], states: Collection[str], *,
                    for_update: bool = False) -> list[Case]:
        stmt = (select(Case).where(Case.employee_no.in_(sorted(employee_nos)), Case.state.in_(states))
                .order_by(Case.id))
        return self._locked(stmt) if for_update else list(self.session.scalars(stmt))

    def with_open_appeal_window(self, now) -> list[Case]:
        """Published (or appealed) cases whose announced deadline has not passed, locked."""
        return self._locked(select(Case).where(Case.state.in_((PUBLISHED, APPEALED)), Case.appeal_deadline >= now)
                            .order_by(Case.id))

    def of_kind(self, employee_no: str, kind: str) -> list[Case]:
        return list(self.session.scalars(select(Case).where(Case.employee_no == employee_no, Case.kind == kind)
                                         .order_by(Case.id)))

    def page(self, page: int, per_page: int, *, visible_to: CaseScope | None, cycle: str | None = None,
             state: str | None = None, kind: str | None = None, employee_no: str | None = None,
             overdue: bool | None = None):
        """Cases, oldest first; `visible_to` None means all of them."""
        stmt = select(Case).order_by(Case.id)
        if visible_to is not None:
            stmt = stmt.where(_visible(visible_to))
        if overdue is not None:
            stmt = stmt.where(Case.overdue_since.is_not(None) if overdue else Case.overdue_since.is_(None))
        for column, value in ((Case.cycle_code, cycle), (Case.state, state), (Case.kind, kind),
                              (Case.employee_no, employee_no)):
            if value is not None:
                stmt = stmt.where(column == value)
        return _page(self.session, stmt, page, per_page)

    # --- history ----------------------------------------------------------------------
    def add_history(self, case: Case, **fields) -> CaseHistory:
        last = self.session.scalar(select(func.max(CaseHistory.seq)).where(CaseHistory.case_id == case.id))
        entry = CaseHistory(case_id=case.id, seq=(last or 0) + 1, **fields)
        self.session.add(entry)
        return entry

    def history(self, case_id: int) -> list[CaseHistory]:
        return list(self.session.scalars(select(CaseHistory).where(CaseHistory.case_id == case_id)
                                         .order_by(CaseHistory.seq)))

    # --- committee work ---------------------------------------------------------------
    def score_of(self, case: Case, username: str) -> CommitteeScore | None:
        return self.session.get(CommitteeScore, (case.id, username))

    def add_score(self, case: Case, **fields) -> CommitteeScore:
        score = CommitteeScore(case_id=case.id, **fields)
        self.session.add(score)
        case.scores.append(score)
        return score

    def add_recusal(self, case: Case, **fields) -> Recusal:
        recusal = Recusal(case_id=case.id, **fields)
        self.session.add(recusal)
        case.recusals.append(recusal)
        return recusal

    def add_appeal(self, case: Case, **fields) -> Appeal:
        """DuplicateKey("case_id") when the case has an appeal already."""
        appeal = _insert(self.session, Appeal(case_id=case.id, **fields), ("case_id",))
        self.session.refresh(case, ["appeal"])
        return appeal

    # --- figures for eligibility and quotas -------------------------------------------
    def latest_annual_period(self, employee_no: str, up_to_year: int) -> str | None:
        return self.session.scalar(
            select(func.max(PerformanceRecord.period))
            .where(PerformanceRecord.employee_no == employee_no, func.length(PerformanceRecord.period) == 4,
                   PerformanceRecord.period <= str(up_to_year)))

    def annual_scores(self, period: str, org_unit: str, grade: str) -> dict:
        """employee_no → score for `period`, of the managers of `grade` in `org_unit`."""
        rows = self.session.execute(
            select(PerformanceRecord.employee_no, PerformanceRecord.score)
            .join(Manager, Manager.employee_no == PerformanceRecord.employee_no)
            .where(PerformanceRecord.period == period, Manager.org_unit == org_unit, Manager.grade == grade))
        return {employee_no: score for employee_no, score in rows}

    def annual_score(self, employee_no: str, period: str):
        record = self.session.get(PerformanceRecord, (employee_no, period))
        return record.score if record else None

    def headcount(self, org_unit: str, grade: str, exited: str) -> tuple[int, int]:
        """(active managers of the org unit, those holding `grade` or approved for it and not yet effective),
        in one statement so that a finalization committing meanwhile is counted once. On PostgreSQL the
        (org unit, grade) quota is locked until the end of the transaction, so that two concurrent decisions
        cannot both take the last slot; on SQLite the claimed case already holds the database's write lock."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"quota:{org_unit}:{grade}"))))
        in_unit = select(func.count()).select_from(Manager).where(Manager.org_unit == org_unit)
        pending = (select(func.count()).select_from(Case).join(Manager, Manager.employee_no == Case.employee_no)
                   .where(Manager.org_unit == org_unit, Case.target_grade == grade, Case.outcome == APPROVED,
                          Case.state.in_((DECIDED, PUBLISHED, APPEALED))))
        active, holding, approved = self.session.execute(select(
            in_unit.where(Manager.grade != exited).scalar_subquery(),
            in_unit.where(Manager.grade == grade).scalar_subquery(),
            pending.scalar_subquery())).one()
        return active, holding + approved



def _visible(scope: CaseScope):
    clauses = []
    if scope.employee_no is not None:
        clauses.append(Case.employee_no == scope.employee_no)
    if scope.reports:
        clauses.append(Case.employee_no.in_(sorted(scope.reports)))
    if scope.member_of:
        clauses.append(and_(Case.cycle_code.is_not(None), Case.cycle_code.in_(sorted(scope.member_of))))
    return or_(*clauses) if clauses else false()
