"""/outbox: the notifications the service writes and the scheduler delivers (workflow/services/outbox.py), for hr to
see what was sent, what waits to be tried again and what was given up (dead), and to send a dead one again."""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from api.blueprint import Blueprint
from api.context import current_actor, rules, uow
from api.fields import LocalDateTime, Str
from api.pagination import TOTAL_HEADER, PageArgs, paged
from api.problems import documented_problem
from workflow.messages import MESSAGE_KINDS
from workflow.notifications import STATUSES
from workflow.services import outbox

blp = Blueprint("outbox", __name__, url_prefix="/api/v1/outbox",
                description="Notifications: sent, to be tried again, or dead and sent again by hr")


class OutboxQuery(PageArgs):
    status = Str(validate=ma.validate.OneOf(STATUSES))


class OutboxMessageSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String(metadata={"enum": list(MESSAGE_KINDS)})
    dedupe_key = ma.fields.String(metadata={"description": "written once: what the message is about, and to whom"})
    recipient = ma.fields.String()
    case_id = ma.fields.Integer(allow_none=True)
    subject = ma.fields.String()
    body = ma.fields.String()
    created_at = LocalDateTime()
    status = ma.fields.String(metadata={"enum": list(STATUSES)})
    attempts = ma.fields.Integer()
    next_attempt_at = LocalDateTime(allow_none=True)
    last_error = ma.fields.String(allow_none=True)
    delivered_to = ma.fields.List(ma.fields.String(), metadata={"description": "the channels that acknowledged it"})
    sent_at = LocalDateTime(allow_none=True)


@blp.route("")
class OutboxMessages(MethodView):
    @blp.arguments(OutboxQuery, location="query")
    @blp.response(200, OutboxMessageSchema(many=True), headers=TOTAL_HEADER)
    def get(self, args):
        """The notifications, newest first, optionally of one status (hr)"""
        return paged(*outbox.messages(uow(), current_actor(), status=args.get("status"), page=args["page"],
                                      per_page=args["per_page"]))


@blp.route("/<int(max=2147483647):message_id>/resend")  # an id the database can hold, or 404
class Resend(MethodView):
    @blp.response(200, OutboxMessageSchema)
    @documented_problem(blp, 409, "not_dead: only a dead message is sent again")
    def post(self, message_id):
        """Send a dead message again (hr): pending, tried at the next send, to the channels that did not acknowledge
        it"""
        actor = current_actor()
        with uow() as u:
            message = outbox.send_again(u, rules(), actor, message_id)
        return message
