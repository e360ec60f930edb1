"""Grading rules of a period close (issue 14, point 1; workflow/grading_rules.py): conditions on results and on the
events of a manager's record lead to a move up or down by n grades, a suspension (待岗), a reinstatement or an exit,
through a case of its kind or, where the rule says `direct`, taking effect at the close; idempotent like every
trigger, and foreseen without writing by GET /evaluations/{period}/preview (point 5).

The manual clock starts on 2026-09-01 (a Tuesday): 2026Q2 is over and may be closed by hr."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import Case, ManagerEvent, QuarterResult, db
from tests.support.answers import assert_problem, ok
from tests.support.driver import Driver
from tests.support.policies import policy_file
from tests.support.reads import case_of, grade_history, manager
from tests.support.steps import event, move_clock
from tests.support.world import HR, organisation

SYSTEM = "(gradeflow)"


def with_rules(build, tmp_path, rules: list[dict], change=lambda document: None) -> Driver:
    def edit(document):
        document["quarter_close"]["rules"] = rules
        change(document)
    gf = Driver(build(GRADEFLOW_POLICY=policy_file(tmp_path, edit)))
    organisation(gf)
    return gf


def records(gf, no: str, grade: str = "mid", **scores) -> str:
    """A manager of `grade` under S900 with quarter records: period=score or period=(score, months worked)."""
    gf.manager(no, grade, supervisor="S900", login=True)
    for period, value in scores.items():
        score, months = value if isinstance(value, tuple) else (value, 3)
        gf.performance(no, period, score, months_worked=months)
    return no


def close(gf, period: str = "2026Q2") -> dict:
    ok(gf.post(f"/evaluations/{period}/close", as_=HR))
    return ok(gf.post(f"/evaluations/{period}/close", as_=HR))  # the recorded close, read by a repeat


def note(gf, no: str, **body) -> None:
    ok(gf.post(f"/managers/{no}/events", as_=HR, json=body), 201)


def outcomes(app, period: str = "2026Q2") -> dict[str, str]:
    with app.app_context():
        rows = db.session.execute(sa.select(QuarterResult.employee_no, QuarterResult.outcome)
                                  .where(QuarterResult.period == period)).all()
        db.session.remove()
    return dict(rows)


def cases(app) -> list[Case]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(Case).order_by(Case.id)))
        db.session.remove()
    return rows


TWO_EXCELLENT_QUARTERS = {"code": "two_excellent_quarters", "zh": "连续两季优秀晋级", "grades": ["junior"],
                          "periods": 2, "score_at_least": 95, "move": {"up": 1}}


def test_two_excellent_quarters_open_an_advancement_case_that_moves_the_grade_once_final(build, tmp_path):
    gf = with_rules(build, tmp_path, [TWO_EXCELLENT_QUARTERS])
    records(gf, "J001", "junior", **{"2026Q1": "96", "2026Q2": "97"})
    records(gf, "J002", "junior", **{"2026Q1": "90", "2026Q2": "97"})  # one excellent quarter
    records(gf, "J003", "junior", **{"2026Q1": ("96", 1), "2026Q2": "97"})  # a quarter with too few months

    body = close(gf)

    [case_id] = body["advancement_cases"]
    shown = case_of(gf, case_id)
    assert (shown["kind"], shown["employee_no"], shown["state"], shown["target_grade"]) == (
        "advancement", "J001", "deliberation", "mid")
    [reason] = gf.history(case_id, HR)[0]["data"]["quarter_close"]
    assert (reason["code"], reason["move"], reason["steps"]) == ("two_excellent_quarters", "up", 1)
    assert [p["period"] for p in reason["periods"]] == ["2026Q1", "2026Q2"]
    assert outcomes(gf.app) == {"J001": "advancement", "J002": "kept", "J003": "kept"}

    assert ok(event(gf, case_id, "approve", HR))["state"] == "decided"
    assert ok(event(gf, case_id, "publish", HR))["appeal_deadline"] == "2026-09-04T23:59:59+08:00"
    move_clock(gf, "2026-09-05T00:00:00+08:00")
    assert manager(gf, "J001")["grade"] == "mid"
    assert grade_history(gf, "J001") == [
        {"from_grade": "junior", "to_grade": "mid", "effective_on": "2026-09-05", "case_id": case_id}]


def test_a_direct_rule_moves_the_grade_at_the_close_from_the_day_after_the_period(build, tmp_path):
    gf = with_rules(build, tmp_path, [
        {"code": "auto_up", "zh": "自动升级", "grades": ["junior"], "score_at_least": 90, "move": {"up": 1},
         "direct": True},
        {"code": "auto_down", "zh": "自动降级", "grades": ["mid"], "score_below": 60, "move": {"down": 1},
         "direct": True}])
    records(gf, "J001", "junior", **{"2026Q2": "92"})
    records(gf, "M001", "mid", **{"2026Q2": "50"})
    records(gf, "M002", "mid", **{"2026Q2": "75"})

    body = close(gf)

    assert len(body["moved_cases"]) == 2 and outcomes(gf.app) == {"J001": "moved", "M001": "moved", "M002": "kept"}
    assert (manager(gf, "J001")["grade"], manager(gf, "M001")["grade"]) == ("mid", "junior")
    up, down = body["moved_cases"]
    assert grade_history(gf, "J001") == [
        {"from_grade": "junior", "to_grade": "mid", "effective_on": "2026-07-01", "case_id": up}]
    assert grade_history(gf, "M001") == [
        {"from_grade": "mid", "to_grade": "junior", "effective_on": "2026-07-01", "case_id": down}]
    assert case_of(gf, up)["state"] == "effective"
    assert [(h["event"], h["actor"]) for h in gf.history(up, HR)] == [
        ("submit", SYSTEM), ("approve", SYSTEM), ("publish", SYSTEM), ("finalize", SYSTEM)]
    assert close(gf) == body  # idempotent: the repeat moves nobody again
    assert manager(gf, "J001")["grade"] == "mid"


def test_a_rule_may_move_two_grades_down_where_the_ladder_allows_it(build, tmp_path):
    def two_steps(document):
        document["ladder"]["demotion_steps"] = 2
    gf = with_rules(build, tmp_path, [{"code": "far_below", "zh": "严重不达标降两级", "grades": ["senior"],
                                       "score_below": 50, "move": {"down": 2}}], two_steps)
    records(gf, "S001", "senior", **{"2026Q2": "40"})

    [case_id] = close(gf)["demotion_cases"]

    assert (case_of(gf, case_id)["from_grade"], case_of(gf, case_id)["target_grade"]) == ("senior", "junior")
    ok(event(gf, case_id, "approve", HR))
    ok(event(gf, case_id, "publish", HR))
    move_clock(gf, "2026-09-05T00:00:00+08:00")
    assert manager(gf, "S001")["grade"] == "junior"


def test_a_move_goes_as_far_as_the_ladder_allows(build, tmp_path):
    gf = with_rules(build, tmp_path, [
        {"code": "up", "zh": "晋级", "score_at_least": 90, "move": {"up": 1}},
        {"code": "down", "zh": "降级", "score_below": 60, "move": {"down": 1}}])
    records(gf, "S001", "senior", **{"2026Q2": "95"})  # the top of the ladder
    records(gf, "J001", "junior", **{"2026Q2": "50"})  # the demotion floor

    assert close(gf)["not_demotable"] == ["J001"]
    assert outcomes(gf.app) == {"S001": "kept", "J001": "not_demotable"} and cases(gf.app) == []


def test_the_bottom_two_of_a_quarter_are_dismissed_ranked_among_the_company(build, tmp_path):
    gf = with_rules(build, tmp_path, [{"code": "bottom_two", "zh": "季度考评总分最低两名淘汰辞退", "bottom": 2,
                                       "rank_among": "company", "move": "exit"}])
    records(gf, "M001", **{"2026Q2": "70"})
    records(gf, "M002", **{"2026Q2": "60"})
    records(gf, "M003", **{"2026Q2": "60"})  # tied with M002: both are last
    records(gf, "M004", **{"2026Q2": "90"})
    records(gf, "M005", **{"2026Q2": ("10", 1)})  # excluded: too few months; ranked with nobody

    body = close(gf)

    exits = {case_of(gf, c)["employee_no"]: case_of(gf, c) for c in body["exit_cases"]}
    assert set(exits) == {"M002", "M003"}
    assert {(c["kind"], c["target_grade"], c["state"]) for c in exits.values()} == {("exit", "exited", "deliberation")}
    [reason] = gf.history(exits["M002"]["id"], HR)[0]["data"]["quarter_close"]
    assert reason["periods"] == [{"period": "2026Q2", "score": "60.00", "rank_from_bottom": 1, "rank_from_top": 3,
                                  "peers": 4}]
    assert body["excluded"] == ["M005"]


def test_complaints_leave_and_absence_move_as_the_rules_count_them_and_the_gravest_move_wins(build, tmp_path):
    gf = with_rules(build, tmp_path, [
        {"code": "three_complaints", "zh": "累计投诉三次解聘", "events": {"complaint": 3}, "move": "exit"},
        {"code": "long_leave", "zh": "一次请假超过15天辞退", "leave_days_over": 15, "move": "exit"},
        {"code": "other_absence", "zh": "其他原因缺勤降一级", "leave_reasons": ["other"], "leave_times": 1,
         "move": {"down": 1}}])
    for no in ("M001", "M002", "M003", "M004", "M005"):
        records(gf, no, **{"2026Q2": "85"})
    for day in ("2026-04-03", "2026-05-03", "2026-06-03"):
        note(gf, "M001", kind="complaint", occurred_on=day)
    note(gf, "M001", kind="leave", occurred_on="2026-06-10", days=2, reason="other")  # exit outweighs it
    note(gf, "M002", kind="complaint", occurred_on="2026-03-31")  # in the quarter before: not counted
    for day in ("2026-05-03", "2026-06-03"):
        note(gf, "M002", kind="complaint", occurred_on=day)
    note(gf, "M003", kind="leave", occurred_on="2026-05-04", days=16, reason="sick")
    note(gf, "M004", kind="leave", occurred_on="2026-05-04", days=3, reason="other")
    note(gf, "M005", kind="leave", occurred_on="2026-05-04", days=15, reason="annual")  # 15 days is not over 15

    body = close(gf)

    assert outcomes(gf.app) == {"M001": "exit", "M002": "kept", "M003": "exit", "M004": "demotion", "M005": "kept"}
    [m001] = [c for c in body["exit_cases"] if case_of(gf, c)["employee_no"] == "M001"]
    [reason] = gf.history(m001, HR)[0]["data"]["quarter_close"]
    assert (reason["code"], reason["events"]) == ("three_complaints", {"complaint": 3})


def test_a_suspension_and_the_way_back_from_it_or_out(build, tmp_path):
    gf = with_rules(build, tmp_path, [
        {"code": "failing", "zh": "考核不合格待岗", "score_below": 60, "move": "suspend"},
        {"code": "passed", "zh": "待岗考核合格复岗", "standing": "suspended", "score_at_least": 80,
         "move": "reinstate"},
        {"code": "still_failing", "zh": "待岗期满仍不合格解聘", "standing": "suspended", "score_below": 60,
         "move": "exit"}])
    records(gf, "M001", **{"2026Q1": "50", "2026Q2": "85"})
    records(gf, "M002", **{"2026Q1": "50", "2026Q2": "55"})

    assert close(gf, "2026Q1")["suspended"] == ["M001", "M002"]
    assert [manager(gf, no)["standing"] for no in ("M001", "M002")] == ["suspended", "suspended"]
    [suspension] = ok(gf.get("/managers/M001/events", as_=HR))
    assert (suspension["kind"], suspension["recorded_by"], suspension["note"]) == (
        "suspension", SYSTEM, "2026Q1: 考核不合格待岗")

    body = close(gf)
    assert body["reinstated"] == ["M001"] and manager(gf, "M001")["standing"] == "active"
    [exit_case] = body["exit_cases"]
    assert case_of(gf, exit_case)["employee_no"] == "M002"


def test_one_stretch_moves_once_even_when_its_move_was_denied(build, tmp_path):
    gf = with_rules(build, tmp_path, [TWO_EXCELLENT_QUARTERS])
    records(gf, "J001", "junior", **{"2026Q1": "96", "2026Q2": "97", "2026Q3": "98"})
    [case_id] = close(gf)["advancement_cases"]
    ok(event(gf, case_id, "deny", HR, comment="复核后不予晋级"))
    ok(event(gf, case_id, "publish", HR))
    move_clock(gf, "2026-10-01T00:30:00+08:00")  # the Q2 case closed; Q3 is over, its close not yet run

    assert close(gf, "2026Q3")["advancement_cases"] == []  # Q2 counted already: Q3 alone is not two quarters
    assert outcomes(gf.app, "2026Q3") == {"J001": "kept"}


def test_a_move_waits_for_the_managers_open_case_and_opens_once_it_has_ended(build, tmp_path):
    gf = with_rules(build, tmp_path, [{"code": "up", "zh": "优秀晋级", "grades": ["junior"], "score_at_least": 95,
                                       "move": {"up": 1}}])
    records(gf, "J001", "junior", **{"2025": "95", "2026Q2": "97"})
    application = ok(gf.post("/cases", as_="j001", json={"cycle": "2026H2", "target_grade": "mid",
                                                          "statement": "申请晋级"}), 201)

    assert close(gf)["deferred"] == ["J001"]
    ok(event(gf, application["id"], "withdraw", "j001"))
    move_clock(gf, "2026-09-03T09:00:00+08:00")  # the deferred move is tried again a day later

    [opened] = [c for c in cases(gf.app) if c.kind == "advancement"]
    assert (opened.employee_no, opened.target_grade, opened.state) == ("J001", "mid", "deliberation")


def test_the_preview_foresees_what_the_close_does_and_writes_nothing(build, tmp_path):
    gf = with_rules(build, tmp_path, [
        TWO_EXCELLENT_QUARTERS,
        {"code": "three_complaints", "zh": "累计投诉三次解聘", "events": {"complaint": 3}, "move": "exit"},
        {"code": "auto_down", "zh": "自动降级", "grades": ["mid"], "score_below": 60, "move": {"down": 1},
         "direct": True}])
    records(gf, "J001", "junior", **{"2026Q1": "96", "2026Q2": "97"})
    records(gf, "M001", **{"2026Q2": "85"})
    records(gf, "M002", **{"2026Q2": "50"})
    records(gf, "M003", **{"2026Q2": ("50", 1)})
    for day in ("2026-04-03", "2026-05-03", "2026-06-03"):
        note(gf, "M001", kind="complaint", occurred_on=day)

    preview = ok(gf.get("/evaluations/2026Q2/preview", as_=HR))

    foreseen = {r["employee_no"]: (r["outcome"], r["target"], r["move"]) for r in preview["foreseen"]}
    assert foreseen == {"J001": ("advancement", "mid", {"move": "up", "steps": 1}),
                        "M001": ("exit", "exited", {"move": "exit"}),
                        "M002": ("moved", "junior", {"move": "down", "steps": 1}),
                        "M003": ("excluded", None, None)}
    assert (preview["over"], preview["recorded"]) == (True, None)
    assert cases(gf.app) == [] and outcomes(gf.app) == {} and manager(gf, "M002")["grade"] == "mid"
    assert_problem(gf.get("/evaluations/2026Q2/preview", as_="m001"), 403, "forbidden")

    close(gf)
    assert outcomes(gf.app) == {no: outcome for no, (outcome, _, _) in foreseen.items()}
    assert ok(gf.get("/evaluations/2026Q2/preview", as_=HR))["recorded"]["period"] == "2026Q2"


@pytest.mark.parametrize("rule, key, problem", [
    ({"move": {"up": 1}}, "quarter_close.rules[0]", "names no condition"),
    ({"move": "promote", "score_below": 60}, "quarter_close.rules[0].move", "one of: suspend, reinstate, exit"),
    ({"move": {"down": 2}, "score_below": 60}, "quarter_close.rules[0].move.down", "must be between 1 and 1"),
    ({"move": "suspend", "direct": False, "score_below": 60}, "quarter_close.rules[0].direct", "it is direct"),
    ({"move": {"up": 1}, "grades": ["chief"], "score_below": 60}, "quarter_close.rules[0].grades[0]",
     "'chief' is not a grade of the ladder"),
    ({"move": {"up": 1}, "metric_at_least": {"new_customers": 60}}, "quarter_close.rules[0].metric_at_least."
     "new_customers", "unknown key"),
    ({"move": "exit", "events": {"praise": 1}}, "quarter_close.rules[0].events.praise", "unknown key"),
    ({"move": "exit", "events": {"suspension": 1}}, "quarter_close.rules[0].events.suspension", "unknown key"),
    ({"move": {"down": 1}, "months_worked_below": 4}, "quarter_close.rules[0].months_worked_below",
     "holds for everyone"),
    ({"move": {"up": 1}, "score_at_least": 90, "score_below": 60}, "quarter_close.rules[0].score_at_least",
     "no score is both"),
    ({"move": "exit", "bottom_percent": 0}, "quarter_close.rules[0].bottom_percent", "must be above 0"),
    ({"move": "suspend", "standing": "suspended", "score_below": 60}, "quarter_close.rules[0].standing",
     "not suspended again"),
    ({"move": {"up": 1}, "standing": "suspended", "score_at_least": 90}, "quarter_close.rules[0].standing",
     "not moved up"),
])
def test_a_bad_rule_is_named_with_its_key_when_the_policy_is_loaded(rule, key, problem):
    from workflow.policy import PolicyError, parse_policy
    from tests.support.policies import default_document
    import yaml
    document = default_document()
    document["quarter_close"]["rules"] = [{"code": "rule", "zh": "规则"} | rule]
    with pytest.raises(PolicyError) as refused:
        parse_policy(yaml.safe_dump(document, allow_unicode=True))
    assert (refused.value.key, problem in refused.value.problem) == (key, True), str(refused.value)


def test_a_direct_move_whose_case_has_stages_of_its_own_is_refused_when_the_policy_is_loaded():
    from workflow.policy import PolicyError, parse_policy
    from tests.support.policies import default_document
    import yaml
    document = default_document()
    document["stages"] = {"demotion": [{"stage": "talk", "label": "谈话", "by": "hr"}]}
    document["quarter_close"]["rules"] = [{"code": "auto_down", "zh": "自动降级", "score_below": 60,
                                           "move": {"down": 1}, "direct": True}]
    with pytest.raises(PolicyError) as refused:
        parse_policy(yaml.safe_dump(document, allow_unicode=True))
    assert refused.value.key == "quarter_close.rules[0].direct" and "stages" in refused.value.problem


def test_the_grading_rules_documented_example_prints_as_the_page_says():
    from tests.support.policies import documented_example
    lines, printed = documented_example("Grading rules", "Events on a manager's record")
    assert printed and all(line in lines for line in printed)


def test_events_the_close_writes_are_in_the_chain(build, tmp_path):
    from models.audit import verify_chain
    gf = with_rules(build, tmp_path, [{"code": "failing", "zh": "不合格待岗", "score_below": 60, "move": "suspend"}])
    records(gf, "M001", **{"2026Q2": "50"})
    close(gf)
    with gf.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ManagerEvent)) == 1
        assert verify_chain(db.session)[1] is None
        db.session.remove()


def test_direct_moves_up_take_the_quota_s_free_places_best_score_first(build, tmp_path):
    """Seniors at most 30 % of an org unit: with S900 in its own unit, 北京分行's seven managers leave floor(2.1) = 2
    places; the two best of four mids at 95 or more move at the close, the others' cases are denied (kept)."""
    gf = with_rules(build, tmp_path, [{"code": "auto_up", "zh": "自动晋级", "grades": ["mid"], "score_at_least": 95,
                                       "move": {"up": 1}, "direct": True}])
    for no, score in (("M001", "95"), ("M002", "99"), ("M003", "97"), ("M004", "96")):
        records(gf, no, **{"2026Q2": score})
    for no in ("J001", "J002", "J003"):
        records(gf, no, "junior", **{"2026Q2": "80"})

    body = close(gf)

    assert {no: manager(gf, no)["grade"] for no in ("M001", "M002", "M003", "M004")} == {
        "M001": "mid", "M002": "senior", "M003": "senior", "M004": "mid"}
    assert outcomes(gf.app) | {} == {"M001": "kept", "M002": "moved", "M003": "moved", "M004": "kept",
                                     "J001": "kept", "J002": "kept", "J003": "kept"}
    assert len(body["moved_cases"]) == 2
    denied = [c for c in cases(gf.app) if c.employee_no in ("M001", "M004")]
    assert {(c.state, tuple(c.reasons)) for c in denied} == {("closed", ("quota_exceeded",))}


