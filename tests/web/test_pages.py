"""The pages through Flask's test client: sign-in with a session cookie, CSRF on every form, the same sign-in
throttling as the API, the user loaded per request, HTML 404s outside the API, Chinese first."""
from __future__ import annotations

import math
import re
import time

import pytest

from tests.support.answers import ok
from tests.support.steps import apply
from tests.support.world import BOSS, HR, candidate, organisation
from tests.support.worlds import world_fixture
from tests.web.visitor import input_named, text

SCRIPT = '<script>alert("x")</script>'


@pytest.fixture
@world_fixture
def one_case(gf):
    """The standard organisation and E001's application, waiting on their supervisor (s900)."""
    organisation(gf)
    candidate(gf, "E001")
    return apply(gf, "E001")


# --- pages and the API ------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/no-such-page", "/cases/1/nothing", "/api", "/api/v2/cases"])
def test_a_page_that_does_not_exist_is_an_html_404_page_in_chinese(app, visit, path):
    response = visit().get(path)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "页面不存在" in text(response)


@pytest.mark.parametrize("path", ["/sign-in", "/no-such-page"])
def test_every_page_links_the_icon_it_serves_so_browsers_ask_for_no_missing_favicon(app, visit, path):
    """Without a linked icon a browser asks every site for /favicon.ico: a 404 in the log of each first visit."""
    visitor = visit()
    body = visitor.get(path).get_data(as_text=True)
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', body)
    assert icon is not None
    served = visitor.get(icon.group(1))
    assert served.status_code == 200 and served.mimetype == "image/svg+xml"
    assert served.get_data(as_text=True).startswith("<svg")


def test_a_browser_asking_for_favicon_ico_is_sent_to_the_icon_as_on_the_apis_documentation_which_links_none(
        app, visit):
    visitor = visit()
    assert 'rel="icon"' not in visitor.get("/api/v1/docs").get_data(as_text=True)
    moved = visitor.get("/favicon.ico")
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/static/web/favicon.svg")
    served = visitor.get(moved.headers["Location"])
    assert served.status_code == 200 and served.mimetype == "image/svg+xml"


@pytest.mark.parametrize("path", ["/%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/%3Cimg%20src=x%20onerror=alert(1)%3E",
                                  "/cases/%22%3E%3Csvg%2Fonload=alert(1)%3E"])
def test_a_404_page_repeats_none_of_the_path(app, visit, path):
    response = visit().get(path)
    assert response.status_code == 404 and response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    for marker in ("<script>alert", "<img src=x", "<svg", "alert(1)", "onerror", "onload"):
        assert marker not in body, marker


def test_the_json_api_keeps_its_problem_documents(app, visit):
    response = visit().get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "not_found"


