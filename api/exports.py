"""The exports (issue 16, point 2 and 5): each one a read use case's answer to the caller, turned into tables
(api/sheets.py), for the API's .xlsx downloads, the pages' download links and `gradeflow export KIND`. An export
shows what the caller's page or API answer shows and nothing more: it is built from the same read
(cycle_reads.cycle_overview, cycles.publication_board, managers.list_managers, quarter_close_reads.close_results,
personal_file.personal_file, report_reads.cycle_report), whose access rules refuse or hide as they do there.

Headers are in Chinese, as HR files them; grade names come from the policy's ladder and states, outcomes and
reasons from the pages' labels, in Chinese whatever the caller's language."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from flask import Response
from flask_babel import force_locale

from api.sheets import BOM, CSV, DATE, MOMENT, NUMBER, SCORE, XLSX, Column, Table, csv_text, workbook
from api.web import labels
from api.web.i18n import DEFAULT_LOCALE
from api.web.service_words import comment_text
from workflow.accounts import Actor
from workflow.errors import FieldError, RuleViolation
from workflow.reports import FUNNEL
from workflow.services import cycles, managers
from workflow.services.context import Rules
from workflow.services.cycle_reads import cycle_overview
from workflow.services.personal_file import personal_file
from workflow.services.quarter_close_reads import close_results
from workflow.services.report_reads import cycle_report

EVERY_MANAGER = 1_000_000  # the most managers a roster lists


@dataclass(frozen=True)
class Export:
    name: str  # the file's name without its extension: 决定名单-2026H2
    tables: list[Table]

    def xlsx(self) -> bytes:
        return workbook(self.tables)

    def csv(self) -> str:
        """One table's CSV; an export of several tables has none (RuleViolation on `format`)."""
        if len(self.tables) != 1:
            raise RuleViolation([FieldError("format", "xlsx_only", f"{self.name} holds {len(self.tables)} tables: "
                                            "export it as .xlsx")])
        return csv_text(self.tables[0])


def download(export: Export, content_type: str = XLSX) -> Response:
    """The export as a file download, a workbook or (CSV) its one table in UTF-8 with a BOM, its name in UTF-8
    (RFC 6266 filename*) with an ASCII stand-in."""
    csv = content_type == CSV
    filename = f"{export.name}.{'csv' if csv else 'xlsx'}"
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in filename)
    response = Response((BOM + export.csv()).encode() if csv else export.xlsx(), content_type=content_type)
    response.headers["Content-Disposition"] = f"attachment; filename=\"{fallback}\"; " \
                                              f"filename*=UTF-8''{quote(filename, safe='')}"
    return response


@contextmanager
def _in_chinese() -> Iterator[None]:
    with force_locale(DEFAULT_LOCALE):
        yield


