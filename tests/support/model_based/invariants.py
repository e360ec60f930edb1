"""The invariants of the model-based test, read back from the database after every step: what it holds now
(`Snapshot`), every case in a legal state that its history replays to, at most one open case per manager,
no more counting scores than counting members, and an audit chain that verifies (`AuditChain`: the links each
step adds, and the whole chain at the end of each example)."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from models import (CalendarChange, Case, CaseHistory, CommitteeMember, CommitteeScore, GradeHistory, Manager,
                    PerformanceVersion, Recusal, db)
from models.audit import verify_chain
from tests.support.model_based.oracle import AUTOMATIC_RECUSALS, QUORUM
from workflow.audit import GENESIS
from workflow.case_machine import INITIAL_STATE, MOVES, OPEN_STATES, STATES


@dataclass
class Snapshot:
    """What the database holds after a step: every case with its history, every manager, grade change,
    committee score, recusal and committee member, and how many other entries the audit chain covers."""
    cases: dict
    history: dict
    managers: dict
    grade_rows: list
    scores: dict
    recusals: dict
    members: dict
    chained_besides_history: int  # calendar changes and versions of performance records: links of the chain too

    @classmethod
    def load(cls) -> "Snapshot":
        s = db.session
        history = defaultdict(list)
        for entry in s.scalars(sa.select(CaseHistory).order_by(CaseHistory.case_id, CaseHistory.seq)):
            history[entry.case_id].append(entry)
        besides_history = sum(s.scalar(sa.select(sa.func.count()).select_from(model))
                              for model in (CalendarChange, PerformanceVersion))
        scores, recusals, members = defaultdict(list), defaultdict(dict), defaultdict(set)
        for score in s.scalars(sa.select(CommitteeScore)):
            scores[score.case_id].append(score.username)
        for recusal in s.scalars(sa.select(Recusal)):
            recusals[recusal.case_id][recusal.username] = recusal.reason
        for member in s.scalars(sa.select(CommitteeMember)):
            members[member.cycle_code].add(member.username)
        return cls(cases={c.id: c for c in s.scalars(sa.select(Case))}, history=history,
                   managers={m.employee_no: m for m in s.scalars(sa.select(Manager))},
                   grade_rows=list(s.scalars(sa.select(GradeHistory).order_by(GradeHistory.id))),
                   scores=scores, recusals=recusals, members=members,
                   chained_besides_history=besides_history)


LEGAL_MOVES = {(m.event, source, m.dest, kind) for m in MOVES for source in m.sources for kind in m.kinds}
MOVE_EVENTS = {m.event for m in MOVES}


def every_state_is_legal_and_the_history_replays_to_it(w: Snapshot) -> None:
    """Every case is in a state of the case machine, and its history replays to it: it opens with `submit`
    into the kind's first state, each entry starts where the one before ended, each move is a transition
    of workflow/case_machine.py (other entries leave the state as it is), and the last one ends in the
    case's state."""
    for case in w.cases.values():
        assert case.state in STATES, case.state
        entries = w.history[case.id]
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1)), (case.id, [e.seq for e in entries])
        first = entries[0]
        assert (first.event, first.from_state, first.to_state) == ("submit", None, INITIAL_STATE[case.kind]), first
        state = first.to_state
        for e in entries[1:]:
            assert e.from_state == state, f"case {case.id}: {e.event} starts from {e.from_state}, not {state}"
            if e.event in MOVE_EVENTS:
                assert (e.event, e.from_state, e.to_state, case.kind) in LEGAL_MOVES, (case.id, e.event, e.from_state,
                                                                                       e.to_state)
            else:
                assert e.to_state == e.from_state and e.event != "submit", (case.id, e.event, e.from_state, e.to_state)
            state = e.to_state
        assert state == case.state, f"case {case.id}: the history ends in {state}, the case is {case.state}"


def at_most_one_open_case_per_manager(w: Snapshot) -> None:
    """One open case per manager (api-extensions.md: of any kind; so in particular one open promotion)."""
    open_cases = Counter(c.employee_no for c in w.cases.values() if c.state in OPEN_STATES)
    assert all(n == 1 for n in open_cases.values()), open_cases


def scores_never_outnumber_the_members_who_count(w: Snapshot) -> None:
    """The scores that count on a case (of members not recused) are at most the committee's non-recused
    members; nobody scores a case they are automatically recused from (the applicant, a line manager,
    the reviewer); a case past its interview had at least the quorum of counting scores."""
    for case in w.cases.values():
        if case.cycle_code is None:
            assert not w.scores[case.id], case.id
            continue
        recused = w.recusals[case.id]
        counting_members = w.members[case.cycle_code] - set(recused)
        counting_scores = [m for m in w.scores[case.id] if m in counting_members]
        assert len(counting_scores) <= len(counting_members), (case.id, counting_scores, counting_members)
        assert set(w.scores[case.id]) <= w.members[case.cycle_code], (case.id, w.scores[case.id])
        automatic = {m for m, why in recused.items() if why in AUTOMATIC_RECUSALS}
        assert not automatic & set(w.scores[case.id]), (case.id, automatic, w.scores[case.id])
        interviewed = any(e.event in ("interview_complete", "close_interview") for e in w.history[case.id])
        if interviewed:
            assert len(counting_scores) >= QUORUM, (case.id, counting_scores)


class AuditChain:
    """The audit chain as the steps extend it. After each step, `extended_verifies`: models.audit.verify_chain from
    the last link verified (the links the step added follow it and hash their entries), with its checks of the
    whole database (no entry that no link covers, the performance records and standings the rules read as the
    chain's entries left them, the stored policy versions), and one link for every history entry, calendar change
    and version of a performance record. At the end of each example, `whole_chain_verifies`: the same from the
    first link (also for an example that ends while the machine is initialized, before any invariant is checked).
    Verifying the whole chain after every step cost each step a walk that grows with the chain, and a third of the
    invariants' time; links are only ever appended, and one altered later is found at the example's end."""

    def __init__(self):
        self.verified = (0, GENESIS)  # the last link verified: (seq, hash)

    def extended_verifies(self, w: Snapshot) -> None:
        self.verified = self._verifies(w, self.verified)

    def whole_chain_verifies(self, w: Snapshot) -> None:
        self._verifies(w, (0, GENESIS))

    @staticmethod
    def _verifies(w: Snapshot, after: tuple[int, str]) -> tuple[int, str]:
        checked, problem, head = verify_chain(db.session, after=after)
        assert problem is None, problem
        _every_entry_has_its_link(w, checked)
        return checked, head


def _every_entry_has_its_link(w: Snapshot, links: int) -> None:
    entries = sum(len(v) for v in w.history.values())
    assert links == entries + w.chained_besides_history, (links, entries, w.chained_besides_history)
