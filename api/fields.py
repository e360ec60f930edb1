"""Field types shared by the schemas."""
from __future__ import annotations

import re
from decimal import Decimal

import marshmallow as ma
from flask import current_app

from api.converters import CYCLE_CODE_PATTERN, EMPLOYEE_NO_PATTERN


class LocalDateTime(ma.fields.AwareDateTime):
    """An instant: written out in the policy's time zone with its offset; read only with an offset."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        tz = current_app.extensions["gradeflow"]["rules"].policy.tz
        return value.astimezone(tz).isoformat()


class StrictBool(ma.fields.Boolean):
    """true or false only: not 1, 0 or "yes" (in Python 1 == True, so a truthy set alone lets numbers in)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


# Unicode's categories Cs (the surrogates) and Cc (the control characters), as ranges: one regular expression
# search instead of a category lookup per character (an import checks every cell of thousands of rows)
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


class Unicode(ma.fields.String):
    """Real characters only: a lone surrogate (JSON "\\ud800") is half a UTF-16 pair that UTF-8, and so the
    database and the password hash, cannot hold."""
    default_error_messages = {"surrogate": "Must not contain lone surrogates."}

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if _SURROGATE.search(value):
            raise self.make_error("surrogate")
        return value


class Str(Unicode):
    """A string without control characters: no name or code needs one, and PostgreSQL refuses NUL."""
    default_error_messages = {"control": "Must not contain control characters."}

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        if _CONTROL.search(value):
            raise self.make_error("control")
        return value


class Text(Str):
    """A string that must hold something besides white space (trimmed on the way in)."""

    def __init__(self, *, max_length: int, **kwargs):
        super().__init__(validate=ma.validate.Length(min=1, max=max_length), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class NumbersByCode(ma.fields.Dict):
    """{code: number}: each value a finite number (JSON number or its text), read as a Decimal; a value that is
    not one is refused naming its code (`parts.sales`). The policy's rules check the codes themselves."""

    def __init__(self, **kwargs):
        super().__init__(keys=ma.fields.String(), values=ma.fields.Raw(allow_none=True), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        numbers, problems = {}, {}
        for code, entered in super()._deserialize(value, attr, data, **kwargs).items():
            number = None
            if isinstance(entered, (int, float, str)) and not isinstance(entered, bool):
                try:
                    number = Decimal(str(entered))
                except ArithmeticError:
                    pass
            if number is None or not number.is_finite():
                problems[code] = ["Not a valid number."]
            numbers[code] = number
        if problems:
            raise ma.ValidationError(problems)
        return numbers


EMPLOYEE_NO = ma.validate.Regexp(rf"{EMPLOYEE_NO_PATTERN}\Z",
                                 error="String does not match expected pattern: 1-32 letters, digits, '_' or '-'")
CYCLE_CODE = ma.validate.Regexp(rf"{CYCLE_CODE_PATTERN}\Z",
                                error="String does not match expected pattern: 1-32 letters, digits, '.', '_' or '-'")
