"""HR's manager pages: the roster (org unit, grade, supervisor; filtered by org unit and grade) and a manager's
page with their grade history and performance records (a corrected one with its earlier versions). The reads are
the JSON API's (workflow/services/managers.py list_managers, visible_manager, grade_history, performance_records,
performance_versions) with their authorization: the roster is for hr, committee members and admins (others get
the 403 page), a manager the caller may not see is the 404 page."""
from __future__ import annotations

from collections import defaultdict

from flask import render_template, request

from api.context import uow
from api.web.blueprint import bp
from api.web.session import current_user, signed_in
from workflow.services import exams, managers

ROSTER_PAGE = 50
HISTORY_SHOWN = 200


@bp.get("/managers")
@signed_in
def manager_roster():
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    org_unit = (request.args.get("org_unit") or "").strip()[:100] or None
    grade = (request.args.get("grade") or "").strip()[:32] or None
    shown, total = managers.list_managers(uow(), current_user(), page=page, per_page=ROSTER_PAGE,
                                          org_unit=org_unit, grade=grade)
    return render_template("web/managers.html", managers=shown, total=total, page=page, per_page=ROSTER_PAGE,
                           org_unit=org_unit or "", grade=grade or "")


@bp.get("/managers/<employee_no:employee_no>")
@signed_in
def manager_page(employee_no):
    actor, store = current_user(), uow()
    manager = managers.visible_manager(store, actor, employee_no)
    history, _total = managers.grade_history(store, actor, employee_no, page=1, per_page=HISTORY_SHOWN)
    records = managers.performance_records(store, actor, employee_no)
    versions = defaultdict(list)
    for version in managers.performance_versions(store, actor, employee_no):
        versions[version.period].append(version)
    return render_template("web/manager.html", manager=manager, history=history, records=records, versions=versions,
                           exam_results=exams.exam_results(store, actor, employee_no))
