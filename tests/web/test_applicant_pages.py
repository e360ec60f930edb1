"""The applicant's pages through Flask's test client: the eligibility check names every failed rule in words,
the application form (refusals next to it, what was typed kept, nothing stored), "my case" with its timeline
(past steps, the next step's working-day deadline, the appeal deadline with make-up workdays marked), the
buttons of available_events with the case's version (a stale page says so), the appeal form (the time left,
appeal_exists and appeal_window_closed in words), the publication board, and markup typed in every free-text
field shown as text."""
from __future__ import annotations

import re

import pytest

from tests.support.answers import ok
from tests.support.reads import case_of
from tests.support.steps import apply, decide, in_deliberation, interview, move_clock, overturned, publish, review
from tests.support.world import BOSS, CYCLE, HR, candidate, organisation
from tests.support.worlds import world_fixture
from tests.web.visitor import text

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"


def _version(body: str, form: str) -> str:
    found = re.search(rf'data-testid="{form}".*?name="version"[^>]*value="(\d+)"', body, flags=re.S)
    assert found, form
    return found.group(1)


@pytest.fixture
@world_fixture
def world(gf):
    organisation(gf)
    return gf


def _signed_in(visit, username: str):
    visitor = visit()
    assert visitor.sign_in(username).status_code == 302
    return visitor


# --- the eligibility check and the application ---------------------------------------------------------------

def test_the_eligibility_check_names_every_rule_that_fails_in_chinese(world, visit):
    from datetime import date
    candidate(world, "E001", grade_since=date(2026, 6, 1), performance="70")
    candidate(world, "E002", performance="90")
    candidate(world, "E003", performance="85")
    page = _signed_in(visit, "e001").get("/apply")
    assert page.status_code == 200
    shown = text(page)
    assert "资格检查" in shown and "提交申请将被拒绝" in shown
    assert "任职时间" in shown and "绩效排名" in shown
    assert 'data-rule="tenure"' in page.get_data(as_text=True)
    assert 'data-rule="performance_rank"' in page.get_data(as_text=True)
    # with its figures, in Chinese: the months missing and the day an application becomes possible, the rank
    assert "晋升中级客户经理须任初级客户经理满 6 个月；自 2026年6月1日 周一 起已满 3 个月，2026年12月1日 周二 起可以申请。" in shown
    assert "按2025年度得分排名前 60%，即 3 人中第 2 名以内；您排第 3 名。" in shown
    assert "</strong>：您在当前等级的任职时间不足。" in page.get_data(as_text=True)  # a Chinese colon, a Chinese term
    assert "required" not in shown and "completed since" not in shown  # the API's English stays in the API


def test_the_eligibility_check_names_the_education_and_recent_results_rules_of_the_policy(world, build, tmp_path):
    """Pages follow the policy (issue 13): a mid needing 大专 and 70 in each of the last two quarters."""
    from tests.support.policies import policy_file
    from tests.web.visitor import Visitor

    def demand(document):
        document["eligibility"]["education_levels"] = ["中专", "大专", "本科"]
        document["eligibility"]["targets"]["mid"].update(
            min_education="大专", min_recent_results={"period": "quarter", "count": 2, "min_score": 70})
    candidate(world, "E001")
    visitor = Visitor(build(GRADEFLOW_POLICY=policy_file(tmp_path, demand)))
    assert visitor.sign_in("e001").status_code == 302
    page = visitor.get("/apply")
    shown, body = text(page), page.get_data(as_text=True)
    assert "学历" in shown and "近期考核结果" in shown and "提交申请将被拒绝" in shown
    assert 'data-rule="education"' in body and 'data-rule="recent_results"' in body
    assert "中级客户经理要求大专及以上学历；您的档案没有学历记录。" in shown
    assert "每期得分不低于 70 分；未达到的：" in shown and "无记录" in shown