def test_a_page_asks_for_sign_in_first_and_comes_back_after(app, gf, visit, one_case):
    visitor = visit()
    response = visitor.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=/"
    page = visitor.get("/sign-in?next=/")
    assert 'value="/"' in input_named(page.get_data(as_text=True), "next", id_="next")
    signed_in = visitor.submit("/sign-in", {"username": BOSS, "password": "correct horse battery", "next": "/"})
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x"])
def test_sign_in_never_sends_anyone_to_another_site(app, gf, visit, one_case, target):
    response = visit().submit("/sign-in", {"username": BOSS, "password": "correct horse battery", "next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_my_work_lists_what_waits_on_the_supervisor_in_chinese(app, gf, visit, one_case):
    visitor = visit()
    ok_ = visitor.sign_in(BOSS)
    assert ok_.status_code == 302
    page = text(visitor.get("/"))
    assert "我的工作" in page
    assert f"№{one_case} 晋级" in page
    assert "初级客户经理 → 中级客户经理" in page  # the policy's ladder, in Chinese
    assert "材料审核通过 / 退回补充材料 / 驳回申请" in page  # what the supervisor may do (available_events)
    assert "2026年9月4日 周五" in page  # three working days after Tuesday 1 September
    assert "已逾期" not in page


def test_my_work_says_so_when_nothing_waits(app, gf, visit, one_case):
    visitor = visit()
    visitor.sign_in(HR)
    assert "目前没有等待您处理的事项" in text(visitor.get("/"))


def test_an_applicant_whose_case_waits_on_others_sees_where_it_stands_on_my_work(app, gf, visit, one_case):
    visitor = visit()
    visitor.sign_in("e001")
    page = visitor.get("/")
    words = text(page)
    assert "目前没有等待您处理的事项" in words  # it waits on the supervisor, not on the applicant
    assert "我本人的案件" in words and f"№{one_case} 晋级" in words and "已提交，自 " in words
    assert f'href="/cases/{one_case}"' in page.get_data(as_text=True)
    boss = visit()
    boss.sign_in(BOSS)
    assert "我本人的案件" not in text(boss.get("/"))  # no case of their own


def test_my_work_finds_the_open_case_among_more_finished_ones_than_a_page_holds(app, gf, visit):
    from tests.support.world import case_record
    from workflow.services.applicant_reads import MY_CASES_SHOWN
    organisation(gf)
    candidate(gf, "E001")
    with app.app_context():
        for n in range(MY_CASES_SHOWN + 1):  # finished cases of E001, older than the one it opens next
            case_record("E001", 1001 + n)
    opened = apply(gf, "E001")
    visitor = visit()
    visitor.sign_in("e001")
    assert f"№{opened} 晋级" in text(visitor.get("/"))


def test_the_header_shows_the_user_their_roles_and_the_nav(app, gf, visit, one_case):
    visitor = visit()
    visitor.sign_in(BOSS)
    body = visitor.get("/").get_data(as_text=True)
    assert 'data-testid="username">s900<' in body
    assert "客户经理 · 上级主管" in text(visitor.get("/"))
    assert '<a href="/" aria-current="page">我的工作</a>' in body
    assert 'action="/sign-out"' in body


# --- the session cookie --------------------------------------------------------------------------------------

def _session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("gradeflow_session=")]
    assert cookies, response.headers
    return cookies[-1]


def test_the_session_cookie_is_httponly_and_samesite_lax_and_not_secure_over_plain_http(app, gf, visit, one_case):
    cookie = _session_cookie(visit().sign_in(BOSS))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_the_session_cookie_is_secure_over_https(app, gf, one_case):
    client = app.test_client()
    page = client.get("/sign-in", base_url="https://gradeflow.example")
    import re
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
    response = client.post("/sign-in", base_url="https://gradeflow.example",
                           headers={"Referer": "https://gradeflow.example/sign-in"},
                           data={"csrf_token": token, "username": BOSS, "password": "correct horse battery"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "Secure" in _session_cookie(response)


def test_the_session_cookie_is_always_secure_when_configured(build, gf, one_case):
    from tests.web.visitor import Visitor
    cookie = _session_cookie(Visitor(build(GRADEFLOW_SECURE_COOKIES=True)).sign_in(BOSS))
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_sign_out_ends_the_session(app, gf, visit, one_case):
    visitor = visit()
    visitor.sign_in(BOSS)
    response = visitor.sign_out()
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    assert "您已退出登录" in text(visitor.get("/sign-in"))
    assert visitor.get("/").status_code == 302


def test_a_static_file_never_sends_the_session_cookie_back(app, gf, visit, one_case):
    """The browser fetches the icon and the scripts after the page: had their answers carried the cookie, one
    arriving after a sign-out would sign the user in again (and proxies would not cache them)."""
    visitor = visit()
    visitor.sign_in(BOSS)
    assert _session_cookie(visitor.get("/"))  # a page refreshes the session's expiry
    for path in ("/static/web/favicon.svg", "/static/web/gradeflow.css"):
        answer = visitor.get(path)
        assert answer.status_code == 200
        assert not [c for c in answer.headers.getlist("Set-Cookie") if c.startswith("gradeflow_session=")]


def test_a_switched_off_user_is_signed_out_at_their_next_page(app, gf, visit, one_case):
    visitor = visit()
    visitor.sign_in(BOSS)
    assert visitor.get("/").status_code == 200
    ok(gf.patch(f"/users/{BOSS}", as_=HR, json={"active": False}))
    assert visitor.get("/").status_code == 302


def test_a_changed_password_ends_every_session(app, gf, visit, one_case):
    visitor = visit()
    visitor.sign_in(BOSS)
    changed = gf.put("/me/password", as_=BOSS, json={"current_password": "correct horse battery",
                                                     "new_password": "another long password"})
    assert changed.status_code == 204
    assert visitor.get("/").status_code == 302


def test_roles_are_read_fresh_on_every_page(app, gf, visit, one_case):
    visitor = visit()
    visitor.sign_in(BOSS)
    assert "上级主管" in text(visitor.get("/"))
    ok(gf.patch(f"/users/{BOSS}", as_=HR, json={"roles": ["employee"]}))
    page = text(visitor.get("/"))
    assert "上级主管" not in page and "目前没有等待您处理的事项" in page


# --- CSRF ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, data", [
    ("/sign-in", {"username": BOSS, "password": "correct horse battery"}),
    ("/sign-out", {}),
    ("/language", {"language": "en"}),
])
def test_a_form_without_the_csrf_token_is_refused(app, gf, visit, one_case, path, data):
    visitor = visit()
    visitor.sign_in(BOSS)
    response = visitor.client.post(path, data=data)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert "表单不是从本站提交的" in text(response)
    assert "gradeflow_lang" not in response.headers.get("Set-Cookie", "")
    assert visitor.get("/").status_code == 200  # still signed in


def test_a_form_with_another_sessions_token_is_refused(app, gf, visit, one_case):
    stranger, victim = visit(), visit()
    token = stranger.csrf_token()
    victim.sign_in(BOSS)
    assert victim.client.post("/sign-out", data={"csrf_token": token}).status_code == 400


def test_the_json_api_takes_no_csrf_token(app, gf, one_case):
    response = app.test_client().post("/api/v1/auth/token", json={"username": BOSS,
                                                                    "password": "correct horse battery"})
    assert response.status_code == 200


# --- wrong passwords ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("language, message", [(None, "用户名或密码不正确。"),
                                               ("en-US,en;q=0.8", "Unknown username or wrong password.")])
