"""An eligibility refusal's figures in the page's language (api/web/eligibility_words.py), from the refusals
workflow/eligibility.py makes: the apply page tells a Chinese reader in Chinese how far each rule is from being met,
where the API's English detail said it only in English."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask_babel import force_locale

from api.web.eligibility_words import refusal_facts
from tests.unit.test_eligibility import (AGED, CERTIFIED, EDUCATED, RESULTS, exam_refusals, ranked_at,
                                         refusals, senior_refusals)
from workflow.services.cases import _one_open_case

CASES = {
    "promotion_goes_up": (lambda: refusals("mid", "junior"), "初级客户经理不高于您的现任等级中级客户经理。",
                          "Junior customer manager is not above your grade, Mid-level customer manager."),
    "one_step_at_a_time": (lambda: refusals("junior", "senior"), "初级客户经理 → 高级客户经理 相差 2 级。晋升每次 1 级（逐级晋升）。",
                           "Junior customer manager → Senior customer manager is 2 grades up. A promotion goes 1 "
                           "grade at a time."),
    "tenure": (lambda: refusals("junior", "mid", since=date(2026, 6, 1)),
               "晋升中级客户经理须任初级客户经理满 6 个月；自 2026年6月1日 周一 起已满 3 个月，2026年12月1日 周二 起可以申请。",
               "Mid-level customer manager needs 6 months as Junior customer manager; 3 completed since Jun 1, "
               "2026 Mon: you may apply from Dec 1, 2026 Tue."),
    "performance_rank": (lambda: refusals("junior", "mid", peers=ranked_at(4, 5)),
                         "晋升中级客户经理须在本机构初级客户经理中按2025年度得分排名前 60%，即 5 人中第 3 名以内；您排第 4 名。",
                         "rank of 3 or better among 5; your rank is 4."),
    "education": (lambda: senior_refusals(EDUCATED, education="中专"), "高级客户经理要求大专及以上学历；您的档案为中专。",
                  "Senior customer manager needs 大专 or above; your record shows 中专."),
    "recent_results": (lambda: senior_refusals(RESULTS, recent={"2026Q2": Decimal("69.99")}),
                       "高级客户经理要求2026年第2季度和2026年第1季度每期得分不低于 70 分；未达到的：2026年第2季度：69.99 分和2026年第1季度：无记录。",
                       "below it: Q2 2026: 69.99 and Q1 2026: no record."),
    "age": (lambda: senior_refusals(AGED, birth_date=date(1970, 1, 1)), "高级客户经理限 45 周岁以下申请；您现年 56 周岁。",
            "Senior customer manager is open up to the age of 45; you are 56."),
    "certificates": (lambda: senior_refusals(CERTIFIED, certificates=("营销师",)),
                     "高级客户经理要求的资格证书，您的档案中缺少：理财规划师。", "does not show: 理财规划师."),
    "exam": (lambda: exam_refusals((date(2026, 3, 2), Decimal("59.5"))),
             "高级客户经理要求 2025年9月1日 周一 以来的skills_test成绩不低于 60 分；您最近一次（2026年3月2日 周一）的成绩为 59.5 分。",
             "your latest, on Mar 2, 2026 Mon, scored 59.5."),
    "one_open_case": (lambda: [_one_open_case(7)], "您的案件№7尚未办结。", "Your case №7 is open."),
}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_each_rule_says_its_figures_in_the_readers_language(app, rule):
    make, chinese, english = CASES[rule]
    (refusal,) = [r for r in make() if r.rule == rule]
    with app.test_request_context():
        with force_locale("zh_CN"):
            assert refusal_facts(refusal) == chinese
        with force_locale("en"):
            assert english in refusal_facts(refusal)


def test_a_rule_whose_words_say_everything_adds_nothing(app):
    (refusal,) = refusals("probation", "junior")  # confirmed by 转正, not by application
    with app.test_request_context(), force_locale("zh_CN"):
        assert refusal_facts(refusal) == ""
