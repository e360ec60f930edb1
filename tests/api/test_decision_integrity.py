"""Decisions stay with the people and the figures they belong to: a re-decision is announced only by
its publication, a recused chair decides nothing, committee remarks stay in the committee, and no
decision rests on fewer scores than the quorum."""
from __future__ import annotations

from tests.support.answers import assert_problem, ok
from tests.support.reads import case_of
from tests.support.steps import appeal, decide, event, in_deliberation, move_clock, publish
from tests.support.world import BOSS, CYCLE, HR, SUPERVISOR, candidate, organisation


def _decided_case(gf) -> int:
    """E001's promotion, decided by the cycle (approved) and published."""
    organisation(gf)
    candidate(gf, "E001", performance="90")
    case_id = in_deliberation(gf, "E001", supervisor=80, scores=80)
    decide(gf)
    publish(gf)
    return case_id


def _in_interview(gf) -> int:
    """E001's promotion, its materials approved: in interview."""
    organisation(gf)
    candidate(gf, "E001", performance="90")
    case_id = ok(gf.post("/cases", as_="e001", json={"cycle": CYCLE, "target_grade": "mid", "statement": "x"}),
                 201)["id"]
    ok(event(gf, case_id, "approve_materials", BOSS, supervisor_score=80))
    return case_id


def test_a_re_decision_is_not_shown_to_the_applicant_or_the_board_until_published_again(gf):
    case_id = _decided_case(gf)
    ok(appeal(gf, case_id, "e001"), 201)
    ok(event(gf, case_id, "overturn", HR))
    ok(event(gf, case_id, "deny", HR, comment="复核后不予晋升"))

    mine = case_of(gf, case_id, as_="e001")
    assert mine["state"] == "decided"
    assert (mine["outcome"], mine["reasons"], mine["final_score"]) == (None, None, None)
    deny = next(e for e in gf.history(case_id, "e001") if e["event"] == "deny")
    assert "outcome" not in deny["data"] and "final_score" not in deny["data"] and deny["comment"] is None
    board = ok(gf.get(f"/cycles/{CYCLE}/publication", as_="e001"))
    assert [(e["state"], e["outcome"]) for e in board["entries"]] == [("decided", None)]

    ok(event(gf, case_id, "publish", HR))
    assert case_of(gf, case_id, as_="e001")["outcome"] == "denied"
    assert ok(gf.get(f"/cycles/{CYCLE}/publication", as_="e001"))["entries"][0]["outcome"] == "denied"


def test_a_chair_recused_from_a_case_does_not_decide_the_cycle(gf):
    organisation(gf)
    # the chair becomes the applicant's line manager: recused from the case, so hr decides
    gf.manager("S901", "senior", login=True, roles=("employee", "supervisor", "committee"))
    ok(gf.put(f"/cycles/{CYCLE}/committee", as_=HR, json={"chair": "s901", "members": ["cm2", "cm3", "cm4"]}))
    candidate(gf, "E001", performance="90")
    case_id = in_deliberation(gf, "E001", supervisor=80, scores=80, committee=("s901", "cm2", "cm3", "cm4"))
    ok(gf.patch(f"/managers/{SUPERVISOR}", as_=HR, json={"supervisor": "S901"}))

    refused = assert_problem(gf.post(f"/cycles/{CYCLE}/decide", as_="s901"), 403, "forbidden")
    assert refused["case_id"] == case_id
    assert case_of(gf, case_id)["state"] == "deliberation"
    assert decide(gf)[case_id]["outcome"] == "approved"  # hr may


def test_committee_remarks_and_names_stay_in_the_committee_until_publication(gf):
    case_id = _in_interview(gf)
    ok(gf.put(f"/cases/{case_id}/score", as_="cm2", json={"score": 80, "comment": "表达一般"}))
    for viewer in ("e001", BOSS):
        entries = [e for e in gf.history(case_id, viewer) if e["event"] == "score"]
        assert entries and all(e["comment"] is None and e["actor"] == "(committee)" and e["data"] == {
            "replaces_earlier": e["data"]["replaces_earlier"]} for e in entries), entries
    assert any(e["comment"] == "表达一般" for e in gf.history(case_id, HR))


def test_no_decision_rests_on_fewer_scores_than_the_quorum(gf):
    organisation(gf)
    gf.manager("S902", "senior", login=True, roles=("employee", "supervisor", "committee"))
    ok(gf.put(f"/cycles/{CYCLE}/committee", as_=HR, json={"chair": "chair", "members": ["cm2", "s902"]}))
    candidate(gf, "E001", performance="90")
    case_id = in_deliberation(gf, "E001", supervisor=80, scores=80, committee=("chair", "cm2", "s902"))
    # a scorer becomes the applicant's line manager: their score no longer counts, two are left
    ok(gf.patch(f"/managers/{SUPERVISOR}", as_=HR, json={"supervisor": "S902"}))
    refused = assert_problem(gf.post(f"/cycles/{CYCLE}/decide", as_=HR), 409, "quorum_not_met")
    assert refused["scored"] == ["chair", "cm2"] and refused["quorum"] == 3
    assert case_of(gf, case_id)["state"] == "deliberation"


def test_the_same_member_scoring_twice_at_once_is_never_a_server_error(gf):
    from tests.support.threads import at_once
    case_id = _in_interview(gf)
    token = gf.token("cm2")

    def score():
        return gf.app.test_client().put(f"/api/v1/cases/{case_id}/score", json={"score": 75},
                                        headers={"Authorization": f"Bearer {token}"})

    for _ in range(3):
        statuses = sorted(r.status_code for r in at_once([score, score]))
        assert statuses in ([200, 200], [200, 409]), statuses
    assert case_of(gf, case_id)["interview"]["scored"] == ["cm2"]


def test_finalization_runs_late_but_never_twice(gf):
    case_id = _decided_case(gf)
    move_clock(gf, "2026-09-20T10:00:00+08:00")
    move_clock(gf, "2026-09-21T10:00:00+08:00")
    assert [e["event"] for e in gf.history(case_id, HR)].count("finalize") == 1
    assert case_of(gf, case_id)["effective_on"] == "2026-09-05"
