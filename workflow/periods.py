"""Evaluation periods: a year ("2026") or a quarter ("2026Q3")."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_PERIOD = re.compile(r"(?P<year>[0-9]{4})(?:Q(?P<quarter>[1-4]))?")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int | None = None  # None for an annual period

    @classmethod
    def parse(cls, text: str) -> "Period":
        match = _PERIOD.fullmatch(text or "")
        if not match or not 1900 <= int(match["year"]) <= 2999:
            raise ValueError(f"{text!r} is not a period: use a year like 2026 or a quarter like 2026Q3")
        quarter = match["quarter"]
        return cls(int(match["year"]), int(quarter) if quarter else None)

    @property
    def is_quarter(self) -> bool:
        return self.quarter is not None

    @property
    def months(self) -> int:
        return 3 if self.is_quarter else 12

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.quarter - 2 if self.quarter else 1, 1)

    @property
    def last_day(self) -> date:
        if not self.quarter or self.quarter == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.quarter + 1, 1) - timedelta(days=1)

    def shifted(self, quarters: int) -> "Period":
        """The quarter `quarters` quarters later (earlier when negative)."""
        if not self.is_quarter:
            raise ValueError(f"{self} is not a quarter")
        index = self.year * 4 + self.quarter - 1 + quarters
        return Period(index // 4, index % 4 + 1)

    @classmethod
    def quarter_of(cls, day: date) -> "Period":
        return cls(day.year, (day.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}" if self.quarter else str(self.year)
