"""The supervisor's score by item on the pages that take it (the review page, the case page's event forms): where
the case's policy makes the supervisor score from `scoring.supervisor_items` (workflow/supervisor_items.py), a
field per item instead of the one score, what was typed read as the services take it, and the services' refusal
of an item next to its field, in the user's language."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Optional

from api.web.form_errors import field_message, score_value
from api.web.i18n import number
from workflow.case_machine import SCORED_EVENTS
from workflow.errors import FieldError
from workflow.supervisor_items import FIELD, ITEM_MISSING, ITEM_RANGE

PREFIX = "item_"  # a form's field for item `code` is `item_<code>` (the services name it supervisor_items.<code>)


def with_item_fields(form_class: type[FlaskForm], items) -> type[FlaskForm]:
    """`form_class` with a field per item, labelled with the item's points, listed in order by
    `supervisor_item_fields` (a name no item's field can take); the class itself without items."""
    if not items:
        return form_class
    fields = {PREFIX + item.code: StringField(f"{item.label} (0–{number(item.points)})", validators=[Optional()],
                                              render_kw={"inputmode": "decimal"}) for item in items}
    fields["supervisor_item_fields"] = property(lambda form: [form[PREFIX + item.code] for item in items])
    return type(form_class.__name__, (form_class,), fields)


def items_to_send(form: FlaskForm, items, event: str) -> tuple[dict[str, Decimal] | None, bool]:
    """The items typed, as fire_event takes them, and whether each holds a number (else the field has its error).
    With an event that gives the supervisor score they are sent even if empty, so that each missing one is
    refused next to its field; with another event only if something was typed (which is then refused)."""
    if not items:
        return None, True
    entered, typed_well = {}, True
    for item in items:
        field = form[PREFIX + item.code]
        try:
            value = score_value(field.data)
        except ValueError as refused:
            field.errors = [*field.errors, str(refused)]
            typed_well = False
            continue
        if value is not None:
            entered[item.code] = value
    return (entered if entered or event in SCORED_EVENTS else None), typed_well


def show_item_errors(form: FlaskForm, errors: list[FieldError], scoring) -> list[FieldError]:
    """Each refusal of an item next to its field; the other refusals are returned, for the page to place."""
    others = []
    for error in errors:
        code = error.field.removeprefix(FIELD + ".")
        item = next((i for i in scoring.supervisor_items if i.code == code), None)
        if item is None or code == error.field or PREFIX + code not in form:
            others.append(error)
            continue
        field = form[PREFIX + code]
        field.errors = [*field.errors, _item_message(error, item, scoring)]
    return others


def _item_message(error: FieldError, item, scoring) -> str:
    if error.rule == ITEM_RANGE:
        return _("Enter from 0 to %(max)s points.", max=number(item.points))
    if error.rule == ITEM_MISSING:
        return _("Score this item: the supervisor score is the sum of every item.")
    return field_message(error, scoring)