def test_a_deferred_direct_move_takes_effect_from_the_day_it_is_carried_out_if_the_rule_still_applies(build, tmp_path):
    gf = with_rules(build, tmp_path, [{"code": "auto_down", "zh": "自动降级", "grades": ["mid"], "score_below": 60,
                                       "move": {"down": 1}, "direct": True}])
    records(gf, "M001", **{"2026Q2": "50"})
    records(gf, "M002", **{"2026Q2": "50"})
    for no in ("M001", "M002"):
        ok(gf.post("/cases", as_=HR, json={"kind": "exit" if no == "M002" else "demotion", "employee_no": no,
                                           "statement": "hr 的案件"}), 201)
    assert close(gf)["deferred"] == ["M001", "M002"]
    for case in cases(gf.app):  # hr withdraws M001's demotion (denied) and approves M002's exit
        decision = "deny" if case.employee_no == "M001" else "approve"
        ok(event(gf, case.id, decision, HR, comment="hr 的决定"))
        ok(event(gf, case.id, "publish", HR))
    move_clock(gf, "2026-09-06T09:00:00+08:00")  # both cases final on 09-05; the deferred moves tried too early
    move_clock(gf, "2026-09-07T10:00:00+08:00")  # a day after that try: carried out

    assert grade_history(gf, "M001")[-1]["effective_on"] == "2026-09-07"  # not back-dated to 2026-07-01
    assert manager(gf, "M001")["grade"] == "junior"
    assert manager(gf, "M002")["grade"] == "exited"  # gone: nothing more to move, and no case opened for it
    assert [c.kind for c in cases(gf.app) if c.employee_no == "M002"] == ["exit"]


