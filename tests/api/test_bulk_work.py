"""Bulk work (issue 16, point 3): POST /cases/events and POST /cycles/{code}/scores do each case as the single
request does (same checks, same history, timers and audit entries), each in a transaction of its own, and answer
per case what was done or why it was refused."""
from __future__ import annotations

import threading
from datetime import date

import pytest

from tests.support.answers import ok
from tests.support.reads import case_of
from tests.support.statements import counting
from tests.support.steps import apply, event, move_clock, review
from tests.support.threads import at_once
from tests.support.world import BOSS, COMMITTEE, CYCLE, HR, SUPERVISOR, candidate, open_cycle, organisation
from workflow.services import bulk
from workflow.services.bulk import MAX_CASES

PROBATION = "probation_confirmation"


def _probation_cases(gf, count: int, *, decided: int | None = None) -> list[int]:
    """`count` probation confirmations opened by hr (probation ended in August), the first `decided` of them passed
    by the supervisor (decided, waiting for hr to publish them), the others still submitted."""
    organisation(gf)
    ids = []
    for i in range(count):
        no = f"P{i:03d}"
        gf.manager(no, "probation", supervisor=SUPERVISOR, grade_since=date(2026, 5, 1))
        ids.append(ok(gf.post("/cases", as_=HR, json={"kind": PROBATION, "employee_no": no, "statement": "转正"}),
                      201)["id"])
    for case_id in ids[:count if decided is None else decided]:
        ok(event(gf, case_id, "pass_probation", BOSS, supervisor_score=85))
    return ids


def _bulk(gf, body: dict, as_: str = HR, **kwargs):
    return gf.post("/cases/events", as_=as_, json=body, **kwargs)


def _results(answer: dict) -> dict[int, dict]:
    return {r["case_id"]: r for r in answer["results"]}


def _entries(gf, case_id: int, event_name: str) -> list[dict]:
    return [h for h in gf.history(case_id, HR) if h["event"] == event_name]


def test_bulk_event_does_what_it_may_and_reports_each_refusal(gf):
    ids = _probation_cases(gf, 4, decided=3)
    done, also_done, stale, not_decided = ids
    stale_version = case_of(gf, stale)["version"] - 1
    answer = ok(_bulk(gf, {"event": "publish", "comment": "公示", "cases": [
        {"id": done}, {"id": not_decided}, {"id": 999999}, {"id": stale, "version": stale_version},
        {"id": also_done}]}))
    assert [r["case_id"] for r in answer["results"]] == [done, not_decided, 999999, stale, also_done]
    results = _results(answer)
    assert (answer["event"], answer["done"], answer["refused"], answer["version_conflict"]) == ("publish", 2, 2, 1)
    for case_id in (done, also_done):
        case = case_of(gf, case_id)
        assert results[case_id] == {"case_id": case_id, "result": "done", "state": "published",
                                    "version": case["version"]}
        assert case["state"] == "published" and case["appeal_deadline"] is not None
    assert results[not_decided]["result"] == "refused"
    assert results[not_decided]["problem"]["code"] == "invalid_transition"
    assert results[not_decided]["problem"]["status"] == 409
    assert results[not_decided]["problem"]["state"] == "submitted"
    assert results[999999]["problem"]["code"] == "not_found" and results[999999]["problem"]["status"] == 404
    assert results[stale]["result"] == "version_conflict" and results[stale]["problem"]["status"] == 409
    assert case_of(gf, stale)["state"] == "decided" and case_of(gf, not_decided)["state"] == "submitted"


def test_bulk_event_writes_the_history_a_single_event_writes(gf):
    single, bulk_one = _probation_cases(gf, 2)
    ok(event(gf, single, "publish", HR, comment="公示"))
    ok(_bulk(gf, {"event": "publish", "comment": "公示", "case_ids": [bulk_one]}))
    shown = ("actor", "event", "from_state", "to_state", "comment", "data")
    assert [{k: e[k] for k in shown} for e in gf.history(bulk_one, HR)] == \
           [{k: e[k] for k in shown} for e in gf.history(single, HR)]
    as_single, as_bulk = case_of(gf, single), case_of(gf, bulk_one)
    for field in ("state", "version", "appeal_deadline", "published_at", "deadline_confirmed"):
        assert as_bulk[field] == as_single[field], field


