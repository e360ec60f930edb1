"""Cycles, their committees, cases and everything that happens to a case.

A case's state lives in `cases.state`; CHECK constraints tie each state to the data it implies,
so that no code path can leave, say, a decided case without its outcome and decider.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String, Text,
                        UniqueConstraint, select, text)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from models.base import Base, UTCDateTime
from models.managers import Manager
from workflow.case_machine import DECIDED_STATES, IN_STAGE, KINDS, OPEN_STATES, PROMOTION, STATES


def _sql_list(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


Score = Numeric(6, 2)


def _applicants_org_unit(context) -> str:
    """A case inserted without its org unit (the use cases give it) records the applicant's as it is now."""
    return context.connection.scalar(select(Manager.org_unit).where(
        Manager.employee_no == context.get_current_parameters()["employee_no"]))


class Cycle(Base):
    """A promotion round (评审批次): its applications are interviewed, decided and published together."""
    __tablename__ = "cycles"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    chair: Mapped[str | None] = mapped_column(ForeignKey("users.username"), nullable=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_appeal_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    first_deadline_confirmed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)

    members: Mapped[list["CommitteeMember"]] = relationship(order_by="CommitteeMember.username",
                                                            cascade="all, delete-orphan")

    @property
    def member_usernames(self) -> list[str]:
        return [m.username for m in self.members]


