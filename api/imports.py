"""/imports: HR's spreadsheets in (issue 16, point 1): a file of one kind (roster, users, performance, events),
imported all or none, or only checked (`dry_run`); and each kind's template, with its Chinese headers."""
from __future__ import annotations

import marshmallow as ma
from flask import Response
from flask.views import MethodView
from flask_smorest.fields import Upload

from api.blueprint import Blueprint
from api.context import current_actor
from api.import_files import MEDIA_TYPES, import_file, template_file, template_name
from api.problems import documented_problem
from workflow.errors import NotFound
from workflow.imports import KINDS
from workflow.services.imports import require_importer
from workflow.spreadsheets import FORMATS, XLSX

blp = Blueprint("imports", __name__, url_prefix="/api/v1/imports",
                description="Spreadsheets in: the roster, users, performance records and manager events")

KIND_DESCRIPTION = f"one of {', '.join(KINDS)}"


class ImportFileSchema(ma.Schema):
    file = Upload(required=True, metadata={"description": ".xlsx, or .csv (UTF-8, with or without BOM, or GBK)"})


class ImportOptionsSchema(ma.Schema):
    dry_run = ma.fields.Boolean(load_default=False, metadata={
        "description": "check every row and write nothing (the answer's counts say what an import would do)"})


class ImportCountsSchema(ma.Schema):
    kind = ma.fields.String(metadata={"enum": list(KINDS)})
    rows = ma.fields.Integer()
    created = ma.fields.Integer()
    updated = ma.fields.Integer()
    unchanged = ma.fields.Integer()
    dry_run = ma.fields.Boolean()


class TemplateQuery(ma.Schema):
    format = ma.fields.String(load_default=XLSX, validate=ma.validate.OneOf(FORMATS))


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise NotFound(f"no import of this kind; the kinds are {', '.join(KINDS)}")
    return kind


@blp.route("/<kind>")
class Import(MethodView):
    @blp.arguments(ImportFileSchema, location="files")
    @blp.arguments(ImportOptionsSchema, location="form")
    @blp.response(200, ImportCountsSchema)
    @documented_problem(blp, 422, "import_refused: nothing was written; `errors` lists each problem with its "
                                  "`sheet`, `row`, `column`, `field`, `rule`, `message` and `message_zh`")
    @documented_problem(blp, 404, "not a kind of import")
    @documented_problem(blp, 409, "import_conflict: a concurrent import registered the same new records and won the "
                                  "race twice; nothing was written, import the file again")
    def post(self, files, options, kind):
        """Import a file (hr; users: hr or admin): every row, or none when one has a problem. Rows equal to what is
        stored are counted unchanged: importing a file twice changes nothing the second time."""
        upload = files["file"]
        return import_file(current_actor(), _kind(kind), upload.read(), upload.filename or "",
                           dry_run=options["dry_run"])


@blp.route("/<kind>/template")
class Template(MethodView):
    @blp.arguments(TemplateQuery, location="query")
    @blp.alt_response(200, description="the template: the columns with their Chinese headers (an .xlsx adds a "
                                       "sheet 说明 describing each)", success=True)
    @documented_problem(blp, 404, "not a kind of import")
    def get(self, query, kind):
        """A kind's template (whoever may import it)"""
        require_importer(current_actor(), _kind(kind))
        fmt = query["format"]
        return Response(template_file(kind, fmt), content_type=MEDIA_TYPES[fmt],
                        headers={"Content-Disposition": f'attachment; filename="{template_name(kind, fmt)}"'})
