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
_PERIOD = re.compile(r"(?P<year>[0-9]{4})(?:H(?P<half>[12])|Q(?P<quarter>[1-4])|M(?P<month>0[1-9]|1[0-2]))?")
_MONTHS = {YEAR: 12, HALF: 6, QUARTER: 3, MONTH: 1}


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
    def is_quarter(self) -> bool:
        return self.quarter is not None

    @property
    def months(self) -> int:
        return _MONTHS[self.kind]

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

    def shifted(self, quarters: int) -> "Period":
        """The quarter `quarters` quarters later (earlier when negative)."""
        if not self.is_quarter:
            raise ValueError(f"{self} is not a quarter")
        index = self.year * 4 + self.quarter - 1 + quarters
        return Period(index // 4, index % 4 + 1)

    @classmethod
    def quarter_of(cls, day: date) -> "Period":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def ended_before(cls, kind: str, day: date, count: int) -> list["Period"]:
        """The last `count` periods of `kind` that ended before the one `day` falls in, the latest first."""
        per_year = 12 // _MONTHS[kind]
        index = day.year * per_year + (day.month - 1) // _MONTHS[kind]  # the period `day` falls in
        periods = []
        for earlier in range(index - 1, index - 1 - count, -1):
            year, number = divmod(earlier, per_year)
            part = {YEAR: {}, HALF: {"half": number + 1}, QUARTER: {"quarter": number + 1},
                    MONTH: {"month": number + 1}}[kind]
            periods.append(cls(year, **part))
        return periods

    def __str__(self) -> str:
        if self.quarter:
            return f"{self.year}Q{self.quarter}"
        if self.half:
            return f"{self.year}H{self.half}"
        return f"{self.year}M{self.month:02d}" if self.month else str(self.year)
