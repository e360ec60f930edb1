"""What a notification says (workflow/messages.py): every kind renders in Chinese and English from its facts, the
words for kinds, states and outcomes cover the case machine's and agree with the pages' catalogue (api/web/labels.py
translated into zh_CN), a recipient's account language picks the template."""
from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from api.web import labels
from workflow import case_machine as m
from workflow import messages
from workflow.messages import EN, ZH

FACTS = {"case_id": 7, "case_kind": m.PROMOTION, "state": m.SUBMITTED, "employee_no": "E001", "manager": "张三",
         "since": "2026-09-01 09:00", "days": 3, "due": "2026-09-07 09:00", "deadline": "2026-09-04 23:59",
         "outcome": m.APPROVED, "from_grade": "junior", "to_grade": "mid", "at": "2026-09-01 10:00",
         "verdict": messages.UPHELD, "comment": "理由", "effective_on": "2026-09-05"}
GRADES = {ZH: {"junior": "初级客户经理", "mid": "中级客户经理"}, EN: {"junior": "Junior", "mid": "Mid"}}


@pytest.mark.parametrize("kind", messages.MESSAGE_KINDS)
@pytest.mark.parametrize("language", messages.LANGUAGES)
def test_every_kind_of_message_renders_in_both_languages_without_a_placeholder_left(kind, language):
    subject, body = messages.render(kind, language, FACTS, grade_names=GRADES[language])
    assert subject and body and "{" not in subject + body and "None" not in subject + body
    assert "7" in subject or "7" in body


def test_the_words_cover_every_kind_state_and_outcome_in_both_languages():
    for language in messages.LANGUAGES:
        assert set(messages.KIND_WORDS[language]) == set(m.KINDS)
        assert set(messages.STATE_WORDS[language]) == set(m.STATES)
        assert set(messages.OUTCOME_WORDS[language]) == {m.APPROVED, m.DENIED}


def test_the_chinese_words_are_the_pages_words():
    with open("api/translations/zh_Hans_CN/LC_MESSAGES/messages.po", "rb") as po:
        catalogue = read_po(po)
    for words, pages in ((messages.STATE_WORDS, labels.STATES), (messages.OUTCOME_WORDS, labels.OUTCOMES),
                         (messages.KIND_WORDS, labels.KINDS)):
        for code, msgid in pages.items():
            assert words[ZH][code] == catalogue.get(msgid._args[0]).string, code


def test_a_decision_without_an_open_window_names_no_appeal_deadline():
    _, body = messages.render(messages.DECISION_PUBLISHED, ZH, FACTS | {"deadline": None})
    assert "申诉" not in body and body.endswith("公示。")
    _, body = messages.render(messages.DECISION_PUBLISHED, ZH, FACTS)
    assert body.endswith("如有异议，可在 2026-09-04 23:59 前提出申诉。")


@pytest.mark.parametrize("account, language", [(None, ZH), ("zh_CN", ZH), ("en", EN), ("en_US", EN)])
def test_the_account_s_language_picks_the_template(account, language):
    assert messages.language_of(account) == language
