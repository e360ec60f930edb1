"""`gradeflow demo`: a small organisation (two branches), its users, last year's scores and an
open promotion cycle with its committee and two applications that the committee has scored (one
that will pass, one that will not), so that the README's walk-through can add an application and
take the cycle to its decision, publication, an appeal and the changed grades.

Passwords are random per installation, printed once and kept (mode 0600) in
instance/demo-logins.txt so that `make run` can show them again.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

import click
from flask import current_app

from api.context import extension, rules, uow
from workflow.case_machine import INTERVIEW
from workflow.services.accounts import OPERATOR, actor_for, create_user
from workflow.services.cases import fire_event, promotion_outlook, submit_case
from workflow.services.committee import put_score
from workflow.services.cycles import create_cycle, set_committee
from workflow.services.governing import rules_for
from workflow.services.managers import record_performance, register_manager

# employee_no, name, org unit, grade, months in grade, supervisor, last year's score
_MANAGERS = [
    ("M1001", "王芳", "北京分行", "senior", 40, None, "93.5"),
    ("M1002", "李强", "北京分行", "mid", 20, "M1001", "88.0"),
    ("M1003", "张伟", "北京分行", "mid", 14, "M1001", "84.5"),
    ("M1004", "刘洋", "北京分行", "junior", 9, "M1002", "90.0"),
    ("M1005", "陈静", "北京分行", "junior", 7, "M1002", "86.0"),
    ("M1006", "杨磊", "北京分行", "probation", 2, "M1003", None),
    ("M1007", "赵敏", "北京分行", "junior", 4, "M1003", "79.0"),
    ("M2001", "黄涛", "上海分行", "senior", 30, None, "91.0"),
    ("M2002", "周丽", "上海分行", "mid", 15, "M2001", "89.5"),
    ("M2003", "吴军", "上海分行", "junior", 11, "M2002", "87.0"),
    ("M2004", "徐婷", "上海分行", "junior", 8, "M2002", "82.0"),
    ("M2005", "孙浩", "上海分行", "probation", 3, "M2001", None),
]

# username, roles, employee_no
_USERS = [
    ("admin", ["admin"], None),
    ("hr.chen", ["hr"], None),
    ("wangfang", ["employee", "supervisor", "committee"], "M1001"),
    ("huangtao", ["employee", "supervisor", "committee"], "M2001"),
    ("committee.qian", ["committee"], None),
    ("committee.feng", ["committee"], None),
    ("liqiang", ["employee", "supervisor"], "M1002"),
    ("zhangwei", ["employee", "supervisor"], "M1003"),
    ("zhouli", ["employee", "supervisor"], "M2002"),
    ("liuyang", ["employee"], "M1004"),
    ("chenjing", ["employee"], "M1005"),
    ("yanglei", ["employee"], "M1006"),
    ("zhaomin", ["employee"], "M1007"),
    ("wujun", ["employee"], "M2003"),
    ("xuting", ["employee"], "M2004"),
    ("sunhao", ["employee"], "M2005"),
]


# the cycle's committee, chair first: nobody in a demo applicant's supervisor chain chairs it, so the chair
# is never recused and can decide the cycle
_COMMITTEE = ["committee.qian", "wangfang", "huangtao", "committee.feng"]


@dataclass(frozen=True)
class Application:
    applicant: str
    target: str
    statement: str
    supervisor: str
    supervisor_score: int
    interview: dict[str, int]  # committee member → score (every member who is not recused)


# applications already through review and interview, waiting for the cycle's decision
_APPLICATIONS = [
    Application("wujun", "mid", "任初级客户经理十一个月，客户规模增长显著，申请晋升中级客户经理。",
                "zhouli", 86, {"committee.qian": 88, "wangfang": 90, "committee.feng": 92}),
    Application("xuting", "mid", "任初级客户经理八个月，申请晋升中级客户经理。",
                "zhouli", 50, {"committee.qian": 45, "wangfang": 48, "committee.feng": 42}),
]


@dataclass(frozen=True)
class Login:
    username: str
    password: str
    roles: str
    employee_no: str


def _months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    return date(year, month + 1, min(day.day, 28))


def _hired(grade_since: date, months: int, grade: str, ladder) -> date:
    """A manager on probation was hired onto it; the others joined the bank years before they reached their grade
    (a teller who became a customer manager): so each was at work through the whole of last year, which the
    year's record of 12 months says."""
    if grade == ladder.entry_grade:
        return grade_since
    return _months_before(grade_since, 24 + 6 * (months % 5))


def _logins_file() -> Path:
    return Path(current_app.instance_path) / "demo-logins.txt"


