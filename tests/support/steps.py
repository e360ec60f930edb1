"""The steps of a case over the API, in the standard organisation (tests.support.world): apply, review,
score, decide, publish, appeal, open a case as hr, move the manual clock."""
from __future__ import annotations

from tests.support.answers import ok
from tests.support.reads import case_of, manager
from tests.support.world import ADMIN, BOSS, COMMITTEE, CYCLE, HR


def apply(gf, no: str, target: str = "mid", cycle: str = CYCLE, **extra) -> int:
    body = {"cycle": cycle, "target_grade": target, "statement": "申请晋级", **extra}
    return ok(gf.post("/cases", as_=no.lower(), json=body), 201)["id"]


def event(gf, case_id: int, name: str, as_: str, **body):
    return gf.post(f"/cases/{case_id}/events", as_=as_, json={"event": name, **body})


def review(gf, case_id: int, supervisor_score) -> dict:
    return ok(event(gf, case_id, "approve_materials", BOSS, supervisor_score=supervisor_score))


def interview(gf, case_id: int, scores, committee: tuple[str, ...] = COMMITTEE) -> None:
    """Every member scores (one number: all give it); the last score moves the case to deliberation."""
    scores = list(scores) if isinstance(scores, (list, tuple)) else [scores] * len(committee)
    assert len(scores) == len(committee)
    for member, score in zip(committee, scores):
        ok(gf.put(f"/cases/{case_id}/score", as_=member, json={"score": score}))


def in_deliberation(gf, no: str, *, supervisor, scores, target: str = "mid", cycle: str = CYCLE,
                    committee: tuple[str, ...] = COMMITTEE) -> int:
    """Apply, pass the materials review with `supervisor` and interview with `scores`: deliberation."""
    case_id = apply(gf, no, target, cycle)
    review(gf, case_id, supervisor)
    interview(gf, case_id, scores, committee)
    assert case_of(gf, case_id)["state"] == "deliberation"
    return case_id


def decide(gf, cycle: str = CYCLE, as_: str = HR) -> dict[int, dict]:
    """POST /cycles/{code}/decide → {case_id: decided entry}."""
    return {d["case_id"]: d for d in ok(gf.post(f"/cycles/{cycle}/decide", as_=as_))["decided"]}


def publish(gf, cycle: str = CYCLE) -> dict:
    return ok(gf.post(f"/cycles/{cycle}/publish", as_=HR))


def overturned(gf, case_id: int, applicant: str, cycle: str = CYCLE) -> None:
    """Publish the cycle, let the applicant appeal and hr overturn: the case is back in deliberation."""
    publish(gf, cycle)
    ok(appeal(gf, case_id, applicant), 201)
    assert ok(event(gf, case_id, "overturn", HR, comment="复核"))["state"] == "deliberation"


def move_clock(gf, instant: str) -> dict:
    return ok(gf.put("/clock", as_=ADMIN, json={"now": instant}))


def appeal(gf, case_id: int, as_: str, reason: str = "评分有误, 请复核"):
    return gf.post(f"/cases/{case_id}/appeal", as_=as_, json={"reason": reason})


def hr_case(gf, kind: str, no: str) -> dict:
    """hr opens a case of `kind` for manager `no` (demotion and exit start in deliberation)."""
    return ok(gf.post("/cases", as_=HR, json={"kind": kind, "employee_no": no, "statement": f"{kind} (hr)"}), 201)


def exited(gf, no: str) -> None:
    """Move manager `no` off the ladder the only way there is: an exit case, approved, published,
    finalized once its window has passed (the clock moves on to 2026-09-05)."""
    case_id = hr_case(gf, "exit", no)["id"]
    ok(event(gf, case_id, "approve", HR))
    ok(event(gf, case_id, "publish", HR))
    move_clock(gf, "2026-09-05T00:00:00+08:00")
    assert case_of(gf, case_id)["state"] == "effective"
    assert manager(gf, no)["status"] == "exited"


def decide_waiting_cases(gf, comment: str, decision=lambda case: "approve") -> list[dict]:
    """hr decides each case waiting for its decision (`decision(case)`: approve or deny) and publishes it, as a
    company's evaluation meeting does after a close; the cases decided."""
    waiting = ok(gf.get("/cases?state=deliberation&per_page=500", as_=HR))
    for case in waiting:
        ok(event(gf, case["id"], decision(case), HR, comment=comment))
        ok(event(gf, case["id"], "publish", HR))
    return waiting
