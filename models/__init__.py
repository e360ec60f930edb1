"""Persistence: Flask-SQLAlchemy models, repositories and the unit of work. No HTTP here."""
from flask_sqlalchemy import SQLAlchemy

from models.base import Base

db = SQLAlchemy(model_class=Base)

# Import the mapped classes so that the metadata is complete wherever `models` is imported.
from models.accounts import User, UserRole  # noqa: E402,F401
from models.clock_state import ManualClockState  # noqa: E402,F401
from models.managers import (ExamResult, GradeHistory, Manager, ManagerEvent, PerformanceRecord,  # noqa: E402,F401
                             PerformanceVersion)
from models.cases import Appeal, Case, CaseHistory, CommitteeMember, CommitteeScore, Cycle, Recusal  # noqa: E402,F401
from models.timers import NoticeCursor, OutboxMessage, SchedulerRun, Timer  # noqa: E402,F401
from models.calendar_days import CalendarChange, CalendarDay  # noqa: E402,F401
from models.evaluations import QuarterClose, QuarterResult  # noqa: E402,F401
from models.audit import AuditLink  # noqa: E402,F401
from models.idempotency import IdempotentRequest  # noqa: E402,F401
from models.sign_in_attempts import SignInAttempt  # noqa: E402,F401
from models.policies import PolicyVersion  # noqa: E402,F401
from models.delegations import Delegation  # noqa: E402,F401

__all__ = ["db", "Base", "User", "UserRole", "ManualClockState", "ExamResult", "GradeHistory", "Manager",
           "ManagerEvent", "PerformanceRecord", "PerformanceVersion", "Appeal", "Case", "CaseHistory",
           "CommitteeMember", "CommitteeScore", "Cycle", "Recusal", "NoticeCursor", "OutboxMessage", "SchedulerRun",
           "Timer", "CalendarChange",
           "CalendarDay", "QuarterClose", "QuarterResult", "AuditLink", "IdempotentRequest", "SignInAttempt",
           "PolicyVersion"]
