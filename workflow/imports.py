"""What an import file holds (issue 16, point 1): for each kind, its columns with their Chinese headers and the
English names also accepted (a performance record's also a column for each of the policy's metrics and scorecard
parts), the words HR writes for codes (初级 for junior, 是 for true), and every problem found, named by sheet, row,
column and rule, with its message in English and in Chinese. Pure: the file's text in, rows of
API-shaped values (or the problems) out; the use cases in workflow/services/imports.py check and write them."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from workflow.accounts import ADMIN, COMMITTEE, EMPLOYEE, HR, PASSWORD_MIN_LENGTH, SUPERVISOR
from workflow.errors import DomainError
from workflow.manager_events import KINDS as EVENT_KINDS
from workflow.periods import HALF, MONTH, QUARTER, YEAR
from workflow.policy import LadderPolicy, Policy, ScorecardItem, ScorecardPart
from workflow.spreadsheets import Sheet

ROSTER, USERS, PERFORMANCE, EVENTS = "roster", "users", "performance", "events"
KINDS = (ROSTER, USERS, PERFORMANCE, EVENTS)
TITLES = {ROSTER: ("花名册", "roster"), USERS: ("用户", "users"), PERFORMANCE: ("绩效记录", "performance records"),
          EVENTS: ("履职事件", "events on the record")}
MAX_ROWS = 50_000

TEXT, INTEGER, BOOLEAN, LIST, DATE = "text", "integer", "boolean", "list", "date"
# 2026/8/3, 2026.8.3, 2026年8月3日 as well as 2026-08-03
_DAY = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "是", "有", "√"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "否", "无", "×"})
LIST_SEPARATORS = ("、", "，", ",", "；", ";", "\n")

# the words a cell may hold for a code: the template's, their usual variants, and the pages' own (a clerk copies
# what a page shows: tests/web/test_import_pages.py holds every page label to it)
ROLE_WORDS = {"客户经理": EMPLOYEE, "员工": EMPLOYEE, "上级主管": SUPERVISOR, "主管": SUPERVISOR,
              "评审委员会": COMMITTEE, "评审委员": COMMITTEE, "评委": COMMITTEE, "人力资源部": HR, "人力资源": HR,
              "系统管理员": ADMIN, "管理员": ADMIN}
EVENT_WORDS = {"违规": "violation", "投诉": "complaint", "客户投诉": "complaint", "请假": "leave",
               "完成销售任务": "target_met", "未完成销售任务": "target_missed", "违纪": "misconduct", "待岗": "suspension",
               "复岗": "reinstatement", "恢复在岗": "reinstatement"}
LEAVE_WORDS = {"年休假": "annual", "病假": "sick", "产假": "maternity", "事假": "personal", "其他": "other",
               "其他原因": "other"}
assert set(EVENT_WORDS.values()) == set(EVENT_KINDS)


@dataclass(frozen=True)
class Column:
    """`field`: the API's name; `zh`: the template's header; `aliases`: other headers accepted (the field's own
    name always is); `required`: the file must have the column; `nullable`: a blank cell means null (else the
    field is left out, and the API's rule on a missing field applies); `words`: what HR may write for a code."""
    field: str
    zh: str
    aliases: tuple[str, ...] = ()
    kind: str = TEXT
    required: bool = False
    nullable: bool = False
    words: Mapping[str, str] = field(default_factory=dict)
    example: str = ""
    note: str = ""


COLUMNS: dict[str, tuple[Column, ...]] = {
    ROSTER: (
        Column("employee_no", "工号", ("员工编号", "employee no"), required=True, example="M2001"),
        Column("name", "姓名", required=True, example="张三"),
        Column("org_unit", "机构", ("部门", "所属机构", "org unit"), required=True, example="城东支行"),
        Column("grade", "等级", ("级别", "客户经理等级"), required=True, example="初级",
               note="等级名称（如 初级 或 初级客户经理）或其代码（junior）"),
        Column("grade_since", "定级日期", ("现等级起始日期", "任现等级日期", "grade since"), kind=DATE, required=True,
               example="2025-03-01"),
        Column("hire_date", "入职日期", ("hire date",), kind=DATE, required=True, example="2024-07-01"),
        Column("supervisor", "上级工号", ("上级", "supervisor_no"), required=True, nullable=True, example="M1001",
               note="无上级则留空；上级可以是本文件中的另一行"),
        Column("education", "学历", nullable=True, example="本科"),
        Column("birth_date", "出生日期", ("birth date",), kind=DATE, nullable=True, example="1995-05-20"),
        Column("certificates", "资格证书", kind=LIST, example="AFP、基金从业资格",
               note="多个证书以 、 或 ; 分隔"),
    ),
    USERS: (
        Column("username", "用户名", ("账号", "登录名"), required=True, example="zhangsan"),
        Column("password", "初始密码", ("密码",), example="Chang3-me-now!",
               note=f"仅用于新账号（至少{PASSWORD_MIN_LENGTH}位）；已有账号保留原密码"),
        Column("roles", "角色", kind=LIST, required=True, words=ROLE_WORDS, example="客户经理",
               note="客户经理、上级主管、评审委员会、人力资源部、系统管理员（或其代码），多个以 、 分隔"),
        Column("employee_no", "工号", ("员工编号", "employee no"), nullable=True, example="M2001"),
    ),
    PERFORMANCE: (
        Column("employee_no", "工号", ("员工编号", "employee no"), required=True, example="M2001"),
        Column("period", "考核期间", ("期间", "考核周期"), required=True, example="2026Q3",
               note="年度 2026、季度 2026Q3、半年 2026H1、月度 2026M03"),
        Column("score", "得分", ("绩效得分", "分数"), example="86.5"),
        Column("months_worked", "在岗月数", ("工作月数", "months worked"), kind=INTEGER, required=True,
               example="3"),
        Column("violation", "违规", ("是否违规",), kind=BOOLEAN, example="否", note="是 或 否；留空为 否"),
        Column("reason", "更正原因", ("原因",), example="", note="更正已有记录时说明原因"),
    ),
    EVENTS: (
        Column("employee_no", "工号", ("员工编号", "employee no"), required=True, example="M2001"),
        Column("kind", "事件类型", ("类型", "事件"), required=True, words=EVENT_WORDS, example="请假",
               note="违规、投诉、请假、完成销售任务、未完成销售任务、违纪、待岗、复岗（或其代码）"),
        Column("occurred_on", "发生日期", ("日期", "occurred on"), kind=DATE, required=True, example="2026-08-03"),
        Column("days", "天数", ("请假天数",), kind=INTEGER, nullable=True, example="5", note="仅请假填写"),
        Column("reason", "请假原因", (), nullable=True, words=LEAVE_WORDS, example="病假",
               note="年休假、病假、产假、事假、其他；仅请假填写"),
        Column("note", "说明", ("备注",), nullable=True, example="", note="待岗、复岗必须说明原因"),
    ),
}


_KIND_HINTS = {DATE: "日期，如 2026-08-03 或 2026/8/3", INTEGER: "整数", BOOLEAN: "是 或 否"}


def hint(column: Column) -> str:
    """What a cell of the column may hold, in Chinese (the template's note, else what its kind of value looks
    like): the import page shows it beside a problem with the column's value."""
    return column.note or _KIND_HINTS.get(column.kind, "")


# columns the downloads add that an import reads past: the roster download (api/exports.py) shows each manager's
# standing, which only the events on their record change; so the roster as downloaded can be uploaded again
READ_PAST = {ROSTER: ("在岗状态",)}


def columns_of(kind: str, policy: Policy) -> tuple[Column, ...]:
    """A kind's columns under `policy`: a performance record's add a column for each of the policy's metrics and
    each part of its period scorecard that HR enters (`metrics.CODE`, `parts.CODE`: the API's fields), headed by
    its Chinese name (its code where the policy gives none)."""
    if kind != PERFORMANCE:
        return COLUMNS[kind]
    card = policy.period_scorecard
    parts = tuple(Column(f"parts.{entry.code}", entry.zh or entry.code, (entry.code,), example="0",
                         note=_part_note(entry, card.periods)) for entry in (card.entered if card else ()))
    metrics = tuple(Column(f"metrics.{m.code}", m.zh, (m.code, m.en), example="0", note=f"0 至 {m.max}；可留空")
                    for m in policy.metrics)
    return COLUMNS[kind] + parts + metrics


def _part_note(entry: ScorecardPart | ScorecardItem, periods: tuple[str, ...]) -> str:
    if isinstance(entry, ScorecardItem) and entry.deduct is not None:
        entered = f"查实次数（每次扣 {entry.deduct} 分）"
    else:
        entered = f"得分（0 至 {entry.points if isinstance(entry, ScorecardItem) else entry.max}）"
    return f"{entered}；{'、'.join(PERIOD_ZH[kind] for kind in periods)}考核按分项填写，得分列留空；其他期间留空"


PERIOD_ZH = {YEAR: "年度", HALF: "半年", QUARTER: "季度", MONTH: "月度"}


# Chinese for every rule an import may name (the English message is the service's own, with its details)
RULE_ZH = {
    "file_format": "文件须为 .xlsx 或 .csv 格式", "file_encoding": "CSV 文件须为 UTF-8 或 GBK 编码",
    "empty_file": "文件没有内容，第一行应为列名", "too_many_rows": f"一个文件最多 {MAX_ROWS} 行",
    "column_missing": "缺少必需的列", "unknown_column": "无法识别的列名", "column_twice": "列名重复",
    "row_twice": "同一记录在文件中出现了两次",
    "required": "必填", "not_null": "不能为空", "type": "格式不正确", "range": "超出允许范围",
    "length": "长度不符合要求", "one_of": "不是允许的取值", "pattern": "格式不正确",
    "no_control_characters": "不能包含控制字符", "no_lone_surrogates": "包含无效字符", "invalid": "取值无效",
    "known_grade": "等级不在本政策的等级序列中", "active_grade": "只能以在职等级登记",
    "hire_date_before_grade_since": "定级日期不能早于入职日期", "not_in_future": "日期不能晚于今天",
    "working_age": "入职时未满法定就业年龄", "listed_twice": "同一项填写了两次",
    "no_supervisor_cycle": "上级关系不能形成循环", "known_supervisor": "上级工号不存在",
    "active_supervisor": "上级已离开等级序列", "grade_through_case": "等级只能通过评审案件变更，不能由导入修改",
    "not_correctable": "已登记的该项不能由导入修改",
    "username_format": "用户名只能包含字母、数字、点、下划线和连字符，最长64位",
    "password_length": "初始密码长度不符合要求", "at_least_one_role": "至少需要一个角色", "known_role": "未知角色",
    "grantable_role": "您无权授予该角色", "employee_no_for_role": "该角色需要填写工号", "known_manager": "工号不存在",
    "employee_no_taken": "该工号已有账号", "not_own_lockout": "不能移除自己的管理权限",
    "forbidden": "您无权修改该账号",
    "period_format": "考核期间格式不正确（如 2026、2026Q3）", "period_kind": "本政策不按此类期间记录绩效",
    "months_in_period": "在岗月数超出该期间的月数", "score_range": "得分超出分值范围",
    "score_precision": "得分的小数位数过多", "no_scorecard": "本政策不按分项计算该期间的得分",
    "score_from_parts": "该期间的得分由分项计算，不能直接填写得分", "period_closed": "该期间已关闭，记录已锁定",
    "concurrent_update": "记录正被其他操作修改，请重试",
    "event_kind": "未知事件类型", "after_hire_date": "事件日期早于入职日期", "leave_days": "请假天数超出范围",
    "leave_reason": "未知请假原因", "leave_only": "只有请假填写天数和原因",
    "target_once_a_month": "该月的销售任务完成情况已录入（每月只录一次）", "standing": "与该客户经理当前的在岗状态不符",
    "max_length": "内容过长", "exited": "该客户经理已离开等级序列",
    "scorecard_part_missing": "须填写考核表的每一分项", "scorecard_part_unknown": "考核表没有该分项",
    "part_range": "分项得分超出范围", "findings_count": "查实次数须为 0 至 100 的整数",
    "metric_unknown": "本政策没有该指标", "metric_range": "指标数值超出范围", "metric_precision": "指标最多两位小数",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where (`row` as the spreadsheet numbers it, `column` as its header says; either
    None for the whole file or row), which field and rule, and why."""
    sheet: str
    row: int | None
    column: str | None
    field: str | None
    rule: str
    message: str

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "field": self.field, "rule": self.rule,
                "message": self.message, "message_zh": RULE_ZH.get(self.rule, self.message)}


class ImportRefused(DomainError):
    """Nothing was written: every problem of the file is listed (422 import_refused)."""
    code = "import_refused"

    def __init__(self, problems: list[Problem]):
        problems = sorted(problems, key=lambda p: p.row or 0)  # within a row, as found
        super().__init__(f"{len(problems)} problem(s); nothing was imported",
                         errors=[p.as_dict() for p in problems])
        self.problems = problems


@dataclass(frozen=True)
class Row:
    """A data row: `values` by the API's field names, as the API's schema takes them; `present`: the fields whose
    column the file has (a blank cell included); `columns`: field → its header as written in the file (as the template
    writes it, for a column the file lacks)."""
    sheet: str
    number: int
    values: dict
    present: frozenset[str]
    columns: Mapping[str, str]

    def problem(self, field_name: str | None, rule: str, message: str) -> Problem:
        column = self.columns.get(field_name) if field_name else None
        return Problem(self.sheet, self.number, column or field_name, field_name, rule, message)


def _normal(header: str) -> str:
    return " ".join(header.replace("_", " ").split()).casefold()


def rows_of(kind: str, sheet: Sheet, policy: Policy) -> list[Row]:
    """The sheet's data rows for `kind` under `policy`, or ImportRefused naming each unknown, repeated or missing
    column (row 1 of the sheet: its header) and too many rows."""
    columns = columns_of(kind, policy)
    by_header = {_normal(name): c for c in columns for name in (c.zh, c.field, *c.aliases)}
    read_past = {_normal(name) for name in READ_PAST.get(kind, ())}
    problems, found = [], {}
    for index, header in enumerate(sheet.header):
        column = by_header.get(_normal(header))
        if column is None:
            if header and _normal(header) not in read_past:
                problems.append(Problem(sheet.name, sheet.header_row, header, None, "unknown_column",
                                        f"unknown column; the columns are {', '.join(c.zh for c in columns)}"))
        elif column.field in found:
            problems.append(Problem(sheet.name, sheet.header_row, header, column.field, "column_twice",
                                    f"{column.field} is named twice"))
        else:
            found[column.field] = (index, header)
    for column in columns:
        if column.required and column.field not in found:
            problems.append(Problem(sheet.name, sheet.header_row, column.zh, column.field, "column_missing",
                                    f"the first row must name the column {column.zh} ({column.field})"))
    if len(sheet.rows) > MAX_ROWS:
        problems.append(Problem(sheet.name, None, None, None, "too_many_rows", f"at most {MAX_ROWS} rows a file"))
    if problems:
        raise ImportRefused(problems)
    words = {c.field: grade_words(policy.ladder) if c.field == "grade" else c.words for c in columns}
    headers = {c.field: found[c.field][1] if c.field in found else c.zh for c in columns}
    rows = []
    for number, cells in sheet.rows:
        values = {}
        for column in columns:
            if column.field in found:
                index = found[column.field][0]
                value = _value(column, cells[index] if index < len(cells) else "", words[column.field])
                if value is not _LEFT_OUT:
                    values[column.field] = value
        rows.append(Row(sheet.name, number, _nested(values), frozenset(found), headers))
    return rows


def _nested(values: dict) -> dict:
    """`parts.sales` as the API's JSON has it, {"parts": {"sales": ...}}: the cells filled, none when all are blank."""
    nested = {}
    for name, value in values.items():
        group, dot, code = name.partition(".")
        if dot:
            nested.setdefault(group, {})[code] = value
        else:
            nested[name] = value
    return nested


_LEFT_OUT = object()


def _value(column: Column, text: str, words: Mapping[str, str]):
    """The cell as the API's JSON would carry it: a number for an integer, true or false for 是 or 否, a list of
    codes, a code for HR's word; text the API's schema then refuses where it is none of these."""
    if not text:
        return [] if column.kind == LIST else None if column.nullable else _LEFT_OUT
    if column.kind == INTEGER:
        return int(text) if text.isascii() and text.lstrip("-").isdigit() else text
    if column.kind == DATE:
        day = _DAY.fullmatch(text)
        return f"{day[1]}-{int(day[2]):02d}-{int(day[3]):02d}" if day else text
    if column.kind == BOOLEAN:
        word = text.casefold()
        return True if word in TRUE_WORDS else False if word in FALSE_WORDS else text
    if column.kind == LIST:
        for separator in LIST_SEPARATORS[1:]:
            text = text.replace(separator, LIST_SEPARATORS[0])
        return [words.get(item.strip(), item.strip()) for item in text.split(LIST_SEPARATORS[0]) if item.strip()]
    return words.get(text, text)


NOTES_HEADER = ["列名", "英文列名", "必需", "说明", "示例"]


def grade_words(ladder: LadderPolicy) -> dict[str, str]:
    """What HR writes for a grade: its Chinese or English name on the ladder, or the Chinese without 客户经理
    (初级 for 初级客户经理)."""
    words = {}
    for grade in (*ladder.grades, ladder.exited):
        short = grade.zh.removesuffix("客户经理")
        words.update({grade.zh: grade.code, grade.en: grade.code} | ({short: grade.code} if short else {}))
    return words


def template(kind: str, policy: Policy) -> list[tuple[str, list[str], list[list[str]]]]:
    """The sheets of a kind's template under `policy`: the sheet to fill (its header only, in Chinese) and the notes
    on each column (an .xlsx carries both; a .csv, the first)."""
    columns = columns_of(kind, policy)
    notes = [[c.zh, c.field, "是" if c.required else "否", c.note, c.example] for c in columns]
    return [(TITLES[kind][0], [c.zh for c in columns], []), ("说明", NOTES_HEADER, notes)]
