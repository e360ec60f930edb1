"""Field types shared by the schemas."""
from __future__ import annotations

import marshmallow as ma
from flask import current_app


class LocalDateTime(ma.fields.AwareDateTime):
    """An instant: written out in the policy's time zone with its offset; read only with an offset."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        tz = current_app.extensions["gradeflow"]["rules"].policy.tz
        return value.astimezone(tz).isoformat()


class Text(ma.fields.String):
    """A string that must hold something besides white space (trimmed on the way in)."""

    def __init__(self, *, max_length: int, **kwargs):
        super().__init__(validate=ma.validate.Length(min=1, max=max_length), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


EMPLOYEE_NO = ma.validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}\Z",
                                 error="String does not match expected pattern: 1-32 letters, digits, '_' or '-'")
