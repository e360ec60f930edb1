"""/clock: read the service's time; with GRADEFLOW_CLOCK=manual, move it."""
from __future__ import annotations

import marshmallow as ma
from flask import abort
from flask.views import MethodView
from api.blueprint import Blueprint

from api.context import current_actor, extension, rules, uow
from api.fields import LocalDateTime
from scheduler.sweep import sweep
from workflow import access
from workflow.services.timers import ensure_standing_timers

blp = Blueprint("clock", __name__, url_prefix="/api/v1", description="The service clock")


class ClockSchema(ma.Schema):
    now = LocalDateTime(required=True)
    mode = ma.fields.String(dump_only=True, metadata={"enum": ["system", "manual"]})


class ClockMoveSchema(ma.Schema):
    now = ma.fields.AwareDateTime(required=True, metadata={"description": "ISO 8601 with offset"})


def _state():
    return {"now": rules().now(), "mode": "manual" if extension("manual_clock") else "system"}


def move_manual_clock(instant) -> None:
    """Move the manual clock forward to `instant` and fire everything that fell due (PUT /clock and the clock page;
    Conflict clock_backwards for an instant before the clock's)."""
    with uow() as u:
        # the chain of quarter closes starts from the time the clock leaves
        ensure_standing_timers(u, rules())
        extension("manual_clock").move_to(instant)
    sweep(uow, rules(), trigger="clock")


@blp.route("/clock")
class ClockView(MethodView):
    @blp.response(200, ClockSchema)
    def get(self):
        """The current instant as the service sees it (admin)"""
        access.require(access.can_operate_clock(current_actor()), "only admins read the clock")
        return _state()

    @blp.arguments(ClockMoveSchema)
    @blp.response(200, ClockSchema)
    def put(self, body):
        """Move the manual clock forward and fire everything that fell due (admin; only with
        GRADEFLOW_CLOCK=manual, otherwise 404)"""
        if extension("manual_clock") is None:
            abort(404)
        access.require(access.can_operate_clock(current_actor()), "only admins move the clock")
        move_manual_clock(body["now"])
        return _state()
