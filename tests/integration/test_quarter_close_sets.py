"""The quarter close on sets (issue "Speed and shape of the hot paths", point 3): a part of the close reads
its managers' records, the quarters before and the grade changes in a few queries and writes results,
demotion cases with their history, and timers in a few statements; the managers are closed a part at a time,
a transaction each.

- closed in parts of any size, the close records exactly what it records in one part;
- interrupted inside a part, it leaves the parts before it, the quarter locked and nothing of the broken
  part; the next call finishes it, and the outcome is that of an uninterrupted close (also when the
  scheduler's close is interrupted: the timer keeps the error, and its retry finishes the close once);
- the demotion cases it opens are the rows opening.open_case writes;
- its statements grow with its parts, not with its managers.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from models import (Case, CaseHistory, GradeHistory, Manager, PerformanceVersion, QuarterClose, QuarterResult, Timer,
                    db)
from models.audit import verify_chain
from models.time_repositories import EvaluationRepository
from scheduler.sweep import sweep
from tests.support.app_services import rules_of, unit_of_work
from tests.support.databases import empty_all_tables
from tests.support.settings import SHANGHAI
from tests.support.statements import counting
from workflow.case_machine import DEMOTION
from workflow.errors import Conflict, Violations
from workflow.services import evaluations
from workflow.services.accounts import OPERATOR
from workflow.services.opening import open_case, target_of
from workflow.services.managers import record_performance

Q3_OVER = datetime(2026, 10, 1, 0, 30, tzinfo=SHANGHAI)  # before the scheduled close of 2026Q3 (10-01 02:00)
AFTER_Q3_CLOSE = datetime(2026, 10, 1, 9, 0, tzinfo=SHANGHAI)
SYSTEM = "(gradeflow)"

# Eight kinds of manager, each closed its own way (domain.md "Quarter close"); manager i is of kind i % 8:
# (grade now, {period: (score, months worked, violation)}, has an open case, changed grade on 2026-10-05 from)
KINDS = [
    ("mid", {"2026Q2": ("70", 3, False), "2026Q3": ("70", 3, False)}, False, None),  # low twice: demotion
    ("mid", {"2026Q3": ("95", 3, True)}, False, None),  # a violation: demotion
    ("junior", {"2026Q3": ("90", 3, True)}, False, None),  # a violation, yet no grade below: not demotable
    ("mid", {"2026Q2": ("70", 3, False), "2026Q3": ("60", 1, True)}, False, None),  # one month: excluded
    ("senior", {"2026Q3": ("99", 3, True)}, True, None),  # an open case: deferred
    ("mid", {"2026Q2": ("95", 3, False), "2026Q3": ("60", 3, False)}, False, None),  # one low quarter: kept
    ("senior", {"2026Q2": ("75", 3, False), "2026Q3": ("75", 3, False)}, False, "mid"),  # a mid then: demotion
    # low in Q1 and Q2: the Q2 close demotes; Q2 then counts no more, so Q3 alone keeps the manager
    ("mid", {"2026Q1": ("70", 3, False), "2026Q2": ("70", 3, False), "2026Q3": ("70", 3, False)}, False, None),
]


def world(app, managers: int) -> list[str]:
    """`managers` managers of the eight kinds, written straight into the tables (their performance records through
    the use case, which chains each version), with the 2026Q2 close done."""
    at = datetime(2026, 9, 1, 9, 0, tzinfo=SHANGHAI)
    numbers = [f"Q{i:05d}" for i in range(managers)]
    with app.app_context():
        with db.engine.begin() as conn:
            for i, no in enumerate(numbers):
                grade, records, open_case, changed_from = KINDS[i % len(KINDS)]
                conn.execute(sa.insert(Manager).values(
                    employee_no=no, name=f"经理{no}", org_unit="北京分行", grade=grade, grade_since=date(2025, 1, 1),
                    hire_date=date(2024, 1, 1), created_at=at, updated_at=at))
                case = dict(kind="exit", employee_no=no, from_grade=grade, target_grade="exited", exceptional=False,
                            statement="(test)", reasons=[], created_by="hr", created_at=at, updated_at=at,
                            state_since=at, version=1)
                if open_case:
                    conn.execute(sa.insert(Case).values(state="deliberation", **case))
                if changed_from:
                    case_id = conn.execute(sa.insert(Case).values(state="withdrawn", **case)
                                           .returning(Case.id)).scalar_one()
                    conn.execute(sa.insert(GradeHistory).values(
                        employee_no=no, from_grade=changed_from, to_grade=grade, event="promote",
                        effective_on=date(2026, 10, 5), case_id=case_id, recorded_at=at))
        with unit_of_work()() as u:
            for i, no in enumerate(numbers):
                for period, (score, months, violation) in KINDS[i % len(KINDS)][1].items():
                    record_performance(u, rules_of(app), OPERATOR, no, period, score=Decimal(score),
                                       months_worked=months, violation=violation)
        close(app, "2026Q2")
        db.session.remove()
    return numbers


def move_clock(app, instant: datetime) -> None:
    with app.app_context():
        app.extensions["gradeflow"]["manual_clock"].move_to(instant)
        db.session.commit()
        db.session.remove()


def close(app, period: str = "2026Q3", part: int | None = None) -> dict:
    """The scheduler's close of `period` (actor None), `part` managers per transaction."""
    with app.app_context():
        try:
            return evaluations.close_quarter(unit_of_work(), rules_of(app), None, period, part=part)
        finally:
            db.session.remove()


