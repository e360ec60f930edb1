"""A whole promotion cycle told through the API, from applications to changed grades.

Two org units. 北京分行 (Beijing): supervisor BJ00 (senior), mids BJ01–BJ04, juniors BJ05–BJ06:
seven active managers, so floor(30 % × 7) − 1 senior = 1 senior slot. 上海分行 (Shanghai):
supervisor SH00 (senior, also on the committee), juniors SH01–SH04.

Six applicants: BJ01 and BJ02 (mid → senior, tied on the final score, the tie broken by the
interview score), BJ03 (refused: tenure), SH01 and SH02 (junior → mid; SH02 below the pass
mark), SH04 (refused: rank). The committee has five members, so Beijing's interview scores are
trimmed; SH00 is recused from Shanghai's cases (their supervisor), leaving four plain scores.
Published on 2026-09-30, before the National Day holiday: the window closes at the end of
Saturday 2026-10-10, a make-up workday. BJ02 appeals; three new hires join Beijing, hr
overturns and the chair re-decides: the slot counted now is free, BJ02 is approved.
"""
from __future__ import annotations

from datetime import date

from tests.support.answers import assert_problem

CYCLE = "2026H2"
BEIJING, SHANGHAI = "北京分行", "上海分行"


def _fire(gf, case_id: int, event: str, as_: str, **body) -> dict:
    response = gf.post(f"/cases/{case_id}/events", as_=as_, json={"event": event, **body})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _score(gf, case_id: int, scores: dict[str, int]) -> dict:
    for member, score in scores.items():
        response = gf.put(f"/cases/{case_id}/score", as_=member, json={"score": score})
        assert response.status_code == 200, (member, response.get_json())
    return response.get_json()


def _move_clock(gf, instant: str) -> None:
    response = gf.put("/clock", as_="admin1", json={"now": instant})
    assert response.status_code == 200, response.get_json()


def _case(gf, case_id: int, as_: str = "hr1") -> dict:
    return gf.case(case_id, as_)


def _organisation(gf) -> None:
    gf.user("hr1", "hr")
    gf.user("admin1", "admin")
    gf.manager("BJ00", "senior", org_unit=BEIJING, grade_since=date(2020, 1, 1), login=True,
               roles=("employee", "supervisor"))
    for no, since, score in (("BJ01", date(2025, 6, 1), "90"), ("BJ02", date(2025, 6, 1), "90"),
                             ("BJ03", date(2026, 3, 1), "92"), ("BJ04", date(2024, 1, 1), "70")):
        gf.manager(no, "mid", supervisor="BJ00", org_unit=BEIJING, grade_since=since, login=True)
        gf.performance(no, "2025", score)
    for no in ("BJ05", "BJ06"):
        gf.manager(no, "junior", supervisor="BJ00", org_unit=BEIJING, login=True)
    gf.manager("SH00", "senior", org_unit=SHANGHAI, grade_since=date(2020, 1, 1), login=True,
               roles=("employee", "supervisor", "committee"))
    for no, score in (("SH01", "85"), ("SH02", "80"), ("SH03", "78"), ("SH04", "70")):
        gf.manager(no, "junior", supervisor="SH00", org_unit=SHANGHAI, grade_since=date(2025, 1, 1), login=True)
        gf.performance(no, "2025", score)
    for member in ("chair1", "member2", "member3", "member4"):
        gf.user(member, "committee")


def _apply(gf, applicant: str, target: str):
    return gf.post("/cases", as_=applicant, json={"cycle": CYCLE, "target_grade": target,
                                                  "statement": f"{applicant} 申请晋升为 {target}"})


