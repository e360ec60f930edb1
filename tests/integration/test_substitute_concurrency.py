"""The absent person and their substitute act on one case at once (issue 16, point 4): one wins, the other is
refused as a stale request is; the history holds one review, naming both where the substitute won; the audit chain
verifies. Also two delegations of one person named at once: one stands, the other overlaps."""
from __future__ import annotations

from collections import Counter

from models import db
from models.audit import verify_chain
from tests.support.threads import at_once
from tests.support.world import one_submitted_case


def test_the_absent_supervisor_and_their_substitute_reviewing_at_once_review_once(gf):
    case_id = one_submitted_case(gf)  # S001 supervises E001
    gf.manager("S002", "senior", login=True, roles=("employee", "supervisor"))
    assert gf.post("/delegations", as_="s001", json={"substitute": "s002", "scope": "supervisor",
                                                     "starts_on": "2026-09-01", "ends_on": "2026-09-30"}
                   ).status_code == 201
    tokens = {who: gf.token(who) for who in ("s001", "s002")}

    def review(who, event):
        def request():
            return gf.app.test_client().post(f"/api/v1/cases/{case_id}/events",
                                             headers={"Authorization": f"Bearer {tokens[who]}"},
                                             json={"event": event, "supervisor_score": 80} if event.startswith(
                                                 "approve") else {"event": event, "comment": "补充"})
        return request

    results = at_once([review("s001", "approve_materials"), review("s002", "return_materials")])
    assert sorted(r.status_code for r in results) == [200, 409], [r.get_json() for r in results]
    assert results[[r.status_code for r in results].index(409)].get_json()["code"] in (
        "version_conflict", "invalid_transition")
    history = gf.history(case_id, "hr1")
    moves = Counter(h["event"] for h in history)
    assert moves["approve_materials"] + moves["return_materials"] == 1
    last = history[-1]
    assert (last["actor"] == "s002") == (last["data"].get("on_behalf_of") == "s001")
    with gf.app.app_context():
        checked, problem, _head = verify_chain(db.session)
        db.session.remove()
    assert problem is None and checked >= len(history)


def test_two_delegations_of_one_person_named_at_once_leave_one(gf):
    one_submitted_case(gf)
    for no in ("S002", "S003"):
        gf.manager(no, "senior", login=True, roles=("employee", "supervisor"))
    token = gf.token("s001")

    def name(substitute):
        def request():
            return gf.app.test_client().post("/api/v1/delegations", headers={"Authorization": f"Bearer {token}"},
                                             json={"substitute": substitute, "scope": "supervisor",
                                                   "starts_on": "2026-09-01", "ends_on": "2026-09-30"})
        return request

    results = at_once([name("s002"), name("s003")])
    assert sorted(r.status_code for r in results) == [201, 409], [r.get_json() for r in results]
    assert len(gf.get("/delegations", as_="hr1").get_json()) == 1