def recorded(app) -> dict:
    """Everything a close writes, with each case and timer named by its manager rather than its id (the ids of
    two databases, or of one database before and after it was emptied, differ)."""
    with app.app_context():
        s = db.session
        case_of = {c.id: c for c in s.scalars(sa.select(Case))}

        def named(case_id):
            return None if case_id is None else f"{case_of[case_id].employee_no}/{case_of[case_id].kind}"

        def key(timer):
            return timer.key.replace(f":{timer.case_id}:", f":{named(timer.case_id)}:") if timer.case_id else timer.key
        checked, problem, _ = verify_chain(s)
        found = {
            "closes": sorted((c.period, c.closed_at, c.closed_by) for c in s.scalars(sa.select(QuarterClose))),
            "results": sorted((r.period, r.employee_no, r.outcome, json.dumps(r.reasons, sort_keys=True),
                               named(r.case_id)) for r in s.scalars(sa.select(QuarterResult))),
            "cases": sorted((c.employee_no, c.kind, c.from_grade, c.target_grade, c.statement, c.state, c.created_by,
                             c.created_at, c.updated_at, c.state_since, c.overdue_since, c.version,
                             json.dumps(c.reasons), c.cycle_code, c.exceptional) for c in case_of.values()),
            "history": sorted((named(h.case_id), h.seq, h.at, h.actor, h.event, h.from_state, h.to_state, h.comment,
                               json.dumps(h.data, sort_keys=True)) for h in s.scalars(sa.select(CaseHistory))),
            "timers": sorted((t.kind, key(t), t.due_at, named(t.case_id), t.employee_no, t.period,
                              json.dumps(t.data, sort_keys=True), t.created_at, t.fired_at)
                             for t in s.scalars(sa.select(Timer))),
            "chain": (checked, problem),
            "versions": s.scalar(sa.select(sa.func.count()).select_from(PerformanceVersion)),
        }
        s.remove()
    return found


def named_summary(app, summary: dict) -> dict:
    with app.app_context():
        owners = dict(db.session.execute(sa.select(Case.id, Case.employee_no)).all())
        db.session.remove()
    return {**summary, "demotion_cases": [owners[c] for c in summary["demotion_cases"]]}


@pytest.fixture
def q3_over(app):
    move_clock(app, Q3_OVER)
    return app


# --- parts ---------------------------------------------------------------------------------------

def test_a_close_in_parts_of_any_size_records_what_a_close_in_one_part_records(app):
    managers = world(app, 16)
    move_clock(app, Q3_OVER)
    whole = named_summary(app, close(app))
    expected = recorded(app)
    assert expected["chain"] == (len(expected["history"]) + expected["versions"], None)
    assert len([r for r in expected["results"] if r[0] == "2026Q3"]) == len(managers)
    assert whole["evaluated"] == 16 and whole["excluded"] == ["Q00003", "Q00011"]
    assert whole["deferred"] == ["Q00004", "Q00012"] and whole["not_demotable"] == ["Q00002", "Q00010"]
    assert whole["demotion_cases"] == ["Q00000", "Q00001", "Q00006", "Q00008", "Q00009", "Q00014"]

    for part in (1, 3, 15):
        empty_all_tables(app)
        world(app, 16)
        move_clock(app, Q3_OVER)
        assert named_summary(app, close(app, part=part)) == whole
        assert recorded(app) == expected, part


# --- interrupted ---------------------------------------------------------------------------------

