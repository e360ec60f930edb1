"""The committee tests' organisation: hr, cycle 2026-H2 with its committee still to be appointed, six
committee users, and S001 (supervisor, also on committees) ← S002 (supervisor) ← E001 and E002 (juniors
of 北京分行 applying for mid); users of managers are their employee numbers in lower case."""
from __future__ import annotations

HR = "hr1"
CYCLE = "2026-H2"
MEMBERS = ("chair1", "cm1", "cm2", "cm3", "cm4", "cm5")


def committee_org(gf):
    """hr, cycle CYCLE, six committee users, and S001 > S002 > E001, E002 (E001 and both supervisors
    may sit on committees)."""
    gf.user(HR, "hr")
    assert gf.post("/cycles", as_=HR, json={"code": CYCLE, "name": "2026 下半年"}).status_code == 201
    for username in MEMBERS:
        gf.user(username, "committee")
    gf.manager("S001", "senior", login=True, roles=("employee", "supervisor", "committee"))
    gf.manager("S002", "mid", supervisor="S001", login=True, roles=("employee", "supervisor", "committee"))
    gf.manager("E001", "junior", supervisor="S002", login=True, roles=("employee", "committee"))
    gf.manager("E002", "junior", supervisor="S002", login=True)
    gf.performance("E001", "2025", "90")
    gf.performance("E002", "2025", "88")
    return gf


def put_committee(gf, chair: str, *members: str):
    """PUT /cycles/{CYCLE}/committee as hr (the answer, whatever it is)."""
    return gf.put(f"/cycles/{CYCLE}/committee", as_=HR, json={"chair": chair, "members": list(members)})


def appoint(gf, chair: str, *members: str) -> dict:
    response = put_committee(gf, chair, *members)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def case_in_interview(gf, applicant: str = "e001") -> int:
    """A promotion case of `applicant`, its materials approved by S002: in interview."""
    response = gf.post("/cases", as_=applicant, json={"cycle": CYCLE, "target_grade": "mid", "statement": "申请晋升"})
    assert response.status_code == 201, response.get_json()
    case_id = response.get_json()["id"]
    response = gf.post(f"/cases/{case_id}/events", as_="s002",
                       json={"event": "approve_materials", "supervisor_score": 80})
    assert response.status_code == 200 and response.get_json()["state"] == "interview", response.get_json()
    return case_id
