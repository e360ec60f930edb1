"""The substitutes page (/substitutes; issue 16, point 4): a supervisor names their substitute, the refusals next to
their field in the user's language, cancelling; hr names one for anyone and sees the escalated cases; the case page
and its timeline name the substitute "X 代 Y"."""
from __future__ import annotations

import re

from tests.support.answers import ok
from tests.support.driver import Driver
from tests.support.escalation import FRIDAY_MORNING, MIDDLE, TOP, chain, escalating
from tests.support.steps import apply, event, move_clock
from tests.support.world import BOSS, HEAD_OFFICE, HR, candidate, organisation
from tests.web.visitor import Visitor, text

DEPUTY = "s901"


def world(app) -> Driver:
    gf = Driver(app)
    organisation(gf)
    gf.manager("S901", "senior", org_unit=HEAD_OFFICE, name="代理人乙", login=True, roles=("supervisor", "employee"))
    return gf


def signed_in(app, username: str, language: str = "zh-CN") -> Visitor:
    visitor = Visitor(app, language)
    assert visitor.sign_in(username).status_code == 302
    return visitor


def name(visitor: Visitor, **fields):
    form = {"substitute": DEPUTY, "scope": "supervisor", "starts_on": "2026-09-01", "ends_on": "2026-09-30", **fields}
    return visitor.submit("/substitutes", form, from_page="/substitutes")


def test_a_supervisor_names_a_substitute_on_the_page_and_cancels_it(app):
    world(app)
    boss = signed_in(app, BOSS)
    assert 'href="/substitutes"' in boss.get("/").get_data(as_text=True)
    assert "尚未指定代理人" in text(boss.get("/substitutes"))
    assert name(boss).status_code == 302
    page = boss.get("/substitutes")
    words = text(page)
    assert "代理人乙 (s901)" in words and "生效中" in words and "上级主管" in words
    delegation = re.search(r'data-delegation="(\d+)"', page.get_data(as_text=True)).group(1)
    assert boss.submit(f"/substitutes/{delegation}/cancel", {}, from_page="/substitutes").status_code == 302
    assert "已取消" in text(boss.get("/substitutes"))


def test_the_refusals_are_next_to_their_fields_in_the_users_language(app):
    world(app)
    boss = signed_in(app, BOSS)
    refused = name(boss, substitute=BOSS, ends_on="2026-08-31")
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert re.search(r'data-testid="substitute-error">不能代理自己', page)
    assert re.search(r'data-testid="ends_on-error">结束日期不得早于开始日期', page)
    assert name(boss).status_code == 302
    clash = name(boss, starts_on="2026-09-10")
    assert clash.status_code == 409
    assert re.search(r'data-testid="starts_on-error">此人在其中某些日期已有该事项的代理人', clash.get_data(as_text=True))
    not_a_member = name(boss, scope="committee").get_data(as_text=True)  # s900 sits on no committee: said above
    assert re.search(r'data-testid="form-problem">双方都须具有该事项对应的角色', not_a_member)
    english = signed_in(app, BOSS, "en")
    assert "Nobody substitutes for themselves" in text(name(english, substitute=BOSS))


def test_hr_names_a_substitute_for_someone_else_and_an_employee_has_no_page(app):
    world(app)
    hr = signed_in(app, HR)
    assert re.search(r'data-testid="principal-error">请选择被代理人', name(hr).get_data(as_text=True))
    assert name(hr, principal=BOSS).status_code == 302
    assert "全部代理安排" in text(hr.get("/substitutes"))
    candidate(Driver(app), "M1")
    assert signed_in(app, "m1").get("/substitutes").status_code == 403


def test_the_case_page_and_its_timeline_name_the_substitute_for_the_absent_person(app):
    gf = world(app)
    case_id = apply(gf, candidate(gf, "M1"))
    ok(gf.post("/delegations", as_=BOSS, json={"substitute": DEPUTY, "scope": "supervisor",
                                               "starts_on": "2026-09-01", "ends_on": "2026-09-30"}), 201)
    deputy = signed_in(app, DEPUTY)
    assert "您作为 s900 的代理人处理本案" in text(deputy.get(f"/cases/{case_id}"))
    assert case_id in [int(n) for n in re.findall(r"/review/(\d+)", deputy.get("/review").get_data(as_text=True))]
    ok(event(gf, case_id, "approve_materials", DEPUTY, supervisor_score=85))
    assert "s901 代 s900" in text(signed_in(app, HR).get(f"/cases/{case_id}"))