def test_events_that_opened_a_case_do_not_open_another_at_the_next_close(build, tmp_path):
    gf = with_rules(build, tmp_path, [{"code": "three_complaints", "zh": "累计投诉三次解聘", "events": {"complaint": 3},
                                       "periods": 4, "move": "exit"}])
    records(gf, "M001", **{"2026Q1": "85", "2026Q2": "85"})
    for day in ("2026-01-05", "2026-02-05", "2026-03-05"):
        note(gf, "M001", kind="complaint", occurred_on=day)
    [exit_case] = close(gf, "2026Q1")["exit_cases"]
    ok(event(gf, exit_case, "deny", HR, comment="教育在先"))
    ok(event(gf, exit_case, "publish", HR))
    move_clock(gf, "2026-09-05T09:00:00+08:00")  # the case closed

    assert close(gf)["exit_cases"] == []  # the same three complaints are not counted again


@pytest.mark.parametrize("part", [1, 2, None])
def test_a_close_in_parts_moves_every_manager_as_a_close_in_one_part_does(build, tmp_path, part):
    """The close works a part at a time, each in its own transaction: ranks read the whole period whatever the part,
    and a manager moved at the close in an earlier part is ranked by the grade held on the period's last day."""
    from tests.support.app_services import rules_of, unit_of_work
    from workflow.services import evaluations
    gf = with_rules(build, tmp_path, [
        {"code": "bottom_two", "zh": "末两名淘汰", "grades": ["mid"], "bottom": 2, "rank_among": "company",
         "move": "exit"},
        {"code": "auto_up", "zh": "自动晋级", "grades": ["junior"], "score_at_least": 90, "move": {"up": 1},
         "direct": True},
        {"code": "three_complaints", "zh": "累计投诉三次解聘", "events": {"complaint": 3}, "move": "exit"}])
    for no, grade, score in (("J001", "junior", "92"), ("J002", "junior", "60"), ("M001", "mid", "70"),
                             ("M002", "mid", "88"), ("M003", "mid", "65"), ("M004", "mid", "90")):
        records(gf, no, grade, **{"2026Q2": score})
    for day in ("2026-04-03", "2026-05-03", "2026-06-03"):
        note(gf, "J002", kind="complaint", occurred_on=day)
    with gf.app.app_context():
        evaluations.close_quarter(unit_of_work(), rules_of(gf.app), None, "2026Q2", part=part)
        db.session.remove()

    # J001 moved up at the close is not counted among the mids of 2026Q2: the bottom two are M003 and M001
    assert outcomes(gf.app) == {"J001": "moved", "J002": "exit", "M001": "exit", "M002": "kept", "M003": "exit",
                                "M004": "kept"}
    assert manager(gf, "J001")["grade"] == "mid"