def test_a_wrong_password_is_told_next_to_the_field_and_the_username_stays(app, gf, visit, one_case, language,
                                                                            message):
    response = visit(language).sign_in(BOSS, "not the password")
    assert response.status_code == 401
    body = response.get_data(as_text=True)
    assert f'<small id="password-error" class="field-error" data-testid="password-error">{message}</small>' in body
    assert 'aria-describedby="password-error"' in body and 'aria-invalid="true"' in body
    assert f'value="{BOSS}"' in input_named(body, "username")
    assert "not the password" not in body


def test_a_username_with_markup_is_shown_escaped(app, gf, visit):
    response = visit().sign_in(SCRIPT, "whatever password")
    body = response.get_data(as_text=True)
    assert SCRIPT not in body
    assert 'value="&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"' in input_named(body, "username")


def test_an_empty_form_names_each_missing_field(app, visit):
    response = visit().submit("/sign-in", {"username": "", "password": ""})
    assert response.status_code == 422
    page = text(response)
    assert "请输入用户名。" in page and "请输入密码。" in page


def test_repeated_wrong_passwords_are_held_back_as_on_the_api_with_the_wait(build, gf, one_case):
    from tests.web.visitor import Visitor
    app = build(GRADEFLOW_SIGNIN_MAX_FAILURES=2, GRADEFLOW_SIGNIN_WINDOW=900)
    api = app.test_client()
    first_failure = time.monotonic()
    assert api.post("/api/v1/auth/token", json={"username": BOSS, "password": "wrong one"}).status_code == 401
    visitor = Visitor(app)
    assert visitor.sign_in(BOSS, "wrong two").status_code == 401  # the API's failure counted too
    held = visitor.sign_in(BOSS)  # the right password, held back
    assert held.status_code == 429
    # the window runs on the wall clock from the first failure: on a loaded machine a second or more has passed
    waited = math.floor(time.monotonic() - first_failure)
    assert 900 - waited - 1 <= int(held.headers["Retry-After"]) <= 900
    assert "登录失败次数过多，请在 15分钟后再试。" in text(held)
    english = Visitor(app, "en").sign_in(BOSS)
    assert "Too many failed sign-ins. Try again in 15 minutes." in text(english)
    assert api.post("/api/v1/auth/token", json={"username": BOSS, "password": "correct horse battery"}
                    ).status_code == 429


