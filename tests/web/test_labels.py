"""The pages name states, events, kinds and roles from the live definitions, and grades from the policy."""
from __future__ import annotations

import pytest

from api.web import labels, rule_reasons
from workflow import accounts, case_machine, delegations, grading_rules, manager_events, quarter_close, waiting


def test_every_state_event_kind_and_role_has_a_label_and_no_label_is_stale():
    assert set(labels.STATES) == set(case_machine.STATES)
    assert set(labels.EVENTS) == set(case_machine.EVENTS)
    assert set(labels.KINDS) == set(case_machine.KINDS)
    assert set(labels.ROLES) == set(accounts.ROLES) == set(labels.ROLE_ABILITIES)
    assert set(labels.TASKS) == set(waiting.WAITING_STATES)


def test_every_close_outcome_move_event_kind_leave_reason_and_standing_has_a_label():
    assert set(labels.QUARTER_OUTCOMES) == set(quarter_close.OUTCOMES)
    assert set(rule_reasons.MOVES) | {grading_rules.UP, grading_rules.DOWN} == set(grading_rules.MOVES)
    assert set(labels.EVENT_KINDS) == set(manager_events.KINDS)
    assert set(labels.LEAVE_REASONS) == set(manager_events.LEAVE_REASONS)
    assert set(labels.STANDINGS) == set(manager_events.STANDINGS)


def test_every_delegation_scope_and_status_has_a_label():
    assert set(labels.DELEGATION_SCOPES) == set(delegations.SCOPES)
    assert set(labels.DELEGATION_STATUSES) == set(delegations.STATUSES)


@pytest.mark.parametrize("language, state, event, grade", [
    ("zh-CN", "公示中", "材料审核通过", "中级客户经理"),
    ("en", "Published", "Approve the materials", "Mid-level customer manager"),
])
def test_labels_follow_the_language(app, language, state, event, grade):
    with app.test_request_context(headers={"Accept-Language": language}):
        assert labels.state("published") == state
        assert labels.event("approve_materials") == event
        assert labels.grade("mid") == grade


def test_grades_come_from_the_policy_of_the_installation(build):
    bank = build(GRADEFLOW_POLICY="bank-six-level")
    ladder = bank.extensions["gradeflow"]["rules"].policy.ladder
    with bank.test_request_context():
        assert [labels.grade(code) for code in ladder.codes] == [g.zh for g in ladder.grades]
    with bank.test_request_context(headers={"Accept-Language": "en"}):
        assert [labels.grade(code) for code in ladder.codes] == [g.en for g in ladder.grades]


def test_an_unknown_code_is_shown_as_it_is(app):
    with app.test_request_context():
        assert labels.state("no_such_state") == "no_such_state"
        assert labels.grade("no_such_grade") == "no_such_grade"


@pytest.mark.parametrize("text, zh, en", [
    ("2025", "2025年度", "Year 2025"),
    ("2026H1", "2026年上半年", "First half of 2026"),
    ("2026H2", "2026年下半年", "Second half of 2026"),
    ("2026Q3", "2026年第3季度", "Q3 2026"),
    ("2026M03", "2026年3月", "Mar 2026"),
    ("not-a-period", "not-a-period", "not-a-period"),
])
def test_a_period_is_shown_in_words_in_each_language(app, text, zh, en):
    from api.web.i18n import period
    with app.test_request_context():
        assert period(text) == zh
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert period(text) == en


@pytest.mark.parametrize("items, zh, en", [
    ((2026,), "2026", "2026"),
    ((2026, 2027), "2026和2027", "2026 and 2027"),
    ((2025, 2026, 2027), "2025、2026和2027", "2025, 2026, and 2027"),
])
def test_a_list_is_written_as_each_language_writes_one(app, items, zh, en):
    from api.web.i18n import listed
    with app.test_request_context():
        assert listed(items) == zh
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert listed(items) == en


def test_punctuation_between_words_follows_the_language(app):
    from markupsafe import Markup

    from api.web.i18n import aside, clauses, colon, parenthesized
    with app.test_request_context():
        assert (colon(), clauses(["低于及格线", "名额已满"]), parenthesized("升 1 级")) == ("：", "低于及格线；名额已满", "（升 1 级）")
        assert aside("<b>") == Markup("（&lt;b&gt;）") and aside(Markup("<a>链接</a>")) == Markup("（<a>链接</a>）")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert (colon(), clauses(["below the pass mark", "no place"]), parenthesized("up 1 grade")) == (
            ": ", "below the pass mark; no place", "(up 1 grade)")


def test_a_direct_move_the_service_refused_at_a_close_is_told_by_its_reasons_in_the_readers_language(app):
    """history_comment: the service's deny at a close (finalization.take_effect_at_close) names its reasons, one clause
    each, in the page's language; a comment a person wrote stays as written."""
    from api.web.service_words import history_comment
    from workflow.services.case_steps import SYSTEM_ACTOR
    refused = {"actor": SYSTEM_ACTOR, "event": "deny", "comment": "the quota of senior is full",
               "data": {"reasons": ["quota_exceeded", "below_pass_mark"]}}
    with app.test_request_context():
        assert history_comment(refused) == "超出该等级名额（排名在剩余名额之后）；低于及格线"
        assert history_comment(refused | {"actor": "hr1"}) == "the quota of senior is full"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert history_comment(refused) == ("beyond the quota of its grade (ranked below the free slots); "
                                            "below the pass mark")