def test_bulk_event_refuses_an_event_not_the_callers_per_case(gf):
    ids = _probation_cases(gf, 2)
    answer = ok(_bulk(gf, {"event": "publish", "case_ids": ids}, as_=BOSS))
    assert {r["problem"]["code"] for r in answer["results"]} == {"forbidden"}
    assert answer["done"] == 0 and all(case_of(gf, i)["state"] == "decided" for i in ids)


def test_bulk_event_by_filter_takes_the_matching_cases_the_caller_may_see(gf):
    ids = _probation_cases(gf, 3, decided=2)
    answer = ok(_bulk(gf, {"event": "publish", "filter": {"kind": PROBATION, "state": "decided"}}))
    assert [r["case_id"] for r in answer["results"]] == ids[:2] and answer["done"] == 2
    assert case_of(gf, ids[2])["state"] == "submitted"


def test_bulk_filter_needs_a_criterion(gf):
    organisation(gf)
    problem = ok(_bulk(gf, {"event": "publish", "filter": {}}), 422)
    assert [(e["field"], e["rule"]) for e in problem["errors"]] == [("filter", "criterion_required")]


@pytest.mark.parametrize("body", [{"event": "publish"}, {"event": "publish", "case_ids": [1], "filter": {
    "state": "decided"}}])
def test_bulk_event_names_its_cases_one_way(gf, body):
    organisation(gf)
    problem = ok(_bulk(gf, body), 422)
    assert [(e["field"], e["rule"]) for e in problem["errors"]] == [("case_ids", "one_way_to_name_cases")]


def test_bulk_request_holds_at_most_max_cases(gf):
    organisation(gf)
    problem = ok(_bulk(gf, {"event": "publish", "case_ids": list(range(1, MAX_CASES + 2))}), 422)
    assert [(e["field"], e["rule"]) for e in problem["errors"]] == [("case_ids", "max_cases")]
    sheet = [{"case_id": i, "score": 80} for i in range(1, MAX_CASES + 2)]
    problem = ok(gf.post(f"/cycles/{CYCLE}/scores", as_="chair", json=sheet), 422)
    assert [(e["field"], e["rule"]) for e in problem["errors"]] == [("(body)", "max_cases")]


def test_bulk_filter_matching_more_than_max_cases_is_refused(gf, monkeypatch):
    ids = _probation_cases(gf, 3)
    monkeypatch.setattr("workflow.services.bulk.MAX_CASES", 2)
    problem = ok(_bulk(gf, {"event": "publish", "filter": {"state": "decided"}}), 422)
    assert [(e["field"], e["rule"]) for e in problem["errors"]] == [("filter", "max_cases")]
    assert all(case_of(gf, i)["state"] == "decided" for i in ids)


def test_bulk_request_naming_a_case_twice_does_nothing(gf):
    first, second = _probation_cases(gf, 2)
    problem = ok(_bulk(gf, {"event": "publish", "case_ids": [first, second, first]}), 422)
    assert [(e["field"], e["rule"]) for e in problem["errors"]] == [("case_ids.2", "unique_case")]
    assert case_of(gf, first)["state"] == "decided"


def test_hr_publishes_every_decided_probation_confirmation_at_once(gf):
    """The issue's own example: the supervisor passes or fails each confirmation with its own score, sharing one
    reason; hr then publishes every decided one in one request."""
    passed, also_passed, failed, waiting = _probation_cases(gf, 4, decided=0)
    answer = ok(_bulk(gf, {"event": "pass_probation", "reason": "见习期考核合格", "cases": [
        {"id": passed, "supervisor_score": 88}, {"id": also_passed, "supervisor_score": 75, "reason": "基本合格"}]},
        as_=BOSS))
    assert answer["done"] == 2
    ok(_bulk(gf, {"event": "fail_probation", "reason": "考核不合格", "cases": [{"id": failed, "supervisor_score": 45}]},
             as_=BOSS))
    for case_id, name, score, reason in ((passed, "pass_probation", "88", "见习期考核合格"),
                                         (also_passed, "pass_probation", "75", "基本合格"),
                                         (failed, "fail_probation", "45", "考核不合格")):
        [entry] = _entries(gf, case_id, name)
        assert (entry["data"]["supervisor_score"], entry["data"]["reason"]) == (score, reason)
    answer = ok(_bulk(gf, {"event": "publish", "filter": {"kind": PROBATION, "state": "decided"}}))
    assert {r["case_id"]: r["state"] for r in answer["results"]} == \
           {passed: "published", also_passed: "published", failed: "published"}
    assert case_of(gf, waiting)["state"] == "submitted"


