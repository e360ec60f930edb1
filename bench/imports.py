"""The roster import (issue 16, point 1): a 10,000-row roster (--quick: 1,000), imported through the public contract
and compared with the raw insert rate of the same database in the same run.

The roster (deterministic): managers of every grade in 50 org units, one in 20 a supervisor of the next 19, listed
in a shuffled order (a supervisor as often after the rows they supervise as before), probation managers among them
(each gets the timer of their probation's end), as HR's software saves it: a `.csv` in UTF-8 with a BOM and the
template's Chinese headers, and the same rows as an `.xlsx`.

- The service: `POST /api/v1/imports/roster` as hr with the file, in this process through Flask's test client (the
  whole path: reading the file, the API's schema on every row, the rules, the writes), on an empty roster; then the
  same file again (every row unchanged: nothing written); then the `.xlsx` on a fresh database.
- The raw insert: the same rows inserted into a scratch table with the managers' columns by one `executemany` and a
  COMMIT, with no checks, timed three times (the fastest counts).

Target: the first import of the larger size takes under 30 s on each database; the ratio against the raw insert is
reported beside it, and the raw ceiling (bench.raw) read around the measurement.
"""
from __future__ import annotations

import csv
import io
import random
import time
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from bench.databases import Database, fresh_database
from bench.raw import Ceiling
from bench.report import FAILED, INFO, Result, verdict
from bench.settings import Settings
from bench.world import HR, PASSWORD, SHANGHAI, World

CLOCK = datetime(2026, 10, 2, 9, 0, tzinfo=SHANGHAI)
TARGET_SECONDS = 30.0
SCRATCH = "bench_raw_managers"
RAW_RUNS = 3
HEADER = ["工号", "姓名", "机构", "等级", "定级日期", "入职日期", "上级工号", "学历"]
GRADES = ("probation", "junior", "junior", "mid", "mid", "senior")


def run_imports(settings: Settings, database: Database) -> list[Result]:
    rows = roster(settings.size(1_000, 10_000))
    results = [_csv(database, rows)]
    with fresh_database(database.kind, settings.folder, "import-xlsx") as other:
        results.append(_xlsx(other, rows))
    return results


def roster(size: int, seed: int = 16) -> list[list[str]]:
    rng = random.Random(seed)
    rows = []
    for n in range(size):
        boss = n - n % 20
        grade = "senior" if n == boss else GRADES[rng.randrange(len(GRADES))]
        hired = date(2015, 1, 1) + timedelta(days=rng.randrange(3000))
        since = date(2026, 8, 1) if grade == "probation" else hired + timedelta(days=rng.randrange(300))
        rows.append([f"R{n:06d}", f"经理{n}", f"分行{n % 50:02d}", grade, since.isoformat(), hired.isoformat(),
                     "" if n == boss else f"R{boss:06d}", rng.choice(("本科", "硕士", ""))])
    rng.shuffle(rows)
    return rows


