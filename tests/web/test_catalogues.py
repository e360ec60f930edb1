"""The message catalogues (api/translations/): every label of the pages is in them, has its Chinese, and the
compiled .mo files say what their .po files say (scripts/update-translations remakes all three)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "api" / "translations"
CATALOGUES = {"zh_CN": TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES", "en": TRANSLATIONS / "en" / "LC_MESSAGES"}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _po(language: str):
    with open(CATALOGUES[language] / "messages.po", "rb") as f:
        return read_po(f)


def _messages(catalog) -> dict:
    def plain(value):
        return tuple(value) if isinstance(value, list) else value
    return {plain(m.id): plain(m.string) for m in catalog if m.id}


def _labels_in_the_sources() -> set:
    with open(ROOT / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(ROOT, method_map, options_map,
                                                                      keywords=KEYWORDS):
        found.add(message)
    return found


def test_every_label_of_the_pages_is_in_every_catalogue():
    labels = _labels_in_the_sources()
    assert len(labels) > 50
    for language in CATALOGUES:
        missing = labels - set(_messages(_po(language)))
        assert not missing, f"not in {language}'s catalogue (run scripts/update-translations): {sorted(missing)}"


def test_every_label_has_its_chinese():
    untranslated = [m.id for m in _po("zh_CN") if m.id and (not m.string or not all(m.string) or m.fuzzy)]
    assert not untranslated, f"translate these in {CATALOGUES['zh_CN']}/messages.po: {untranslated}"


def test_the_chinese_keeps_every_placeholder():
    for message in _po("zh_CN"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"%\(\w+\)[sd]", ids[0]))
        for string in strings:
            assert set(re.findall(r"%\(\w+\)[sd]", string)) == wanted, (message.id, string)


def test_the_chinese_punctuates_its_sentences_with_full_width_marks():
    """Chinese text takes ，；： and （） where English takes , ; : and ( ): a mark after a Chinese character, or
    parentheses around Chinese words, are the full-width ones (an ASCII mark stays after a number or a placeholder,
    as in "%(period)s: %(score)s 分")."""
    half_width = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef][,;:]|\((?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])\)")
    for message in _po("zh_CN"):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in filter(None, strings):
            assert not half_width.search(string), (message.id, string)


# a comma, colon or semicolon written in a template between two of its pieces (translated words, a value): each
# language has its own (api/web/i18n.py colon, semicolon, enumeration_comma), which the template asks for instead
_MARK_BETWEEN_PIECES = re.compile(r"(?:\}\}|%\})[,:;] ?(?:<|\{)")


def test_the_templates_leave_the_punctuation_between_their_pieces_to_the_language():
    found = [f"{path.name}: {match.group(0)}" for path in sorted((ROOT / "api" / "templates").rglob("*.html"))
             for match in _MARK_BETWEEN_PIECES.finditer(path.read_text(encoding="utf-8"))]
    assert found == []


@pytest.mark.parametrize("language", sorted(CATALOGUES))
def test_the_compiled_catalogue_says_what_its_po_says(language):
    with open(CATALOGUES[language] / "messages.mo", "rb") as f:
        compiled = _messages(read_mo(f))
    written = {key: value for key, value in _messages(_po(language)).items()
               if value and (all(value) if isinstance(value, tuple) else True)}
    # an untranslated plural is compiled as its own source text (the English), which is what gettext shows anyway
    compiled = {key: value for key, value in compiled.items()
                if key in written or value != (key if isinstance(key, tuple) else key)}
    assert compiled == written, f"{language}: messages.mo is stale; run scripts/update-translations"
