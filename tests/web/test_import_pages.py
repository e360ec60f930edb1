"""HR's import page (/imports; issue 16, point 1): the templates to download, a file uploaded, every problem in a
table by sheet, row, column and rule in the page's language with nothing written, or the counts; "check only"."""
from __future__ import annotations

import io
import re

import openpyxl
import sqlalchemy as sa
from flask_babel import force_locale

from api.web import labels
from models import Manager, db
from tests.support.driver import Driver
from tests.support.answers import ok
from tests.support.world import ADMIN, BOSS, HR, candidate, organisation
from tests.web.visitor import Visitor, text, text_of
from workflow.imports import EVENT_WORDS, LEAVE_WORDS, ROLE_WORDS

ROSTER = "工号,姓名,机构,等级,定级日期,入职日期,上级工号\nM2001,李强,北京分行,中级,2024-03-01,2020-07-01,\n"
BAD_ROSTER = "工号,姓名,机构,等级,定级日期,入职日期,上级工号\nM2001,李强,北京分行,队长,2024-03-01,2020-07-01,\n"


def send(visitor: Visitor, kind: str, content: str, *, check_only: bool = False, name: str = "花名册.csv"):
    data = {"kind": kind, "file": (io.BytesIO(content.encode("utf-8")), name)}
    if check_only:
        data["check_only"] = "y"
    return visitor.submit("/imports", data, from_page="/imports", content_type="multipart/form-data")


def hr_signed_in(app, *candidates: str) -> tuple[Driver, Visitor]:
    """The standard organisation, these candidates in it, and hr signed in, in Chinese."""
    gf = Driver(app)
    organisation(gf)
    for no in candidates:
        candidate(gf, no)
    hr = Visitor(app, "zh-CN")
    hr.sign_in(HR)
    return gf, hr


def managers(app) -> int:
    with app.app_context():
        try:
            return db.session.scalar(sa.select(sa.func.count()).select_from(Manager))
        finally:
            db.session.remove()


def test_hr_checks_a_file_then_imports_it_and_sees_the_counts(app):
    _, hr = hr_signed_in(app)
    before = managers(app)
    checked = send(hr, "roster", ROSTER, check_only=True)
    assert checked.status_code == 200 and "检查完毕：没有问题，未写入任何内容" in text(checked)
    assert managers(app) == before
    imported = send(hr, "roster", ROSTER)
    assert "导入完成" in text(imported) and 'data-testid="created">1<' in imported.get_data(as_text=True)
    again = send(hr, "roster", ROSTER)
    assert 'data-testid="unchanged">1<' in again.get_data(as_text=True) and managers(app) == before + 1


def test_a_refused_file_lists_each_problem_in_the_page_language_and_writes_nothing(app):
    organisation(Driver(app))
    before = managers(app)
    for language, words in (("zh-CN", "等级不在本政策的等级序列中"), ("en", "unknown grade")):
        visitor = Visitor(app, language)
        visitor.sign_in(HR)
        page = send(visitor, "roster", BAD_ROSTER)
        body = page.get_data(as_text=True)
        assert page.status_code == 422 and 'data-row="2" data-rule="known_grade"' in body
        assert words in text(page) and "花名册.csv" in text(page) and "等级" in text(page)
    assert managers(app) == before


def test_every_word_a_page_shows_for_a_role_an_event_or_a_leave_is_understood_in_a_file(app):
    """A clerk copies what the pages show (客户投诉, 恢复在岗, 评审委员) into a sheet; the template's own words
    (投诉, 复岗, 评审委员会) are not the only ones understood."""
    with app.test_request_context(), force_locale("zh_CN"):
        for shown, understood in ((labels.ROLES, ROLE_WORDS), (labels.EVENT_KINDS, EVENT_WORDS),
                                  (labels.LEAVE_REASONS, LEAVE_WORDS)):
            assert {str(word): code for code, word in shown.items()}.items() <= understood.items()


def test_an_event_named_as_the_manager_page_names_it_is_imported(app):
    gf, hr = hr_signed_in(app, "E001")
    events = "工号,事件类型,发生日期,请假天数,请假原因,说明\nE001,客户投诉,2026-08-03,,,服务态度\n"
    page = send(hr, "events", events, name="履职事件.csv")
    assert page.status_code == 200 and 'data-testid="problems"' not in page.get_data(as_text=True)
    assert [e["kind"] for e in ok(gf.get("/managers/E001/events", as_=HR))] == ["complaint"]


