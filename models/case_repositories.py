"""Queries for cycles and cases. Services in workflow/ reach these tables only through here."""
from __future__ import annotations

from collections.abc import Collection, Sequence
from types import SimpleNamespace

from sqlalchemy import Boolean, String, and_, bindparam, cast, exists, false, func, literal, null, or_, select, union_all
from sqlalchemy.orm import Session, joinedload, selectinload

from models.accounts import User, UserRole
from models.audit import note_entries
from models.cases import Appeal, Case, CaseHistory, CommitteeMember, CommitteeScore, Cycle, Recusal
from models.managers import Manager, PerformanceRecord
from models.repositories import _insert, _insert_rows, _page, chains_from, reports_below, supervisor_chain_query
from models.transaction_memo import transaction_memo
from workflow.accounts import COMMITTEE
from workflow.case_access import CaseScope
from workflow.case_file import CaseFile, Seat
from workflow.case_machine import APPEALED, APPROVED, DECIDED, OPEN_STATES, PUBLISHED
from workflow.quotas import UNIT_SEPARATOR, Area

# What every use case reads of a case, with the case: its manager, cycle and appeal in the same SELECT; its
# scores and recusals in that SELECT too when one case is read (a committee's few rows), in one more SELECT
# each for a list of cases.
_WITH_ITS_PARTS = (joinedload(Case.manager), joinedload(Case.cycle), joinedload(Case.appeal))
_MANY_CASES = _WITH_ITS_PARTS + (selectinload(Case.scores), selectinload(Case.recusals))


def _one_case_statement():
    """One case (the parameter `case_id`) with all its parts and its last history seq. Built once, like the
    variants below: building a statement costs more than running it."""
    last_seq = (select(func.coalesce(func.max(CaseHistory.seq), 0)).where(CaseHistory.case_id == Case.id)
                .scalar_subquery())
    return select(Case, last_seq).where(Case.id == bindparam("case_id"))


_ONE_CASE = _one_case_statement().options(*_WITH_ITS_PARTS, joinedload(Case.scores), joinedload(Case.recusals))
_ONE_CASE_LOCKED = _ONE_CASE.execution_options(populate_existing=True)  # see CaseRepository._load
_LOCK_ONE_CASE = _one_case_statement().with_only_columns(Case.id).with_for_update(of=Case)


class CycleRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, code: str, *, for_update: bool = False, for_share: bool = False) -> Cycle | None:
        """for_share: a submission holds the cycle against a concurrent decision (which locks it for update)."""
        lock = True if for_update else ({"read": True} if for_share else None)
        return self.session.get(Cycle, code, with_for_update=lock, populate_existing=lock is not None)

    def get_for_application(self, code: str, *, exclusive: bool) -> Cycle | None:
        """The cycle a case is applied for in, held against a concurrent decision (for share). `exclusive`: held
        against concurrent applications too, with `cases_policy` read again once the lock is held (a statement
        that waited for the lock reads the cases as they were when it began): two first applications must not
        both find the cycle without cases."""
        if not exclusive:
            return self.get(code, for_share=True)
        cycle = self.get(code, for_update=True)
        if cycle is not None:
            self.session.refresh(cycle, ["cases_policy"])
        return cycle

    def add(self, **fields) -> Cycle:
        return _insert(self.session, Cycle(**fields), ("code",))

    def page(self, page: int, per_page: int):
        return _page(self.session, select(Cycle).order_by(Cycle.created_at.desc(), Cycle.code), page, per_page)

    def set_members(self, cycle: Cycle, usernames: Collection[str]) -> None:
        cycle.members = [CommitteeMember(cycle_code=cycle.code, username=u) for u in sorted(set(usernames))]


# a new case is escalated past nobody yet (the columns a state entered clears: workflow/services/timers.py)
_NO_ESCALATION = {"escalated_from": None, "escalated_to": None, "escalated_at": None}


