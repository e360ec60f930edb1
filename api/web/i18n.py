"""Chinese first, English too (Flask-Babel). The language of a request: the one the user chose with the
language switch (kept with their account, and in a cookie for a year), else the first of Accept-Language
that we speak, else zh-CN.
Dates and times are shown in the policy's time zone and formatted for the language."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from babel.dates import format_skeleton
from babel.lists import format_list
from flask import Flask, Response, current_app, request
from flask_babel import Babel, format_date, format_decimal, format_time, get_locale
from flask_babel import gettext as _
from jinja2 import pass_context
from jinja2.defaults import DEFAULT_FILTERS
from jinja2.utils import _PassArg  # the one way to tell whether a filter takes the render's context already
from markupsafe import Markup, escape

from api.web.session import current_user
from workflow.periods import HALF, MONTH, QUARTER, Period

# The languages a user may choose, as the switch, the cookie and <html lang> name them; the first is the default.
# Babel knows zh_CN as zh_Hans_CN (with its script), so that is the name of its catalogue's folder in
# api/translations/.
LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = LOCALES[0]
# how each language names itself on the switch
NAMES = {"zh_CN": "中文", "en": "English"}
COOKIE = "gradeflow_lang"
COOKIE_AGE = timedelta(days=365)
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"

babel = Babel()


def init_app(app: Flask) -> None:
    policy = app.extensions["gradeflow"]["rules"].policy
    app.config.update(BABEL_DEFAULT_LOCALE=DEFAULT_LOCALE, BABEL_DEFAULT_TIMEZONE=policy.timezone,
                      BABEL_TRANSLATION_DIRECTORIES=str(TRANSLATIONS))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(aside=aside, clauses=clauses, day=day, deadline=deadline, listed=listed,
                                  moment=moment, number=number, period=period)
    app.jinja_env.globals.update(html_lang=html_lang, LANGUAGES=NAMES, current_language=current_language,
                                  colon=colon, semicolon=semicolon, enumeration_comma=enumeration_comma)


def filters_per_render(app: Flask) -> None:
    """Make every filter of ours run when a page renders. Jinja calls a filter on a constant ({{ "decide"|event }})
    once, when it compiles the template, and every later render of that template reuses the result: a label would
    stay in the language of the first reader of the template in this process. Jinja never calls early a filter that
    takes the render's context, so each of ours takes it (and passes it on to none). Call it once every filter is
    registered (the blueprint's included)."""
    filters = app.jinja_env.filters
    for name, function in list(filters.items()):
        if name not in DEFAULT_FILTERS and _PassArg.from_obj(function) is None:
            filters[name] = _at_render(function)


def _at_render(function):
    return pass_context(lambda _context, *args, **kwargs: function(*args, **kwargs))


def select_locale() -> str:
    """The signed-in user's choice, else this browser's (the cookie), else Accept-Language."""
    user = current_user()
    for chosen in (user.language if user else None, request.cookies.get(COOKIE)):
        if chosen in LOCALES:
            return chosen
    return from_accept_language()


def from_accept_language() -> str:
    """The first language of the header, by quality, that we speak; a regional variant (en-GB, zh-TW) counts
    as its language."""
    for tag, _quality in request.accept_languages:  # best first
        language = tag.replace("_", "-").split("-")[0].lower()
        for locale in LOCALES:
            if language == locale.split("_")[0]:
                return locale
    return DEFAULT_LOCALE


def remember(response: Response, locale: str) -> Response:
    response.set_cookie(COOKIE, locale, max_age=int(COOKIE_AGE.total_seconds()), httponly=True, samesite="Lax",
                        secure=current_app.session_interface.get_cookie_secure(current_app))
    return response


def current_language() -> str:
    """zh_CN or en: the request's language as LOCALES names it."""
    chosen = get_locale()
    if chosen is None:
        return DEFAULT_LOCALE
    return next((locale for locale in LOCALES if locale.split("_")[0] == chosen.language), DEFAULT_LOCALE)


def html_lang() -> str:
    """For <html lang>: zh-CN, en."""
    return current_language().replace("_", "-")


def day(value: date | datetime | None) -> str:
    """A date with its weekday: 2026年10月10日 周六 / Oct 10, 2026 (Sat)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(current_app.extensions["gradeflow"]["rules"].policy.tz).date()
    return f"{format_date(value, 'medium')} {format_date(value, 'EEE')}"


def moment(value: datetime | None) -> str:
    """An instant, its day written as `day` writes days: 2026年12月5日 20:24 / Dec 5, 2026 8:24 PM (not the short
    2026/12/5 20:24 beside 2026年12月5日 周六 on the same page)."""
    return f"{format_date(value, 'medium')} {format_time(value, 'short')}" if value is not None else ""


def deadline(value: datetime | None) -> str:
    """A deadline to the second in the policy's zone, with its day, wherever it is shown (the case page, the board,
    the cycle page): 2026年10月10日 周六 23:59:59."""
    if value is None:
        return ""
    tz = current_app.extensions["gradeflow"]["rules"].policy.tz
    return f"{day(value)} {value.astimezone(tz):%H:%M:%S}"


def number(value) -> str:
    return format_decimal(value) if value is not None else ""


def period(text: str | None) -> str:
    """A period in words: 2026年度, 2026年上半年, 2026年第3季度, 2026年3月 / Year 2026, First half of 2026, Q3 2026,
    Mar 2026; a text that is no period as it is."""
    try:
        parsed = Period.parse(text or "")
    except ValueError:
        return text or ""
    if parsed.kind == MONTH:
        return format_skeleton("yMMM", parsed.first_day, locale=get_locale())
    if parsed.kind == QUARTER:
        return _("Q%(quarter)s %(year)s", quarter=parsed.quarter, year=parsed.year)
    if parsed.kind == HALF:
        return (_("First half of %(year)s", year=parsed.year) if parsed.half == 1
                else _("Second half of %(year)s", year=parsed.year))
    return _("Year %(year)s", year=parsed.year)


def listed(items) -> str:
    """Items as a list is written in the reader's language: 2025、2026和2027; 2025, 2026, and 2027."""
    return format_list([str(item) for item in items], locale=get_locale())


def _chinese() -> bool:
    return get_locale().language == "zh"


def parenthesized(text: str) -> str:
    """Words set aside in parentheses as the reader's language writes them: （不合格） in Chinese, (failed) in English."""
    return f"（{text}）" if _chinese() else f"({text})"


def aside(words) -> Markup:
    """parenthesized, for a page: the words are escaped unless they are markup already."""
    return Markup(parenthesized(escape(words)))


def colon() -> str:
    """The colon between a name and what it names, as the reader's language writes it: 晋级：初级 / Promotion: junior."""
    return "：" if _chinese() else ": "


def semicolon() -> str:
    """The semicolon between two clauses, as the reader's language writes it: ；/ ; ."""
    return "；" if _chinese() else "; "


def enumeration_comma() -> str:
    """The mark between the items of a list written out one by one (links, say): 、/ , ."""
    return "、" if _chinese() else ", "


def sentences(*items: str) -> str:
    """Sentences one after the other: 相差 2 级。晋升每次 1 级。 / 2 grades up. One at a time."""
    return ("" if _chinese() else " ").join(items)


def clauses(items) -> str:
    """Clauses one after the other (a denial's reasons): 低于及格线；名额已满 / below the pass mark; no place left."""
    return semicolon().join(str(item) for item in items)
