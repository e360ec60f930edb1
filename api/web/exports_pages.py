"""The exports on the pages (issue 16): the .xlsx downloads behind the pages' links, the cycle's report page
(the funnel and the grade distribution against the quotas, with charts drawn as inline SVG by the server), and the
printable personal file (一人一档). Each calls the read the API's downloads call (api/exports.py) with the signed-in
user, so that a page's download never shows what the page hides: a 403 or 404 page where the read refuses.

    /cycles/<code>/decisions.xlsx    the decision list
    /cycles/<code>/board.xlsx        the publication notice (公示); its printable page is /cycles/<code>/board
    /cycles/<code>/report            the report (?org_unit= one unit's), and /cycles/<code>/report.xlsx
    /managers.xlsx                   the roster (?org_unit=&grade= as the roster page)
    /managers/<no>/file              the personal file, printable, and /managers/<no>/file.xlsx
    /quarter-close/<period>.xlsx     a period close's results"""
from __future__ import annotations

from dataclasses import dataclass

from flask import render_template, request

from api import exports
from api.context import rules, uow
from api.web import labels
from api.web.blueprint import bp
from api.web.session import current_user, signed_in
from workflow.reports import FUNNEL
from workflow.services.personal_file import personal_file
from workflow.services.report_reads import CycleReport, cycle_report


def _unit_arg(name: str) -> str | None:
    return (request.args.get(name) or "").strip()[:100] or None


@bp.get("/cycles/<cycle_code:code>/decisions.xlsx")
@signed_in
def decisions_xlsx(code):
    return exports.download(exports.decisions(uow(), rules(), current_user(), code))


@bp.get("/cycles/<cycle_code:code>/board.xlsx")
@signed_in
def board_xlsx(code):
    return exports.download(exports.notice(uow(), rules(), code))


@bp.get("/cycles/<cycle_code:code>/report.xlsx")
@signed_in
def report_xlsx(code):
    return exports.download(exports.report(uow(), rules(), current_user(), code, _unit_arg("org_unit")))


@bp.get("/cycles/<cycle_code:code>/report")
@signed_in
def report_page(code):
    org_unit = _unit_arg("org_unit")
    report = cycle_report(uow(), rules(), current_user(), code, org_unit)
    return render_template("web/report.html", report=report, cycle=report.cycle, org_unit=org_unit, steps=FUNNEL,
                           charts=ReportCharts.of(report))


@dataclass(frozen=True)
class ReportCharts:
    """What the report page's charts draw (api/templates/web/charts.html), in the page's language."""
    grade_names: list[str]
    funnel: list[tuple[str, int]]  # (step, count)
    distribution: list[tuple[str, list[tuple[str, int]], int]]  # (org unit, (grade, count) in ladder order, active)
    quotas: list[tuple]  # (grade in area, after the approvals, most, fewest, the scale's end, beyond a limit)

    @classmethod
    def of(cls, report: CycleReport) -> "ReportCharts":
        quotas = []
        for u in report.quotas:
            after = u.holding + u.arriving - u.leaving
            scale = max(after, u.most or 0, u.fewest or 0, 1) * 5 // 4 + 1  # room past the furthest mark
            quotas.append((f"{labels.grade(u.quota.grade)} · {labels.quota_area(u.area)}", after, u.most, u.fewest,
                           scale, u.over))
        return cls([labels.grade(g) for g in report.grades],
                   [(labels.funnel_step(step), report.funnel.counts[step]) for step in FUNNEL],
                   [(d.org_unit, list(d.by_grade), d.active) for d in report.distributions], quotas)


@bp.get("/managers.xlsx")
@signed_in
def roster_xlsx():
    return exports.download(exports.roster(uow(), rules(), current_user(), org_unit=_unit_arg("org_unit"),
                                           grade=_unit_arg("grade")))


@bp.get("/managers/<employee_no:employee_no>/file")
@signed_in
def personal_file_page(employee_no):
    filed = personal_file(uow(), rules(), current_user(), employee_no)
    return render_template("web/personal_file.html", filed=filed, manager=filed.manager)


@bp.get("/managers/<employee_no:employee_no>/file.xlsx")
@signed_in
def personal_file_xlsx(employee_no):
    return exports.download(exports.personal(uow(), rules(), current_user(), employee_no))


@bp.get("/quarter-close/<period:period>.xlsx")
@signed_in
def close_xlsx(period):
    return exports.download(exports.close(uow(), rules(), current_user(), period))