def test_bulk_approve_materials_records_each_cases_own_supervisor_score(gf):
    organisation(gf)
    first, second = (apply(gf, candidate(gf, no)) for no in ("E301", "E302"))
    answer = ok(_bulk(gf, {"event": "approve_materials", "comment": "材料齐全", "cases": [
        {"id": first, "supervisor_score": 81}, {"id": second, "supervisor_score": 92.5, "comment": "优秀"}]},
        as_=BOSS))
    assert answer["done"] == 2
    single = review(gf, apply(gf, candidate(gf, "E303")), 81)
    for case_id, score, comment in ((first, 81, "材料齐全"), (second, 92.5, "优秀")):
        [entry] = _entries(gf, case_id, "approve_materials")
        assert float(entry["data"]["supervisor_score"]) == score and entry["comment"] == comment
        assert case_of(gf, case_id)["state"] == single["state"] == "interview"


def test_bulk_case_sent_without_the_input_its_event_needs_is_refused_naming_the_field_and_rule(gf):
    organisation(gf)
    scored, missing, out_of_range = (apply(gf, candidate(gf, no)) for no in ("E311", "E312", "E313"))
    answer = ok(_bulk(gf, {"event": "approve_materials", "cases": [
        {"id": scored, "supervisor_score": 75}, {"id": missing}, {"id": out_of_range, "supervisor_score": 101}]},
        as_=BOSS))
    results = _results(answer)
    assert (answer["done"], answer["refused"]) == (1, 2)
    for case_id, rule in ((missing, "required"), (out_of_range, "score_range")):
        problem = results[case_id]["problem"]
        assert (problem["status"], problem["code"]) == (422, "validation_error")
        assert [(e["field"], e["rule"]) for e in problem["errors"]] == [("supervisor_score", rule)]
        assert case_of(gf, case_id)["state"] == "submitted"


def test_a_shared_input_is_checked_for_each_case_as_the_single_event_checks_it(gf):
    organisation(gf)
    done = _results(ok(_bulk(gf, {"event": "approve_materials", "supervisor_score": 80, "case_ids": [
        apply(gf, candidate(gf, "E321"))]}, as_=BOSS)))
    assert [r["result"] for r in done.values()] == ["done"]
    refused = _results(ok(_bulk(gf, {"event": "return_materials", "supervisor_score": 80, "case_ids": [
        apply(gf, candidate(gf, "E322"))]}, as_=BOSS)))
    [result] = refused.values()
    assert [(e["field"], e["rule"]) for e in result["problem"]["errors"]] == [("supervisor_score", "not_for_event")]


def test_bulk_case_inputs_are_checked_by_the_single_events_schema_before_anything_is_done(gf):
    organisation(gf)
    case_id = apply(gf, candidate(gf, "E331"))
    problem = ok(_bulk(gf, {"event": "approve_materials", "cases": [
        {"id": case_id, "supervisor_score": 80}, {"id": 2, "supervisor_score": "很好", "grade": "senior"}]},
        as_=BOSS), 422)
    assert {e["field"] for e in problem["errors"]} == {"cases.1.supervisor_score", "cases.1.grade"}
    assert case_of(gf, case_id)["state"] == "submitted"


def test_bulk_case_failing_unexpectedly_is_reported_and_the_others_are_done(gf, monkeypatch):
    first, broken, last = _probation_cases(gf, 3)
    from workflow.services import cases
    fire = cases.fire_event

    def failing(uow, rules, actor, case_id, event, **kwargs):
        if case_id == broken:
            raise RuntimeError("disk full")
        return fire(uow, rules, actor, case_id, event, **kwargs)
    monkeypatch.setattr(cases, "fire_event", failing)
    answer = ok(_bulk(gf, {"event": "publish", "case_ids": [first, broken, last]}))
    assert [r["result"] for r in answer["results"]] == ["done", "refused", "done"]
    problem = answer["results"][1]["problem"]
    assert (problem["code"], problem["status"]) == ("internal_error", 500) and "disk" not in problem["detail"]
    assert case_of(gf, broken)["state"] == "decided" and case_of(gf, last)["state"] == "published"


def test_bulk_request_with_an_idempotency_key_is_done_once(gf):
    ids = _probation_cases(gf, 2)
    body = {"event": "publish", "case_ids": ids}
    first = _bulk(gf, body, headers={"Idempotency-Key": "bulk-1"})
    again = _bulk(gf, body, headers={"Idempotency-Key": "bulk-1"})
    assert ok(first)["done"] == 2
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_json() == first.get_json()
    assert all(len(_entries(gf, i, "publish")) == 1 for i in ids)
    other = _bulk(gf, {"event": "publish", "case_ids": ids[:1]}, headers={"Idempotency-Key": "bulk-1"})
    assert ok(other, 422)["errors"][0]["rule"] == "reused_for_another_request"


