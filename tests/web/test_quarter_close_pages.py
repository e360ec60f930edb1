"""HR's quarter-close page through Flask's test client: what closing 2026Q3 will do per manager (a demotion with
the grade proposed, an exclusion, nothing) before anything is written, then the close through
evaluations.close_quarter with a double submit closing once; a malformed period, a year and a quarter not over told
next to the period field in Chinese with what was typed kept (markup as text); other roles refused with the 403
page; as many statements for many managers as for few."""
from __future__ import annotations

import re

import pytest

from tests.support.statements import counting
from tests.support.steps import move_clock
from tests.support.world import ADMIN, BOSS, HR, organisation
from tests.web.visitor import text

Q3_OVER = "2026-10-01T00:30:00+08:00"
SCRIPT = '<script>alert("x")</script>'


def quarter(gf, no: str, grade: str = "mid", **records) -> str:
    gf.manager(no, grade, supervisor="S900")
    for period, value in records.items():
        score, months, violation = value if isinstance(value, tuple) else (value, 3, False)
        gf.performance(no, period, score, months_worked=months, violation=violation)
    return no


@pytest.fixture
def hr(gf, visit):
    organisation(gf)
    visitor = visit()
    assert visitor.sign_in(HR).status_code == 302
    return visitor


def _close(visitor, period):
    return visitor.submit("/quarter-close", {"period": period}, from_page=f"/quarter-close?period={period}")


def test_hr_sees_what_the_close_will_do_then_closes_once(gf, hr):
    quarter(gf, "M001", **{"2026Q2": "70", "2026Q3": "75"})
    quarter(gf, "M002", **{"2026Q3": ("50", 1, True)})
    quarter(gf, "M003", **{"2026Q3": "95"})
    move_clock(gf, Q3_OVER)
    page = hr.get("/quarter-close?period=2026Q3")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-manager="M001" data-outcome="demotion"' in body and "启动降级案件 → 初级" in text(page)
    assert 'data-manager="M002" data-outcome="excluded"' in body and "在岗 1 个月，不足 2 个月" in text(page)
    assert 'data-manager="M003" data-outcome="kept"' in body
    assert re.search(r'data-manager="M001".*?<td>经理M001</td>', body, re.S)  # the name beside the number
    assert "立即进行2026年第3季度评价" in text(page)
    assert "评价后，本季度的考核记录和日期在本季度内的履职事件不能再录入或更正。" in text(page)
    assert "预计结果（.xlsx）" in text(page) and "评价结果（.xlsx）" not in text(page)  # what the download holds
    assert 'data-confirm="现在进行2026年第3季度评价？评价后本期考核记录即锁定，所启动的案件随即开始办理。"' in body

    assert _close(hr, "2026Q3").status_code == 302
    assert _close(hr, "2026Q3").status_code == 302  # the second click: the recorded close, nothing more
    done = hr.get("/quarter-close?period=2026Q3")
    assert "已完成评价" in text(done) and "评价了 3 名客户经理" in text(done)
    assert text(done).count("№") == 2  # one case opened: in the summary, and beside its manager
    assert 'data-testid="foreseen"' not in done.get_data(as_text=True)
    assert "立即进行" not in text(done)
    assert "评价结果（.xlsx）" in text(done) and "预计结果（.xlsx）" not in text(done)
    moved = re.search(r'data-testid="moved-by-close".*?</table>', done.get_data(as_text=True), re.S).group(0)
    assert 'data-manager="M001" data-outcome="demotion"' in moved and "经理M001" in moved  # by name, with why
    assert 'data-manager="M002" data-outcome="excluded"' in moved and "M003" not in moved  # kept: nothing done


def test_a_quarter_without_records_says_so_and_that_closing_it_locks_its_records(gf, hr):
    move_clock(gf, Q3_OVER)
    words = text(hr.get("/quarter-close?period=2026Q3"))
    assert "本季度没有客户经理的考核记录。" in words and "立即进行2026年第3季度评价" in words
    assert "评价后，本季度的考核记录和日期在本季度内的履职事件不能再录入或更正。" in words


def test_a_quarter_not_over_cannot_be_closed_and_says_so(gf, hr):
    quarter(gf, "M001", **{"2026Q3": ("70", 3, True)})
    page = hr.get("/quarter-close?period=2026Q3")
    assert 'data-testid="not-over"' in page.get_data(as_text=True) and "立即进行" not in text(page)
    refused = _close(hr, "2026Q3")
    assert refused.status_code == 409 and 'data-testid="close-error"' in refused.get_data(as_text=True)
    assert "本季度尚未结束" in text(refused)


