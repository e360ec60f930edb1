"""A manager's personal file (一人一档, issue 16): the record, the grade history, every case as the caller may see
it with its full history, the performance records with every correction, the exam results and the events on the
record. Whoever may see the manager may read it (access.can_view_manager, else NotFound), exam results included,
as exams.exam_results shows them; each case is shown as its own page shows it to the caller (case_reads.CaseView
and history_entries: scores and decisions hidden until the caller may see them), and a case the caller may not see
is left out. A fixed number of queries whatever the number of cases."""
from __future__ import annotations

from dataclasses import dataclass

from workflow import case_access
from workflow.accounts import Actor
from workflow.services.case_reads import CaseView, history_entries
from workflow.services.context import Rules
from workflow.services.managers import supervisor_of, visible_manager

EVERY_ROW = 100_000  # the most grade changes or cases a file reads


@dataclass(frozen=True)
class FiledCase:
    case: CaseView
    history: list[dict]


@dataclass(frozen=True)
class PersonalFile:
    manager: object
    supervisor: object | None  # the manager's supervisor (managers.supervisor_of)
    grade_history: list
    cases: list[FiledCase]
    performance: list  # every version of every period's record, by period, oldest first
    events: list
    exams: list  # oldest first, as GET /managers/{employee_no}/exam-results lists them


def personal_file(uow, rules: Rules, actor: Actor, employee_no: str) -> PersonalFile:
    manager = visible_manager(uow, actor, employee_no)
    grade_history, _total = uow.grade_history.page(employee_no, 1, EVERY_ROW)
    cases, _total = uow.cases.page(1, EVERY_ROW, visible_to=case_access.scope_of(actor), employee_no=employee_no)
    files = uow.cases.files(cases) if cases else []
    histories = uow.cases.histories([case.id for case in cases])
    filed = [FiledCase(CaseView.of(uow, rules, actor, file),
                       history_entries(uow, file, case_access.standing(actor, file.people), histories[file.case.id]))
             for file in files]
    return PersonalFile(manager, supervisor_of(uow, manager), list(grade_history), filed,
                        uow.performance.versions(employee_no), uow.manager_events.for_manager(employee_no),
                        uow.exams.for_manager(employee_no))
