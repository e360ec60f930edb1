"""Two imports of one file at once (issue 16, point 1): re-importing changes nothing, so the second one, whether it
waited for the first or lost a race to it, answers 200 with every row unchanged; never a 500, never a record twice,
nothing half-written. Each import is a request of its own on a thread of its own (a session of its own). The two
are made to meet where each has read what is stored and is about to write: where the second cannot get there (it
waits for the first's lock), the first goes on alone after a moment."""
from __future__ import annotations

import io
import threading

import pytest
import sqlalchemy as sa

from models import Manager, ManagerEvent, PerformanceRecord, Timer, User, db
from tests.support.answers import ok
from tests.support.threads import at_once
from tests.support.world import HR, SUPERVISOR, organisation
from workflow.errors import Conflict, DuplicateKey
from workflow.services import accounts, manager_events, managers
from workflow.services import imports as import_service

MEETING_TIMEOUT_S = 2


def _meeting_before(monkeypatch, module, name: str) -> None:
    """Each thread's first call of module.name waits for the other thread's (or gives up after a moment)."""
    barrier, met = threading.Barrier(2, timeout=MEETING_TIMEOUT_S), threading.local()
    original = getattr(module, name)

    def meet_then(*args, **kwargs):
        if not getattr(met, "done", False):
            met.done = True
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass  # the other waits for this one's lock: go on alone
        return original(*args, **kwargs)
    monkeypatch.setattr(module, name, meet_then)


def _twice_at_once(gf, kind: str, text: str, other_text: str | None = None) -> list[dict]:
    token = gf.token(HR)

    def sender(body: str):
        def send():
            data = {"file": (io.BytesIO(body.encode("utf-8")), f"{kind}.csv")}
            return gf.app.test_client().post(f"/api/v1/imports/{kind}", data=data,
                                             content_type="multipart/form-data",
                                             headers={"Authorization": f"Bearer {token}"})
        return send
    answers = [ok(answer) for answer in at_once([sender(text), sender(other_text or text)])]
    return sorted(answers, key=lambda a: a["unchanged"])


def _count(app, model, *where) -> int:
    with app.app_context():
        try:
            return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))
        finally:
            db.session.remove()


ROSTER = ("工号,姓名,机构,等级,定级日期,入职日期,上级工号\n"
          "M2001,李强,北京分行,初级,2026-03-01,2025-07-01,\n"
          "M2002,王芳,北京分行,probation,2026-08-01,2026-08-01,M2001\n")


def test_two_imports_registering_the_same_new_managers_at_once_register_them_once(gf, app, monkeypatch):
    gf.user(HR, "hr")  # no manager yet: neither import has a row to wait on
    _meeting_before(monkeypatch, import_service, "_register_all")
    first, second = _twice_at_once(gf, "roster", ROSTER)
    assert (first["created"], second["unchanged"]) == (2, 2)
    assert _count(app, Manager) == 2 and _count(app, Timer, Timer.kind == "probation_end") == 1


def test_two_imports_registering_the_same_new_managers_in_opposite_orders_at_once_register_them_once(gf, app,
                                                                                                 monkeypatch):
    gf.user(HR, "hr")
    _meeting_before(monkeypatch, import_service, "_register_all")
    header, *rows = ("工号,姓名,机构,等级,定级日期,入职日期,上级工号\n",
                     "M2001,李强,北京分行,初级,2026-03-01,2025-07-01,\n", "M2003,赵敏,上海分行,初级,2026-03-01,2025-07-01,\n")
    first, second = _twice_at_once(gf, "roster", header + "".join(rows), header + "".join(reversed(rows)))
    assert (first["created"], second["unchanged"]) == (2, 2)
    assert _count(app, Manager) == 2


def test_two_imports_creating_the_same_new_users_at_once_create_them_once(gf, app, monkeypatch):
    gf.user(HR, "hr")
    _meeting_before(monkeypatch, accounts, "create_user")
    users = "用户名,初始密码,角色\nwf1,long-enough-secret,评审委员会\nwf2,long-enough-secret,评审委员会\n"
    first, second = _twice_at_once(gf, "users", users)
    assert (first["created"], second["unchanged"]) == (2, 2)
    assert _count(app, User, User.username.in_(["wf1", "wf2"])) == 2


def test_two_imports_creating_the_same_new_users_in_opposite_orders_at_once_create_them_once(gf, app, monkeypatch):
    """Each file's first user is the other's last: created in file order, each import would hold a name the other
    waits for (a deadlock on PostgreSQL, a 500)."""
    gf.user(HR, "hr")
    _meeting_before(monkeypatch, accounts, "create_user")
    header = "用户名,初始密码,角色\n"
    rows = ["wf1,long-enough-secret,评审委员会\n", "wf2,long-enough-secret,评审委员会\n"]
    first, second = _twice_at_once(gf, "users", header + "".join(rows), header + "".join(reversed(rows)))
    assert (first["created"], second["unchanged"]) == (2, 2)
    assert _count(app, User, User.username.in_(["wf1", "wf2"])) == 2


def test_two_imports_entering_the_same_new_performance_records_at_once_enter_them_once(gf, app, monkeypatch):
    organisation(gf)
    gf.manager("M001", "mid", supervisor=SUPERVISOR)
    _meeting_before(monkeypatch, managers, "record_performance")
    first, second = _twice_at_once(gf, "performance", "工号,考核期间,得分,在岗月数\nM001,2026Q2,88.5,3\n"
                                                      "M001,2026Q1,80,3\n")
    assert (first["created"], second["unchanged"]) == (2, 2)
    assert _count(app, PerformanceRecord, PerformanceRecord.employee_no == "M001") == 2


def test_two_imports_of_the_same_events_at_once_enter_each_event_once(gf, app, monkeypatch):
    organisation(gf)
    gf.manager("M001", "mid", supervisor=SUPERVISOR)
    _meeting_before(monkeypatch, manager_events, "record_event")
    first, second = _twice_at_once(gf, "events", "工号,事件类型,发生日期,说明\nM001,投诉,2026-08-03,客户投诉\n")
    assert (first["created"], second["unchanged"]) == (1, 1)
    assert _count(app, ManagerEvent) == 1


@pytest.mark.parametrize("kind", ["roster", "users"])
def test_an_import_that_loses_the_race_twice_is_refused_as_a_conflict_and_writes_nothing(gf, app, monkeypatch, kind):
    """A third writer wins again on the repeat: 409 import_conflict, not a 500."""
    gf.user(HR, "hr")
    if kind == "roster":
        def lost(*args, **kwargs):
            raise DuplicateKey("employee_no")
        monkeypatch.setattr(import_service, "_register_all", lost)
        text = ROSTER
    else:
        def lost(*args, **kwargs):
            raise Conflict("username_taken", "taken", field="username")
        monkeypatch.setattr(accounts, "create_user", lost)
        text = "用户名,初始密码,角色\nwf1,long-enough-secret,评审委员会\n"
    answer = gf.post(f"/imports/{kind}", as_=HR, data={"file": (io.BytesIO(text.encode()), "f.csv")},
                     content_type="multipart/form-data")
    assert ok(answer, 409)["code"] == "import_conflict"
    assert _count(app, Manager) == 0 and _count(app, User) == 1