@contextmanager
def failing_in_part(monkeypatch, failing: int):
    """The close breaks in its `failing`th part, when it writes the results (after that part's cases)."""
    parts = []
    original = EvaluationRepository.add_results

    def add_results(self, rows):
        parts.append(len(rows))
        if len(parts) == failing:
            raise RuntimeError("the database went away")
        return original(self, rows)
    with monkeypatch.context() as patched:
        patched.setattr(EvaluationRepository, "add_results", add_results)
        yield parts


def test_a_close_interrupted_in_its_second_part_resumes_and_ends_as_an_uninterrupted_close(app, monkeypatch):
    world(app, 16)
    move_clock(app, Q3_OVER)
    before = recorded(app)

    with failing_in_part(monkeypatch, 2) as parts, pytest.raises(RuntimeError, match="went away"):
        close(app, part=6)

    assert parts == [6, 6]
    partly = recorded(app)
    assert [c[:3] for c in partly["closes"] if c[0] == "2026Q3"] == [("2026Q3", Q3_OVER, SYSTEM)]
    assert [r[1] for r in partly["results"] if r[0] == "2026Q3"] == [f"Q{i:05d}" for i in range(6)]
    # the first part's demotion cases and deferral stand; nothing of the second part, and no next close yet
    assert [c[0] for c in partly["cases"] if c[6] == SYSTEM and c not in before["cases"]] == [
        "Q00000", "Q00001"]
    new_timers = [t[:2] for t in partly["timers"] if t not in before["timers"]]
    assert sorted(kind for kind, _ in new_timers) == ["deferred_demotion", "reminder", "reminder"]
    assert partly["chain"] == (len(partly["history"]) + partly["versions"], None)
    with app.app_context(), pytest.raises(Conflict) as refused:  # the quarter is locked from the first part
        with unit_of_work()() as uow:
            record_performance(uow, rules_of(app), OPERATOR, "Q00015", "2026Q3", score=Decimal("90"),
                               months_worked=3)
    assert refused.value.code == "period_closed"

    resumed = named_summary(app, close(app, part=6))
    interrupted_then_resumed = recorded(app)

    empty_all_tables(app)
    world(app, 16)
    move_clock(app, Q3_OVER)
    assert named_summary(app, close(app)) == resumed
    assert recorded(app) == interrupted_then_resumed
    after = interrupted_then_resumed
    assert after["chain"] == (len(after["history"]) + after["versions"], None)


def test_the_scheduled_close_interrupted_keeps_its_error_and_its_retry_finishes_it_once(app, monkeypatch):
    managers = world(app, 16)
    make, rules = unit_of_work(), rules_of(app)
    with app.app_context():
        sweep(make, rules, trigger="test")  # the chain of closes begins: 2026Q3's is scheduled
        db.session.remove()
    move_clock(app, AFTER_Q3_CLOSE)
    monkeypatch.setattr(evaluations, "CLOSE_PART", 5)

    with app.app_context(), failing_in_part(monkeypatch, 2):
        run = sweep(make, rules, trigger="test")
        db.session.remove()

    with app.app_context():
        timer = db.session.scalar(sa.select(Timer).where(Timer.key == "quarter_close:2026Q3"))
        assert (timer.fired_at, timer.attempts) == (None, 1)
        assert "went away" in timer.last_error and timer.retry_at == AFTER_Q3_CLOSE + timedelta(minutes=2)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(QuarterResult).where(
            QuarterResult.period == "2026Q3")) == 5
        db.session.remove()
    assert list(run.failed) == [timer.id] and run.fired == []

    move_clock(app, AFTER_Q3_CLOSE + timedelta(minutes=2))
    with app.app_context():
        retried = sweep(make, rules, trigger="test")
        again = sweep(make, rules, trigger="test")
        db.session.remove()

    # the deferred demotions fall due too, and wait for the open cases (rescheduled, not fired)
    assert [(kind, result[:14]) for _, kind, result in retried.fired] == [("quarter_close", "closed 2026Q3:")]
    assert again.fired == [] and again.failed == {}
    done = recorded(app)
    results = [r for r in done["results"] if r[0] == "2026Q3"]
    assert [r[1] for r in results] == managers
    demoted = sorted(c[0] for c in done["cases"] if c[1] == DEMOTION and c[6] == SYSTEM)
    assert demoted == ["Q00000", "Q00001", "Q00006", "Q00007", "Q00008", "Q00009", "Q00014", "Q00015"]
    # (Q00007 and Q00015 from the 2026Q2 close; each manager's demotion once)
    assert [t for t in done["timers"] if t[0] == "quarter_close" and t[5] == "2026Q4"]
    assert done["chain"] == (len(done["history"]) + done["versions"], None)
    with app.app_context():
        timer = db.session.scalar(sa.select(Timer).where(Timer.key == "quarter_close:2026Q3"))
        assert timer.fired_at is not None and timer.result.startswith("closed 2026Q3: 16 evaluated")
        assert (timer.last_error, timer.retry_at, timer.attempts) == (None, None, 1)
        db.session.remove()


