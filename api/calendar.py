"""/calendar/days: the working-day calendar (statutory data, HR's corrections, the fallback)."""
from __future__ import annotations

from datetime import date

import marshmallow as ma
from flask import abort
from flask.views import MethodView

from api.blueprint import Blueprint
from api.context import current_actor, rules, uow
from api.fields import Str, StrictBool
from workflow.services import calendar

blp = Blueprint("calendar", __name__, url_prefix="/api/v1/calendar", description="Working days (调休 included)")


class CalendarDaySchema(ma.Schema):
    date = ma.fields.Date()
    working = ma.fields.Boolean()
    kind = ma.fields.String(metadata={"enum": ["workday", "weekend", "holiday", "makeup_workday"]})
    name = ma.fields.String(allow_none=True)
    source = ma.fields.String(metadata={"enum": ["official", "company", "fallback"]})


class RangeQuery(ma.Schema):
    first = ma.fields.Date(required=True, data_key="from")
    last = ma.fields.Date(required=True, data_key="to",
                          metadata={"description": f"at most {calendar.MAX_RANGE_DAYS} days after 'from', inclusive"})


class DayChangeSchema(ma.Schema):
    working = StrictBool(required=True)
    name = Str(load_default=None, allow_none=True, validate=ma.validate.Length(min=1, max=100))


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        abort(404)


@blp.route("/days")
class CalendarDays(MethodView):
    @blp.arguments(RangeQuery, location="query")
    @blp.response(200, CalendarDaySchema(many=True))
    def get(self, args):
        """Every day from `from` to `to` (any user): working or not, its kind, name and source"""
        return calendar.calendar_days(uow(), args["first"], args["last"])


@blp.route("/days/<day:day>")
class CalendarDay(MethodView):
    @blp.arguments(DayChangeSchema)
    @blp.response(200, CalendarDaySchema)
    def put(self, body, day):
        """Set a day as working or not (hr); audited. Open appeal deadlines are recomputed and extended,
        never shortened"""
        actor = current_actor()
        with uow() as u:
            return calendar.set_calendar_day(u, rules(), actor, _day(day), **body)