class CommitteeMember(Base):
    """A member of a cycle's committee; the chair is a member too."""
    __tablename__ = "committee_members"

    cycle_code: Mapped[str] = mapped_column(ForeignKey("cycles.code"), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("users.username"), primary_key=True)

    user = relationship("User")


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_sql_list(KINDS)})", name="known_kind"),
        CheckConstraint(f"state IN ({_sql_list(STATES)})", name="known_state"),
        CheckConstraint("outcome IS NULL OR outcome IN ('approved', 'denied')", name="known_outcome"),
        CheckConstraint(f"(kind = '{PROMOTION}') = (cycle_code IS NOT NULL)", name="promotions_belong_to_a_cycle"),
        CheckConstraint(f"state NOT IN ({_sql_list(DECIDED_STATES)}) OR "
                        "(outcome IS NOT NULL AND decided_by IS NOT NULL AND decided_at IS NOT NULL)",
                        name="decided_has_outcome_and_decider"),
        CheckConstraint(f"state IN ({_sql_list(DECIDED_STATES)}) OR outcome IS NULL",
                        name="undecided_has_no_outcome"),
        CheckConstraint("state NOT IN ('published', 'appealed', 'effective', 'closed') OR "
                        "(published_at IS NOT NULL AND appeal_deadline IS NOT NULL AND deadline_confirmed IS NOT NULL)",
                        name="published_has_deadline"),
        CheckConstraint("state <> 'closed' OR outcome = 'denied'", name="closed_is_denied"),
        CheckConstraint("state NOT IN ('effective', 'closed') OR (finalized_at IS NOT NULL)",
                        name="final_has_finalization"),
        CheckConstraint("state <> 'effective' OR effective_on IS NOT NULL", name="effective_has_date"),
        CheckConstraint(f"kind <> '{PROMOTION}' OR state IN ('submitted', 'returned', 'rejected', 'withdrawn') "
                        "OR (supervisor_score IS NOT NULL AND reviewed_by IS NOT NULL)",
                        name="reviewed_promotion_has_supervisor_score"),
        CheckConstraint("supervisor_score IS NULL OR (supervisor_score >= 0 AND supervisor_score <= 9999)",
                        name="supervisor_score_range"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint(f"(state = '{IN_STAGE}') = (stage IS NOT NULL)", name="in_stage_names_its_stage"),
        # One open case per manager: enforced here too, so that two racing submissions cannot both pass.
        Index("uq_cases_one_open_case", "employee_no", unique=True,
              sqlite_where=text(f"state IN ({_sql_list(OPEN_STATES)})"),
              postgresql_where=text(f"state IN ({_sql_list(OPEN_STATES)})")),
        # a cycle's cases in id order: its first case (Cycle.cases_policy) is found at once (migration 0029)
        Index("ix_cases_cycle_code_id", "cycle_code", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    cycle_code: Mapped[str | None] = mapped_column(ForeignKey("cycles.code"), nullable=True)
    employee_no: Mapped[str] = mapped_column(ForeignKey("managers.employee_no"), index=True)
    from_grade: Mapped[str] = mapped_column(String(32))
    target_grade: Mapped[str] = mapped_column(String(32))
    exceptional: Mapped[bool] = mapped_column(Boolean, default=False)
    statement: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(32), index=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    supervisor_score: Mapped[Decimal | None] = mapped_column(Score, nullable=True)
    interview_score: Mapped[Decimal | None] = mapped_column(Score, nullable=True)
    performance_score: Mapped[Decimal | None] = mapped_column(Score, nullable=True)
    final_score: Mapped[Decimal | None] = mapped_column(Score, nullable=True)
    exam_score: Mapped[Decimal | None] = mapped_column(Score, nullable=True)  # where the policy weighs an exam
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    appeal_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deadline_confirmed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    effective_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # since when the case is in its state (waiting on whoever acts next), and since when that is overdue
    state_since: Mapped[datetime] = mapped_column(UTCDateTime)
    overdue_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    version: Mapped[int] = mapped_column(Integer)
    # the org unit the applicant was in when the case was opened (a cycle's report counts the case there); cases
    # opened before migration 0028 hold their applicant's unit of that day
    org_unit: Mapped[str] = mapped_column(String(100), index=True, default=_applicants_org_unit)
    # the policy (name@version) in force when the case was opened; None for cases opened before it was recorded
    policy: Mapped[str | None] = mapped_column(String(80), nullable=True)
    # the policy's own stage the case is in (workflow/stages.py), while its state is in_stage
    stage: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # what each of those stages that records a score recorded, {stage: "75.00"} (exact: the score's text)
    stage_scores: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # the points each of the policy's deductions took off the final score, {deduction: "10"}, as decided
    deductions: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # the items the supervisor score was made of, {item: "35.00"}, where the policy has supervisor items
    supervisor_items: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # the supervisors' review steps done on the case, [{party, username, employee_no}] (four eyes:
    # workflow/case_access.py SEPARATE_REVIEWS); None: none yet
    reviews: Mapped[list | None] = mapped_column(JSON, nullable=True)
    # the present wait escalated past an absent supervisor (workflow/escalation.py): whose turn it was, who acts in
    # their stead (None: nobody up the chain can, hr does) and when; cleared when the case enters another state
    escalated_from: Mapped[str | None] = mapped_column(String(32), nullable=True)
    escalated_to: Mapped[str | None] = mapped_column(String(32), nullable=True)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)

    # Every UPDATE checks the version it read: a concurrent change makes the later one fail.
    # The use cases bump it themselves, once per use case (workflow.services.case_steps.saved).
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    manager = relationship("Manager")
    cycle: Mapped[Cycle | None] = relationship()
    appeal: Mapped["Appeal | None"] = relationship(back_populates="case", uselist=False)
    scores: Mapped[list["CommitteeScore"]] = relationship(order_by="CommitteeScore.username")
    recusals: Mapped[list["Recusal"]] = relationship(order_by="Recusal.username")

    @property
    def reopened_by_appeal(self) -> bool:
        """Back in deliberation (or decided again) after HR overturned the appeal."""
        return self.appeal is not None and self.appeal.status == "overturned"

    @property
    def recused_usernames(self) -> set[str]:
        return {r.username for r in self.recusals}


# The policy version a cycle's cases follow: that of its first case that recorded one (workflow/services/
# governing.py); None while it has none. Read with the cycle, in the same statement.
Cycle.cases_policy = column_property(select(Case.policy).where(Case.cycle_code == Cycle.code, Case.policy.is_not(None))
                                     .order_by(Case.id).limit(1).correlate_except(Case).scalar_subquery())

class CommitteeScore(Base):
    """A committee member's interview score for a case; replaceable until deliberation."""
    __tablename__ = "committee_scores"
    __table_args__ = (CheckConstraint("score >= 0", name="score_not_negative"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("users.username"), primary_key=True)
    score: Mapped[Decimal] = mapped_column(Score)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Recusal(Base):
    """A committee member who does not count for a case (回避): automatic or declared."""
    __tablename__ = "recusals"
    __table_args__ = (CheckConstraint("reason IN ('applicant', 'line_manager', 'reviewed_materials', 'declared')",
                                      name="known_reason"),)

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    username: Mapped[str] = mapped_column(ForeignKey("users.username"), primary_key=True)
    reason: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Appeal(Base):
    """The applicant's one appeal against a published decision (申诉)."""
    __tablename__ = "appeals"
    __table_args__ = (
        UniqueConstraint("case_id"),
        CheckConstraint("status IN ('pending', 'upheld', 'overturned')", name="known_status"),
        CheckConstraint("(status = 'pending') = (resolved_at IS NULL)", name="resolved_has_time"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    filed_by: Mapped[str] = mapped_column(String(64))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    resolved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True)

    case: Mapped[Case] = relationship(back_populates="appeal")


class CaseHistory(Base):
    """One entry of a case's append-only history: an event, a score, a recusal, an appeal."""
    __tablename__ = "case_history"
    __table_args__ = (UniqueConstraint("case_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(32), nullable=True)
    to_state: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