def test_a_cycle_from_applications_to_changed_grades(gf):
    _organisation(gf)
    assert gf.post("/cycles", as_="hr1", json={"code": CYCLE, "name": "2026年下半年客户经理等级评审"}).status_code == 201
    committee = gf.put(f"/cycles/{CYCLE}/committee", as_="hr1",
                       json={"chair": "chair1", "members": ["member2", "member3", "member4", "sh00"]})
    assert committee.status_code == 200, committee.get_json()

    # --- six applications, two refused --------------------------------------------------
    bj01, bj02 = (_apply(gf, no, "senior").get_json()["id"] for no in ("bj01", "bj02"))
    tenure = assert_problem(_apply(gf, "bj03", "senior"), 422, "not_eligible")
    assert [r["rule"] for r in tenure["reasons"]] == ["tenure"]
    assert "12 months" in tenure["reasons"][0]["detail"] and "6 completed" in tenure["reasons"][0]["detail"]
    sh01, sh02 = (_apply(gf, no, "mid").get_json()["id"] for no in ("sh01", "sh02"))
    rank = assert_problem(_apply(gf, "sh04", "mid"), 422, "not_eligible")
    assert [r["rule"] for r in rank["reasons"]] == ["performance_rank"]
    assert "rank ≤ 3 of 4" in rank["reasons"][0]["detail"] and "rank is 4" in rank["reasons"][0]["detail"]
    assert gf.get("/cases", as_="hr1").headers["X-Total-Count"] == "4"

    # --- supervisors review; the committee interviews ----------------------------------
    for case_id, supervisor, score in ((bj01, "bj00", 80), (bj02, "bj00", 88), (sh01, "sh00", 85),
                                       (sh02, "sh00", 40)):
        assert _fire(gf, case_id, "approve_materials", supervisor, supervisor_score=score)["state"] == "interview"
    recused = _case(gf, sh01)["interview"]
    assert recused["recusals"] == [{"member": "sh00", "reason": "line_manager"}]
    assert recused["counting_members"] == ["chair1", "member2", "member3", "member4"]
    assert_problem(gf.put(f"/cases/{sh01}/score", as_="sh00", json={"score": 100}), 403, "recused")

    five = ("chair1", "member2", "member3", "member4", "sh00")
    assert _score(gf, bj01, dict(zip(five, (95, 90, 90, 90, 70))))["state"] == "deliberation"
    assert _score(gf, bj02, dict(zip(five, (99, 84, 84, 84, 60))))["state"] == "deliberation"
    four = five[:4]
    assert _score(gf, sh01, dict(zip(four, (80, 82, 78, 84))))["state"] == "deliberation"
    assert _score(gf, sh02, dict(zip(four, (50, 55, 60, 45))))["state"] == "deliberation"

    # --- the decision: trimmed means, the pass mark, the quota and its tie-break ---------
    _move_clock(gf, "2026-09-30T10:00:00+08:00")
    decision = gf.post(f"/cycles/{CYCLE}/decide", as_="chair1")
    assert decision.status_code == 200, decision.get_json()
    decided = {d["case_id"]: (d["outcome"], d["final_score"], d["rank"], d["reasons"])
               for d in decision.get_json()["decided"]}
    assert decided == {
        bj01: ("approved", 87.0, 1, []),  # 0.3×80 + 0.4×90 (95 and 70 dropped) + 0.3×90
        bj02: ("denied", 87.0, 2, ["quota_exceeded"]),  # 0.3×88 + 0.4×84 + 0.3×90: a tie, lower interview score
        sh01: ("approved", 83.4, 1, []),  # 0.3×85 + 0.4×81 (four scores, no trimming) + 0.3×85
        sh02: ("denied", 57.0, 2, ["below_pass_mark"]),  # 0.3×40 + 0.4×52.5 + 0.3×80
    }
    assert (_case(gf, bj01)["interview_score"], _case(gf, bj02)["interview_score"]) == (90.0, 84.0)
    assert _case(gf, bj02, as_="bj02")["final_score"] is None  # not before publication

    # --- publication across the National Day holiday --------------------------------------
    published = gf.post(f"/cycles/{CYCLE}/publish", as_="hr1").get_json()
    assert published["appeal_deadline"] == "2026-10-10T23:59:59+08:00"
    assert published["deadline_confirmed"] is True
    assert sorted(published["case_ids"]) == sorted([bj01, bj02, sh01, sh02])
    board = gf.get(f"/cycles/{CYCLE}/publication", as_="bj05").get_json()
    assert {(e["employee_no"], e["outcome"]) for e in board["entries"]} == {
        ("BJ01", "approved"), ("BJ02", "denied"), ("SH01", "approved"), ("SH02", "denied")}
    assert all("final_score" not in e for e in board["entries"])
    assert _case(gf, bj02, as_="bj02")["final_score"] == 87.0  # visible to the applicant once published

    # --- BJ02 appeals on the last Friday before the make-up Saturday ----------------------
    _move_clock(gf, "2026-10-09T15:00:00+08:00")
    appeal = gf.post(f"/cases/{bj02}/appeal", as_="bj02",
                     json={"reason": "北京分行已签约三名新员工, 名额应按十人计算"})
    assert appeal.status_code == 201, appeal.get_json()
    assert appeal.get_json()["case"]["state"] == "appealed"

    # --- the window closes at the end of the make-up Saturday; not a second earlier ---------
    _move_clock(gf, "2026-10-10T23:59:59+08:00")
    assert _case(gf, bj01)["state"] == "published"
    _move_clock(gf, "2026-10-11T00:00:00+08:00")
    assert {cid: _case(gf, cid)["state"] for cid in (bj01, bj02, sh01, sh02)} == {
        bj01: "effective", bj02: "appealed", sh01: "effective", sh02: "closed"}
    for no, grade in (("BJ01", "senior"), ("SH01", "mid"), ("SH02", "junior")):
        manager = gf.get(f"/managers/{no}", as_="hr1").get_json()
        assert manager["grade"] == grade
    history = gf.get("/managers/BJ01/grade-history", as_="hr1").get_json()
    assert [(h["from_grade"], h["to_grade"], h["effective_on"], h["case_id"]) for h in history] == [
        ("mid", "senior", "2026-10-11", bj01)]
    assert gf.get("/managers/BJ01", as_="hr1").get_json()["grade_since"] == "2026-10-11"

    # --- three hires join Beijing; hr overturns; the chair re-decides under today's quota ---
    _move_clock(gf, "2026-10-12T09:00:00+08:00")
    for no in ("BJ07", "BJ08", "BJ09"):
        gf.manager(no, "probation", supervisor="BJ00", org_unit=BEIJING, grade_since=date(2026, 10, 12))
    overturned = _fire(gf, bj02, "overturn", "hr1", comment="名额核算有误, 重新评定")
    assert (overturned["state"], overturned["outcome"]) == ("deliberation", None)
    redecided = _fire(gf, bj02, "approve", "chair1")  # floor(30 % × 10) − 2 seniors = 1 free slot
    assert (redecided["outcome"], redecided["final_score"]) == ("approved", 87.0)
    republished = _fire(gf, bj02, "publish", "hr1")
    assert republished["appeal_deadline"] == "2026-10-15T23:59:59+08:00"
    assert_problem(gf.post(f"/cases/{bj02}/appeal", as_="bj02", json={"reason": "again"}), 409, "appeal_exists")

    _move_clock(gf, "2026-10-16T09:00:00+08:00")
    final = _case(gf, bj02, as_="bj02")
    assert (final["state"], final["effective_on"]) == ("effective", "2026-10-16")
    assert gf.get("/managers/BJ02", as_="hr1").get_json()["grade"] == "senior"

    # --- the case's history tells it all, oldest first --------------------------------------
    events = [(h["event"], h["from_state"], h["to_state"]) for h in gf.history(bj02, "bj02")]
    assert events == [
        ("submit", None, "submitted"),
        ("approve_materials", "submitted", "interview"),
        *[("score", "interview", "interview")] * 5,
        ("interview_complete", "interview", "deliberation"),
        ("overdue", "deliberation", "deliberation"),  # scored on Sep 1, decided on Sep 30
        ("decide", "deliberation", "decided"),
        ("cycle_publish", "decided", "published"),
        ("appeal", "published", "appealed"),
        ("overturn", "appealed", "deliberation"),
        ("approve", "deliberation", "decided"),
        ("publish", "decided", "published"),
        ("finalize", "published", "effective"),
    ]
