"""HR's manager pages through Flask's test client: the roster with org unit, grade and supervisor (filtered),
a manager's page with grade history and performance records (a corrected one with its earlier versions), the
same authorization as the JSON API (a customer manager gets the 403 page for the roster and the 404 page for a
colleague), markup in a filter kept as text, and a fixed number of statements whatever the number of managers."""
from __future__ import annotations

import re

from tests.support.driver import Driver
from tests.support.policies import TOBACCO_MONTHLY_SCORECARD, policy_file
from tests.support.statements import counting
from tests.support.steps import apply
from tests.support.world import BOSS, CYCLE, HR, SUPERVISOR, candidate, organisation
from tests.web.visitor import Visitor, text

SCRIPT = '<script>alert("x")</script>'


def _hr_and_e001(gf, visit):
    """The organisation with E001 (a 2025 score of 88), and hr signed in to the pages."""
    organisation(gf)
    candidate(gf, "E001", performance="88")
    hr = visit()
    hr.sign_in(HR)
    return hr


def test_hr_sees_the_roster_and_a_managers_records_in_chinese(app, gf, visit):
    hr = _hr_and_e001(gf, visit)
    roster = hr.get("/managers")
    assert roster.status_code == 200
    words = text(roster)
    assert "客户经理" in words and "E001" in words and "初级客户经理" in words and SUPERVISOR in words
    assert '<th scope="col">姓名</th>' in roster.get_data(as_text=True)  # a person's name, not 名称 (a thing's)
    filtered = hr.get("/managers?grade=senior")
    assert SUPERVISOR in text(filtered) and "E001" not in text(filtered)
    # the grades to filter by are the policy's, by name (the codes appear nowhere else on the pages)
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', filtered.get_data(as_text=True))
    assert options[:2] == [("", "", "全部等级"), ("probation", "", "见习客户经理")]
    assert ("senior", " selected", "高级客户经理") in options
    page = hr.get("/managers/E001")
    words = text(page)
    assert "绩效记录" in words and "2025年度" in words and "88" in words
    assert "尚无等级变动" in words
    assert "学历 —" in words and "出生日期 —" in words and "资格证书 —" in words
    assert gf.patch("/managers/E001", as_=HR, json={"education": "本科", "birth_date": "1990-05-17",
                                                     "certificates": ["营销师", "理财规划师"]}).status_code == 200
    words = text(hr.get("/managers/E001"))
    assert "学历 本科" in words and "出生日期 1990年5月17日" in words and "资格证书 营销师、理财规划师" in words
    assert "尚无考试成绩" in words
    assert gf.post("/managers/E001/exam-results", as_=HR, json={"exam": "skills_test", "taken_on": "2026-06-20",
                                                                "score": 75}).status_code == 201
    exams = text(hr.get("/managers/E001"))
    assert "考试成绩 考试 考试日期 分数 录入 skills_test 2026年6月20日" in exams


def test_a_managers_page_lists_their_cases_with_links_and_no_one_elses(app, gf, visit):
    hr = _hr_and_e001(gf, visit)
    candidate(gf, "E002", performance="88")
    theirs, other = apply(gf, "E001"), apply(gf, "E002")
    page = hr.get("/managers/E001")
    words = text(page)
    assert f"案件 №{theirs} 晋级 · 初级客户经理 → 中级客户经理 · {CYCLE} · 已提交，自 " in words
    assert f"№{other}" not in words
    assert f'href="/cases/{theirs}"' in page.get_data(as_text=True)
    none_yet = text(hr.get(f"/managers/{SUPERVISOR}"))
    assert "案件 尚无案件。" in none_yet


def test_a_managers_page_and_personal_file_name_the_supervisor_beside_their_number(app, gf, visit):
    hr = _hr_and_e001(gf, visit)
    page = hr.get("/managers/E001")
    assert f"上级主管 经理{SUPERVISOR} {SUPERVISOR}" in text(page)
    assert f'href="/managers/{SUPERVISOR}"' in page.get_data(as_text=True)
    assert f"上级主管 经理{SUPERVISOR} {SUPERVISOR}" in text(hr.get("/managers/E001/file"))
    assert "上级主管 —" in text(hr.get(f"/managers/{SUPERVISOR}")) and "上级主管 —" in text(
        hr.get(f"/managers/{SUPERVISOR}/file"))


