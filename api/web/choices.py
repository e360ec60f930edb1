"""The options of the pages' select and radio fields, built as WTForms takes them: SelectChoice (since 3.3 a
(value, label) tuple is deprecated, and WTForms 3.4 refuses it)."""
from __future__ import annotations

from collections.abc import Mapping

from wtforms.fields.choices import SelectChoice


def options(labels: Mapping, empty=None) -> list[SelectChoice]:
    """One option per value of labels (value → label), in their order; first an option of value "" labelled
    empty, when given (the select's "Choose…")."""
    first = [SelectChoice("", empty)] if empty is not None else []
    return [*first, *(SelectChoice(value, label) for value, label in labels.items())]
