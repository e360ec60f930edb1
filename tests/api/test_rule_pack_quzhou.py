"""A year of China Mobile's Quzhou branch under its rule pack (issue 14, point 4; workflow/policies/cmcc-quzhou.yaml,
docs/rule-packs/cmcc-quzhou.md; seed 002, 衢州移动 客户经理分级管理).

柯城区分公司: its head KC00 and two more seniors, mids KC01–KC04, juniors KC05–KC08 and KC09 on a two-month trial
(试岗期). In the 2026-H2 cycle KC05 applies for mid: supervisor's review, the committee's case analysis (案例分析演讲),
the decision, and hr's publication, which takes effect at once (立即生效). KC09's trial fails: 辞退. In January
hr enters the year's scores; the year's close (2027-01-15, 02:00) re-grades: the bottom 30 % of the mids and 50 %
of the seniors re-compete for their grade (a demotion case each, which the competition decides), a mid absent
for other reasons who worked under two months goes down one grade, one whose absence was sick leave is left out of
the year, and misconduct suspends (待岗)."""
from __future__ import annotations

from datetime import date

from tests.support.answers import ok
from tests.support.driver import Driver
from tests.support.reads import case_of, grade_history, manager
from tests.support.steps import event, move_clock
from tests.support.world import ADMIN, HR

UNIT = "衢州/柯城区分公司"
CYCLE = "2026H2"
COMMITTEE = ("c1", "c2", "c3")
# employee_no, grade, in grade since, 2025 score
STAFF = [("KC00", "senior", date(2019, 1, 1), "95"), ("KC10", "senior", date(2022, 1, 1), "90"),
         ("KC11", "senior", date(2023, 1, 1), "86"),
         ("KC01", "mid", date(2024, 1, 1), "92"), ("KC02", "mid", date(2024, 1, 1), "84"),
         ("KC03", "mid", date(2024, 1, 1), "82"), ("KC04", "mid", date(2024, 1, 1), "80"),
         ("KC05", "junior", date(2025, 1, 1), "91"), ("KC06", "junior", date(2025, 1, 1), "83"),
         ("KC07", "junior", date(2025, 1, 1), "79"), ("KC08", "junior", date(2025, 1, 1), "75")]
# the 2026 scores hr enters in January: score, months worked
YEAR_2026 = {"KC00": ("96", 12), "KC10": ("88", 12), "KC11": ("75", 12), "KC01": ("92", 12), "KC02": ("80", 12),
             "KC03": ("70", 12), "KC04": ("88", 1), "KC05": ("85", 12), "KC06": ("84", 12), "KC07": ("90", 1),
             "KC08": ("78", 12)}


def branch(build) -> Driver:
    gf = Driver(build(GRADEFLOW_POLICY="cmcc-quzhou"))
    gf.user(HR, "hr")
    gf.user(ADMIN, "admin")
    for member in COMMITTEE:
        gf.user(member, "committee")
    for no, grade, since, score in STAFF:
        head = no == "KC00"
        gf.manager(no, grade, supervisor=None if head else "KC00", org_unit=UNIT, grade_since=since, login=True,
                   roles=("employee", "supervisor") if head else ("employee",))
        gf.performance(no, "2025", score)
    gf.manager("KC09", "probation", supervisor="KC00", org_unit=UNIT, grade_since=date(2026, 8, 1))
    return gf


