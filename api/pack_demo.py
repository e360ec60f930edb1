"""`gradeflow demo` under a rule pack (issue 14, point 6: `gradeflow demo --policy NAME`): a demo organisation
made from the pack itself, for any shipped policy other than the default (whose demo, api/demo.py, tells the
README's story). One shop or branch, its head supervising two managers on each grade of the pack's ladder, hr and
an admin; the last ended period of each kind the pack records, with scores (or the scorecard's parts) and the
pack's metrics placed around the thresholds its rules read, so that the close page's preview shows the rules
at work; a complaint and a leave on the record; and, where the pack lets managers apply, an open cycle with its
committee."""
from __future__ import annotations

import secrets
from datetime import date, timedelta
from decimal import Decimal

from api.context import extension
from api.demo import Login, demo_cycle_code
from workflow.periods import Period
from workflow.services.accounts import OPERATOR, actor_for, create_user
from workflow.services.cycles import create_cycle, set_committee
from workflow.services.manager_events import record_event
from workflow.services.managers import record_performance, register_manager

UNIT = "示范门店"
NAMES = ["王芳", "李强", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄涛", "周丽", "吴军", "徐婷", "孙浩", "马超", "胡玲",
         "郭峰", "何静", "高原", "林娜"]
# per manager, in turn: how far from each threshold its figures fall (below, just over, well over)
SPREAD = (Decimal("0.8"), Decimal("1.05"), Decimal("1.3"))
SCORES = (Decimal("0.58"), Decimal("0.72"), Decimal("0.86"), Decimal("0.93"))  # of the policy's scale


def load_pack_demo(u, r) -> list[Login]:
    """The organisation and its users in the unit of work `u`, under the rules `r` of a pack; the logins."""
    today, ladder = r.today(), r.policy.ladder
    logins = [_user(u, r, "admin", ["admin"], None), _user(u, r, "hr.chen", ["hr"], None)]
    top = ladder.codes[-1]
    head = _manager(u, r, "D1000", NAMES[0], top, today - timedelta(days=3 * 365), None, years_before=3)
    logins.append(_user(u, r, "dianzhang", ["employee", "supervisor"], head))
    numbers = []
    for rank, grade in enumerate(ladder.codes):
        for k in range(2):
            no = f"D1{rank + 1}{k + 1:02d}"
            since = today - timedelta(days=20 if grade == ladder.entry_grade else 200 + 90 * k)
            _manager(u, r, no, NAMES[(1 + 2 * rank + k) % len(NAMES)], grade, since, head, years_before=rank)
            logins.append(_user(u, r, f"staff{rank + 1}{k + 1}", ["employee"], no))
            numbers.append(no)
    for index, no in enumerate(numbers):
        _records(u, r, no, index, today)
    hr = actor_for(u.users.by_username("hr.chen"))
    last_month = Period.of("month", today).shifted(-1)
    record_event(u, r, hr, numbers[-1], kind="complaint", occurred_on=last_month.first_day + timedelta(days=9),
                 note="客户投诉：服务态度")
    record_event(u, r, hr, numbers[-2], kind="leave", occurred_on=last_month.first_day + timedelta(days=4), days=3,
                 reason="personal", note="事假")
    if r.policy.eligibility.targets:
        logins += _cycle(u, r, hr, today)
    return logins


def _manager(u, r, no: str, name: str, grade: str, since: date, supervisor: str | None, *, years_before: int) -> str:
    """Hired a month before the grade's start, and a year earlier for each grade climbed."""
    register_manager(u, r, OPERATOR, employee_no=no, name=name, org_unit=UNIT, grade=grade, grade_since=since,
                     hire_date=since - timedelta(days=30 + 365 * years_before), supervisor=supervisor)
    return no


def _user(u, r, username: str, roles: list[str], employee_no: str | None) -> Login:
    password = secrets.token_urlsafe(9)
    create_user(u, r, extension("passwords"), OPERATOR, username=username, password=password, roles=roles,
                employee_no=employee_no)
    return Login(username, password, ",".join(roles), employee_no or "-")


def _records(u, r, no: str, index: int, today: date) -> None:
    """The last ended period of each kind the pack records (and the one before, for rules of two periods), from the
    manager's hiring on."""
    policy, hired = r.policy, u.managers.get(no).hire_date
    for kind in policy.periods:
        latest = Period.of(kind, today).shifted(-1)
        for back, period in enumerate((latest, latest.shifted(-1))):
            if (back and kind not in policy.closed_kinds) or period.first_day < hired:
                continue
            record_performance(u, r, OPERATOR, no, str(period), months_worked=period.months,
                               **_figures(policy, period.kind, index + back))


def _figures(policy, kind: str, index: int) -> dict:
    """The score, or the scorecard's parts where it makes the period's score, and the metrics of one record."""
    scale = policy.scoring.scale
    score = (scale.min + (scale.max - scale.min) * SCORES[index % len(SCORES)]).quantize(Decimal(1))
    card = policy.period_scorecard
    figures: dict = {"score": score}
    if card is not None and kind in card.periods:
        figures = {"parts": {}}
        for part in card.parts:
            if not part.items:
                figures["parts"][part.code] = min(score, part.max)
            for item in part.items:
                figures["parts"][item.code] = (Decimal(index % 2) if item.deduct is not None
                                               else min(score, item.points))
    if policy.metrics:
        figures["metrics"] = {m.code: _around_threshold(policy, m, index) for m in policy.metrics}
    return figures


def _around_threshold(policy, metric, index: int) -> Decimal:
    thresholds = [value for close in policy.closes for rule in close.rules
                  for code, value in (*rule.metric_at_least, *rule.metric_short_of) if code == metric.code]
    base = min(thresholds) if thresholds else metric.max / 100
    return min(metric.max, (base * SPREAD[index % len(SPREAD)]).quantize(Decimal(1)))


def _cycle(u, r, hr, today: date) -> list[Login]:
    """An open cycle; with the interview, a committee of the policy's quorum."""
    code = demo_cycle_code(today)
    create_cycle(u, r, hr, code=code, name=f"{today.year}年{'上' if today.month <= 6 else '下'}半年等级评审")
    if not r.policy.interview:
        return []
    members = [_user(u, r, f"committee.{k + 1}", ["committee"], None) for k in range(max(r.policy.quorum, 3) + 1)]
    set_committee(u, r, hr, code, chair=members[0].username, members=[m.username for m in members[1:]])
    return members
