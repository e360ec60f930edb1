"""What a notification says (issue 15, point 1): the templates of every kind of message, in Chinese and in English,
and the words they use for kinds of case, states and outcomes. A recipient reads the language of their account
(users.language: "en…" is English, anything else Chinese, the service's language). The words are those of the
pages' catalogue (tests/unit/test_messages.py holds them together).

Templates are filled from a message's facts (workflow/services/notices.py and the reminders of due.py gather them);
an instant is given in the policy's time zone."""
from __future__ import annotations

from collections.abc import Mapping

from workflow import case_machine as m

ZH, EN = "zh", "en"
LANGUAGES = (ZH, EN)

REMINDER = "reminder"  # a case overdue: once a working day, to whoever it waits on (due.py)
CASE_WAITING = "case_waiting"  # a case has just begun to wait on someone
DEADLINE_APPROACHING = "deadline_approaching"  # a wait becomes overdue within a working day
APPEAL_DEADLINE = "appeal_deadline"  # the applicant's appeal window closes within a working day
DECISION_PUBLISHED = "decision_published"
APPEAL_FILED = "appeal_filed"
APPEAL_RESOLVED = "appeal_resolved"
GRADE_CHANGED = "grade_changed"
MESSAGE_KINDS = (REMINDER, CASE_WAITING, DEADLINE_APPROACHING, APPEAL_DEADLINE, DECISION_PUBLISHED, APPEAL_FILED,
                 APPEAL_RESOLVED, GRADE_CHANGED)

UPHELD, OVERTURNED = "uphold", "overturn"

# (subject, body) of each kind, per language
TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    REMINDER: {
        ZH: ("【催办】{kind}案件 {case_id}（{manager}）待您处理",
             "{manager}（{employee_no}）的{kind}案件 {case_id} 自 {since} 起处于“{state}”，已超过 {days} 个工作日，"
             "正在等待您处理。"),
        EN: ("Reminder: {kind} case {case_id} ({manager}) is waiting for you",
             "{manager}'s ({employee_no}) {kind} case {case_id} has been {state} since {since}, more than {days} "
             "working days. It is waiting for you."),
    },
    CASE_WAITING: {
        ZH: ("【待办】{kind}案件 {case_id}（{manager}）待您处理",
             "{manager}（{employee_no}）的{kind}案件 {case_id} 已于 {since} 进入“{state}”，正在等待您处理。"),
        EN: ("To do: {kind} case {case_id} ({manager}) is waiting for you",
             "{manager}'s ({employee_no}) {kind} case {case_id} has been {state} since {since} and is waiting for "
             "you."),
    },
    DEADLINE_APPROACHING: {
        ZH: ("【即将逾期】{kind}案件 {case_id}（{manager}）",
             "{manager}（{employee_no}）的{kind}案件 {case_id} 自 {since} 起处于“{state}”，将于 {due} 逾期，"
             "请尽快处理。"),
        EN: ("Due soon: {kind} case {case_id} ({manager})",
             "{manager}'s ({employee_no}) {kind} case {case_id} has been {state} since {since} and becomes overdue "
             "at {due}. Please act on it."),
    },
    APPEAL_DEADLINE: {
        ZH: ("【申诉期即将截止】{kind}案件 {case_id}",
             "您的{kind}案件 {case_id} 的评审结果（{outcome}）正在公示，申诉期将于 {deadline} 截止。"
             "如有异议，请在截止前提出申诉。"),
        EN: ("Appeal window closing: {kind} case {case_id}",
             "The decision on your {kind} case {case_id} ({outcome}) is published; the appeal window closes at "
             "{deadline}. If you disagree, appeal before then."),
    },
    DECISION_PUBLISHED: {
        ZH: ("【公示】{kind}案件 {case_id} 评审结果：{outcome}",
             "{manager}（{employee_no}）的{kind}案件 {case_id}（{from_grade} → {to_grade}）评审结果为“{outcome}”，"
             "已于 {at} 公示。{appeal}"),
        EN: ("Published: {kind} case {case_id}: {outcome}",
             "The decision on {manager}'s ({employee_no}) {kind} case {case_id} ({from_grade} → {to_grade}) is "
             "“{outcome}”, published at {at}. {appeal}"),
    },
    APPEAL_FILED: {
        ZH: ("【申诉】{manager}对{kind}案件 {case_id} 提出申诉",
             "{manager}（{employee_no}）于 {at} 对{kind}案件 {case_id} 的评审结果提出申诉，请处理。申诉理由：{comment}"),
        EN: ("Appeal: {manager} appealed {kind} case {case_id}",
             "{manager} ({employee_no}) appealed the decision on {kind} case {case_id} at {at}. Please handle it. "
             "Grounds: {comment}"),
    },
    APPEAL_RESOLVED: {
        ZH: ("【申诉结果】{kind}案件 {case_id}：{verdict}",
             "{manager}（{employee_no}）对{kind}案件 {case_id} 的申诉已于 {at} 处理：{verdict}。{comment}"),
        EN: ("Appeal decided: {kind} case {case_id}: {verdict}",
             "The appeal of {manager} ({employee_no}) on {kind} case {case_id} was decided at {at}: {verdict}. "
             "{comment}"),
    },
    GRADE_CHANGED: {
        ZH: ("【等级变动】{manager}：{from_grade} → {to_grade}",
             "{manager}（{employee_no}）的等级自 {effective_on} 起由“{from_grade}”调整为“{to_grade}”"
             "（{kind}案件 {case_id}）。"),
        EN: ("Grade changed: {manager}: {from_grade} → {to_grade}",
             "{manager} ({employee_no}) holds {to_grade} instead of {from_grade} from {effective_on} "
             "({kind} case {case_id})."),
    },
}