def test_bulk_cases_are_each_their_own_transaction_with_an_idempotency_key(gf):
    """The key defers no commit: a refused case undoes nothing of the others, and the answer is stored."""
    done, refused = _probation_cases(gf, 2, decided=1)
    answer = ok(_bulk(gf, {"event": "publish", "case_ids": [done, refused]}, headers={"Idempotency-Key": "k2"}))
    assert [r["result"] for r in answer["results"]] == ["done", "refused"]
    assert case_of(gf, done)["state"] == "published"


def test_two_bulk_requests_over_the_same_cases_at_once_change_each_case_once(gf):
    ids = _probation_cases(gf, 6)
    token = gf.token(HR)

    def publish_all(order):
        def send():
            return gf.app.test_client().post("/api/v1/cases/events", headers={"Authorization": f"Bearer {token}"},
                                             json={"event": "publish", "case_ids": order})
        return send

    answers = [ok(a) for a in at_once([publish_all(ids), publish_all(list(reversed(ids)))])]
    for case_id in ids:
        outcomes = sorted(_results(a)[case_id]["result"] for a in answers)
        assert outcomes == ["done", "refused"], (case_id, outcomes)
        assert len(_entries(gf, case_id, "publish")) == 1
        assert case_of(gf, case_id)["state"] == "published"


def test_two_bulk_requests_with_one_idempotency_key_at_once_are_done_once(gf):
    ids = _probation_cases(gf, 4)
    token = gf.token(HR)

    def send():
        return gf.app.test_client().post("/api/v1/cases/events", json={"event": "publish", "case_ids": ids},
                                         headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "same"})

    # the one that did the work first; the other waited for nothing: 409 while it ran, or its stored answer after
    done, other = sorted(at_once([send, send]), key=lambda a: (a.status_code, "Idempotent-Replayed" in a.headers))
    assert ok(done)["done"] == 4
    assert (other.status_code == 409 and other.get_json()["code"] == "request_in_progress") or \
           (other.get_json() == done.get_json() and other.headers["Idempotent-Replayed"] == "true")
    assert all(len(_entries(gf, case_id, "publish")) == 1 for case_id in ids)


def test_a_repeat_sent_while_the_bulk_request_runs_is_request_in_progress(gf, monkeypatch):
    ids = _probation_cases(gf, 2)
    body, key = {"event": "publish", "case_ids": ids}, {"Idempotency-Key": "running"}
    headers = key | {"Authorization": f"Bearer {gf.token(HR)}"}
    repeats = []
    fire_events = bulk.fire_events

    def with_a_repeat(*args, **kwargs):  # another client sends the repeat (a thread: contexts of its own)
        repeat = threading.Thread(target=lambda: repeats.append(
            gf.app.test_client().post("/api/v1/cases/events", json=body, headers=headers)))
        repeat.start()
        repeat.join(timeout=60)
        return fire_events(*args, **kwargs)
    monkeypatch.setattr(bulk, "fire_events", with_a_repeat)
    first = ok(_bulk(gf, body, headers=key))
    assert ok(repeats[0], 409)["code"] == "request_in_progress" and first["done"] == 2
    monkeypatch.setattr(bulk, "fire_events", fire_events)
    again = _bulk(gf, body, headers=key)
    assert ok(again) == first and again.headers["Idempotent-Replayed"] == "true"


def _dies_after_its_first_case(monkeypatch, gf, body: dict, key: dict) -> None:
    """A bulk request that claims its key, does its first case and dies: its key is left in progress."""
    from api import idempotency
    fire_events = bulk.fire_events
    monkeypatch.setattr(bulk, "fire_events", lambda own, rules, actor, event, targets, **kw: fire_events(
        own, rules, actor, event, targets[:1], **kw))
    monkeypatch.setattr(idempotency, "_store_after_the_change", lambda request_, until, response: response)
    _bulk(gf, body, headers=key)  # its answer never reaches the client
    monkeypatch.undo()


