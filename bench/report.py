"""What a benchmark reports (its figure, the raw ceiling beside it, the ratio and the target's verdict),
and the machine it ran on."""
from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone

MET, NOT_MET, INFO, SKIPPED, FAILED = "met", "NOT MET", "info", "skipped", "FAILED"


@dataclass
class Result:
    benchmark: str  # its --only name
    database: str  # sqlite, postgresql or "-"
    what: str  # the figure's name, e.g. "approve_materials, 4 clients"
    figure: str  # the figure as printed, e.g. "120 req/s (p99 80 ms)"
    raw: float | None = None  # the raw ceiling of the same database in the same run, tx/s
    raw_readings: str = ""  # the readings it is the highest of, e.g. "2,100 / 2,300"
    ratio: str = ""  # the figure against the ratio's reference, e.g. "4.9 % of raw"
    target: str = ""  # e.g. ">= 10 % of raw, p99 <= 100 ms"
    verdict: str = INFO
    notes: list[str] = field(default_factory=list)

    def against(self, ceiling) -> "Result":
        """Record the raw ceiling (bench.raw.Ceiling) this figure is compared with."""
        self.raw, self.raw_readings = ceiling.value, ceiling.spread
        return self

    def line(self) -> str:
        raw = f"raw {self.raw:,.0f} tx/s" if self.raw is not None else "raw -"
        if self.raw_readings:
            raw += f" (readings {self.raw_readings})"
        parts = [f"{self.benchmark:<13} {self.database:<10} {self.what}: {self.figure}", raw]
        if self.ratio:
            parts.append(self.ratio)
        if self.target:
            parts.append(f"target {self.target}: {self.verdict}")
        elif self.verdict != INFO:
            parts.append(self.verdict)
        return " | ".join(parts)


def verdict(ok: bool) -> str:
    return MET if ok else NOT_MET


def percent(part: float, whole: float | None) -> str:
    return f"{100 * part / whole:.1f} % of raw" if whole else "raw unknown"


def markdown_table(results: list[Result]) -> str:
    lines = ["| benchmark | database | what | figure | raw tx/s (same run) | ratio | target | verdict |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        raw = f"{r.raw:,.0f}" if r.raw is not None else "–"
        if r.raw_readings:
            raw += f" ({r.raw_readings})"
        lines.append(f"| {r.benchmark} | {r.database} | {r.what} | {r.figure} | {raw} | {r.ratio or '–'} | "
                     f"{r.target or '–'} | {r.verdict} |")
    notes = [f"- {r.benchmark} ({r.database}): {n}" for r in results for n in r.notes]
    return "\n".join(lines + ([""] + notes if notes else []))


def _first_line(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=10).stdout.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


def _cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        for line in open("/proc/meminfo", encoding="utf-8"):
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 2 ** 20:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def machine(postgresql_version: str | None) -> dict[str, str]:
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cores (nproc)": str(os.cpu_count()),
        "CPU": _cpu_model(),
        "memory": _memory(),
        "kernel": platform.release(),
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "PostgreSQL": postgresql_version or "not reachable",
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def markdown_machine(info: dict[str, str]) -> str:
    return "\n".join(f"- {key}: {value}" for key, value in info.items())
