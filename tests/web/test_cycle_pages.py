"""HR's cycle pages through Flask's test client: the list and opening a cycle, the committee, where each case
stands, what blocks the decision, the decision's ranked result with the pass mark, publication with the appeal
deadline; refusals next to their field in Chinese with what was typed kept; other roles refused by the use
cases (the 403 and 404 pages); markup typed into a field shown as text."""
from __future__ import annotations

import re

import pytest

from tests.support.steps import apply, in_deliberation, review
from tests.support.world import BOSS, CYCLE, HR, candidate, organisation
from tests.web.visitor import text, text_of

SCRIPT = '<script>alert("x")</script>'


@pytest.fixture
def hr(app, gf, visit):
    organisation(gf)
    visitor = visit()
    assert visitor.sign_in(HR).status_code == 302
    return visitor


def _post(visitor, path, data, from_page):
    return visitor.submit(path, data, from_page=from_page)


def test_hr_opens_a_cycle_and_sets_its_committee(hr):
    page = hr.get("/cycles")
    assert page.status_code == 200
    assert "评审批次" in text(page) and CYCLE in text(page)
    assert '<a href="/cycles" aria-current="page">' in page.get_data(as_text=True)
    opened = _post(hr, "/cycles", {"code": "2027-H1", "name": "2027年上半年评审"}, "/cycles")
    assert opened.status_code == 302 and opened.headers["Location"] == "/cycles/2027-H1"
    page = text(hr.get("/cycles/2027-H1"))
    assert "已开启评审批次 2027-H1" in page and "尚未任命" in page
    set_ = _post(hr, "/cycles/2027-H1/committee", {"chair": "cm2", "members": "chair, cm3，cm4"}, "/cycles/2027-H1")
    assert set_.status_code == 302
    page = hr.get("/cycles/2027-H1")
    body = page.get_data(as_text=True)
    assert re.search(r'data-testid="chair">cm2<', body)
    assert re.search(r'data-testid="members">chair、cm2、cm3和cm4<', body)
    assert "评审委员会已设定" in text(page)


def test_the_cycle_page_links_the_policy_its_cases_follow_once_it_has_one(hr, gf):
    from workflow.policy import load_policy
    assert 'data-testid="cycle-policy"' not in hr.get(f"/cycles/{CYCLE}").get_data(as_text=True)
    candidate(gf, "E001")
    apply(gf, "E001")
    page = hr.get(f"/cycles/{CYCLE}")
    reference = load_policy().reference
    assert f'href="/policies/{reference}"' in page.get_data(as_text=True)
    assert f"本批次的案件适用评审政策 {reference} 。" in text(page)  # the code is a link: its tags read as spaces


def test_a_duplicate_code_is_told_next_to_the_field_in_chinese_and_the_typed_values_stay(hr):
    refused = _post(hr, "/cycles", {"code": CYCLE, "name": "重复的批次"}, "/cycles")
    assert refused.status_code == 409
    body = refused.get_data(as_text=True)
    assert 'data-testid="code-error">已有使用此代码的评审批次。<' in body
    assert f'value="{CYCLE}"' in body and 'value="重复的批次"' in body


def test_a_malformed_code_and_a_missing_name_are_each_told_next_to_their_field(hr):
    refused = _post(hr, "/cycles", {"code": "2027 H1!", "name": ""}, "/cycles")
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert 'data-testid="code-error"' in body and 'data-testid="name-error">请输入评审批次名称。<' in body
    assert 'value="2027 H1!"' in body


def test_committee_refusals_name_the_field_and_nothing_is_changed(hr):
    refused = _post(hr, f"/cycles/{CYCLE}/committee", {"chair": "nobody", "members": "cm2"}, f"/cycles/{CYCLE}")
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert 'data-testid="chair-error">没有这个用户。<' in body
    assert 'data-testid="members-error">' in body and "法定人数" in text(refused)  # two members: below the quorum
    assert 'value="nobody"' in body
    assert re.search(r'data-testid="chair">chair<', hr.get(f"/cycles/{CYCLE}").get_data(as_text=True))


def test_each_member_refused_is_named_beside_why(hr):
    refused = _post(hr, f"/cycles/{CYCLE}/committee", {"chair": "chair", "members": f"cm2, {BOSS}, 张三, cm3"},
                    f"/cycles/{CYCLE}")
    assert refused.status_code == 422
    errors = re.search(r'data-testid="members-error">(.*?)</', refused.get_data(as_text=True), re.S).group(1)
    assert "张三：没有这个用户。" in errors and f"{BOSS}：该用户不具有评审委员角色（或已停用）。" in errors


