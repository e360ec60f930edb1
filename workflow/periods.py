"""Evaluation periods: a year ("2026"), a half-year ("2026H1"), a quarter ("2026Q3") or a month ("2026M03").
Which of them a company records is its policy's (`periods`)."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

YEAR, HALF, QUARTER, MONTH = "year", "half", "quarter", "month"
KINDS = (YEAR, HALF, QUARTER, MONTH)
EXAMPLES = {YEAR: "2026", HALF: "2026H1", QUARTER: "2026Q3", MONTH: "2026M03"}
NAMES = {YEAR: "a year", HALF: "a half-year", QUARTER: "a quarter", MONTH: "a month"}
_PERIOD = re.compile(r"(?P<year>[0-9]{4})(?:H(?P<half>[12])|Q(?P<quarter>[1-4])|M(?P<month>0[1-9]|1[0-2]))?")
PATTERN = re.sub(r"\(\?P<[a-z]+>", "(?:", _PERIOD.pattern)  # the same, without names: for URL converters
MONTHS = {YEAR: 12, HALF: 6, QUARTER: 3, MONTH: 1}


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int | None = None  # at most one of quarter, half and month; none of them for a year
    half: int | None = None
    month: int | None = None

    @classmethod
    def parse(cls, text: str) -> "Period":
        match = _PERIOD.fullmatch(text or "")
        if not match or not 1900 <= int(match["year"]) <= 2999:
            raise ValueError(f"{text!r} is not a period: use a year like 2026, a half-year like 2026H1, a quarter "
                             "like 2026Q3 or a month like 2026M03")
        return cls(int(match["year"]), **{part: int(match[part]) for part in ("quarter", "half", "month")
                                          if match[part]})

    @property
    def kind(self) -> str:
        return QUARTER if self.quarter else HALF if self.half else MONTH if self.month else YEAR

    @property
    def months(self) -> int:
        return MONTHS[self.kind]

    @property
    def first_month(self) -> int:
        return (3 * self.quarter - 2 if self.quarter else 6 * self.half - 5 if self.half
                else self.month if self.month else 1)

    @property
    def first_day(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def last_day(self) -> date:
        last_month = self.first_month + self.months - 1
        return date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    def shifted(self, periods: int) -> "Period":
        """The period of the same kind `periods` periods later (earlier when negative)."""
        return Period._at(self.kind, self._index + periods)

    @classmethod
    def of(cls, kind: str, day: date) -> "Period":
        """The period of `kind` that `day` falls in."""
        return cls._at(kind, day.year * _per_year(kind) + (day.month - 1) // MONTHS[kind])

    @classmethod
    def ended_before(cls, kind: str, day: date, count: int) -> list["Period"]:
        """The last `count` periods of `kind` that ended before the one `day` falls in, the latest first."""
        current = cls.of(kind, day)
        return [current.shifted(-k) for k in range(1, count + 1)]

    @property
    def _index(self) -> int:
        """The periods of its kind since year 0: consecutive periods have consecutive indexes."""
        return self.year * _per_year(self.kind) + (self.first_month - 1) // self.months

    @classmethod
    def _at(cls, kind: str, index: int) -> "Period":
        year, number = divmod(index, _per_year(kind))
        part = {YEAR: {}, HALF: {"half": number + 1}, QUARTER: {"quarter": number + 1},
                MONTH: {"month": number + 1}}[kind]
        return cls(year, **part)

    def __str__(self) -> str:
        if self.quarter:
            return f"{self.year}Q{self.quarter}"
        if self.half:
            return f"{self.year}H{self.half}"
        return f"{self.year}M{self.month:02d}" if self.month else str(self.year)


def _per_year(kind: str) -> int:
    return 12 // MONTHS[kind]