# the parts a template fills from a fact that may be missing
APPEAL_HINT = {ZH: "如有异议，可在 {deadline} 前提出申诉。", EN: "If you disagree, you may appeal before {deadline}."}

KIND_WORDS = {
    ZH: {m.PROMOTION: "晋级", m.PROBATION_CONFIRMATION: "转正", m.DEMOTION: "降级", m.EXIT: "退出",
         m.ADVANCEMENT: "业绩晋级"},
    EN: {m.PROMOTION: "promotion", m.PROBATION_CONFIRMATION: "probation confirmation", m.DEMOTION: "demotion",
         m.EXIT: "exit", m.ADVANCEMENT: "advancement on results"},
}
STATE_WORDS = {
    ZH: {m.SUBMITTED: "已提交", m.RETURNED: "已退回补充", m.HR_REVIEW: "人力资源审核破格申请", m.IN_STAGE: "政策规定环节",
         m.INTERVIEW: "面试评分", m.DELIBERATION: "评议中", m.DECIDED: "已决定", m.PUBLISHED: "公示中",
         m.APPEALED: "申诉中", m.EFFECTIVE: "已生效", m.CLOSED: "已结束", m.REJECTED: "已驳回", m.WITHDRAWN: "已撤回"},
    EN: {m.SUBMITTED: "submitted", m.RETURNED: "returned for changes", m.HR_REVIEW: "in HR review of the exception",
         m.IN_STAGE: "in a stage of the policy", m.INTERVIEW: "in interview", m.DELIBERATION: "in deliberation",
         m.DECIDED: "decided", m.PUBLISHED: "published", m.APPEALED: "appealed", m.EFFECTIVE: "effective",
         m.CLOSED: "closed", m.REJECTED: "rejected", m.WITHDRAWN: "withdrawn"},
}
OUTCOME_WORDS = {ZH: {m.APPROVED: "通过", m.DENIED: "未通过"}, EN: {m.APPROVED: "approved", m.DENIED: "denied"}}
VERDICT_WORDS = {ZH: {UPHELD: "维持原评审结果", OVERTURNED: "撤销原决定，重新评议"},
                 EN: {UPHELD: "the decision is upheld", OVERTURNED: "the decision is overturned and deliberated again"}}


def language_of(account_language: str | None) -> str:
    """The language of a recipient's messages, from their account's (None: the service's, Chinese)."""
    return EN if (account_language or "").lower().startswith("en") else ZH


def render(kind: str, language: str, facts: Mapping[str, object], *, grade_names: Mapping[str, str] = {}
           ) -> tuple[str, str]:
    """(subject, body) of a message of `kind` in `language`. `facts` holds codes (case_kind, state, outcome,
    verdict, from_grade, to_grade) and ready text (instants, names, comments); `grade_names` names the grades in
    that language."""
    subject, body = TEMPLATES[kind][language]
    words = dict(facts)
    for key, table in (("case_kind", KIND_WORDS), ("state", STATE_WORDS), ("outcome", OUTCOME_WORDS),
                       ("verdict", VERDICT_WORDS)):
        if facts.get(key) is not None:
            words["kind" if key == "case_kind" else key] = table[language].get(facts[key], facts[key])
    for key in ("from_grade", "to_grade"):
        if facts.get(key) is not None:
            words[key] = grade_names.get(facts[key], facts[key])
    words["appeal"] = APPEAL_HINT[language].format(**words) if facts.get("deadline") else ""
    words["comment"] = facts.get("comment") or ""
    return subject.format(**words), body.format(**words).strip()