def test_markup_in_a_cycle_name_is_shown_as_text(hr):
    assert _post(hr, "/cycles", {"code": "X1", "name": SCRIPT}, "/cycles").status_code == 302
    for path in ("/cycles", "/cycles/X1"):
        body = hr.get(path).get_data(as_text=True)
        assert SCRIPT not in body and "&lt;script&gt;alert(" in body


def test_a_case_in_interview_blocks_the_decision_and_says_who_has_not_scored(app, gf, hr):
    case_id = apply(gf, candidate(gf, "E001"))
    review(gf, case_id, 80)
    page = hr.get(f"/cycles/{CYCLE}")
    body, words = page.get_data(as_text=True), text(page)
    assert 'data-testid="blocking"' in body and 'data-testid="decide-form"' not in body
    assert f"№{case_id}" in words and "0 / 3 位计分委员已评分（法定人数 3）" in words
    assert "等待 chair、cm2和cm3" in words


def test_the_ranked_result_says_whom_each_case_was_ranked_among(app, gf, hr):
    """The default policy ranks each grade's candidates within their org unit: two firsts, in two units."""
    beijing = in_deliberation(gf, candidate(gf, "E001", performance="90"), supervisor=90, scores=90)
    shanghai = in_deliberation(gf, candidate(gf, "E002", org_unit="上海分行", performance="70"), supervisor=70,
                               scores=70)
    beijing_second = in_deliberation(gf, candidate(gf, "E003", performance="60"), supervisor=60, scores=60)
    assert _post(hr, f"/cycles/{CYCLE}/decide", {}, f"/cycles/{CYCLE}").status_code == 302
    ranked = re.search(r'data-testid="ranked".*?</table>', hr.get(f"/cycles/{CYCLE}").get_data(as_text=True),
                       re.S).group(0)
    rows = [text_of(row) for row in re.findall(r"<tr[ >].*?</tr>", ranked, re.S)]
    assert [r.split()[1:4] for r in rows[1:]] == [["上海分行", "1", f"№{shanghai}"],
                                                   ["北京分行", "1", f"№{beijing}"],
                                                   ["北京分行", "2", f"№{beijing_second}"]]
    assert "排名范围" in rows[0]


def test_hr_decides_and_publishes_and_sees_the_ranked_result_and_the_appeal_deadline(app, gf, hr):
    passing = in_deliberation(gf, candidate(gf, "E001", performance="90"), supervisor=90, scores=90)
    failing = in_deliberation(gf, candidate(gf, "E002", performance="40"), supervisor=40, scores=40)
    page = hr.get(f"/cycles/{CYCLE}")
    assert 'data-testid="decide-form"' in page.get_data(as_text=True)
    assert 'data-confirm="现在作出本批次决定？评议中的案件将统一排名并作出决定，决定后不能撤回。"' in page.get_data(as_text=True)
    decided = _post(hr, f"/cycles/{CYCLE}/decide", {}, f"/cycles/{CYCLE}")
    assert decided.status_code == 302
    page = hr.get(f"/cycles/{CYCLE}")
    words = text(page)
    assert "已决定 2 个案件" in words and "及格线：60" in words
    ranked = re.search(r'data-testid="ranked".*?</table>', page.get_data(as_text=True), re.S).group(0)
    assert ranked.index(f"№{passing}") < ranked.index(f"№{failing}")
    assert "通过" in text_of(ranked) and "未通过" in text_of(ranked) and "低于及格线" in text_of(ranked)
    assert 'data-confirm="现在公示本批次？' in page.get_data(as_text=True)  # the publication is asked first too
    published = _post(hr, f"/cycles/{CYCLE}/publish", {}, f"/cycles/{CYCLE}")
    assert published.status_code == 302
    page = hr.get(f"/cycles/{CYCLE}")
    words = text(page)
    assert "已公示 2 个案件。申诉截止时间：2026年9月4日 周五 23:59:59。" in words
    deadline = re.search(r'data-testid="appeal-deadline">([^<]+)', page.get_data(as_text=True)).group(1)
    # the end of the third working day after Tuesday 1 September, written as the case page and the board write it
    assert deadline.strip() == "2026年9月4日 周五 23:59:59"
    assert 'data-testid="publish-form"' not in page.get_data(as_text=True)


