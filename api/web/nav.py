"""The navigation: each entry a page and who may use it. The test of who may is a predicate on the user
(from workflow/access.py where a permission exists), so the nav shows what the user's roles allow; the page
itself still enforces it through its service. A new page adds its entry here."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, request
from flask_babel import LazyString, lazy_gettext as _l

from api.web.labels import closes_title
from workflow.access import can_manage_accounts, can_operate_clock
from workflow.accounts import COMMITTEE, HR, SUPERVISOR, Actor
from workflow.services.imports import importable_kinds
from workflow.services.delegations import may_delegate


def everyone(_actor: Actor) -> bool:
    return True


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy string
    allowed: Callable[[Actor], bool] = everyone


NAV: list[NavItem] = [
    NavItem("web.my_work", _l("My work")),
    NavItem("web.apply", _l("Apply for promotion"), lambda actor: actor.employee_no is not None),
    NavItem("web.boards", _l("Publication boards")),
    NavItem("web.review_queue_page", _l("Reviews"), lambda actor: actor.has(SUPERVISOR)),
    NavItem("web.scoring_index", _l("Interview scoring"), lambda actor: actor.has(COMMITTEE)),
    NavItem("web.workflow_diagram", _l("Workflow")),
    NavItem("web.cycle_list", _l("Cycles"), lambda actor: actor.has(HR)),
    NavItem("web.appeals", _l("Appeals"), lambda actor: actor.has(HR)),
    NavItem("web.manager_roster", _l("Managers"), lambda actor: actor.has(HR)),
    NavItem("web.working_calendar", _l("Calendar"), lambda actor: actor.has(HR)),
    NavItem("web.quarter_close", LazyString(closes_title), lambda actor: actor.has(HR)),
    NavItem("web.outbox_page", _l("Notifications"), lambda actor: actor.has(HR)),
    NavItem("web.imports_page", _l("Import"), lambda actor: bool(importable_kinds(actor))),
    NavItem("web.substitutes", _l("Substitutes"), may_delegate),
    NavItem("web.users", _l("Users"), can_manage_accounts),
    NavItem("web.clock_page", _l("Clock"), can_operate_clock),
]


def items_for(actor: Actor | None) -> list[NavItem]:
    if actor is None:
        return []
    return [item for item in NAV if item.allowed(actor)]


def is_current(item: NavItem) -> bool:
    return request.endpoint == item.endpoint


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(nav_items=items_for, nav_is_current=is_current)
