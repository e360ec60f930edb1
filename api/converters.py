"""URL converters: a path segment that cannot be a valid key is a 404 before any query runs."""
from __future__ import annotations

from werkzeug.routing import BaseConverter

from workflow.accounts import USERNAME
from workflow.periods import PATTERN as PERIOD_PATTERN

EMPLOYEE_NO_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}"
CYCLE_CODE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}"
DAY_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"


class EmployeeNoConverter(BaseConverter):
    regex = EMPLOYEE_NO_PATTERN


class UsernameConverter(BaseConverter):
    regex = USERNAME.pattern


class CycleCodeConverter(BaseConverter):
    regex = CYCLE_CODE_PATTERN


class DayConverter(BaseConverter):
    regex = DAY_PATTERN


class PeriodConverter(BaseConverter):
    regex = PERIOD_PATTERN


def register_converters(app, api) -> None:
    for name, converter in (("employee_no", EmployeeNoConverter), ("username", UsernameConverter),
                              ("cycle_code", CycleCodeConverter), ("day", DayConverter),
                              ("period", PeriodConverter)):
        app.url_map.converters[name] = converter
        api.register_converter(converter, lambda c: {"type": "string", "pattern": f"^{c.regex}$"})