def test_a_second_publish_says_there_is_nothing_to_publish(app, gf, hr):
    in_deliberation(gf, candidate(gf, "E001", performance="90"), supervisor=90, scores=90)
    _post(hr, f"/cycles/{CYCLE}/decide", {}, f"/cycles/{CYCLE}")
    token = hr.csrf_token(f"/cycles/{CYCLE}")
    first = hr.client.post(f"/cycles/{CYCLE}/publish", data={"csrf_token": token})
    second = hr.client.post(f"/cycles/{CYCLE}/publish", data={"csrf_token": token})  # a double click
    assert first.status_code == second.status_code == 302
    assert "该评审批次没有可公示的已决定案件" in text(hr.get(f"/cycles/{CYCLE}"))


def test_others_are_refused_by_the_use_cases(app, gf, visit):
    organisation(gf)
    in_deliberation(gf, candidate(gf, "E001", performance="90"), supervisor=90, scores=90)
    boss = visit()
    boss.sign_in(BOSS)
    assert '/cycles"' not in boss.get("/").get_data(as_text=True)  # not in the nav
    refused = boss.submit("/cycles", {"code": "Z9", "name": "x"}, from_page="/")
    assert refused.status_code == 403 and "您无权查看此内容" in text(refused) or "无权" in text(refused)
    assert boss.submit(f"/cycles/{CYCLE}/decide", {}, from_page="/").status_code == 403
    assert boss.submit(f"/cycles/{CYCLE}/publish", {}, from_page="/").status_code == 403
    assert boss.get("/cycles/NO-SUCH").status_code == 404


def test_a_form_without_the_csrf_token_is_refused(hr):
    assert hr.client.post(f"/cycles/{CYCLE}/decide").status_code == 400


def test_the_cycle_page_states_the_policy_s_quota_shapes_and_why_a_minimum_share_denied(build, tmp_path):
    """Pages follow the policy (issue 13, point 5): a junior floor per org unit, a company-wide senior cap."""
    from tests.support.driver import Driver
    from tests.support.policies import policy_file
    from tests.support.steps import decide
    from tests.support.world import fillers
    from tests.web.visitor import Visitor

    def shape(document):
        document["quotas"] = [{"grade": "junior", "min_share": 0.5},
                              {"grade": "senior", "max_share": 0.15, "scope": "company"}]
    shaped = build(GRADEFLOW_POLICY=policy_file(tmp_path, shape))
    gf = Driver(shaped)
    organisation(gf)
    first, second = (in_deliberation(gf, candidate(gf, no), supervisor=score, scores=score)
                     for no, score in (("E001", 90), ("E002", 80)))
    fillers(gf, "北京分行", 2)
    fillers(gf, "北京分行", 1, grade="mid", prefix="G")  # 5 active, 4 junior: ceil(2.5) = 3 stay, one may leave
    assert {d["outcome"] for d in decide(gf).values()} == {"approved", "denied"}
    hr = Visitor(shaped)
    assert hr.sign_in(HR).status_code == 302
    page = hr.get(f"/cycles/{CYCLE}")
    words = text(page)
    assert "初级客户经理：不低于本单位在岗客户经理的50%。" in words
    assert "全公司在岗客户经理" not in words  # the senior cap: the cycle's cases neither aim at senior nor leave it
    ranked = re.search(r'data-testid="ranked".*?</table>', page.get_data(as_text=True), re.S).group(0)
    assert ranked.index(f"№{first}") < ranked.index(f"№{second}")
    assert "原等级已达最低比例" in text_of(ranked)
    assert ranked.count("is-cut") == 1 and ranked.index("is-cut") > ranked.index(f"№{first}")  # the cut line


def test_the_cycle_page_states_the_component_pass_marks_and_names_a_component_denial(build, tmp_path):
    from tests.support.driver import Driver
    from tests.support.policies import policy_file
    from tests.support.steps import decide
    from tests.web.visitor import Visitor
    marked = build(GRADEFLOW_POLICY=policy_file(
        tmp_path, lambda document: document["scoring"].update(component_pass_marks={"interview": 60})))
    gf = Driver(marked)
    organisation(gf)
    in_deliberation(gf, candidate(gf, "E001", performance="90"), supervisor=90, scores=55)
    decide(gf)
    hr = Visitor(marked)
    assert hr.sign_in(HR).status_code == 302
    words = text(hr.get(f"/cycles/{CYCLE}"))
    assert "及格线：60。 面试评分不低于 60。" in words and "单项得分低于该项及格线" in words