# --- the cases it opens --------------------------------------------------------------------------

def test_the_demotion_cases_of_a_close_are_the_rows_open_case_writes(app, q3_over):
    """The set opening (opening.open_automatic_cases and first_timers, which every case the service opens by itself
    goes through) writes what the one-case opening of an application writes: open_case with its history entry and
    timers.state_entered."""
    world(app, 8)
    period, reasons = "2026Q3", [{"rule": "violation"}]
    with app.app_context():
        rules = rules_of(app)
        with unit_of_work()() as uow:
            manager = uow.managers.get("Q00001")
            by_service = open_case(uow, rules.for_org_unit(manager.org_unit), SYSTEM, manager, DEMOTION,
                                   target_of(Violations(), rules, DEMOTION, manager, None),
                                   f"{period} quarter close: violation", data={"period": period,
                                                                               "quarter_close": reasons})
            outcome, in_bulk = evaluations.demote_or_defer(uow, rules, uow.managers.get("Q00005"), period, reasons)
            by_service = by_service.id
        assert outcome == "demotion"
        cases = {c.id: c for c in db.session.scalars(sa.select(Case).where(Case.id.in_([by_service, in_bulk])))}
        rows = {}
        for case_id in (by_service, in_bulk):
            case = cases[case_id]
            entries = db.session.scalars(sa.select(CaseHistory).where(CaseHistory.case_id == case_id)).all()
            timers = db.session.scalars(sa.select(Timer).where(Timer.case_id == case_id)).all()
            rows[case_id] = (
                {c.key: getattr(case, c.key) for c in sa.inspect(Case).column_attrs if c.key not in ("id", "employee_no")},
                [{c.key: getattr(e, c.key) for c in sa.inspect(CaseHistory).column_attrs if c.key not in ("id", "case_id")}
                 for e in entries],
                [{c.key: getattr(t, c.key) for c in sa.inspect(Timer).column_attrs if c.key not in ("id", "case_id")}
                 | {"key": t.key.replace(f":{case_id}:", ":#:")} for t in timers])
        assert verify_chain(db.session)[1] is None
        db.session.remove()
    assert rows[in_bulk] == rows[by_service]
    assert rows[in_bulk][1][0]["data"]["quarter_close"] == reasons and len(rows[in_bulk][2]) == 1
    assert rows[in_bulk][0]["policy"] == rules.policy.reference  # the policy in force, as on every case


# --- statements ----------------------------------------------------------------------------------

def counted_close(app, managers: int, part: int) -> list[str]:
    empty_all_tables(app)
    world(app, managers)
    move_clock(app, Q3_OVER)
    with counting(app) as seen:
        assert close(app, part=part)["evaluated"] == managers
    return seen


def test_the_statements_of_a_close_grow_with_its_parts_not_with_its_managers(app):
    small = counted_close(app, 16, part=8)
    large = counted_close(app, 64, part=32)
    finer = counted_close(app, 64, part=8)

    assert len(large) == len(small), str(large)
    assert len(finer) > len(large)
    # per part: a handful of reads, one insert each of cases, history, timers and results, the chain's link
    per_part = (len(finer) - len(large)) / (64 // 8 - 64 // 32)
    assert per_part <= 20, str(finer)


def test_the_scheduled_close_reports_its_progress_part_by_part_to_run_due(app, monkeypatch):
    world(app, 12)
    make, rules = unit_of_work(), rules_of(app)
    with app.app_context():
        sweep(make, rules, trigger="test")  # the chain of closes begins: 2026Q3's is scheduled
        db.session.remove()
    move_clock(app, AFTER_Q3_CLOSE)
    monkeypatch.setattr(evaluations, "CLOSE_PART", 5)
    reports: dict[str, list[tuple[int, int]]] = {}

    @contextmanager
    def part_progress(what):
        reports[what] = []
        yield lambda done, of: reports[what].append((done, of))

    with app.app_context():
        run = sweep(make, rules, trigger="test", part_progress=part_progress)
        db.session.remove()

    assert [kind for _, kind, _ in run.fired][:1] == ["quarter_close"]
    assert reports["quarter_close 2026Q3"] == [(5, 12), (10, 12), (12, 12)]
