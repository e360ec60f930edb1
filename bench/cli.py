"""`python -m bench`: run the benchmarks, print each figure with its raw ceiling, ratio and verdict, and a
summary table (written to --report as Markdown, with the machine and the date, when asked)."""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from api.config import DEFAULT_THREADS, DEFAULT_WORKERS
from bench.databases import KINDS, Database, fresh_database, postgresql_version
from bench.report import FAILED, SKIPPED, Result, machine, markdown_machine, markdown_table
from bench.settings import Settings


def _raw(settings: Settings, database: Database) -> list[Result]:
    from bench.raw import raw_ceiling
    rate = raw_ceiling(database, settings.raw_seconds)
    return [Result("raw", database.kind, "UPDATE + INSERT + COMMIT, 1 client", f"{rate:,.0f} tx/s", rate)]


def _requests(which: set[str]):
    def run(settings: Settings, database: Database) -> list[Result]:
        from bench.serving import run_requests
        return run_requests(settings, database, which)
    return run


def _serve_config(settings, database):
    from bench.serving import run_serve_config
    return run_serve_config(settings, database)


def _sweep(settings, database):
    from bench.sweep import run_sweep
    return run_sweep(settings, database)


def _quarter_close(settings, database):
    from bench.quarter_close import run_quarter_close
    return run_quarter_close(settings, database)


def _imports(settings, database):
    from bench.imports import run_imports
    return run_imports(settings, database)


def _lifecycle(settings, database):
    from bench.lifecycle import run_lifecycle
    return run_lifecycle(settings, database)


def _pages(settings, database):
    from bench.pages import run_pages
    return run_pages(settings, database)


def _rss(settings, database):
    from bench.rss import run_rss
    return run_rss(settings, database)


# name → (what it measures, runner, databases it runs on by default)
BENCHMARKS: dict[str, tuple[str, Callable, tuple[str, ...]]] = {
    "raw": ("the raw ceiling alone", _raw, KINDS),
    "post": ("POST /cases/{id}/events, 4 clients", _requests({"post"}), KINDS),
    "get": ("GET /cases/{id}, 4 clients", _requests({"get"}), KINDS),
    "sweep": ("the scheduler's sweep over due timers", _sweep, KINDS),
    "quarter-close": ("the quarter close against its raw SQL formulation", _quarter_close, KINDS),
    "import": ("the roster import (.csv, .xlsx) against the raw insert of the same rows", _imports, KINDS),
    "lifecycle": ("a case's whole lifecycle over HTTP against SpiffWorkflow", _lifecycle, ("sqlite",)),
    "rss": ("the worker's resident memory over many requests", _rss, ("sqlite",)),
    "pages": ("each main web page on the demo data, one client: median and p95 ms", _pages, KINDS),
    "serve-config": ("POST and GET per worker × thread count", _serve_config, KINDS),
}


def _plan(only: list[str] | None) -> list[tuple[str, Callable]]:
    names = only or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    if "post" in names and "get" in names:  # one server, one set of cases for both
        names = [n for n in names if n != "get"]
        return [("post+get" if n == "post" else n, _requests({"post", "get"}) if n == "post" else BENCHMARKS[n][1])
                for n in names]
    return [(n, BENCHMARKS[n][1]) for n in names]


@contextmanager
def _scratch(keep: Path | None):
    if keep is None:
        with tempfile.TemporaryDirectory(prefix="gradeflow-bench-") as folder:
            yield folder
    else:
        keep.mkdir(parents=True, exist_ok=True)
        yield str(keep.resolve())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     epilog="benchmarks: " + "; ".join(f"{n}: {d}" for n, (d, _, _) in BENCHMARKS.items()))
    parser.add_argument("--quick", action="store_true", help="small sizes, to check that it runs")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these benchmarks")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both",
                        help="the databases (default both; a benchmark named for one database runs only there "
                             "unless --db names the other)")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS,
                        help=f"the post/get/lifecycle server's gunicorn workers (gradeflow serve's: {DEFAULT_WORKERS})")
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS,
                        help=f"threads per worker (gradeflow serve's: {DEFAULT_THREADS})")
    parser.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients (4)")
    parser.add_argument("--close-budget", type=float, default=600.0, metavar="SECONDS",
                        help="skip the larger quarter close when the smaller one projects it beyond this (600)")
    parser.add_argument("--report", type=Path, metavar="FILE", help="also write the results as Markdown here")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="work in this folder and keep it (the servers' logs, the SQLite files); default: a "
                             "temporary folder, removed at the end")
    args = parser.parse_args(argv)

    wanted = KINDS if args.db == "both" else (args.db,)
    pg = postgresql_version() if "postgresql" in wanted else None
    info = machine(pg if "postgresql" in wanted else "not used in this run")
    print("\n".join(f"{k}: {v}" for k, v in info.items()), flush=True)
    results: list[Result] = []
    began = time.monotonic()
    with _scratch(args.keep) as scratch:
        settings = Settings(quick=args.quick, folder=Path(scratch), workers=args.workers, threads=args.threads,
                            clients=args.clients, close_budget=args.close_budget)
        for name, runner in _plan(args.only):
            defaults = BENCHMARKS[name.split("+")[0]][2]
            kinds = [k for k in wanted if k in defaults] or ([args.db] if args.db != "both" else [])
            for kind in kinds:
                if kind == "postgresql" and pg is None:
                    results.append(Result(name, kind, "-", "-", verdict=SKIPPED, notes=["PostgreSQL not reachable"]))
                    print(results[-1].line(), flush=True)
                    continue
                print(f"\n== {name} on {kind} ...", flush=True)
                started = time.monotonic()
                try:
                    with fresh_database(kind, settings.folder, name) as database:
                        produced = runner(settings, database)
                except Exception as exc:  # noqa: BLE001 - one broken benchmark does not stop the others
                    traceback.print_exc()
                    produced = [Result(name, kind, "-", "-", verdict=FAILED, notes=[f"{type(exc).__name__}: {exc}"])]
                for result in produced:
                    print(result.line(), flush=True)
                    for note in result.notes:
                        print(f"    {note}", flush=True)
                print(f"   ({time.monotonic() - started:.0f} s)", flush=True)
                results.extend(produced)
    table = markdown_table(results)
    print(f"\n{table}\n\n(all in {time.monotonic() - began:.0f} s)")
    if args.report:
        mode = "quick" if args.quick else "full"
        args.report.write_text(f"Machine and date ({mode} run):\n\n{markdown_machine(info)}\n\n{table}\n",
                               encoding="utf-8")
    if any(r.verdict == FAILED for r in results):
        sys.exit(1)