def test_the_form_offers_the_cycles_of_the_applicants_policy_and_tells_why_another_refuses(world, build, tmp_path):
    """上海分行 follows a policy of its own (issue 13, point 6); the first case of CYCLE is 北京分行's, so CYCLE takes
    no application from 上海分行: the form offers the Shanghai cycle only, and a page shown before CYCLE took its
    first case is told why it refuses, next to the cycle."""
    from tests.support.driver import Driver
    from tests.support.policies import company_with_units
    from tests.web.visitor import Visitor
    app = build(GRADEFLOW_POLICY=company_with_units(tmp_path, {"上海分行": ("shanghai", lambda document: None)}))
    candidate(world, "E001")
    candidate(world, "E002", org_unit="上海分行")
    ok(Driver(app).post("/cycles", as_="hr1", json={"code": "2026H2-SH", "name": "上海分行 2026 下半年"}), 201)
    apply(Driver(app), "E001")
    visitor = Visitor(app)
    assert visitor.sign_in("e002").status_code == 302
    body = visitor.get("/apply").get_data(as_text=True)
    assert 'value="2026H2-SH"' in body and f'value="{CYCLE}"' not in body
    answer = visitor.submit("/apply", {"cycle": CYCLE, "target_grade": "mid", "statement": "申请晋级"},
                            from_page="/apply")
    assert answer.status_code == 422
    assert 'data-testid="cycle-error"' in answer.get_data(as_text=True)
    assert "本批次的案件适用的评审政策与您所在机构的不同" in text(answer)
    applied = visitor.submit("/apply", {"cycle": "2026H2-SH", "target_grade": "mid", "statement": "申请晋级"},
                             from_page="/apply")
    assert applied.status_code == 302


def test_the_exceptional_box_says_what_the_applicants_own_units_policy_allows(world, build, tmp_path):
    """上海分行's eligibility is its own (issue 13, point 6): its exceptional promotion keeps the time-in-grade rule."""
    from tests.support.policies import company_with_units
    from tests.web.visitor import Visitor

    def keeps_tenure(document):
        document["eligibility"]["exceptional"]["ignores_tenure"] = False
    app = build(GRADEFLOW_POLICY=company_with_units(tmp_path, {"上海分行": ("shanghai", keeps_tenure)}))
    candidate(world, "E001")
    candidate(world, "E002", org_unit="上海分行")
    for login, label in (("e001", "破格晋升：一次至多晋升2级、不受任职时间限制、须经人力资源部额外审批"),
                         ("e002", "破格晋升：一次至多晋升2级、须经人力资源部额外审批")):
        visitor = Visitor(app)
        assert visitor.sign_in(login).status_code == 302
        body = visitor.get("/apply").get_data(as_text=True)
        shown = re.search(r'<label><input[^>]*name="exceptional"[^>]*>(.*?)</label>', body, flags=re.S)[1]
        assert " ".join(shown.split()) == label


def test_an_eligible_manager_applies_and_lands_on_their_case_with_its_timeline(world, visit):
    candidate(world, "E001")
    visitor = _signed_in(visit, "e001")
    page = visitor.get("/apply")
    assert "您今天可以申请中级客户经理" in text(page)
    offered = re.findall(r'<option[^>]*value="(\w+)"', page.get_data(as_text=True).split('name="target_grade"')[1]
                         .split("</select>")[0])
    assert offered == ["mid", "senior"]  # a junior aims above junior: no grade offered that is always refused
    answer = visitor.submit("/apply", {"cycle": CYCLE, "target_grade": "mid", "statement": SCRIPT},
                            from_page="/apply")
    assert answer.status_code == 302
    case_page = visitor.get(answer.headers["Location"])
    body = case_page.get_data(as_text=True)
    assert case_page.status_code == 200
    assert ESCAPED in body and SCRIPT not in body
    shown = text(case_page)
    assert "已提交申请" in shown  # the flash
    assert "提交申请" in shown and "审核申请" in shown  # the past step and the next one
    assert 'aria-current="step"' in body
    assert "/workflow?state=submitted" in body
    assert "data-step=\"act\"" in body
    from workflow.policy import load_policy
    assert "评审政策" in shown and load_policy().reference in shown  # the rules the case is judged by


def test_a_refused_application_shows_every_failed_rule_keeps_what_was_typed_and_stores_nothing(world, gf, visit):
    from datetime import date
    candidate(world, "E001", grade_since=date(2026, 6, 1))
    visitor = _signed_in(visit, "e001")
    answer = visitor.submit("/apply", {"cycle": CYCLE, "target_grade": "senior", "statement": SCRIPT},
                            from_page="/apply")
    assert answer.status_code == 422
    body = answer.get_data(as_text=True)
    refused = text(answer)
    assert "申请被拒绝" in refused and "逐级晋升" in refused
    assert ESCAPED in body and SCRIPT not in body  # the statement stays, as text
    assert ok(gf.get("/cases", as_="hr1")) == []


def test_an_empty_statement_is_told_next_to_its_field(world, visit):
    candidate(world, "E001")
    visitor = _signed_in(visit, "e001")
    answer = visitor.submit("/apply", {"cycle": CYCLE, "target_grade": "mid", "statement": "  "}, from_page="/apply")
    assert answer.status_code == 422
    assert 'data-testid="statement-error"' in answer.get_data(as_text=True)
    assert "请填写申请陈述" in text(answer)