def test_a_key_claimed_by_a_bulk_request_that_died_is_taken_over_once_its_lease_lapses(build, monkeypatch):
    from tests.support.driver import Driver
    gf = Driver(build(GRADEFLOW_IDEMPOTENCY_LEASE=600))
    first, second = ids = _probation_cases(gf, 2)
    body, key = {"event": "publish", "case_ids": ids}, {"Idempotency-Key": "died"}
    _dies_after_its_first_case(monkeypatch, gf, body, key)
    move_clock(gf, "2026-09-01T09:09:00+08:00")  # the claim lasts 10 minutes from 09:00
    assert ok(_bulk(gf, body, headers=key), 409)["code"] == "request_in_progress"
    assert case_of(gf, second)["state"] == "decided"
    move_clock(gf, "2026-09-01T09:10:01+08:00")
    answer = _bulk(gf, body, headers=key)
    assert "Idempotent-Replayed" not in answer.headers
    results = _results(ok(answer))  # each case judged again: the one done before is refused, not done twice
    assert (results[first]["result"], results[first]["problem"]["code"]) == ("refused", "invalid_transition")
    assert results[second]["result"] == "done" and case_of(gf, second)["state"] == "published"
    assert all(len(_entries(gf, case_id, "publish")) == 1 for case_id in ids)
    again = _bulk(gf, body, headers=key)
    assert again.headers["Idempotent-Replayed"] == "true" and ok(again) == ok(answer)


def test_a_bulk_request_that_outlives_its_lease_leaves_the_answer_of_the_repeat_that_took_it_over(gf, monkeypatch):
    ids = _probation_cases(gf, 2)
    body, key = {"event": "publish", "case_ids": ids}, {"Idempotency-Key": "slow"}
    headers = key | {"Authorization": f"Bearer {gf.token(HR)}"}
    repeats = []
    fire_events = bulk.fire_events

    def after_a_repeat_past_the_lease(*args, **kwargs):
        if repeats:  # the repeat itself
            return fire_events(*args, **kwargs)
        repeats.append(None)

        def repeat():
            move_clock(gf, "2026-09-01T10:00:01+08:00")  # the default lease, an hour, has lapsed
            repeats[0] = gf.app.test_client().post("/api/v1/cases/events", json=body, headers=headers)
        thread = threading.Thread(target=repeat)
        thread.start()
        thread.join(timeout=60)
        return fire_events(*args, **kwargs)
    monkeypatch.setattr(bulk, "fire_events", after_a_repeat_past_the_lease)
    slow = ok(_bulk(gf, body, headers=key))
    monkeypatch.setattr(bulk, "fire_events", fire_events)
    taken_over = ok(repeats[0])
    assert (taken_over["done"], slow["done"], slow["refused"]) == (2, 0, 2)
    again = _bulk(gf, body, headers=key)
    assert again.headers["Idempotent-Replayed"] == "true" and ok(again) == taken_over


def test_a_repeat_of_a_bulk_request_whose_lease_lapsed_with_another_body_is_still_refused(gf, monkeypatch):
    ids = _probation_cases(gf, 2)
    key = {"Idempotency-Key": "died"}
    _dies_after_its_first_case(monkeypatch, gf, {"event": "publish", "case_ids": ids}, key)
    move_clock(gf, "2026-09-03T09:00:00+08:00")
    other = _bulk(gf, {"event": "publish", "case_ids": ids[1:]}, headers=key)
    assert ok(other, 422)["errors"][0]["rule"] == "reused_for_another_request"
    assert case_of(gf, ids[1])["state"] == "decided"


def test_a_bulk_request_refused_after_claiming_its_key_frees_it(gf):
    case_id, = _in_interview(gf, "E161")
    key = {"Idempotency-Key": "sheet"}
    assert ok(gf.post("/cycles/NOPE/scores", as_="chair", json=[{"case_id": case_id, "score": 70}], headers=key),
              404)["code"] == "not_found"
    answer = ok(gf.post("/cycles/NOPE/scores", as_="chair", json=[{"case_id": case_id, "score": 70}], headers=key),
                404)
    assert answer["code"] == "not_found"  # judged again, not 409 request_in_progress


def _measured_bulk(gf, app, ids) -> int:
    gf.token(HR)
    with counting(app) as seen:
        ok(_bulk(gf, {"event": "publish", "case_ids": ids}))
    return len(seen)


PER_CASE_BUDGET = 15  # a state-changing case request's budget (tests/api/test_statement_budgets.py)


def test_bulk_statements_grow_at_most_linearly_with_a_fixed_budget_per_case(build):
    from tests.support.driver import Driver
    gf = Driver(build(GRADEFLOW_CLOCK="system"))
    ids = _probation_cases(gf, 7)
    two, five = _measured_bulk(gf, gf.app, ids[:2]), _measured_bulk(gf, gf.app, ids[2:])
    per_case = (five - two) / 3
    assert per_case <= PER_CASE_BUDGET, (two, five)
    assert five <= 5 * PER_CASE_BUDGET + (two - 2 * per_case), (two, five)