# --- languages ------------------------------------------------------------------------------------------------

def test_chinese_by_default_and_english_by_accept_language(app, visit):
    assert '<html lang="zh-CN"' in visit().get("/sign-in").get_data(as_text=True)
    assert "登录" in text(visit().get("/sign-in"))
    english = visit("en-GB,en;q=0.9,zh-CN;q=0.5").get("/sign-in")
    assert '<html lang="en"' in english.get_data(as_text=True)
    assert "Sign in" in text(english) and "用户名" not in text(english)
    assert '<html lang="zh-CN"' in visit("fr-FR,zh-TW;q=0.8").get("/sign-in").get_data(as_text=True)


def test_the_language_chosen_is_remembered_over_accept_language(app, gf, visit, one_case):
    visitor = visit("zh-CN")
    visitor.sign_in(BOSS)
    response = visitor.choose("en", next_="/")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("gradeflow_lang="))
    assert cookie.startswith("gradeflow_lang=en;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = text(visitor.get("/"))
    assert "My work" in page and "Junior customer manager → Mid-level customer manager" in page
    assert "Sep 4, 2026 Fri" in page
    visitor.choose("zh_CN")
    assert "我的工作" in text(visitor.get("/"))


def test_the_language_chosen_follows_the_user_to_another_browser(app, gf, visit, one_case):
    at_work = visit("zh-CN")
    at_work.sign_in(BOSS)
    at_work.choose("en")
    at_home = visit("zh-CN")  # another browser: no cookie, Chinese by its header
    assert "登录" in text(at_home.get("/sign-in"))
    at_home.sign_in(BOSS)
    assert "My work" in text(at_home.get("/"))
    colleague = visit("zh-CN")
    colleague.sign_in(HR)
    assert "我的工作" in text(colleague.get("/"))  # the choice is the user's, not everyone's


def test_a_label_on_a_page_is_in_the_readers_language_whoever_read_the_page_first(app, gf, visit):
    """Jinja would name a constant through a filter once ({{ "holiday"|day_kind }}), for the first reader."""
    organisation(gf)
    chinese, english = visit("zh-CN"), visit("en")
    for visitor in (chinese, english):
        assert visitor.sign_in(HR).status_code == 302
    assert "工作日 周末 节假日 调休补班" in text(chinese.get("/calendar?month=2026-10"))
    legend = text(english.get("/calendar?month=2026-10"))
    assert "Working day Weekend Holiday Make-up workday" in legend and "调休补班" not in legend
    assert "工作日 周末 节假日 调休补班" in text(chinese.get("/calendar?month=2026-11"))


def test_an_unknown_language_is_refused(app, visit):
    assert visit().choose("xx").status_code == 400


# --- development mode ---------------------------------------------------------------------------------------

def test_in_development_mode_the_sign_in_page_lists_the_demo_logins(build, tmp_path):
    app = build(GRADEFLOW_MODE="development")
    app.instance_path = str(tmp_path)
    (tmp_path / "demo-logins.txt").write_text("hr.chen\tpw-of-hr\thr\t-\nliqiang\tpw-of-li\temployee,supervisor\tM1002\n")
    page = text(app.test_client().get("/sign-in"))
    assert "演示账户" in page
    assert "hr.chen pw-of-hr 人力资源" in page
    assert "liqiang pw-of-li 客户经理和上级主管 (M1002)" in page
    assert "审核下属的申请" in page


def test_outside_development_mode_no_login_is_shown(build, tmp_path):
    app = build()
    app.instance_path = str(tmp_path)
    (tmp_path / "demo-logins.txt").write_text("hr.chen\tpw-of-hr\thr\t-\n")
    page = text(app.test_client().get("/sign-in"))
    assert "演示账户" not in page and "pw-of-hr" not in page