# --- the case page --------------------------------------------------------------------------------------------

def test_a_case_the_user_may_not_see_is_the_404_page(world, visit):
    candidate(world, "E001")
    candidate(world, "E002")
    case_id = apply(world, "E001")
    page = _signed_in(visit, "e002").get(f"/cases/{case_id}")
    assert page.status_code == 404 and "页面不存在" in text(page)


def test_a_button_sends_the_case_version_and_a_stale_page_says_so(world, visit):
    candidate(world, "E001")
    case_id = apply(world, "E001")
    supervisor = _signed_in(visit, BOSS)
    page = supervisor.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'data-testid="event-return_materials"' in page
    version = _version(page, "event-return_materials")
    returned = supervisor.submit(f"/cases/{case_id}/events", {"event": "return_materials", "version": version,
                                                               "comment": SCRIPT}, from_page="/")
    assert returned.status_code == 302
    again = supervisor.submit(f"/cases/{case_id}/events", {"event": "reject_materials", "version": version},
                              from_page="/")
    assert again.status_code == 409
    assert "案件已被更改" in text(again)
    applicant = _signed_in(visit, "e001").get(f"/cases/{case_id}")
    body = applicant.get_data(as_text=True)
    assert ESCAPED in body and SCRIPT not in body  # the supervisor's comment, in the timeline
    assert 'data-testid="event-resubmit"' in body and 'data-testid="event-withdraw"' in body


def test_before_publication_the_applicant_sees_the_committees_steps_done_by_the_committee_in_words(world, visit):
    candidate(world, "E001")
    case_id = apply(world, "E001")
    review(world, case_id, 80)
    interview(world, case_id, 80)
    page = _signed_in(visit, "e001").get(f"/cases/{case_id}")
    actors = re.findall(r'data-testid="history-actor">· ([^<]*)<', page.get_data(as_text=True))
    assert "评审委员会" in actors and "(committee)" not in actors  # the members' names wait for the publication


# --- publication, the appeal, the board ----------------------------------------------------------------------

@pytest.fixture
def published(world):
    """E001's case, published on Wednesday 2026-09-30: the appeal deadline is Saturday 2026-10-10, a make-up
    workday, after the National Day holidays."""
    candidate(world, "E001")
    case_id = apply(world, "E001")
    review(world, case_id, 80)
    interview(world, case_id, 80)
    move_clock(world, "2026-09-30T10:00:00+08:00")
    decide(world)
    publish(world)
    return case_id


def test_the_case_page_shows_the_scores_and_the_appeal_deadline_counted_on_the_chinese_calendar(published, visit):
    page = _signed_in(visit, "e001").get(f"/cases/{published}")
    body, shown = page.get_data(as_text=True), text(page)
    assert 'data-testid="final-score"' in body
    assert "申诉截止" in shown and "2026年10月10日 周六 23:59:59" in shown
    assert "调休补班" in shown and "国庆节" in shown
    assert 'data-testid="appeal-link"' in body


def test_the_applicant_appeals_with_the_time_left_shown_and_only_once(published, world, visit):
    visitor = _signed_in(visit, "e001")
    form = visitor.get(f"/cases/{published}/appeal")
    shown = text(form)
    assert "还剩 3 个工作日" in shown and "2026年10月10日 周六 23:59:59" in shown
    version = _version(form.get_data(as_text=True), "appeal-form")
    filed = visitor.submit(f"/cases/{published}/appeal", {"reason": SCRIPT, "version": version},
                           from_page=f"/cases/{published}/appeal")
    assert filed.status_code == 302
    assert case_of(world, published)["state"] == "appealed"
    page = visitor.get(f"/cases/{published}").get_data(as_text=True)
    assert ESCAPED in page and SCRIPT not in page
    twice = visitor.submit(f"/cases/{published}/appeal", {"reason": "再次申诉", "version": version},
                           from_page=f"/cases/{published}")
    assert twice.status_code == 409 and "已被申诉" in text(twice)


def test_an_appeal_after_the_deadline_is_refused_in_words(published, world, visit):
    visitor = _signed_in(visit, "e001")
    move_clock(world, "2026-10-11T00:00:00+08:00")  # the case takes effect as the window closes
    page = visitor.get(f"/cases/{published}/appeal")
    assert "申诉期已结束" in text(page) and 'data-testid="appeal-form"' not in page.get_data(as_text=True)
    version = case_of(world, published)["version"]
    late = visitor.submit(f"/cases/{published}/appeal", {"reason": "太晚了", "version": version}, from_page="/")
    assert late.status_code == 409
    assert "申诉期已结束" in text(late) and "太晚了" in text(late)  # what was typed stays