def test_a_year_of_the_quzhou_branch_promotes_by_cycle_and_regrades_at_the_years_close(build):
    gf = branch(build)

    # --- the 2026-H2 cycle: KC05 applies for mid ----------------------------------------------------------------
    ok(gf.post("/cycles", as_=HR, json={"code": CYCLE, "name": "2026年下半年客户经理晋级"}), 201)
    ok(gf.put(f"/cycles/{CYCLE}/committee", as_=HR, json={"chair": "c1", "members": list(COMMITTEE)}))
    application = ok(gf.post("/cases", as_="kc05", json={"cycle": CYCLE, "target_grade": "mid",
                                                          "statement": "任初级客户经理一年半, 申请晋升中级"}), 201)
    ok(event(gf, application["id"], "approve_materials", "kc00", supervisor_score=86))
    for member, score in zip(COMMITTEE, (88, 84, 90)):
        ok(gf.put(f"/cases/{application['id']}/score", as_=member, json={"score": score}))
    assert case_of(gf, application["id"])["state"] == "deliberation"
    move_clock(gf, "2026-09-15T10:00:00+08:00")
    ok(gf.post(f"/cycles/{CYCLE}/decide", as_="c1"))
    ok(gf.post(f"/cycles/{CYCLE}/publish", as_=HR))  # 公布晋级结果并立即生效
    assert case_of(gf, application["id"])["state"] == "effective"
    assert grade_history(gf, "KC05") == [{"from_grade": "junior", "to_grade": "mid", "effective_on": "2026-09-15",
                                          "case_id": application["id"]}]

    # --- KC09's two-month trial ends on 2026-10-01 and fails: 辞退 ---------------------------------------------------
    move_clock(gf, "2026-10-08T09:00:00+08:00")
    [trial] = [c["id"] for c in ok(gf.get("/cases", as_=HR)) if c["kind"] == "probation_confirmation"]
    ok(event(gf, trial, "fail_probation", "kc00", supervisor_score=45, comment="试岗期鉴定不合格"))
    ok(event(gf, trial, "publish", HR))
    assert manager(gf, "KC09")["grade"] == "exited"

    # --- January: what happened during the year, on the record; the year's scores; the year's close ---------------
    move_clock(gf, "2027-01-05T09:00:00+08:00")
    ok(gf.post("/managers/KC03/events", as_=HR, json={"kind": "misconduct", "occurred_on": "2026-11-12",
                                                      "note": "违规办理业务, 造成客户投诉"}), 201)
    ok(gf.post("/managers/KC04/events", as_=HR, json={"kind": "leave", "occurred_on": "2026-02-01", "days": 300,
                                                      "reason": "other", "note": "擅自离岗"}), 201)
    ok(gf.post("/managers/KC07/events", as_=HR, json={"kind": "leave", "occurred_on": "2026-02-01", "days": 300,
                                                      "reason": "sick", "note": "病假"}), 201)
    for no, (score, months) in YEAR_2026.items():
        gf.performance(no, "2026", score, months_worked=months)
    preview = {r["employee_no"]: r["outcome"] for r in ok(gf.get("/evaluations/2026/preview", as_=HR))["foreseen"]}
    move_clock(gf, "2027-01-15T09:00:00+08:00")  # closed at 02:00
    close = ok(gf.post("/evaluations/2026/close", as_=HR))
    assert close["closed_by"] == "(gradeflow)" and close["suspended"] == ["KC03"] and close["excluded"] == ["KC07"]
    demoted = {case_of(gf, c)["employee_no"]: c for c in close["demotion_cases"]}
    # mids ranked (KC04 and KC07 worked under two months): KC01 92, KC05 85, KC02 80, KC03 70: the bottom
    # ceil(30 % × 4) = 2 are KC03 (suspended: misconduct weighs more) and KC02; seniors KC00 96, KC10 88, KC11 75:
    # the bottom ceil(50 % × 3) = 2 are KC11 and KC10; KC04's other absence takes it down a grade
    assert set(demoted) == {"KC02", "KC10", "KC11", "KC04"}
    assert preview == {no: "demotion" if no in demoted else "suspended" if no == "KC03" else
                       "excluded" if no == "KC07" else "kept" for no in YEAR_2026}  # foreseen as it happened
    [reason] = gf.history(demoted["KC04"], HR)[0]["data"]["quarter_close"]
    assert (reason["code"], reason["months_worked"]) == ("other_absence", 1)

    # the re-competition: KC10 keeps the senior grade, the others lose theirs at once (立即生效)
    for no, case_id in demoted.items():
        ok(event(gf, case_id, "deny" if no == "KC10" else "approve", HR, comment="竞聘结果"))
        ok(event(gf, case_id, "publish", HR))
    assert {no: manager(gf, no)["grade"] for no in ("KC02", "KC04", "KC10", "KC11")} == {
        "KC02": "junior", "KC04": "junior", "KC10": "senior", "KC11": "mid"}
    assert grade_history(gf, "KC11") == [{"from_grade": "senior", "to_grade": "mid", "effective_on": "2027-01-15",
                                          "case_id": demoted["KC11"]}]
    assert manager(gf, "KC03")["standing"] == "suspended" and manager(gf, "KC03")["grade"] == "mid"
