"""An import file through the API's own schemas: `gradeflow import KIND FILE`, `POST /api/v1/imports/{kind}` and
the import page all come here. A row is typed by the schema of the request that enters the same record one at a
time (POST /managers, POST /users, PUT /managers/{no}/performance/{period}, POST /managers/{no}/events), so that a
row is refused for exactly the reasons that request is; workflow.services.imports then checks the domain rules and
writes."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import marshmallow as ma

from api.accounts import NewUserSchema
from api.context import extension, rules, uow
from api.fields import EMPLOYEE_NO, Str
from api.managers import ManagerEventInputSchema, NewManagerSchema, PerformanceInputSchema
from api.problems import flatten_messages
from workflow.accounts import Actor
from workflow.imports import EVENTS, PERFORMANCE, ROSTER, USERS, ImportRefused, Problem, Row, rows_of, template
from workflow.services.imports import import_file_rows, require_importer
from workflow.spreadsheets import CSV, UnreadableFile, read_sheet, write_sheets


class _PerformanceRow(PerformanceInputSchema):
    employee_no = ma.fields.String(required=True, validate=EMPLOYEE_NO)
    period = Str(required=True)


class _EventRow(ManagerEventInputSchema):
    employee_no = ma.fields.String(required=True, validate=EMPLOYEE_NO)


SCHEMAS = {ROSTER: NewManagerSchema, USERS: NewUserSchema, PERFORMANCE: _PerformanceRow, EVENTS: _EventRow}
MEDIA_TYPES = {CSV: "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def typed_rows(kind: str, data: bytes, filename: str) -> tuple[list[Row], list[Problem]]:
    """The file's rows typed by the API's schema, and the problems of those it refused; ImportRefused when the
    file itself is unreadable or its header wrong."""
    try:
        sheet = read_sheet(data, filename)
    except UnreadableFile as unreadable:
        raise ImportRefused([Problem(filename, None, None, None, unreadable.rule, str(unreadable))]) from None
    schema = SCHEMAS[kind]()
    typed, problems = [], []
    for row in rows_of(kind, sheet, rules().policy):
        values = dict(row.values)
        if kind == USERS:
            values.setdefault("password", "")  # a known account needs none; a new one is refused by its length
        try:
            typed.append(replace(row, values=schema.load(values)))
        except ma.ValidationError as refused:
            problems.extend(row.problem(_column_field(row, e["field"]), e["rule"], e["message"])
                            for e in flatten_messages(refused.messages))
    return typed, problems


def _column_field(row: Row, field: str) -> str:
    """The field a schema's error names, as the file's column: `parts.sales` is one; `roles.0` is in `roles`."""
    return field if field in row.columns else field.split(".")[0]


def import_file(actor: Actor, kind: str, data: bytes, filename: str, *, dry_run: bool,
                progress: Callable[[int, int], None] | None = None) -> dict:
    """Import the file all or none (ImportRefused lists every problem): counts created, updated, unchanged."""
    require_importer(actor, kind)
    rows, problems = typed_rows(kind, data, filename)
    return import_file_rows(uow, rules(), extension("passwords"), actor, kind, rows, problems, dry_run=dry_run,
                            progress=progress).as_dict()


def template_file(kind: str, fmt: str) -> bytes:
    return write_sheets(fmt, template(kind, rules().policy))


def template_name(kind: str, fmt: str) -> str:
    return f"gradeflow-{kind}-template.{fmt}"