def _local(rules: Rules, moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(rules.policy.tz)


def _grades(from_grade, to_grade) -> str:
    return f"{labels.grade(from_grade)} → {labels.grade(to_grade)}"


def _reasons(codes) -> str:
    return "；".join(labels.reason(code) for code in codes or ())


# --- a cycle's decision list -----------------------------------------------------------------------------------

DECISION_COLUMNS = (Column("排名", 6, NUMBER), Column("工号", 10), Column("姓名", 10), Column("机构", 16),
                    Column("申请", 18), Column("上级评分", 10, SCORE), Column("面试得分", 10, SCORE),
                    Column("绩效得分", 10, SCORE), Column("最终得分", 10, SCORE), Column("结果", 8),
                    Column("原因", 36), Column("状态", 10), Column("决定时间", 17, MOMENT))


def decisions(uow, rules: Rules, actor: Actor, code: str) -> Export:
    """The ranked result of the cycle as the caller's cycle page shows it: the decided cases they may see, each
    score only where they may see it."""
    overview = cycle_overview(uow, rules, actor, code)
    with _in_chinese():
        rows = [(c.rank, c.employee_no, c.applicant_name, c.org_unit, _grades(c.from_grade, c.target_grade),
                 c.supervisor_score, c.interview_score, c.performance_score, c.final_score, labels.outcome(c.outcome),
                 _reasons(c.reasons), labels.state(c.state), _local(rules, c.decided_at))
                for c in (item.case for item in overview.ranked)]
    notes = [f"{overview.cycle.name}（{code}）决定名单", f"及格线 {overview.pass_mark}"]
    return Export(f"决定名单-{code}", [Table("决定名单", DECISION_COLUMNS, rows, notes)])


# --- the publication notice (公示) --------------------------------------------------------------------------------

def notice(uow, rules: Rules, code: str) -> Export:
    """The publication board of the cycle (any user): who, from which grade to which, and until when and how to
    appeal; scores only where the policy shows them."""
    board = cycles.publication_board(uow, rules, code)
    cycle = cycles.get_cycle(uow, code)
    columns = [Column("工号", 10), Column("姓名", 10), Column("机构", 16), Column("类别", 10), Column("原等级", 12),
               Column("申请等级", 12), Column("结果", 14)]
    if board["show_scores"]:
        columns.append(Column("最终得分", 10, SCORE))
    columns.append(Column("申诉截止" if board["appeals"] else "生效时间", 17, MOMENT))
    with _in_chinese():
        rows = []
        for e in board["entries"]:
            row = [e["employee_no"], e["name"], e["org_unit"], labels.kind(e["kind"]), labels.grade(e["from_grade"]),
                   labels.grade(e["target_grade"]), labels.outcome(e["outcome"]) or "申诉后重新评定中"]
            if board["show_scores"]:
                row.append(e["final_score"])
            row.append(_local(rules, e["appeal_deadline"] if board["appeals"] else e["published_at"]))
            rows.append(row)
    return Export(f"公示-{code}", [Table("公示", columns, rows, notice_lines(rules, cycle, board))])


def notice_lines(rules: Rules, cycle, board: dict) -> list[str]:
    """What the notice says above its list (also printed on the notice page): the cycle, the day published, and
    the appeal: until when, and how."""
    lines = [f"{cycle.name}（{cycle.code}）评审结果公示"]
    published = _local(rules, board["published_at"])
    if published is not None:
        lines.append(f"公示日期：{published:%Y-%m-%d}")
    if not board["appeals"]:
        lines.append("本次结果自公示之日起生效，不设申诉期。")
    elif board["appeal_deadline"] is not None:
        deadline = _local(rules, board["appeal_deadline"])
        days = rules.policy.appeal_window_working_days
        lines.append(f"申诉截止：{deadline:%Y-%m-%d %H:%M}（公示后{days}个工作日内）"
                     + ("" if board["deadline_confirmed"] is not False else "，截止日尚待官方日历确认"))
        lines.append("如对结果有异议，请在截止前登录系统，在本人申请页面提交申诉并说明理由，由人力资源部受理。")
    return lines


# --- the roster ----------------------------------------------------------------------------------------------------

ROSTER_COLUMNS = (Column("工号", 10), Column("姓名", 10), Column("机构", 18), Column("等级", 12),
                  Column("任现等级日期", 13, DATE), Column("入职日期", 12, DATE), Column("上级工号", 10),
                  Column("学历", 10), Column("在岗状态", 10))


def roster(uow, rules: Rules, actor: Actor, *, org_unit: str | None = None, grade: str | None = None) -> Export:
    """Every manager with their grade (hr, committee, admins: the managers list's readers)."""
    found, _total = managers.list_managers(uow, actor, page=1, per_page=EVERY_MANAGER, org_unit=org_unit,
                                           grade=grade)
    with _in_chinese():
        rows = [(m.employee_no, m.name, m.org_unit, labels.grade(m.grade), m.grade_since, m.hire_date,
                 m.supervisor_no, m.education, labels.standing(m.standing)) for m in found]
    return Export("花名册", [Table("花名册", ROSTER_COLUMNS, rows)])


# --- a period close's results -----------------------------------------------------------------------------------

CLOSE_COLUMNS = (Column("工号", 10), Column("姓名", 10), Column("机构", 16), Column("等级", 12),
                 Column("得分", 8, SCORE), Column("工作月数", 9, NUMBER), Column("结果", 22), Column("依据", 40),
                 Column("案件号", 8, NUMBER), Column("状态", 8))


def close(uow, rules: Rules, actor: Actor, period: str) -> Export:
    """Each manager's result of the close (hr): recorded, or foreseen while the close has not run for them."""
    preview, results = close_results(uow, rules, actor, period)
    with _in_chinese():
        rows = [(r.employee_no, r.name, r.org_unit, labels.grade(r.grade), r.score, r.months_worked,
                 labels.quarter_outcome(r.outcome) + (f" → {labels.grade(r.target)}" if r.target else ""),
                 "；".join(_close_reason(reason) for reason in r.reasons), r.case_id,
                 "已记录" if r.recorded else "预计") for r in results]
    notes = [f"{preview.period} 期末评价结果" + ("" if preview.recorded else "（尚未评价：预计结果）")]
    return Export(f"期末评价-{preview.period}", [Table(preview.period, CLOSE_COLUMNS, rows, notes)])


def _close_reason(reason: dict) -> str:
    rule = reason.get("rule")
    if rule == "months_worked":
        return f"工作{reason.get('months_worked')}个月，不足{reason.get('minimum')}个月"
    if rule == "violation":
        return "违规（一票否决）"
    if rule == "below_threshold":
        scores = "，".join(f"{q['period']} {q['score']}" for q in reason.get("quarters", ()))
        return f"作为{labels.grade(reason.get('grade'))}连续低于{reason.get('threshold')}分：{scores}"
    if rule == "grading_rule":
        return str(reason.get("zh") or reason.get("code"))
    return str(rule)


# --- a manager's personal file (一人一档) ------------------------------------------------------------------------

def personal(uow, rules: Rules, actor: Actor, employee_no: str) -> Export:
    """The personal file as the caller may see it (whoever may see the manager; each case as its page shows it)."""
    filed = personal_file(uow, rules, actor, employee_no)
    m = filed.manager
    with _in_chinese():
        record = Table("档案", (Column("项目", 14), Column("内容", 30)), [
            ("工号", m.employee_no), ("姓名", m.name), ("机构", m.org_unit), ("等级", labels.grade(m.grade)),
            ("任现等级日期", m.grade_since.isoformat()), ("入职日期", m.hire_date.isoformat()),
            ("上级工号", m.supervisor_no), ("学历", m.education), ("在岗状态", labels.standing(m.standing))])
        grades = Table("等级变动", (Column("原等级", 12), Column("新等级", 12), Column("生效日期", 12, DATE),
                                    Column("案件号", 8, NUMBER), Column("记录时间", 17, MOMENT)),
                       [(labels.grade(h.from_grade), labels.grade(h.to_grade), h.effective_on, h.case_id,
                         _local(rules, h.recorded_at)) for h in filed.grade_history])
        cases = Table("案件", (Column("案件号", 8, NUMBER), Column("类别", 10), Column("批次", 10), Column("申请", 18),
                               Column("状态", 10), Column("最终得分", 10, SCORE), Column("结果", 8),
                               Column("原因", 30), Column("公示时间", 17, MOMENT), Column("生效日期", 12, DATE)),
                      [(c.id, labels.kind(c.kind), c.cycle, _grades(c.from_grade, c.target_grade),
                        labels.state(c.state), c.final_score, labels.outcome(c.outcome), _reasons(c.reasons),
                        _local(rules, c.published_at), c.effective_on) for c in (f.case for f in filed.cases)])
        history = Table("案件历史", (Column("案件号", 8, NUMBER), Column("序号", 6, NUMBER),
                                     Column("时间", 17, MOMENT), Column("操作人", 12), Column("事件", 16),
                                     Column("原状态", 10), Column("新状态", 10), Column("说明", 40)),
                        [(f.case.id, e["seq"], _local(rules, e["at"]), labels.actor(e["actor"]),
                          labels.history_event(e["event"], f.case.kind), labels.state(e["from_state"]),
                          labels.state(e["to_state"]),
                          comment_text(e, f.case))
                         for f in filed.cases for e in f.history])
        performance = Table("绩效记录", (Column("期间", 10), Column("版本", 6, NUMBER), Column("得分", 8, SCORE),
                                         Column("工作月数", 9, NUMBER), Column("违规", 6), Column("录入时间", 17, MOMENT),
                                         Column("录入人", 12), Column("更正原因", 30)),
                            [(v.period, v.version, v.score, v.months_worked, "是" if v.violation else "否",
                              _local(rules, v.recorded_at), labels.actor(v.recorded_by), v.reason)
                             for v in filed.performance])
        events = Table("事件", (Column("日期", 12, DATE), Column("类别", 12), Column("天数", 6, NUMBER),
                                Column("说明", 40), Column("录入人", 12)),
                       [(e.occurred_on, labels.event_kind(e.kind), e.days, e.note, labels.actor(e.recorded_by))
                        for e in filed.events])
        exams = Table("考试成绩", (Column("考试", 16), Column("考试日期", 12, DATE), Column("成绩", 8, SCORE),
                                   Column("录入时间", 17, MOMENT), Column("录入人", 12)),
                      [(r.exam, r.taken_on, r.score, _local(rules, r.recorded_at), labels.actor(r.recorded_by))
                       for r in filed.exams])
    return Export(f"一人一档-{m.employee_no}-{m.name}", [record, grades, cases, history, performance, exams, events])


# --- a cycle's report ---------------------------------------------------------------------------------------------

def report(uow, rules: Rules, actor: Actor, code: str, org_unit: str | None = None) -> Export:
    """The funnel per org unit and the grade distribution against the quotas (hr, admins)."""
    shown = cycle_report(uow, rules, actor, code, org_unit)
    with _in_chinese():
        funnel = Table("漏斗", [Column("机构", 18)] + [Column(labels.funnel_step(s), 12, NUMBER) for s in FUNNEL],
                       [(f.org_unit, *(f.counts[s] for s in FUNNEL)) for f in shown.funnels]
                       + [("合计", *(shown.funnel.counts[s] for s in FUNNEL))],
                       [f"{shown.cycle.name}（{code}）评审漏斗" + (f"：{org_unit}" if org_unit else "")])
        grade_names = [labels.grade(g) for g in shown.grades]
        distribution = Table("等级分布", [Column("机构", 18), Column("在职人数", 10, NUMBER)]
                             + [Column(name, 10, NUMBER) for name in grade_names],
                             [(d.org_unit, d.active, *(n for _g, n in d.by_grade)) for d in shown.distributions])
        quotas = Table("名额", (Column("等级", 12), Column("范围", 18), Column("在职人数", 10, NUMBER),
                                Column("现有", 8, NUMBER), Column("已批准未生效(入)", 16, NUMBER),
                                Column("已批准未生效(出)", 16, NUMBER), Column("上限", 8, NUMBER),
                                Column("下限", 8, NUMBER), Column("超出限额", 10)),
                        [(labels.grade(u.quota.grade), labels.quota_area(u.area), u.active, u.holding, u.arriving,
                         u.leaving, u.most, u.fewest, "是" if u.over else "否") for u in shown.quotas])
    return Export(f"评审报告-{code}" + (f"-{org_unit}" if org_unit else ""), [funnel, distribution, quotas])