def test_a_corrected_record_shows_its_earlier_versions_with_who_and_why(app, gf, visit):
    hr = _hr_and_e001(gf, visit)
    assert gf.put("/managers/E001/performance/2025", as_=HR,
                  json={"score": 91, "months_worked": 12, "reason": "补录加分项"}).status_code == 200
    page = hr.get("/managers/E001")
    words = text(page)
    assert "91" in words and "已更正 1 次" in words
    earlier = words[words.index("已更正 1 次"):]  # oldest first, each with who; a correction with why
    assert earlier.index("88") < earlier.index("命令行") < earlier.index("91") < earlier.index("hr1：补录加分项")
    boss = visit()
    boss.sign_in(BOSS)
    assert "补录加分项" in text(boss.get("/managers/E001"))


def test_markup_in_a_filter_is_shown_as_text(app, gf, visit):
    organisation(gf)
    hr = visit()
    hr.sign_in(HR)
    body = hr.get("/managers", query_string={"org_unit": SCRIPT}).get_data(as_text=True)
    assert SCRIPT not in body and "&lt;script&gt;" in body


def test_a_customer_manager_gets_the_403_page_for_the_roster_and_the_404_page_for_a_colleague(app, gf, visit):
    organisation(gf)
    candidate(gf, "E001")
    candidate(gf, "E002")
    employee = visit()
    employee.sign_in("e001")
    assert employee.get("/managers").status_code == 403
    assert employee.get("/managers/E002").status_code == 404
    assert employee.get("/managers/E001").status_code == 200  # their own
    boss = visit()
    boss.sign_in(BOSS)
    assert boss.get("/managers/E002").status_code == 200  # a report


def test_the_roster_and_a_manager_page_issue_as_many_statements_for_many_managers_as_for_few(build):
    from tests.support.driver import Driver
    served = build(GRADEFLOW_CLOCK="system")
    gf = Driver(served)
    organisation(gf)
    visitor = Visitor(served)
    assert visitor.sign_in(HR).status_code == 302
    counts = []
    for start, count in ((1, 2), (3, 20)):
        for n in range(start, start + count):
            candidate(gf, f"E{n:03d}")
        with counting(served) as roster:
            assert visitor.get("/managers").status_code == 200
        with counting(served) as one:
            assert visitor.get("/managers/E001").status_code == 200
        counts.append((len(roster), len(one)))
    assert counts[0] == counts[1], counts
    assert max(counts[1]) <= 40, counts


def test_a_record_made_by_the_period_scorecard_shows_its_parts(build, tmp_path):
    """The monthly record of seed 004's scorecard: its score with each part's points and what hr entered, each by the
    scorecard's own name (its code where the policy gives none)."""
    app = build(GRADEFLOW_POLICY=policy_file(tmp_path, lambda document: document.update(TOBACCO_MONTHLY_SCORECARD)))
    gf = Driver(app)
    organisation(gf)
    candidate(gf, "E001", performance="88")
    assert gf.put("/managers/E001/performance/2026M08", as_=HR, json={
        "parts": {"sales": 92.5, "conduct": 1, "groundwork": 0, "training": 2}, "months_worked": 1}).status_code == 200
    hr = Visitor(app, None)
    hr.sign_in(HR)
    words = text(hr.get("/managers/E001"))
    assert ("85.5 各项得分：经营业绩 92.50 · 综合素质 75.00；录入：经营业绩 92.50 · 作风纪律 1 · 基础工作 0 · training 2"
            in words)
    assert gf.put("/managers/E001/performance/2026M08", as_=HR, json={
        "parts": {"sales": 92.5, "conduct": 3, "groundwork": 0, "training": 2}, "months_worked": 1,
        "reason": "第三次违纪查实"}).status_code == 200
    corrected = text(hr.get("/managers/E001"))
    earlier = corrected[corrected.index("已更正 1 次"):]  # each version with its parts, oldest first
    assert earlier.index("85.5 （各项得分：经营业绩 92.50 · 综合素质 75.00") < earlier.index(
        "71.5 （各项得分：经营业绩 92.50 · 综合素质 40.00")