def _new_case(fields: dict) -> Case:
    # a new case has no scores, recusals, appeal or escalation yet: say so, rather than have reading them
    # query, or clearing them update the row just inserted
    return Case(scores=[], recusals=[], appeal=None, **_NO_ESCALATION, **fields)


class CaseRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, case_id: int, *, for_update: bool = False) -> Case | None:
        """The case with its manager, cycle, appeal, scores and recusals. Locked (for_update), it refreshes a copy
        the session holds, so that checks see the locked row, and the case's last history seq is read with it."""
        params = {"case_id": case_id}
        if for_update and self._locks_rows():
            self.session.execute(_LOCK_ONE_CASE, params)
        rows = self.session.execute(_ONE_CASE_LOCKED if for_update else _ONE_CASE, params).unique().all()
        if not rows:
            return None
        case, seq = rows[0]
        if for_update:  # the lock keeps it true until the transaction ends
            transaction_memo(self.session).setdefault("history_seqs", {})[case.id] = seq
        return case

    def file(self, case_id: int, *, for_update: bool = False) -> CaseFile | None:
        """The case with its people: two queries (three, locked on PostgreSQL), whatever its committee's size."""
        case = self.get(case_id, for_update=for_update)
        return self.files([case])[0] if case is not None else None

    def files(self, cases: Sequence[Case]) -> list[CaseFile]:
        """The people of cases already loaded, all in one query."""
        chains, seats = people_of_cases(self.session, {case.employee_no for case in cases},
                                        {case.cycle_code for case in cases if case.cycle_code})
        return [CaseFile(case, chains.get(case.employee_no, ()), seats.get(case.cycle_code, ())) for case in cases]

    def _cases(self, stmt, *, for_update: bool = False) -> list[Case]:
        return [row[0] for row in self._load(stmt, _MANY_CASES, for_update=for_update)]

    def _load(self, stmt, parts, *, for_update: bool) -> list:
        """The rows of `stmt` (a select of Case first), each case with its parts. Locked (for_update), the cases
        are locked before they are read: on PostgreSQL a statement that waited for a row lock sees the locked
        row as committed meanwhile, but every other row (the appeal, the manager, the last history seq) as of
        before its wait, so the cases are read by a second statement, after the lock is held. SQLite has no
        row locks: the unit of work holds the database's write lock from its start."""
        if for_update and self._locks_rows():
            self.session.execute(stmt.with_only_columns(Case.id).with_for_update(of=Case))
        if for_update:
            stmt = stmt.execution_options(populate_existing=True)
        return self.session.execute(stmt.options(*parts)).unique().all()

    def _locks_rows(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    def add(self, **fields) -> Case:
        """DuplicateKey("employee_no") when the manager already has an open case."""
        case = _insert(self.session, _new_case(fields), ("employee_no",))
        transaction_memo(self.session).setdefault("history_seqs", {})[case.id] = 0  # nor any history
        return case

    def add_opened(self, cases: Sequence[tuple[dict, dict]]) -> list[SimpleNamespace]:
        """Cases and their first history entries, (case fields, entry fields) each, inserted as rows in a few
        statements whatever their number: the cases the service opens by itself (a period close opens thousands).
        The entries are linked into the history's chain like any other. Returns each new case's columns as
        attributes, not a Case: a use case that goes on to move one reads it with `get`. DuplicateKey("employee_no")
        when a manager has an open case already."""
        rows = [_NO_ESCALATION | fields for fields, _ in cases]
        for row, case_id in zip(rows, _insert_rows(self.session, Case, rows, ("employee_no",))):
            row["id"] = case_id
        entries = [{"case_id": row["id"], **entry} for row, (_, entry) in zip(rows, cases)]
        for entry, entry_id in zip(entries, _insert_rows(self.session, CaseHistory, entries, ())):
            entry["id"] = entry_id
        note_entries(self.session, CaseHistory.__tablename__, [SimpleNamespace(**entry) for entry in entries])
        transaction_memo(self.session).setdefault("history_seqs", {}).update((e["case_id"], e["seq"]) for e in entries)
        return [SimpleNamespace(**row) for row in rows]

    def open_case_of(self, employee_no: str) -> Case | None:
        return self.session.scalar(select(Case).where(Case.employee_no == employee_no, Case.state.in_(OPEN_STATES)))

    def in_cycle(self, cycle_code: str, states: Collection[str] | None = None, *,
                 for_update: bool = False) -> list[Case]:
        stmt = select(Case).where(Case.cycle_code == cycle_code).order_by(Case.id)
        if states is not None:
            stmt = stmt.where(Case.state.in_(states))
        return self._cases(stmt, for_update=for_update)

    def of_managers(self, employee_nos: Collection[str], states: Collection[str], *,
                    for_update: bool = False) -> list[Case]:
        return self._cases(select(Case).where(Case.employee_no.in_(sorted(employee_nos)), Case.state.in_(states))
                           .order_by(Case.id), for_update=for_update)

    def with_open_appeal_window(self, now) -> list[Case]:
        """Published (or appealed) cases whose announced deadline has not passed, locked."""
        return self._cases(select(Case).where(Case.state.in_((PUBLISHED, APPEALED)), Case.appeal_deadline >= now)
                           .order_by(Case.id), for_update=True)

    def of_kind_or_open(self, employee_nos: Collection[str], kind: str) -> list[Case]:
        """The managers' cases of `kind`, and their open cases of whatever kind, oldest first, in one statement."""
        return list(self.session.scalars(select(Case).where(
            Case.employee_no.in_(sorted(employee_nos)), or_(Case.kind == kind, Case.state.in_(OPEN_STATES)))
            .order_by(Case.id)))

    def page(self, page: int, per_page: int, *, visible_to: CaseScope | None, cycle: str | None = None,
             state: str | None = None, kind: str | None = None, employee_no: str | None = None,
             overdue: bool | None = None, open_only: bool = False, escalated: bool | None = None):
        """Cases, oldest first; `visible_to` None means all of them; `open_only`: those not final yet; `escalated`:
        those whose present wait was escalated past an absent supervisor (or those not)."""
        stmt = select(Case).order_by(Case.id)
        if open_only:
            stmt = stmt.where(Case.state.in_(OPEN_STATES))
        if visible_to is not None:
            stmt = stmt.where(_visible(visible_to))
        if overdue is not None:
            stmt = stmt.where(Case.overdue_since.is_not(None) if overdue else Case.overdue_since.is_(None))
        if escalated is not None:
            stmt = stmt.where(Case.escalated_at.is_not(None) if escalated else Case.escalated_at.is_(None))
        for column, value in ((Case.cycle_code, cycle), (Case.state, state), (Case.kind, kind),
                              (Case.employee_no, employee_no)):
            if value is not None:
                stmt = stmt.where(column == value)
        return _page(self.session, stmt.options(*_MANY_CASES), page, per_page)

    def with_ids(self, case_ids: Collection[int], *, visible_to: CaseScope | None) -> list[Case]:
        """The cases of these ids that `visible_to` may see (None: all), oldest first, in one query."""
        stmt = select(Case).where(Case.id.in_(sorted(case_ids))).order_by(Case.id)
        if visible_to is not None:
            stmt = stmt.where(_visible(visible_to))
        return self._cases(stmt)

    def ids(self, *, visible_to: CaseScope | None, kind: str | None = None, state: str | None = None,
            cycle: str | None = None, limit: int) -> list[int]:
        """The ids of the cases a filter names (`visible_to` None: all), oldest first, at most `limit`."""
        stmt = select(Case.id).order_by(Case.id).limit(limit)
        if visible_to is not None:
            stmt = stmt.where(_visible(visible_to))
        for column, value in ((Case.kind, kind), (Case.state, state), (Case.cycle_code, cycle)):
            if value is not None:
                stmt = stmt.where(column == value)
        return list(self.session.scalars(stmt))

    # --- history ----------------------------------------------------------------------
    def add_history(self, case: Case, **fields) -> CaseHistory:
        """The case's next entry. The last seq of each case is remembered for the rest of the transaction
        (which holds the case: no other can append to its history meanwhile)."""
        last_seqs = transaction_memo(self.session).setdefault("history_seqs", {})
        if case.id not in last_seqs:
            last_seqs[case.id] = self.session.scalar(
                select(func.coalesce(func.max(CaseHistory.seq), 0)).where(CaseHistory.case_id == case.id))
        last_seqs[case.id] += 1
        entry = CaseHistory(case_id=case.id, seq=last_seqs[case.id], **fields)
        self.session.add(entry)
        return entry

    def history(self, case_id: int) -> list[CaseHistory]:
        return list(self.session.scalars(select(CaseHistory).where(CaseHistory.case_id == case_id)
                                         .order_by(CaseHistory.seq)))

    def opening(self, case_id: int) -> CaseHistory | None:
        """The case's first history entry: how it was opened."""
        return self.session.scalars(select(CaseHistory).where(CaseHistory.case_id == case_id)
                                    .order_by(CaseHistory.seq).limit(1)).first()

    def histories(self, case_ids: Collection[int]) -> dict[int, list[CaseHistory]]:
        """The history of each case, oldest first, in one query."""
        found: dict[int, list[CaseHistory]] = {case_id: [] for case_id in case_ids}
        if found:
            for entry in self.session.scalars(select(CaseHistory).where(CaseHistory.case_id.in_(sorted(found)))
                                              .order_by(CaseHistory.case_id, CaseHistory.seq)):
                found[entry.case_id].append(entry)
        return found

    # --- committee work ---------------------------------------------------------------
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
        return _insert(self.session, Appeal(case=case, **fields), ("case_id",))

    # --- figures for eligibility and quotas -------------------------------------------
    # Performance records change in use cases of their own (PUT /managers/{no}/performance): reading them
    # needs no flush of the calling use case's changes.
    def latest_annual_score(self, employee_no: str, up_to_year: int) -> tuple[str, object] | None:
        """(period, score) of the manager's latest annual record up to `up_to_year`."""
        with self.session.no_autoflush:
            row = self.session.execute(
                select(PerformanceRecord.period, PerformanceRecord.score)
                .where(PerformanceRecord.period == _latest_annual_period(employee_no, up_to_year),
                       PerformanceRecord.employee_no == employee_no)).one_or_none()
        return tuple(row) if row else None

    def peer_annual_scores(self, employee_no: str, up_to_year: int, org_unit: str, grade: str) -> tuple[str | None, dict]:
        """(the manager's latest annual period up to `up_to_year`, employee_no → score for it of the managers of
        `grade` in `org_unit`), in one query."""
        with self.session.no_autoflush:
            rows = self.session.execute(
                select(PerformanceRecord.period, PerformanceRecord.employee_no, PerformanceRecord.score)
                .join(Manager, Manager.employee_no == PerformanceRecord.employee_no)
                .where(PerformanceRecord.period == _latest_annual_period(employee_no, up_to_year),
                       Manager.org_unit == org_unit, Manager.grade == grade)).all()
        return (rows[0].period if rows else None), {row.employee_no: row.score for row in rows}

    def headcount(self, area: Area, grade: str, exited: str) -> tuple[int, int, int, int]:
        """(active managers of the area, those holding `grade`, approved cases not yet effective into it and out of
        it: promotions, demotions, exits), in one statement so that a finalization committing meanwhile is counted
        once. On PostgreSQL the (area, grade) quota is locked until the end of the transaction, so that two
        concurrent decisions cannot both take its last place; on SQLite the claimed case already holds the
        database's write lock."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"quota:{area}:{grade}"))))
        in_area = _in_area(area)
        managers = select(func.count()).select_from(Manager).where(*in_area)
        pending = (select(func.count()).select_from(Case).join(Manager, Manager.employee_no == Case.employee_no)
                   .where(*in_area, Case.outcome == APPROVED, Case.state.in_((DECIDED, PUBLISHED, APPEALED))))
        return tuple(self.session.execute(select(
            managers.where(Manager.grade != exited).scalar_subquery(),
            managers.where(Manager.grade == grade).scalar_subquery(),
            pending.where(Case.target_grade == grade).scalar_subquery(),
            pending.where(Case.from_grade == grade, Case.target_grade != grade).scalar_subquery())).one())



def _in_area(area: Area) -> tuple:
    """The managers of a quota's area: one org unit, or a unit and the units below it (all: the company)."""
    if area.is_company:
        return ()
    if area.below:
        return (or_(Manager.org_unit == area.unit, Manager.org_unit.startswith(area.unit + UNIT_SEPARATOR,
                                                                                  autoescape=True)),)
    return (Manager.org_unit == area.unit,)


def _latest_annual_period(employee_no: str, up_to_year: int):
    return (select(func.max(PerformanceRecord.period))
            .where(PerformanceRecord.employee_no == employee_no, func.length(PerformanceRecord.period) == 4,
                   PerformanceRecord.period <= str(up_to_year)).scalar_subquery())


def _visible(scope: CaseScope):
    """Mirrors case_access.can_view, as SQL (the reports and the committees are subqueries: no round trips)."""
    clauses = []
    if scope.employee_no is not None:
        clauses.append(Case.employee_no == scope.employee_no)
        if scope.line_manager:
            clauses.append(Case.employee_no.in_(reports_below(scope.employee_no)))
    if scope.committee_member:
        clauses.append(and_(Case.cycle_code.is_not(None), Case.cycle_code.in_(
            select(CommitteeMember.cycle_code).where(CommitteeMember.username == scope.username))))
    # a substitute: the cases of the people they stand in for today
    clauses.extend(Case.employee_no.in_(reports_below(principal, f"reports_of_{i}"))
                   for i, principal in enumerate(scope.reports_of))
    if scope.committees_of:
        clauses.append(and_(Case.cycle_code.is_not(None), Case.cycle_code.in_(
            select(CommitteeMember.cycle_code).where(CommitteeMember.username.in_(scope.committees_of)))))
    return or_(*clauses) if clauses else false()


def people_of_cases(session: Session, employee_nos: Collection[str],
                    cycle_codes: Collection[str]) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[Seat, ...]]]:
    """(employee_no → the supervisor chain above them, cycle code → its committee with each member's account as
    it stands): both in one statement, the chains' recursive query and the committees' join in a UNION ALL."""
    if not employee_nos and not cycle_codes:
        return {}, {}
    rows = session.execute(_PEOPLE_OF_CASES, {"employee_nos": sorted(employee_nos),
                                              "cycle_codes": sorted(set(cycle_codes))})
    links, seats = [], {}
    for kind, key, name, depth, employee_no, counts in rows:
        if kind == "chain":
            links.append((key, depth, name))
        else:
            seats.setdefault(key, []).append(Seat(name, employee_no, bool(counts)))
    return chains_from(links), {code: tuple(sorted(found, key=lambda seat: seat.username))
                                for code, found in seats.items()}


def _people_of_cases_statement():
    """people_of_cases's statement, with the expanding parameters `employee_nos` and `cycle_codes`: built once
    (building it cost more than running it)."""
    chain = supervisor_chain_query()
    holds_committee_role = exists().where(UserRole.user_id == User.id, UserRole.role == COMMITTEE)
    return union_all(
        select(literal("chain"), chain.c.start, chain.c.above, chain.c.depth, cast(null(), String),
               cast(null(), Boolean)),
        select(literal("seat"), CommitteeMember.cycle_code, CommitteeMember.username, literal(0), User.employee_no,
               and_(User.active, holds_committee_role))
        .join(User, User.username == CommitteeMember.username)
        .where(CommitteeMember.cycle_code.in_(bindparam("cycle_codes", expanding=True))))


_PEOPLE_OF_CASES = _people_of_cases_statement()
