"""The standard organisation of the API tests: hr, an admin, the committee, the applicants' supervisor S900
(in an org unit of its own) and one open cycle with its committee; the applicants the tests add to it; and
a bare case row for tests of the grade history."""
from __future__ import annotations

from datetime import date

from models import db
from tests.support.answers import ok
from tests.support.settings import CLOCK_START
from tests.support.worlds import built_once

CYCLE = "2026H2"
HR, ADMIN = "hr1", "root"
COMMITTEE = ("chair", "cm2", "cm3")  # the first one chairs
FIVE = ("chair", "cm2", "cm3", "cm4", "cm5")
SUPERVISOR = "S900"  # every applicant's direct supervisor, in an org unit of their own
BOSS = "s900"  # the supervisor's login
HEAD_OFFICE = "总行"


def organisation(gf, committee: tuple[str, ...] = COMMITTEE, cycle: str = CYCLE) -> None:
    """hr, an admin, the committee, the applicants' supervisor, and one open cycle with its committee (built once
    per database, tests/support/worlds.py)."""
    built_once(gf, ("organisation", committee, cycle), lambda: _build_organisation(gf, committee, cycle))


def _build_organisation(gf, committee: tuple[str, ...], cycle: str) -> None:
    gf.user(HR, "hr")
    gf.user(ADMIN, "admin")
    for member in FIVE:
        gf.user(member, "committee")
    gf.manager(SUPERVISOR, "senior", org_unit=HEAD_OFFICE, login=True, roles=("supervisor", "employee"))
    open_cycle(gf, cycle, committee)


def open_cycle(gf, code: str, committee: tuple[str, ...] = COMMITTEE) -> None:
    ok(gf.post("/cycles", as_=HR, json={"code": code, "name": f"评审批次 {code}"}), 201)
    ok(gf.put(f"/cycles/{code}/committee", as_=HR, json={"chair": committee[0], "members": list(committee)}))


def candidate(gf, no: str, grade: str = "junior", *, org_unit: str = "北京分行",
              grade_since: date = date(2025, 1, 1), performance: str = "80") -> str:
    """A manager who can sign in (username no.lower()), supervised by S900, with a 2025 annual score."""
    gf.manager(no, grade, supervisor=SUPERVISOR, org_unit=org_unit, grade_since=grade_since, login=True)
    gf.performance(no, "2025", performance)
    return no


def fillers(gf, org_unit: str, count: int, grade: str = "junior", prefix: str = "F") -> None:
    """Managers who only count in the org unit's headcount."""
    for i in range(count):
        gf.manager(f"{prefix}{org_unit_code(org_unit)}{i:02d}", grade, org_unit=org_unit,
                   grade_since=date(2026, 8, 1) if grade == "probation" else date(2025, 1, 1))


def org_unit_code(org_unit: str) -> str:
    return {"北京分行": "BJ", "上海分行": "SH", "广州分行": "GZ", HEAD_OFFICE: "HQ"}[org_unit]


def case_record(employee_no: str, case_id: int, from_grade: str = "junior") -> int:
    """A bare, finished case row, for tests of the grade history that need a case to point at.
    Call inside an application context."""
    from models.cases import Case
    db.session.add(Case(id=case_id, kind="exit", employee_no=employee_no, from_grade=from_grade, target_grade="exited",
                        exceptional=False, statement="(test)", state="withdrawn", reasons=[], created_by="test",
                        created_at=CLOCK_START, updated_at=CLOCK_START, state_since=CLOCK_START,
                        version=1))
    db.session.commit()
    return case_id


# --- a world of its own: one submitted case ------------------------------------------------------------

def one_submitted_case(gf) -> int:
    """A mid manager with a supervisor, in a cycle with a committee, and their submitted case
    (hr1; S001 ← E001, applying for senior in cycle C1, whose committee is cm1, cm2 and cm3)."""
    gf.user("hr1", "hr")
    gf.manager("S001", "senior", login=True, roles=("employee", "supervisor"), grade_since=date(2020, 1, 1))
    gf.manager("E001", "mid", supervisor="S001", login=True, grade_since=date(2025, 1, 1))
    gf.performance("E001", "2025", "90")
    for member in ("cm1", "cm2", "cm3"):
        gf.user(member, "committee")
    assert gf.post("/cycles", as_="hr1", json={"code": "C1", "name": "cycle"}).status_code == 201
    assert gf.put("/cycles/C1/committee", as_="hr1", json={"chair": "cm1", "members": ["cm2", "cm3"]}).status_code == 200
    response = gf.post("/cases", as_="e001", json={"cycle": "C1", "target_grade": "senior", "statement": "apply"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]