def _csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows([HEADER, *rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv(database: Database, rows: list[list[str]]) -> Result:
    data = _csv_bytes(rows)
    world = World(database, clock_start=CLOCK)
    try:
        world.users([(HR, ("hr",), None)])
        world.settle()
        ceiling = Ceiling(database, 1.0).read()
        raw = _raw_insert(database, rows)
        first, answer = _import(world, data, "roster.csv")
        again, repeated = _import(world, data, "roster.csv")
        ceiling.read()
        stored = world.scalar(sa.text("SELECT COUNT(*) FROM managers"))
    finally:
        world.close()
    size = len(rows)
    result = Result("import", database.kind, f"roster of {size:,} rows (.csv)",
                    f"{first:.2f} s ({size / first:,.0f} rows/s); again, unchanged: {again:.2f} s; raw insert "
                    f"{raw:.3f} s", ratio=f"{first / raw:,.1f}× raw insert",
                    target=f"< {TARGET_SECONDS:.0f} s" if size >= 10_000 else "",
                    verdict=verdict(first < TARGET_SECONDS) if size >= 10_000 else INFO,
                    notes=[f"first import answered {answer}; the second {repeated}"]).against(ceiling)
    if (answer["created"], repeated["unchanged"], stored) != (size, size, size):
        result.verdict = FAILED
        result.notes.append(f"expected {size:,} created, then unchanged, and stored; found {answer}, {repeated}, "
                            f"{stored:,} stored")
    return result


def _xlsx(database: Database, rows: list[list[str]]) -> Result:
    from workflow.spreadsheets import write_sheets
    data = write_sheets("xlsx", [("花名册", HEADER, rows)])
    world = World(database, clock_start=CLOCK)
    try:
        world.users([(HR, ("hr",), None)])
        world.settle()
        ceiling = Ceiling(database, 1.0).read()
        raw = _raw_insert(database, rows)
        seconds, answer = _import(world, data, "roster.xlsx")
        ceiling.read()
    finally:
        world.close()
    size = len(rows)
    result = Result("import", database.kind, f"roster of {size:,} rows (.xlsx)",
                    f"{seconds:.2f} s ({size / seconds:,.0f} rows/s); raw insert {raw:.3f} s",
                    ratio=f"{seconds / raw:,.1f}× raw insert",
                    target=f"< {TARGET_SECONDS:.0f} s" if size >= 10_000 else "",
                    verdict=verdict(seconds < TARGET_SECONDS) if size >= 10_000 else INFO).against(ceiling)
    if answer["created"] != size:
        result.verdict = FAILED
        result.notes.append(f"expected {size:,} created; the import answered {answer}")
    return result


def _import(world: World, data: bytes, name: str) -> tuple[float, dict]:
    client = world.app.test_client()
    signed = client.post("/api/v1/auth/token", json={"username": HR, "password": PASSWORD})
    assert signed.status_code == 200, signed.get_json()
    headers = {"Authorization": f"Bearer {signed.get_json()['access_token']}"}
    world.app.config["MAX_CONTENT_LENGTH"] = 64 * 1024 * 1024  # GRADEFLOW_MAX_BODY_BYTES, as a deployment sets it
    began = time.perf_counter()
    response = client.post("/api/v1/imports/roster", headers=headers, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(data), name)})
    seconds = time.perf_counter() - began
    body = response.get_json()
    if response.status_code != 200:
        raise RuntimeError(f"the import answered {response.status_code}: {str(body)[:2000]}")
    return seconds, body


def _raw_insert(database: Database, rows: list[list[str]]) -> float:
    """The fastest of RAW_RUNS inserts of the rows, unchecked, into a scratch table with the managers' columns."""
    engine = sa.create_engine(database.url, poolclass=sa.pool.NullPool)
    values = [{"no": r[0], "name": r[1], "unit": r[2], "grade": r[3], "since": date.fromisoformat(r[4]),
               "hired": date.fromisoformat(r[5]), "boss": r[6] or None, "education": r[7] or None,
               "at": CLOCK} for r in rows]
    insert = sa.text(f"INSERT INTO {SCRATCH} VALUES (:no, :name, :unit, :grade, :since, :hired, :boss, :education, "
                     ":at, :at)")
    try:
        best = float("inf")
        for _ in range(RAW_RUNS):
            with engine.begin() as conn:
                conn.execute(sa.text(f"CREATE TABLE {SCRATCH} (employee_no VARCHAR(32) PRIMARY KEY, "
                                     "name VARCHAR(100), org_unit VARCHAR(100), grade VARCHAR(32), grade_since DATE, "
                                     "hire_date DATE, supervisor_no VARCHAR(32), education VARCHAR(100), "
                                     "created_at TIMESTAMP, updated_at TIMESTAMP)"))
            began = time.perf_counter()
            with engine.begin() as conn:
                conn.execute(insert, values)
            best = min(best, time.perf_counter() - began)
            with engine.begin() as conn:
                conn.execute(sa.text(f"DROP TABLE {SCRATCH}"))
        return best
    finally:
        engine.dispose()
