"""The benchmark harness runs (bench/, docs/benchmarks.md): its smallest benchmark, the raw ceiling on a fresh
SQLite file, for about a second. Only that it runs and reports; no figure is judged here."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_benchmark_harness_measures_the_raw_ceiling_and_writes_its_report(tmp_path):
    report = tmp_path / "bench.md"
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--only", "raw", "--db", "sqlite",
                           "--report", str(report)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^raw +sqlite +UPDATE \+ INSERT \+ COMMIT, 1 client: [\d,]+ tx/s", done.stdout, re.M), done.stdout
    written = report.read_text(encoding="utf-8")
    assert "| raw | sqlite |" in written and "cores (nproc)" in written, written