def test_the_publication_board_lists_the_published_cases_with_the_deadline_for_everyone(published, world, visit):
    candidate(world, "E002")
    board = _signed_in(visit, "e002").get(f"/cycles/{CYCLE}/board")
    assert board.status_code == 200
    shown = text(board)
    assert "公示" in shown and "E001" in shown and "通过" in shown
    assert "2026年10月10日 周六 23:59:59" in shown
    assert 'media="print"' in board.get_data(as_text=True)
    assert f"/cycles/{CYCLE}/board" in _signed_in(visit, "e002").get("/board").get_data(as_text=True)


def test_a_decision_the_rules_refuse_is_told_in_words_on_the_case_page_not_by_its_code(gf, visit):
    """A re-decision after an overturned appeal obeys the pass mark: HR's approval of a case scored 50 is refused
    (409 below_pass_mark), and the page says why in Chinese."""
    organisation(gf)
    candidate(gf, "E001", performance="50")
    case_id = in_deliberation(gf, "E001", supervisor=50, scores=50)
    decide(gf)
    overturned(gf, case_id, "e001")
    hr = visit()
    assert hr.sign_in(HR).status_code == 302
    version = _version(hr.get(f"/cases/{case_id}").get_data(as_text=True), "event-approve")
    refused = hr.submit(f"/cases/{case_id}/events", {"event": "approve", "version": version},
                        from_page=f"/cases/{case_id}")
    assert refused.status_code == 409
    assert "其最终得分低于合格线。" in text(refused) and "below_pass_mark" not in text(refused)
    assert case_of(gf, case_id)["state"] == "deliberation"


@pytest.mark.parametrize("steps, ignores_tenure, needs_hr, label", [
    (2, True, True, "破格晋升：一次至多晋升2级、不受任职时间限制、须经人力资源部额外审批"),  # the default policy's
    (3, False, True, "破格晋升：一次至多晋升3级、须经人力资源部额外审批"),
    (1, False, False, "破格晋升"),  # allowed nothing more (the tobacco pack's): no promise on the form
])
def test_the_exceptional_box_promises_what_the_policy_allows_and_nothing_else(build, tmp_path, visit, steps,
                                                                              ignores_tenure, needs_hr, label):
    from tests.support.driver import Driver
    from tests.support.policies import policy_file
    from tests.web.visitor import Visitor

    def change(document):
        document["ladder"]["exceptional_steps"] = steps
        document["eligibility"]["exceptional"] = {"ignores_tenure": ignores_tenure, "needs_hr_approval": needs_hr}
    app = build(GRADEFLOW_POLICY=policy_file(tmp_path, change))
    gf = Driver(app)
    organisation(gf)
    candidate(gf, "E001")
    applicant = Visitor(app, None)
    assert applicant.sign_in("e001").status_code == 302
    body = applicant.get("/apply").get_data(as_text=True)
    shown = re.search(r'<label><input[^>]*name="exceptional"[^>]*>(.*?)</label>', body, flags=re.S)[1]
    assert " ".join(shown.split()) == label


def test_a_manager_on_probation_is_told_of_the_confirmation_without_naming_another_policys_grade(world, visit):
    world.manager("P001", "probation", supervisor="S900", login=True)
    shown = text(_signed_in(visit, "p001").get("/apply"))
    assert "试用（见习）期满后经转正评审定级，由系统在期满时发起，无需申请。" in shown
    assert "下一等级：初级客户经理。" in shown  # the grade it leads to, the policy's own, said once above


def test_the_workflow_strip_of_a_case_that_ended_aside_shows_the_steps_it_passed_not_those_it_will_never_reach(
        world, visit):
    candidate(world, "E001")
    rejected = apply(world, "E001")
    ok(world.post(f"/cases/{rejected}/events", as_=BOSS, json={"event": "reject_materials", "comment": "材料不全"}))
    candidate(world, "E002")
    open_ = apply(world, "E002")
    hr = _signed_in(visit, HR)

    def strip(case_id):
        body = hr.get(f"/cases/{case_id}").get_data(as_text=True)
        return re.findall(r'data-state="(\w+)"', re.search(r'data-testid="workflow-strip".*?</nav>', body, re.S)[0])
    assert strip(rejected) == ["submitted", "rejected"]
    assert strip(open_) == ["submitted", "interview", "deliberation", "decided", "published", "effective"]
