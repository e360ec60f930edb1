"""The organisation every example of the model-based test starts from, built afresh (the tables emptied, the
people registered again through the real use cases, one cycle opened):

    S800 (supervisor)            P900 (supervisor, another team)
    └── S900 (supervisor, also on the committee)          └── P101 (上海分行)
        ├── E101, E102, E103 (juniors), M201 (mid), P301 (on probation), H001 (junior, also hr)   (北京分行)

with hr1 (hr), root (admin), the cycle's committee chair, cm2, cm3, cm4 and s900 (s900 is recused from
his own reports' cases), and cm9, who holds the committee role but sits on no committee.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tests.support.databases import empty_all_tables
from tests.support.driver import Driver
from tests.support.worlds import built_once

HQ, BJ, SH = "总行", "北京分行", "上海分行"
HR1, H001, ROOT = "hr1", "h001", "root"
CHAIR = "chair"
COMMITTEE_MEMBERS = (CHAIR, "cm2", "cm3", "cm4", "s900")
OUTSIDER = "cm9"  # committee role, on no committee
CYCLE_CODES = ("2026H2", "2026H2B", "2026H2C")  # opened one after another, each once the last is decided


@dataclass(frozen=True)
class Person:
    no: str
    name: str
    grade: str
    since: date
    supervisor: str | None
    org_unit: str
    roles: tuple[str, ...] = ("employee",)
    annual: str | None = None  # the 2025 score
    quarters: tuple[tuple[str, str], ...] = ()

    @property
    def username(self) -> str:
        return self.no.lower()


PEOPLE = (  # supervisors first
    Person("S800", "周建国", "senior", date(2020, 1, 1), None, HQ, ("employee", "supervisor")),
    Person("S900", "吴海涛", "senior", date(2021, 1, 1), "S800", HQ, ("employee", "supervisor", "committee")),
    Person("P900", "郑志刚", "senior", date(2021, 1, 1), None, HQ, ("employee", "supervisor")),
    Person("E101", "李晓明", "junior", date(2025, 1, 1), "S900", BJ, annual="90"),
    Person("E102", "王芳菲", "junior", date(2025, 1, 1), "S900", BJ, annual="70"),
    Person("E103", "张伟东", "junior", date(2026, 6, 1), "S900", BJ, annual="80"),
    Person("M201", "刘洋帆", "mid", date(2024, 1, 1), "S900", BJ, annual="85", quarters=(("2026Q2", "75"),)),
    Person("P301", "陈静怡", "probation", date(2026, 5, 1), "S900", BJ),
    Person("H001", "赵磊石", "junior", date(2025, 1, 1), "S900", BJ, ("employee", "hr"), annual="85"),
    Person("P101", "孙丽娜", "junior", date(2025, 1, 1), "P900", SH, annual="80"),
)
BY_NO = {p.no: p for p in PEOPLE}
APPLICANTS = tuple(p.no for p in PEOPLE if p.org_unit != HQ)
# (manager, target, exceptional) that the rules of domain.md accept while the ladder is as built
SURELY_ELIGIBLE = {("E101", "mid", False), ("E101", "senior", True), ("H001", "mid", False),
                   ("M201", "senior", False), ("P101", "mid", False)}
HR_USERS = (HR1, H001)
PRIVILEGED = {HR1, H001, ROOT}  # see every employee's data
EVERY_USER = (HR1, H001, ROOT, *COMMITTEE_MEMBERS[:4], OUTSIDER, *(p.username for p in PEOPLE))
READERS = tuple(u for u in EVERY_USER if u not in (HR1, ROOT))


def build_world(app) -> Driver:
    """The people above and the first cycle, in a database emptied of the example before (the manual clock's row
    too: it is back at its start); built through the use cases once per database (tests/support/worlds.py)."""
    empty_all_tables(app)
    gf = Driver(app)
    built_once(gf, ("model-based world",), lambda: _populate(gf))
    return gf


def _populate(gf) -> None:
    gf.user(HR1, "hr")
    gf.user(ROOT, "admin")
    for member in (*COMMITTEE_MEMBERS[:4], OUTSIDER):
        gf.user(member, "committee")
    for p in PEOPLE:
        gf.manager(p.no, p.grade, supervisor=p.supervisor, org_unit=p.org_unit, grade_since=p.since, name=p.name,
                   login=True, roles=p.roles)
        if p.annual:
            gf.performance(p.no, "2025", p.annual)
        for period, score in p.quarters:
            gf.performance(p.no, period, score, months_worked=3)
    open_cycle(gf, CYCLE_CODES[0])


def open_cycle(gf, code: str) -> None:
    response = gf.post("/cycles", as_=HR1, json={"code": code, "name": f"评审批次 {code}"})
    assert response.status_code == 201, response.get_json()
    response = gf.put(f"/cycles/{code}/committee", as_=HR1, json={"chair": CHAIR, "members": list(COMMITTEE_MEMBERS)})
    assert response.status_code == 200, response.get_json()