# --- the scoring sheet ---------------------------------------------------------------------------------

def _in_interview(gf, *nos: str) -> list[int]:
    organisation(gf)
    ids = []
    for no in nos:
        candidate(gf, no)
        case_id = apply(gf, no)
        review(gf, case_id, 80)
        ids.append(case_id)
    return ids


def _sheet(gf, rows, as_="chair", code=CYCLE):
    return gf.post(f"/cycles/{code}/scores", as_=as_, json=rows)


def test_score_sheet_records_each_row_as_a_single_score(gf):
    first, second = _in_interview(gf, "E101", "E102")
    ok(gf.put(f"/cases/{first}/score", as_="cm2", json={"score": 77, "comment": "清楚"}))
    answer = ok(_sheet(gf, [{"case_id": second, "score": 77, "comment": "清楚"}], as_="cm2"))
    assert (answer["cycle"], answer["done"]) == (CYCLE, 1)
    shown = ("actor", "event", "from_state", "to_state", "comment", "data")
    assert [{k: e[k] for k in shown} for e in _entries(gf, second, "score")] == \
           [{k: e[k] for k in shown} for e in _entries(gf, first, "score")]


def test_score_sheet_reports_each_row_refused_by_the_score_rules(gf):
    ok_case, out_of_range, unknown = *_in_interview(gf, "E111", "E112"), 999999
    answer = ok(_sheet(gf, [{"case_id": ok_case, "score": 88}, {"case_id": out_of_range, "score": 101},
                            {"case_id": unknown, "score": 70}]))
    results = _results(answer)
    assert results[ok_case]["result"] == "done"
    assert results[out_of_range]["problem"]["code"] == "validation_error"
    assert [(e["field"], e["rule"]) for e in results[out_of_range]["problem"]["errors"]] == [("score", "score_range")]
    assert results[unknown]["problem"]["code"] == "not_found"
    assert ok(gf.get(f"/cases/{ok_case}", as_="chair"))["interview"]["my_score"] == 88


def test_score_sheet_respects_recusal(gf):
    case_id, other = _in_interview(gf, "E121", "E122")
    ok(gf.post(f"/cases/{case_id}/recusal", as_="cm3", json={"comment": "亲属"}))
    answer = ok(_sheet(gf, [{"case_id": case_id, "score": 70}, {"case_id": other, "score": 70}], as_="cm3"))
    assert [r.get("problem", {}).get("code") for r in answer["results"]] == ["recused", None]
    assert answer["results"][0]["problem"]["status"] == 403


def test_score_sheet_ends_the_interview_of_a_case_its_last_score_completes(gf):
    case_id, = _in_interview(gf, "E131")
    for member in COMMITTEE[:2]:
        ok(gf.put(f"/cases/{case_id}/score", as_=member, json={"score": 75}))
    answer = ok(_sheet(gf, [{"case_id": case_id, "score": 75}], as_=COMMITTEE[2]))
    assert answer["results"][0]["state"] == "deliberation"
    assert len(_entries(gf, case_id, "interview_complete")) == 1


def test_score_sheet_takes_only_the_cycles_cases(gf):
    case_id, = _in_interview(gf, "E141")
    open_cycle(gf, "2027H1")
    answer = ok(_sheet(gf, [{"case_id": case_id, "score": 70}], code="2027H1"))
    assert answer["results"][0]["problem"]["code"] == "not_found"
    assert ok(gf.get(f"/cases/{case_id}", as_="chair"))["interview"]["my_score"] is None


def test_score_sheet_of_a_cycle_not_the_callers_is_not_found(gf):
    case_id, = _in_interview(gf, "E151")
    assert ok(_sheet(gf, [{"case_id": case_id, "score": 70}], as_="cm4"), 404)["code"] == "not_found"
    assert ok(_sheet(gf, [{"case_id": case_id, "score": 70}], code="NOPE"), 404)["code"] == "not_found"


def test_score_sheet_rows_are_validated_by_field(gf):
    organisation(gf)
    problem = ok(_sheet(gf, [{"case_id": 1}, {"case_id": 2, "score": 70, "grade": "x"}]), 422)
    assert sorted((e["field"], e["rule"]) for e in problem["errors"]) == [("0.score", "required"),
                                                                        ("1.grade", "unknown_field")]