@pytest.mark.parametrize("typed, told", [("2026", "季度评价针对季度（如 2026Q3）"), ("26Q9" + SCRIPT, "请输入季度")])
def test_a_bad_period_is_told_next_to_the_field_and_kept(hr, typed, told):
    page = hr.get("/quarter-close", query_string={"period": typed})
    body = page.get_data(as_text=True)
    assert page.status_code == 422 and 'data-testid="period-error"' in body and told in text(page)
    assert SCRIPT not in body and ("&lt;script&gt;" in body or "<" not in typed)
    assert 'value="2026' in body or 'value="26Q9' in body


@pytest.mark.parametrize("who", [BOSS, ADMIN])
def test_others_get_the_403_page(gf, visit, hr, who):
    other = visit()
    assert other.sign_in(who).status_code == 302
    assert other.get("/quarter-close").status_code == 403
    assert _close(other, "2026Q2").status_code == 403


def test_the_preview_issues_as_many_statements_for_many_managers_as_for_few(gf, hr):
    move_clock(gf, Q3_OVER)
    quarter(gf, "M001", **{"2026Q2": "70", "2026Q3": "75"})
    with counting(hr.client.application) as few:
        assert hr.get("/quarter-close?period=2026Q3").status_code == 200
    for n in range(2, 14):
        quarter(gf, f"M{n:03d}", **{"2026Q2": "70", "2026Q3": ("60", 3, n % 2 == 0)})
    with counting(hr.client.application) as many:
        assert hr.get("/quarter-close?period=2026Q3").get_data(as_text=True).count("data-manager=") == 13
    assert len(many) == len(few), str(many)


def test_under_a_monthly_policy_the_page_closes_months_and_says_so(build, tmp_path):
    """Pages follow the policy (issue 13, point 2): the nav, the title, the hint and the refusals name months."""
    from tests.support.driver import Driver
    from tests.support.policies import policy_file
    from tests.web.visitor import Visitor

    def monthly(document):
        document["periods"] = ["year", "month"]
        document["quarter_close"].update(period="month", min_months_worked=1)
    app = build(GRADEFLOW_POLICY=policy_file(tmp_path, monthly))
    gf = Driver(app)
    organisation(gf)
    quarter(gf, "M001", **{"2026M07": ("70", 1, False), "2026M08": ("75", 1, False)})
    hr = Visitor(app)
    assert hr.sign_in(HR).status_code == 302

    page = hr.get("/quarter-close")  # 2026-09-01: August is the month to close
    words = text(page)
    assert "月度评价" in words and "季度" not in words
    assert "2026年8月" in words and "如 2026M03。" in words and "本月评价将产生的结果" in words
    assert 'data-manager="M001" data-outcome="demotion"' in page.get_data(as_text=True)
    assert "中级客户经理连续月份低于 80 分" in words
    refused = hr.get("/quarter-close?period=2026Q2")
    assert refused.status_code == 422 and "月度评价针对月（如 2026M03）。" in text(refused)
    assert _close(hr, "2026M08").status_code == 302
    assert "已完成评价" in text(hr.get("/quarter-close?period=2026M08"))


def test_with_monthly_and_quarterly_closes_the_page_shows_one_and_links_the_other(build, tmp_path):
    """Closes side by side (seed 004: 月度考核、季度评价): the nav names them together, the page the kind of the
    period shown, with a link to the latest ended period of the other kind; a period of neither kind is refused
    naming both."""
    from tests.support.driver import Driver
    from tests.support.policies import MONTHLY_AND_QUARTERLY, policy_file
    from tests.web.visitor import Visitor

    def side_by_side(document):
        document["periods"] = ["year", "quarter", "month"]
        document["quarter_close"] = MONTHLY_AND_QUARTERLY
    app = build(GRADEFLOW_POLICY=policy_file(tmp_path, side_by_side))
    gf = Driver(app)
    organisation(gf)
    quarter(gf, "M001", **{"2026M08": ("59", 1, False), "2026Q3": ("79", 3, False)})
    move_clock(gf, Q3_OVER)
    hr = Visitor(app)
    assert hr.sign_in(HR).status_code == 302

    quarterly = hr.get("/quarter-close")  # the longest kind's latest ended period: 2026Q3
    words = text(quarterly)
    assert "期末评价" in words  # the navigation
    assert "本季度评价将产生的结果" in words and "本制度另有： 月度评价 2026年9月" in words
    assert 'data-manager="M001" data-outcome="demotion"' in quarterly.get_data(as_text=True)
    monthly = text(hr.get("/quarter-close?period=2026M09"))
    assert "月度评价" in monthly and "2026年9月" in monthly and "本制度另有： 季度评价 2026年第3季度" in monthly
    refused = hr.get("/quarter-close?period=2026H1")
    assert refused.status_code == 422
    assert "季度评价针对季度（如 2026Q3）。 月度评价针对月（如 2026M03）。" in text(refused)
