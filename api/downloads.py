"""The exports as .xlsx downloads (issue 16): a cycle's decision list, its publication notice (公示) and its
report, the roster, a period close's results and a manager's personal file (一人一档). Each answers what the same
caller's JSON read answers, in a workbook (api/exports.py): the same 403 or 404, the same scores hidden. The
exports of one table (the decision list, the notice, the roster, the close's results) are also .csv, UTF-8 with a
BOM (so that Excel reads the Chinese): the same read, the same visibility, the same table."""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from api import exports
from api.blueprint import Blueprint
from api.context import current_actor, rules, uow
from api.fields import Str
from api.problems import documented_problem
from api.sheets import CSV, XLSX

blp = Blueprint("downloads", __name__, url_prefix="/api/v1",
                description="Spreadsheets out (.xlsx): decisions, 公示, roster, close results, 一人一档, reports")

_WORKBOOK = {"content_type": XLSX, "description": "the workbook, as an attachment (Content-Disposition with the "
                                                  "file's UTF-8 name in filename*)"}
_CSV = {"content_type": CSV, "description": "the table as CSV, UTF-8 with a BOM, as an attachment (Content-Disposition "
                                            "with the file's UTF-8 name in filename*)"}


class RosterQuery(ma.Schema):
    org_unit = Str()
    grade = Str()


class ReportQuery(ma.Schema):
    org_unit = Str(metadata={"description": "one org unit's funnel and distribution"})


@blp.route("/cycles/<cycle_code:code>/decisions.xlsx")
class Decisions(MethodView):
    @blp.response(200, **_WORKBOOK)
    def get(self, code):
        """The cycle's decision list: rank, scores where the caller may see them, outcome, reasons (as the cycle's
        page shows it to the caller)"""
        return exports.download(exports.decisions(uow(), rules(), current_actor(), code))


@blp.route("/cycles/<cycle_code:code>/publication.xlsx")
class Notice(MethodView):
    @blp.response(200, **_WORKBOOK)
    def get(self, code):
        """The publication notice (公示): who, from which grade to which, the outcome, the appeal deadline and how
        to appeal (any user, as GET /cycles/{code}/publication)"""
        return exports.download(exports.notice(uow(), rules(), code))


@blp.route("/cycles/<cycle_code:code>/report.xlsx")
class Report(MethodView):
    @blp.arguments(ReportQuery, location="query")
    @blp.response(200, **_WORKBOOK)
    @documented_problem(blp, 403, "forbidden: hr and admins only")
    def get(self, args, code):
        """The cycle's report: the funnel (applied, eligible, passed, promoted, appealed, overturned) per org unit,
        and the grade distribution against the quotas (hr, admins)"""
        return exports.download(exports.report(uow(), rules(), current_actor(), code, args.get("org_unit")))


@blp.route("/managers.xlsx")
class Roster(MethodView):
    @blp.arguments(RosterQuery, location="query")
    @blp.response(200, **_WORKBOOK)
    @documented_problem(blp, 403, "forbidden: hr, committee and admins only, as GET /managers")
    def get(self, args):
        """The roster with grades (hr, committee, admins), optionally of one org unit or grade"""
        return exports.download(exports.roster(uow(), rules(), current_actor(), **args))


@blp.route("/managers/<employee_no:employee_no>/file.xlsx")
class PersonalFile(MethodView):
    @blp.response(200, **_WORKBOOK)
    @documented_problem(blp, 404, "unknown, or not visible to the caller")
    def get(self, employee_no):
        """The manager's personal file (一人一档): the record, grade history, cases with their full history as the
        caller may see them, performance records with every correction, events"""
        return exports.download(exports.personal(uow(), rules(), current_actor(), employee_no))


@blp.route("/evaluations/<period:period>/results.xlsx")
class CloseResults(MethodView):
    @blp.response(200, **_WORKBOOK)
    @documented_problem(blp, 403, "forbidden: hr only, as the close")
    def get(self, period):
        """Each manager's result of the period close: recorded, or foreseen while it has not run for them (hr)"""
        return exports.download(exports.close(uow(), rules(), current_actor(), period))


# --- the exports of one table, as CSV -----------------------------------------------------------------------------

@blp.route("/cycles/<cycle_code:code>/decisions.csv")
class DecisionsCsv(MethodView):
    @blp.response(200, **_CSV)
    def get(self, code):
        """The cycle's decision list as CSV: the table of decisions.xlsx"""
        return exports.download(exports.decisions(uow(), rules(), current_actor(), code), CSV)


@blp.route("/cycles/<cycle_code:code>/publication.csv")
class NoticeCsv(MethodView):
    @blp.response(200, **_CSV)
    def get(self, code):
        """The publication notice (公示) as CSV: the entries of publication.xlsx, without its lines of notes"""
        return exports.download(exports.notice(uow(), rules(), code), CSV)


@blp.route("/managers.csv")
class RosterCsv(MethodView):
    @blp.arguments(RosterQuery, location="query")
    @blp.response(200, **_CSV)
    @documented_problem(blp, 403, "forbidden: hr, committee and admins only, as GET /managers")
    def get(self, args):
        """The roster with grades as CSV: the table of managers.xlsx"""
        return exports.download(exports.roster(uow(), rules(), current_actor(), **args), CSV)


@blp.route("/evaluations/<period:period>/results.csv")
class CloseResultsCsv(MethodView):
    @blp.response(200, **_CSV)
    @documented_problem(blp, 403, "forbidden: hr only, as the close")
    def get(self, period):
        """Each manager's result of the period close as CSV: the table of results.xlsx"""
        return exports.download(exports.close(uow(), rules(), current_actor(), period), CSV)
