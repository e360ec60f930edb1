"""The committee's scoring sheet of a cycle: a member scores (a bad score told next to its field in Chinese,
what was typed kept), another declares a conflict with a comment (shown escaped), the others' scores stay hidden
until deliberation, the chair closes the interview once the quorum has scored; a stale form says so; a cycle not
the member's is the 404 page; the sheet issues as many SQL statements for many cases as for few."""
from __future__ import annotations

import re

import pytest

from tests.support.reads import case_of
from tests.support.statements import counting
from tests.support.steps import apply, review
from tests.support.world import CYCLE, FIVE, candidate, organisation
from tests.support.worlds import world_fixture
from tests.web.visitor import Visitor, text

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SHEET = f"/cycles/{CYCLE}/scoring"


@pytest.fixture
@world_fixture
def in_interview(gf):
    """E001's application in interview before a committee of five (the chair and cm2 … cm5)."""
    organisation(gf, committee=FIVE)
    candidate(gf, "E001")
    case_id = apply(gf, "E001")
    review(gf, case_id, 85)
    return case_id


def _member(visit, username):
    visitor = visit()
    assert visitor.sign_in(username).status_code == 302
    return visitor


def _version(visitor) -> str:
    return re.search(r'name="c\d+-score-version" type="hidden" value="(\d+)"',
                     visitor.get(SHEET).get_data(as_text=True)).group(1)


def _post(visitor, case_id, action, **data):
    prefix = f"c{case_id}-{action}-"
    if "version" not in data:
        data["version"] = _version(visitor)
    return visitor.submit(f"{SHEET}/{case_id}/{action}", {prefix + k: v for k, v in data.items()}, from_page=SHEET)


def test_a_member_scores_and_may_change_the_score_until_deliberation(gf, visit, in_interview):
    cm2 = _member(visit, "cm2")
    page = text(cm2.get(SHEET))
    assert f"№{in_interview}" in page and "0 of 5" not in page and "已评分" in page
    done = _post(cm2, in_interview, "score", score="88", comment="表达清晰")
    assert done.status_code == 302 and done.headers["Location"].endswith(f"{SHEET}#case-{in_interview}")
    page = cm2.get(SHEET).get_data(as_text=True)
    assert f'data-testid="my-score-{in_interview}">您当前的评分：88<' in page
    assert _post(cm2, in_interview, "score", score="90.5").status_code == 302
    assert "您当前的评分：90.5" in text(cm2.get(SHEET))
    assert case_of(gf, in_interview)["state"] == "interview"


@pytest.mark.parametrize("score, message", [("150", "请输入 0 至 100 之间的分数。"), ("abc", "请输入数字，例如 85 或 85.5。"),
                                            ("", "请输入您的评分。")])
def test_a_bad_score_is_told_next_to_the_field(gf, visit, in_interview, score, message):
    cm2 = _member(visit, "cm2")
    refused = _post(cm2, in_interview, "score", score=score, comment=SCRIPT)
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert re.search(rf'data-testid="c{in_interview}-score-score-error">([^<]*)<', body).group(1) == message
    assert SCRIPT not in body and "&lt;script&gt;alert(" in body  # the comment typed stays, as text


def test_a_declared_conflict_is_recorded_and_shown_escaped(gf, visit, in_interview):
    cm5 = _member(visit, "cm5")
    assert 'data-confirm="确定回避此案件？回避后您将不再为其评分，且不能撤回。"' in cm5.get(SHEET).get_data(as_text=True)
    done = _post(cm5, in_interview, "recusal", reason=SCRIPT)
    assert done.status_code == 302
    page = cm5.get(SHEET)
    assert "您已回避此案件（声明存在利益冲突），不再为其评分。" in text(page)
    assert "回避：cm5（声明存在利益冲突）。" in text(page)  # whom and why, for every member
    assert SCRIPT not in page.get_data(as_text=True)
    interview = case_of(gf, in_interview, as_="hr1")["interview"]
    assert interview["recusals"] == [{"member": "cm5", "reason": "declared"}]


def test_the_others_scores_stay_hidden_and_the_chair_closes_the_interview_at_quorum(gf, visit, in_interview):
    for member, score in (("cm2", "80"), ("cm3", "70")):
        gf.put(f"/cases/{in_interview}/score", as_=member, json={"score": score})
    chair = _member(visit, "chair")
    page = chair.get(SHEET).get_data(as_text=True)
    assert "cm3：70" not in page and f'data-testid="close-{in_interview}"' not in page  # 2 of 5: no quorum
    assert _post(chair, in_interview, "score", score="75").status_code == 302
    page = chair.get(SHEET).get_data(as_text=True)
    assert "cm3：70" not in page
    assert f'data-testid="close-{in_interview}"' in page
    cm4 = _member(visit, "cm4")
    assert f'data-testid="close-{in_interview}"' not in cm4.get(SHEET).get_data(as_text=True)  # only the chair
    assert _post(chair, in_interview, "close").status_code == 302
    assert case_of(gf, in_interview)["state"] == "deliberation"
    page = text(chair.get(SHEET))
    assert "cm3：70" in page and "面试评分已结束" in page


def test_a_stale_form_says_so(gf, visit, in_interview):
    cm2 = _member(visit, "cm2")
    old = _version(cm2)
    gf.put(f"/cases/{in_interview}/score", as_="cm3", json={"score": "70"})
    refused = _post(cm2, in_interview, "score", score="88", version=old)
    assert refused.status_code == 409
    assert "在您打开本页期间，案件已被他人处理" in text(refused)


def test_a_cycle_not_the_members_is_the_404_page(gf, visit, in_interview):
    candidate(gf, "E002")
    assert _member(visit, "e002").get(SHEET).status_code == 404
    assert _member(visit, "cm2").get("/cycles/NO-SUCH/scoring").status_code == 404
    assert f"{CYCLE}" in text(_member(visit, "cm2").get("/scoring"))


def test_the_sheet_issues_as_many_statements_for_many_cases_as_for_few(build):
    from tests.support.driver import Driver
    app = build(GRADEFLOW_CLOCK="system")
    gf = Driver(app)
    organisation(gf, committee=FIVE)
    counts = []
    for start, more in ((1, 2), (3, 10)):
        for n in range(start, start + more):
            case_id = apply(gf, candidate(gf, f"E{n:03d}"))
            review(gf, case_id, 85)
        visitor = Visitor(app)
        visitor.sign_in("cm2")
        with counting(app) as seen:
            page = visitor.get(SHEET)
        assert page.status_code == 200 and page.get_data(as_text=True).count('data-testid="candidate-') == start + more - 1
        counts.append(len(seen))
    assert counts[0] == counts[1] <= 40, counts
