"""A chain of supervisors under a policy that escalates (workflow/escalation.py), for the tests of escalation."""
from __future__ import annotations

from tests.support.answers import ok

TOP, MIDDLE, APPLICANT = "S800", "S900", "M001"
THURSDAY_EVENING = "2026-09-03T18:00:00+08:00"  # applied Tue 1st: Wed 2 and Thu 3 are the two working days
FRIDAY_MORNING = "2026-09-04T09:00:00+08:00"  # the first check


def escalating(document):
    document["reminders"]["escalate_after_working_days"] = 2


def chain(gf, *, middle_login: bool = True, top: bool = True) -> int:
    """S800 ← S900 ← M001, who applies in cycle C1 on Tuesday 2026-09-01 (the test clock's first day)."""
    gf.user("hr1", "hr")
    gf.user("root", "admin")
    supervisor = ("employee", "supervisor")
    if top:
        gf.manager(TOP, "senior", org_unit="总行", login=True, roles=supervisor)
    gf.manager(MIDDLE, "senior", supervisor=TOP if top else None, login=middle_login, roles=supervisor)
    gf.manager(APPLICANT, "junior", supervisor=MIDDLE, login=True)
    gf.performance(APPLICANT, "2025", "80")
    for member in ("cm1", "cm2", "cm3"):
        gf.user(member, "committee")
    ok(gf.post("/cycles", as_="hr1", json={"code": "C1", "name": "批次"}), 201)
    ok(gf.put("/cycles/C1/committee", as_="hr1", json={"chair": "cm1", "members": ["cm1", "cm2", "cm3"]}))
    return ok(gf.post("/cases", as_="m001", json={"cycle": "C1", "target_grade": "mid", "statement": "申请"}),
              201)["id"]
