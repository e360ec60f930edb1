"""HR's import page (/imports): choose what to import, download its template, upload the file, and see either every
problem (sheet, row, column, rule, in the page's language) with nothing written, or what was created, updated and
left unchanged; "check only" writes nothing. Through the same path as the JSON API (api/import_files.py)."""
from __future__ import annotations

from flask import Response, abort, render_template
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField

from api.context import rules
from api.import_files import MEDIA_TYPES, import_file, template_file, template_name
from api.web.blueprint import bp
from api.web.choices import options
from api.web.session import current_user, signed_in
from workflow.errors import Conflict, Forbidden
from workflow.imports import KINDS, ImportRefused, columns_of, hint
from workflow.services.imports import importable_kinds, require_importer
from workflow.spreadsheets import FORMATS

KIND_LABELS = {"roster": _l("Roster (managers, org units, supervisors, grades, hire dates)"), "users": _l("Users"),
               "performance": _l("Performance records"),
               "events": _l("Manager events (violations, leave, complaints)")}
assert set(KIND_LABELS) == set(KINDS)


class ImportForm(FlaskForm):
    kind = RadioField(_l("What to import"), choices=[])
    file = FileField(_l("File (.xlsx or .csv)"), validators=[FileRequired(_l("Choose a file to import."))])
    check_only = BooleanField(_l("Check only: write nothing"))


def _form(**kwargs) -> ImportForm:
    kinds = importable_kinds(current_user())
    if not kinds:
        raise Forbidden("you may not import anything")
    form = ImportForm(**kwargs)
    form.kind.choices = options({kind: KIND_LABELS[kind] for kind in kinds})
    if not form.is_submitted():
        form.kind.data = kinds[0]  # a kind the user may not import is refused when sent, never swapped
    return form


@bp.get("/imports")
@signed_in
def imports_page():
    return render_template("web/imports.html", form=_form(), formats=FORMATS)


@bp.post("/imports")
@signed_in
def import_upload():
    form = _form()
    outcome = problems = None
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            outcome = import_file(current_user(), form.kind.data, upload.read(), upload.filename or "",
                                  dry_run=form.check_only.data)
        except ImportRefused as refused:
            problems = refused.problems
        except Conflict:  # import_conflict: lost the race to concurrent writers twice; nothing was written
            form.form_errors.append(_("Another import or request wrote the same records at the same moment, and "
                                      "nothing of this file was written. Send the file again: what is already "
                                      "there is left unchanged."))
            status = 409
    if status == 200 and (problems or form.errors):
        status = 422
    hints = {c.field: hint(c) for c in columns_of(form.kind.data, rules().policy)} if problems else {}
    return render_template("web/imports.html", form=form, formats=FORMATS, outcome=outcome,
                           problems=problems, hints=hints), status


@bp.get("/imports/<kind>/template.<fmt>")
@signed_in
def import_template(kind: str, fmt: str):
    if kind not in KINDS or fmt not in FORMATS:
        abort(404)
    require_importer(current_user(), kind)
    return Response(template_file(kind, fmt), content_type=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{template_name(kind, fmt)}"'})
