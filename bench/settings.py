"""What a run of the benchmarks was asked to do."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    quick: bool
    folder: Path  # the run's scratch folder: SQLite files, server logs
    workers: int  # of the server the request benchmarks start (default: gradeflow serve's, api/config.py)
    threads: int
    clients: int  # concurrent HTTP clients
    close_budget: float  # seconds the quarter close at the larger size may be expected to take before it is skipped

    @property
    def raw_seconds(self) -> float:
        return 1.0 if self.quick else 3.0

    def size(self, quick, full):
        return quick if self.quick else full