def load_demo(*, skip_if_not_empty: bool, pack: str | None = None) -> list[Login]:
    """The demo of the policy in force: this module's under the default policy, a rule pack's own
    (api/pack_demo.py) under any other. `pack`: the policy the caller means, which must be the one in force."""
    r = rules()
    if pack is not None and pack != r.policy.name:
        raise click.ClickException(f"the service runs the policy {r.policy.name!r}, not {pack!r}: set "
                                   f"GRADEFLOW_POLICY={pack} for the demo and for `gradeflow serve` (make run "
                                   f"POLICY={pack} does both)")
    store = uow()
    if store.managers.count() or store.users.count():
        if skip_if_not_empty:
            return saved_logins()
        raise click.ClickException("the database already holds managers or users; "
                                   "the demo loads only into an empty database")
    if r.policy.name != "default":
        from api.pack_demo import load_pack_demo  # it builds on this module's logins
        with uow() as u:
            logins = load_pack_demo(u, r)
        _save_logins(logins)
        return logins
    today = r.today()
    logins = []
    with uow() as u:
        for no, name, org, grade, months, supervisor, score in _MANAGERS:
            grade_since = _months_before(today, months)
            register_manager(u, r, OPERATOR, employee_no=no, name=name, org_unit=org, grade=grade,
                             grade_since=grade_since, hire_date=_hired(grade_since, months, grade, r.policy.ladder),
                             supervisor=supervisor)
            if score:
                record_performance(u, r, OPERATOR, no, str(today.year - 1), score=Decimal(score), months_worked=12)
        for username, roles, employee_no in _USERS:
            password = secrets.token_urlsafe(9)
            create_user(u, r, extension("passwords"), OPERATOR, username=username, password=password,
                        roles=roles, employee_no=employee_no)
            logins.append(Login(username, password, ",".join(roles), employee_no or "-"))
        _open_cycle(u, r, today)
    _save_logins(logins)
    return logins


def _open_cycle(u, r, today: date) -> None:
    hr = actor_for(u.users.by_username("hr.chen"))
    code = demo_cycle_code(today)
    create_cycle(u, r, hr, code=code, name=f"{today.year}年{'上' if today.month <= 6 else '下'}半年客户经理等级评审")
    set_committee(u, r, hr, code, chair=_COMMITTEE[0], members=_COMMITTEE[1:])
    for application in _APPLICATIONS:
        case = submit_case(u, r, _actor(u, application.applicant), kind="promotion", cycle=code,
                           target_grade=application.target, statement=application.statement)
        reviewed = fire_event(u, r, _actor(u, application.supervisor), case.id, "approve_materials",
                              **_supervisor_scoring(rules_for(u, r, case.case).policy.scoring,
                                                    application.supervisor_score))
        if reviewed.case.state != INTERVIEW:  # a policy with stages of its own: the application waits in its first one
            continue
        for member, score in application.interview.items():
            put_score(u, r, _actor(u, member), case.id, score=Decimal(score))


def _supervisor_scoring(scoring, score: int) -> dict:
    """The supervisor's score as the policy takes it: one number, or its items, each in proportion to its points
    (rounded down to the scoring's places, and what that left given a step at a time to items with room)."""
    if not scoring.supervisor_items:
        return {"supervisor_score": Decimal(score)}
    step = Decimal(1).scaleb(-scoring.decimal_places)
    items = {item.code: (item.points * score / scoring.scale.max).quantize(step, ROUND_DOWN)
             for item in scoring.supervisor_items}
    while (left := score - sum(items.values())) > 0:
        room = next(item for item in scoring.supervisor_items if items[item.code] < item.points)
        items[room.code] += min(step, left)
    return {"supervisor_items": items}


def demo_cycle_code(today: date) -> str:
    return f"{today.year}-{'H1' if today.month <= 6 else 'H2'}"


def _actor(u, username: str):
    return actor_for(u.users.by_username(username))


def _save_logins(logins: list[Login]) -> None:
    path = _logins_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        for login in logins:
            f.write(f"{login.username}\t{login.password}\t{login.roles}\t{login.employee_no}\n")


def saved_logins() -> list[Login]:
    path = _logins_file()
    if not path.exists():
        return []
    return [Login(*line.split("\t")) for line in path.read_text().splitlines() if line.count("\t") == 3]


def print_logins(logins: list[Login]) -> None:
    if not logins:
        click.echo("The database already holds data; no demo logins are on file.")
        return
    click.echo("Demo logins (POST /api/v1/auth/token with username and password):")
    click.echo(f"  {'username':<16} {'password':<14} {'employee':<9} roles")
    for login in logins:
        click.echo(f"  {login.username:<16} {login.password:<14} {login.employee_no:<9} {login.roles}")
    click.echo(f"(kept in {_logins_file()})")


def print_outlook() -> None:
    """What each demo login with a manager record could apply for today, and why not where not: the rules
    as the service would apply them to a submission now (they change as the demo's clock moves)."""
    r = rules()
    if not r.policy.eligibility.targets:  # a rule pack whose grades move by results only
        return
    store = uow()
    cycle = demo_cycle_code(r.today())
    rows = []
    for login in saved_logins():
        manager = store.managers.get(login.employee_no) if login.employee_no != "-" else None
        if manager is None:
            continue
        target, refusals = promotion_outlook(store, r, manager)
        move = f"{manager.grade} → {target}" if target else manager.grade
        verdict = "may apply" if not refusals else "; ".join(f"{x.rule}: {x.detail}" for x in refusals)
        rows.append((login.username, manager.employee_no, move, verdict))
    if not rows:
        return
    click.echo(f"Who may apply for promotion now (cycle {cycle}: POST /api/v1/cases as that login):")
    for username, employee_no, move, verdict in rows:
        click.echo(f"  {username:<10} {employee_no:<6} {move:<18} {verdict}")
