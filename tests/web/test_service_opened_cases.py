"""What the service writes on a case reads in the reader's language (api/web/service_words.py): the statement of a
case it opened by itself (a probation over, a quarter's close, demotions in consecutive years) and its first history
entry's comment, on the case page, the review page and the personal file; its comment when an interview completes.
The API gives them as written; what a person wrote (an applicant's statement) stays theirs."""
from __future__ import annotations

import html
import re
from datetime import date

from tests.support.answers import ok
from tests.support.reads import case_of
from tests.support.statements import counting
from tests.support.steps import apply, event, hr_case, interview, move_clock, review
from tests.support.world import BOSS, HR, candidate
from tests.web.visitor import text


ENDS_AT = "2026-09-10T00:00:00+08:00"  # the end of a probation of 3 months from 2026-06-10 (the default policy's)
Q3_OVER = "2026-10-01T00:30:00+08:00"


def on_probation(gf, no: str = "P001", since: date = date(2026, 6, 10)) -> str:
    gf.manager(no, "probation", supervisor="S900", grade_since=since, login=True)
    return no


def statement_of(page) -> str:
    """The text of the page's statement (its <dd>), tags dropped."""
    shown = text(page)
    said = re.search(r'data-testid="statement">(.*?)</dd>', page.get_data(as_text=True), flags=re.S)[1]
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", said)).split())
    assert words in shown
    return words


def test_a_probation_confirmation_says_in_chinese_whose_probation_is_over_on_the_case_and_review_pages(gf, signed):
    no = on_probation(gf)
    move_clock(gf, ENDS_AT)
    [case] = ok(gf.get("/cases?mine=true", as_=no.lower()))
    assert case_of(gf, case["id"])["statement"] == "probation of 3 months from 2026-06-10 has ended"  # the API's

    page = signed(HR).get(f"/cases/{case['id']}")
    assert page.status_code == 200
    assert statement_of(page) == "系统开启本案：试用期自2026年6月10日 周三起，现已期满。"
    assert "probation of" not in text(page)  # nor in the timeline's first entry

    review = signed(BOSS).get(f"/review/{case['id']}")
    assert review.status_code == 200
    assert statement_of(review) == "系统开启本案：试用期自2026年6月10日 周三起，现已期满。"


def test_a_demotion_the_quarter_close_opened_gives_the_close_and_its_reasons_in_chinese(gf, signed):
    gf.manager("M001", "mid", supervisor="S900")
    for period, score in (("2026Q2", "70"), ("2026Q3", "75")):  # below the mid threshold (80) twice
        gf.performance("M001", period, score, months_worked=3)
    move_clock(gf, Q3_OVER)
    [case_id] = ok(gf.post("/evaluations/2026Q3/close", as_=HR))["demotion_cases"]
    assert case_of(gf, case_id)["statement"].startswith("2026Q3 quarter close: ")  # the API's, as written

    page = signed(HR).get(f"/cases/{case_id}")
    said = statement_of(page)
    assert said.startswith("系统在2026年第3季度期末评定时开启本案：")
    assert "连续" in said and "2026年第2季度 70" in said and "2026年第3季度 75" in said  # below the threshold, by quarter
    assert "quarter close" not in text(page)
    facts = text(page)  # nobody applied for it: a case opened, about a manager, on grounds
    assert "案件启动" in facts and "提交申请" not in facts and "申请人" not in facts and "申请陈述" not in facts
    assert "客户经理 经理M001" in facts and "事由" in facts