def test_hr_sees_the_cases_escalated_past_an_absent_supervisor(build, tmp_path):
    from tests.support.policies import policy_file
    app = build(GRADEFLOW_POLICY=policy_file(tmp_path, escalating))
    case_id = chain(Driver(app), middle_login=False)
    hr = signed_in(app, "hr1")
    assert "目前没有上报的案件" in text(hr.get("/substitutes"))
    move_clock(Driver(app), FRIDAY_MORNING)
    page = hr.get("/substitutes").get_data(as_text=True)
    assert f'data-case="{case_id}"' in page and MIDDLE in page and TOP in page
    words = text(hr.get(f"/cases/{case_id}"))
    assert f"{MIDDLE} 无法处理（无账号或休假中）" in words and "上级缺席，已上报更上一级" in words
    assert f"{MIDDLE} → {TOP}" in words


def test_hr_sees_a_case_escalated_on_up_and_the_timeline_names_each_step(build, tmp_path):
    from tests.support.policies import policy_file
    app = build(GRADEFLOW_POLICY=policy_file(tmp_path, escalating))
    gf = Driver(app)
    case_id = chain(gf, middle_login=False)
    move_clock(gf, FRIDAY_MORNING)  # to S800, who then leaves: hr is next, the chain ending there
    ok(gf.patch("/users/s800", as_="hr1", json={"active": False}))
    move_clock(gf, "2026-09-09T09:00:00+08:00")
    hr = signed_in(app, "hr1")
    page = hr.get("/substitutes").get_data(as_text=True)
    assert f'data-case="{case_id}"' in page and "人力资源部" in text(hr.get("/substitutes"))
    words = text(hr.get(f"/cases/{case_id}"))
    assert f"{MIDDLE} → {TOP}" in words and f"{TOP} → 人力资源部" in words


def test_the_timeline_names_an_escalation_called_off_by_a_new_reporting_line(build, tmp_path):
    from tests.support.policies import policy_file
    app = build(GRADEFLOW_POLICY=policy_file(tmp_path, escalating))
    gf = Driver(app)
    case_id = chain(gf, middle_login=False)
    move_clock(gf, FRIDAY_MORNING)
    gf.manager("S901", "senior", supervisor=TOP, login=True, roles=("employee", "supervisor"))
    ok(gf.patch("/managers/M001", as_="hr1", json={"supervisor": "S901"}))
    move_clock(gf, "2026-09-07T09:00:00+08:00")
    assert "汇报关系已变更，上报撤销" in text(signed_in(app, "hr1").get(f"/cases/{case_id}"))


def test_the_timeline_names_who_is_recused_and_why(app):
    """回避 in the timeline: the member the service recused (the applicant's supervisors sit on the committee) and
    the member who declared a conflict, each with the reason in the page's language."""
    from tests.support.committee_world import appoint, case_in_interview, committee_org
    gf = committee_org(Driver(app))
    appoint(gf, "chair1", "cm1", "cm2", "s001")
    case_id = case_in_interview(gf)
    ok(gf.post(f"/cases/{case_id}/recusal", as_="cm1", json={"comment": "亲属关系"}))
    words = text(signed_in(app, "hr1").get(f"/cases/{case_id}"))
    assert "s001：申请人的上级" in words
    assert "cm1：声明存在利益冲突" in words
    english = text(signed_in(app, "hr1", "en").get(f"/cases/{case_id}"))
    assert "s001: above the applicant in the reporting line" in english
    assert "cm1: declared a conflict of interest" in english

    employee_no = ok(gf.get(f"/cases/{case_id}", as_="hr1"))["employee_no"]
    file = signed_in(app, "hr1").get(f"/managers/{employee_no}/file")
    history = " ".join(text(file).split())  # the printable file says the same, and no move where none was made
    assert "声明回避 s001：申请人的上级" in history and "声明回避 cm1：声明存在利益冲突" in history
    assert "面试评分 → 面试评分" not in history and "材料审核通过 → 面试评分" in history
