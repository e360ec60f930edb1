"""The supervisor's review pages: the queue of what waits on their review, a review page per case where they
approve with their score, return or reject with a comment (workflow.services.cases.fire_event against the
version the page showed); bad input is told next to its field in Chinese with what was typed kept; a stale page
says so; a case not theirs to see is the 404 page; a comment with markup stays text; the queue issues as many
SQL statements for many cases as for few."""
from __future__ import annotations

import re

import pytest

from tests.support.reads import case_of
from tests.support.statements import counting
from tests.support.steps import apply
from tests.support.world import BOSS, HR, candidate, organisation
from tests.support.worlds import world_fixture
from tests.web.visitor import text

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
@world_fixture
def one_case(gf):
    organisation(gf)
    candidate(gf, "E001")
    return apply(gf, "E001")


@pytest.fixture
def boss(visit, one_case):
    visitor = visit()
    assert visitor.sign_in(BOSS).status_code == 302
    return visitor


def _version(visitor, case_id: int) -> str:
    return re.search(r'name="version" type="hidden" value="(\d+)"',
                     visitor.get(f"/review/{case_id}").get_data(as_text=True)).group(1)


def _send(visitor, case_id: int, **data):
    if "version" not in data:
        data["version"] = _version(visitor, case_id)
    return visitor.submit(f"/review/{case_id}", data, from_page=f"/review/{case_id}")


def test_the_queue_lists_the_submitted_case_with_its_deadline(boss, one_case):
    page = boss.get("/review")
    assert page.status_code == 200
    shown = text(page)
    assert f"№{one_case} 晋级" in shown and "初级客户经理 → 中级客户经理" in shown
    assert "2026年9月4日 周五" in shown  # three working days after Tuesday 1 September
    assert f'href="/review/{one_case}"' in page.get_data(as_text=True)
    assert '<a href="/review" aria-current="page">材料审核</a>' in page.get_data(as_text=True)


def test_approving_with_a_score_moves_the_case_to_the_interview(gf, boss, one_case):
    page = boss.get(f"/review/{one_case}")
    shown = text(page)
    assert "材料审核通过" in shown and "退回补充材料" in shown and "驳回申请" in shown
    done = _send(boss, one_case, decision="approve_materials", supervisor_score="88.5", comment="材料齐全")
    assert done.status_code == 302 and done.headers["Location"] == "/review"
    assert case_of(gf, one_case)["state"] == "interview"
    assert f"案件 №{one_case}：材料审核通过，已完成。" in text(boss.get("/review"))
    assert "目前没有等待您审核的案件" in text(boss.get("/review"))
    assert "该案件目前不需要您审核" in text(boss.get(f"/review/{one_case}"))


@pytest.mark.parametrize("score, message", [
    ("150", "请输入 0 至 100 之间的分数。"),
    ("85.555", "分数最多保留 2 位小数。"),
    ("八十", "请输入数字，例如 85 或 85.5。"),
    ("", "该决定需要给出分数。"),
])
def test_a_bad_score_is_told_next_to_the_field_and_nothing_changes(gf, boss, one_case, score, message):
    refused = _send(boss, one_case, decision="approve_materials", supervisor_score=score, comment="意见保留")
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert re.search(r'data-testid="supervisor_score-error">([^<]*)<', body).group(1) == message
    assert f'value="{score}"' in body or score == ""
    assert "意见保留" in body  # the comment typed stays
    assert 'value="approve_materials" id="decision-approve_materials" checked' in body
    assert case_of(gf, one_case)["state"] == "submitted"


def test_a_return_takes_no_score(gf, boss, one_case):
    refused = _send(boss, one_case, decision="return_materials", supervisor_score="80")
    assert refused.status_code == 422
    assert "该决定无需评分，请将分数栏留空。" in text(refused)
    done = _send(boss, one_case, decision="return_materials", comment=SCRIPT)
    assert done.status_code == 302
    assert case_of(gf, one_case)["state"] == "returned"


def test_a_stale_page_says_so_and_changes_nothing(gf, boss, one_case):
    stale_version = _version(boss, one_case)
    assert _send(boss, one_case, decision="reject_materials").status_code == 302
    again = _send(boss, one_case, decision="approve_materials", supervisor_score="90", version=stale_version)
    assert again.status_code == 409
    assert "在您打开本页期间，案件已被他人处理" in text(again)
    assert case_of(gf, one_case)["state"] == "rejected"


def test_a_comment_with_markup_is_kept_as_text(gf, boss, one_case):
    refused = _send(boss, one_case, decision="approve_materials", supervisor_score="101", comment=SCRIPT)
    body = refused.get_data(as_text=True)
    assert SCRIPT not in body and "&lt;script&gt;alert(" in body


def test_a_case_not_theirs_is_the_404_page(gf, visit, one_case):
    candidate(gf, "E002")
    stranger = visit()
    stranger.sign_in("e002")
    assert stranger.get(f"/review/{one_case}").status_code == 404
    assert stranger.get("/review/99999").status_code == 404
    hr = visit()
    hr.sign_in(HR)
    assert "该案件目前不需要您审核" in text(hr.get(f"/review/{one_case}"))  # hr sees it, but does not review it
    refused = hr.submit(f"/review/{one_case}", {"decision": "approve_materials", "supervisor_score": "80",
                                                "version": "1"}, from_page="/")
    assert refused.status_code == 403
    assert case_of(gf, one_case)["state"] == "submitted"


def test_the_queue_issues_as_many_statements_for_many_cases_as_for_few(build):
    from tests.support.driver import Driver
    app = build(GRADEFLOW_CLOCK="system")
    gf = Driver(app)
    organisation(gf)
    counts = []
    for start, more in ((1, 2), (3, 12)):
        for n in range(start, start + more):
            apply(gf, candidate(gf, f"E{n:03d}"))
        visitor = __import__("tests.web.visitor", fromlist=["Visitor"]).Visitor(app)
        visitor.sign_in(BOSS)
        with counting(app) as seen:
            page = visitor.get("/review")
        assert page.status_code == 200 and page.get_data(as_text=True).count('href="/review/') == start + more - 1
        counts.append(len(seen))
    assert counts[0] == counts[1] <= 40, counts
