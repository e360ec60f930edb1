"""The schemas' character checks (api/fields.py) are ranges standing for Unicode's categories: a lone surrogate (Cs)
and a control character (Cc) are refused, every other character of every plane is taken."""
from __future__ import annotations

import unicodedata

from api.fields import _CONTROL, _SURROGATE


def test_the_ranges_refuse_exactly_the_surrogates_and_the_control_characters_of_unicode():
    for code in range(0x110000):
        character = chr(code)
        category = unicodedata.category(character)
        assert bool(_SURROGATE.search(character)) == (category == "Cs"), hex(code)
        assert bool(_CONTROL.search(character)) == (category == "Cc"), hex(code)
