"""HR's manager pages: the roster (org unit, grade, supervisor; filtered by org unit and grade) and a manager's
page with their standing (在岗 or 待岗), their cases (those the caller may see), grade history, performance records (a corrected one with its earlier versions;
the policy's metrics beside the score), exam results and the events on their record. The reads are the JSON API's
(workflow/services/managers.py list_managers, visible_manager, grade_history, performance_records,
performance_versions; workflow/services/case_reads.py list_cases; workflow/services/manager_events.py manager_events) with their authorization: the roster is for
hr, committee members and admins (others get the 403 page), a manager the caller may not see is the 404 page. Hr
enters an event on the page (POST /managers/<no>/events: record_event, as POST /api/v1/managers/{no}/events), the
refusals next to their fields (api/web/event_form.py)."""
from __future__ import annotations

from collections import defaultdict

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from api.context import rules, uow
from api.web.blueprint import bp
from api.web.event_form import EventForm
from api.web.i18n import day
from api.web.labels import event_kind
from api.web.session import current_user, signed_in
from workflow import access
from workflow.errors import Conflict, RuleViolation
from workflow.services import exams, manager_events, managers
from workflow.services.case_reads import list_cases

ROSTER_PAGE = 50
HISTORY_SHOWN = 200
CASES_SHOWN = 200  # a manager has a few cases a year: all of them, in practice


@bp.get("/managers")
@signed_in
def manager_roster():
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    org_unit = (request.args.get("org_unit") or "").strip()[:100] or None
    grade = (request.args.get("grade") or "").strip()[:32] or None
    shown, total = managers.list_managers(uow(), current_user(), page=page, per_page=ROSTER_PAGE,
                                          org_unit=org_unit, grade=grade)
    return render_template("web/managers.html", managers=shown, total=total, page=page, per_page=ROSTER_PAGE,
                           org_unit=org_unit or "", grade=grade or "", grades=rules().policy.ladder.all_codes)


@bp.get("/managers/<employee_no:employee_no>")
@signed_in
def manager_page(employee_no):
    return _render(employee_no, EventForm(formdata=None))


@bp.post("/managers/<employee_no:employee_no>/events")
@signed_in
def record_manager_event(employee_no):
    actor = current_user()
    if not access.can_manage_people(actor):
        abort(403)
    form = EventForm()
    if not form.validate_on_submit():
        return _render(employee_no, form, 422)
    try:
        with uow() as u:
            manager_events.record_event(u, rules(), actor, employee_no, **form.entered())
    except RuleViolation as refused:
        form.show_refusals(refused.errors, managers.visible_manager(uow(), actor, employee_no).hire_date)
        return _render(employee_no, form, 422)
    except Conflict as refused:
        form.show_conflict(refused)
        return _render(employee_no, form, 409)
    flash(_("Entered on the record: %(kind)s on %(day)s.", kind=event_kind(form.kind.data),
            day=day(form.occurred_on.data)), "info")
    return redirect(url_for("web.manager_page", employee_no=employee_no, _anchor="events"))


def _render(employee_no: str, form: EventForm, status: int = 200):
    actor, store = current_user(), uow()
    manager = managers.visible_manager(store, actor, employee_no)
    history, _total = managers.grade_history(store, actor, employee_no, page=1, per_page=HISTORY_SHOWN)
    records = managers.performance_records(store, actor, employee_no)
    versions = defaultdict(list)
    for version in managers.performance_versions(store, actor, employee_no):
        versions[version.period].append(version)
    cases, cases_total = list_cases(store, rules(), actor, page=1, per_page=CASES_SHOWN, employee_no=employee_no)
    enters_events = access.can_manage_people(actor) and not rules().policy.ladder.is_exited(manager.grade)
    return render_template("web/manager.html", manager=manager, supervisor=managers.supervisor_of(store, manager),
                           cases=cases, cases_total=cases_total,
                           history=history, records=records, versions=versions,
                           exam_results=exams.exam_results(store, actor, employee_no),
                           events=manager_events.manager_events(store, actor, employee_no),
                           event_form=form if enters_events else None), status