def test_a_value_the_column_does_not_take_is_told_with_what_it_takes_in_chinese(app):
    _, hr = hr_signed_in(app)
    bad_date = "M2002,王五,北京分行,中级,2024-02-30,2020-07-01,\n"
    page = send(hr, "roster", BAD_ROSTER + bad_date)
    rows = re.findall(r'<tr data-row="\d" data-rule="(\w+)">(.*?)</tr>', page.get_data(as_text=True), re.S)
    told = {rule: text_of(cells) for rule, cells in rows}
    assert "等级不在本政策的等级序列中 该列可填：等级名称（如 初级 或 初级客户经理）或其代码（junior）" in told["known_grade"]
    assert "该列可填：日期，如 2026-08-03 或 2026/8/3" in told["type"]
    assert "unknown grade" not in told["known_grade"] and "Not a valid date" not in told["type"]
    assert "known_grade" not in text(page)  # the rule's code is for the API, not the clerk


def test_the_roster_as_downloaded_uploads_again_unchanged(app):
    """HR downloads the roster, edits it, uploads it: its headers are the import's (在岗状态 read past)."""
    gf, hr = hr_signed_in(app, "E001")
    workbook = hr.get("/managers.xlsx").data
    data = {"kind": "roster", "file": (io.BytesIO(workbook), "花名册.xlsx"), "check_only": "y"}
    page = hr.submit("/imports", data, from_page="/imports", content_type="multipart/form-data")
    assert page.status_code == 200, text(page)
    assert 'data-testid="problems"' not in page.get_data(as_text=True)
    counts = {k: re.search(rf'data-testid="{k}">(\d+)<', page.get_data(as_text=True)).group(1)
              for k in ("rows", "created", "updated", "unchanged")}
    assert counts == {"rows": str(managers(app)), "created": "0", "updated": "0", "unchanged": str(managers(app))}


def test_an_import_that_loses_the_race_twice_says_so_on_the_page_and_writes_nothing(app, monkeypatch):
    """409 import_conflict (api/import_files.py) on the page: the words of the conflict, not the error page."""
    from workflow.errors import DuplicateKey
    from workflow.services import imports as import_service

    def lost(*args, **kwargs):
        raise DuplicateKey("employee_no")
    monkeypatch.setattr(import_service, "_register_all", lost)
    organisation(Driver(app))
    before = managers(app)
    for language, words in (("zh-CN", "其他导入或请求同时写入了相同的记录"), ("en", "wrote the same records at the same moment")):
        visitor = Visitor(app, language)
        visitor.sign_in(HR)
        page = send(visitor, "roster", ROSTER)
        assert page.status_code == 409 and words in text(page)
        assert 'name="file"' in page.get_data(as_text=True)  # the form again, to send the file once more
    assert managers(app) == before


def test_a_form_without_a_file_says_so_next_to_the_field(app):
    _, hr = hr_signed_in(app)
    page = hr.submit("/imports", {"kind": "roster"}, from_page="/imports", content_type="multipart/form-data")
    assert page.status_code == 422 and 'data-testid="file-error"' in page.get_data(as_text=True)
    assert "请选择要导入的文件。" in text(page)


def test_the_templates_download_from_the_page_in_both_formats(app):
    _, hr = hr_signed_in(app)
    page = hr.get("/imports").get_data(as_text=True)
    assert 'href="/imports/roster/template.xlsx"' in page and 'href="/imports/events/template.csv"' in page
    csv = hr.get("/imports/roster/template.csv")
    assert csv.status_code == 200 and csv.data.decode("utf-8-sig").startswith("工号,姓名,机构,等级")
    assert csv.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert hr.get("/imports/roster/template.xlsx").data[:2] == b"PK"
    assert hr.get("/imports/payroll/template.csv").status_code == 404
    assert "履职事件（违规、请假、投诉等）" in page  # as the manager page names the events on a record
    sheet = openpyxl.load_workbook(io.BytesIO(hr.get("/imports/events/template.xlsx").data)).sheetnames[0]
    assert sheet == "履职事件"


def test_hr_may_import_everything_an_admin_only_users_and_a_supervisor_nothing(app):
    organisation(Driver(app))
    admin = Visitor(app, "zh-CN")
    admin.sign_in(ADMIN)
    page = admin.get("/imports").get_data(as_text=True)
    assert 'value="users"' in page and 'value="roster"' not in page and 'href="/imports"' in page
    assert admin.get("/imports/roster/template.csv").status_code == 403
    refused = send(admin, "roster", ROSTER)  # not a choice it has: said next to the choices, nothing imported
    assert refused.status_code == 422 and 'data-testid="kind-error"' in refused.get_data(as_text=True)
    supervisor = Visitor(app, "zh-CN")
    supervisor.sign_in(BOSS)
    assert supervisor.get("/imports").status_code == 403
    assert 'href="/imports"' not in supervisor.get("/").get_data(as_text=True)