def test_an_exit_after_demotions_in_consecutive_years_says_so_in_chinese(gf, signed):
    gf.manager("S001", "senior", supervisor="S900")
    for period in ("2026Q3", "2026Q4"):  # a violation each quarter: a demotion at each close
        gf.performance("S001", period, "90", months_worked=3, violation=True)
    move_clock(gf, Q3_OVER)
    [first] = ok(gf.post("/evaluations/2026Q3/close", as_=HR))["demotion_cases"]
    for name in ("approve", "publish"):
        ok(event(gf, first, name, HR))
    move_clock(gf, "2027-01-01T09:00:00+08:00")  # the 2026 demotion took effect; the 2026Q4 close opened the next
    [second] = [c["id"] for c in ok(gf.get("/cases?kind=demotion", as_=HR)) if c["id"] != first]
    for name in ("approve", "publish"):
        ok(event(gf, second, name, HR))
    move_clock(gf, "2027-01-07T00:00:00+08:00")  # in effect in 2027 too: the service opens the exit
    [exit_case] = ok(gf.get("/cases?kind=exit", as_=HR))
    assert case_of(gf, exit_case["id"])["statement"].startswith("demoted in 2026, 2027")  # the API's, as written

    page = signed(HR).get(f"/cases/{exit_case['id']}")
    assert statement_of(page) == "系统开启本案：连续2年被降级（2026和2027）。"


def test_the_review_page_reads_how_the_service_opened_a_case_in_one_query_more(gf, signed, app):
    opened_by_hr = on_probation(gf, "P002", since=date(2026, 5, 1))  # over already: hr opens its case first
    by_hr = hr_case(gf, "probation_confirmation", opened_by_hr)["id"]
    by_service = on_probation(gf)
    move_clock(gf, ENDS_AT)
    [opened] = ok(gf.get("/cases?mine=true", as_=by_service.lower()))
    boss = signed(BOSS)
    counts = {}
    for label, case_id in (("hr", by_hr), ("service", opened["id"])):
        assert boss.get(f"/review/{case_id}").status_code == 200  # the first request of a page warms its caches
        with counting(app) as seen:
            assert boss.get(f"/review/{case_id}").status_code == 200
        counts[label] = len(seen)
    assert counts["service"] == counts["hr"] + 1, counts


def test_the_personal_file_tells_how_the_service_opened_a_case_in_chinese(gf, signed):
    no = on_probation(gf)
    move_clock(gf, ENDS_AT)
    page = signed(HR).get(f"/managers/{no}/file")
    assert page.status_code == 200
    assert "系统开启本案：试用期自2026年6月10日 周三起，现已期满。" in text(page) and "probation of" not in text(page)


def test_an_interview_completed_is_told_in_chinese_on_the_case_page_and_in_the_personal_file(gf, signed):
    no = candidate(gf, "M100")
    case_id = apply(gf, no)
    review(gf, case_id, 85)
    interview(gf, case_id, 80)
    [complete] = [e for e in ok(gf.get(f"/cases/{case_id}/history", as_=HR)) if e["event"] == "interview_complete"]
    assert complete["comment"] == "every committee member who counts for this case has scored"  # the API's
    hr = signed(HR)
    for path in (f"/cases/{case_id}", f"/managers/{no}/file"):
        words = text(hr.get(path))
        assert "本案所有应评分的评审委员均已评分。" in words and "every committee member" not in words, path


def next_step_of(page) -> str:
    """What the case's timeline says is to be done next (its step to act)."""
    step = re.search(r'data-step="act">.*?<strong>(.*?)</strong>', page.get_data(as_text=True), flags=re.S)[1]
    return html.unescape(step).strip()


def test_a_probation_confirmation_waits_for_the_probation_to_be_confirmed_not_for_an_application_review(gf, signed):
    no = on_probation(gf)
    move_clock(gf, ENDS_AT)
    [probation] = ok(gf.get("/cases?mine=true", as_=no.lower()))
    promotion = apply(gf, candidate(gf, "M100"))
    assert next_step_of(signed(HR).get(f"/cases/{probation['id']}")) == "确认是否转正"
    assert next_step_of(signed(HR).get(f"/cases/{promotion}")) == "审核申请材料"


def test_an_applicants_own_statement_stays_as_they_wrote_it(gf, signed):
    no = candidate(gf, "M100")
    case_id = apply(gf, no, statement="我的业绩与客户")  # the applicant's own words
    assert statement_of(signed(HR).get(f"/cases/{case_id}")) == "我的业绩与客户"
    assert statement_of(signed(BOSS).get(f"/review/{case_id}")) == "我的业绩与客户"
