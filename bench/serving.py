"""The request paths over real HTTP, and which worker × thread counts serve them best.

- post: `POST /cases/{id}/events` approve_materials by the applicants' supervisor, each request on a
  different submitted promotion case (a cycle with a committee of five), `clients` clients at once.
  Target: >= 10 % of the raw ceiling with p99 <= 100 ms.
- get: `GET /cases/{id}` by the same supervisor over those cases, for a fixed time. Target: >= 600 req/s.
- serve-config: both, against a server of each worker × thread count in turn (same database, fresh cases
  for each), to choose what `gradeflow serve` should run on this machine.
"""
from __future__ import annotations

from bench.databases import Database
from bench.load import LoadRun, Request, run_load, sign_in
from bench.raw import Ceiling
from bench.report import INFO, Result, percent, verdict
from bench.server import Server
from bench.settings import Settings
from bench.world import BOSS, PASSWORD, World, organisation

CYCLE = "2026B1"
COMMITTEE_SIZE = 5
POST_TARGET, P99_TARGET, GET_TARGET = 0.10, 100.0, 600.0
COMBOS_QUICK = ((1, 1), (1, 4), (2, 2))
COMBOS_FULL = ((1, 1), (1, 2), (1, 4), (1, 8), (2, 1), (2, 2), (2, 4), (3, 2), (4, 1))


def _approve(case_ids: list[int], token: str, clients: int):
    def request_for(k: int, n: int) -> Request | None:
        i = k + n * clients
        if i >= len(case_ids):
            return None
        return Request("POST", f"/cases/{case_ids[i]}/events", token,
                       {"event": "approve_materials", "supervisor_score": 80})
    return request_for


def _read(case_ids: list[int], token: str, clients: int):
    def request_for(k: int, n: int) -> Request:
        return Request("GET", f"/cases/{case_ids[(k + n * clients) % len(case_ids)]}", token)
    return request_for


def _prepare(database: Database, cases: int) -> list[int]:
    world = World(database)
    numbers = organisation(world, applicants=cases, committee_size=COMMITTEE_SIZE, cycle=CYCLE)
    case_ids = world.promotions(CYCLE, numbers)
    world.close()
    return case_ids


def post_result(database: Database, run: LoadRun, ceiling: Ceiling, label: str) -> Result:
    raw = ceiling.value
    result = Result("post", database.kind, f"approve_materials, {label}", run.summary(),
                    ratio=percent(run.rate, raw), target=">= 10 % of raw, p99 <= 100 ms",
                    verdict=verdict(run.rate / raw >= POST_TARGET and run.percentile(99) <= P99_TARGET
                                    and not run.unexpected))
    result.notes.extend(run.samples)
    return result.against(ceiling)


def get_result(database: Database, run: LoadRun, ceiling: Ceiling, label: str) -> Result:
    result = Result("get", database.kind, f"GET /cases/{{id}}, {label}", run.summary(),
                    ratio=percent(run.rate, ceiling.value), target=">= 600 req/s",
                    verdict=verdict(run.rate >= GET_TARGET and not run.unexpected))
    result.notes.extend(run.samples)
    return result.against(ceiling)


def run_requests(settings: Settings, database: Database, which: set[str]) -> list[Result]:
    """post and/or get against one server of the configured worker and thread counts."""
    clients = settings.clients
    cases = settings.size(60, 750) * clients
    get_seconds = settings.size(3.0, 15.0)
    case_ids = _prepare(database, cases)
    ceiling = Ceiling(database, settings.raw_seconds).read()
    label = f"{clients} clients, {settings.workers} worker(s) × {settings.threads} thread(s)"
    post = get = None
    with Server(database, settings.folder, workers=settings.workers, threads=settings.threads) as server:
        token = sign_in(server.port, BOSS, PASSWORD)
        if "post" in which:
            run_load(server.port, clients, _approve(case_ids[:clients * 5], token, clients))  # warm-up
            post = run_load(server.port, clients, _approve(case_ids[clients * 5:], token, clients))
        if "get" in which:
            run_load(server.port, clients, _read(case_ids, token, clients), seconds=1.0)  # warm-up
            get = run_load(server.port, clients, _read(case_ids, token, clients), seconds=get_seconds)
    ceiling.read()
    return ([post_result(database, post, ceiling, label)] if post else []) + (
        [get_result(database, get, ceiling, label)] if get else [])


def run_serve_config(settings: Settings, database: Database) -> list[Result]:
    """POST and GET against each worker × thread count; the best for POST (meeting p99 if any does)."""
    clients = settings.clients
    combos = COMBOS_QUICK if settings.quick else COMBOS_FULL
    per_combo = settings.size(40, 200) * clients
    warm = clients * 3
    get_seconds = settings.size(2.0, 6.0)
    case_ids = _prepare(database, (per_combo + warm) * len(combos))
    ceiling = Ceiling(database, settings.raw_seconds).read()
    table = []
    for i, (workers, threads) in enumerate(combos):
        mine = case_ids[i * (per_combo + warm):(i + 1) * (per_combo + warm)]
        with Server(database, settings.folder, workers=workers, threads=threads) as server:
            token = sign_in(server.port, BOSS, PASSWORD)
            run_load(server.port, clients, _approve(mine[:warm], token, clients))
            post = run_load(server.port, clients, _approve(mine[warm:], token, clients))
            get = run_load(server.port, clients, _read(mine, token, clients), seconds=get_seconds)
        table.append((workers, threads, post, get))
    ceiling.read()
    raw = ceiling.value
    results = [Result("serve-config", database.kind, f"{workers} worker(s) × {threads} thread(s), {clients} clients",
                      f"POST {post.summary()}; GET {get.summary()}", ratio=f"POST {percent(post.rate, raw)}"
                      ).against(ceiling) for workers, threads, post, get in table]
    for result, (_w, _t, post, get) in zip(results, table):
        result.notes.extend(post.samples + get.samples)
    sound = [row for row in table if not row[2].unexpected and not row[3].unexpected] or table
    fitting = [row for row in sound if row[2].percentile(99) <= P99_TARGET]
    best = max(fitting or sound, key=lambda row: row[2].rate)
    best_get = max(sound, key=lambda row: row[3].rate)
    results.append(Result("serve-config", database.kind, "best for POST" + (
        " (p99 <= 100 ms)" if fitting else " (none met p99 <= 100 ms)"),
        f"{best[0]} worker(s) × {best[1]} thread(s): {best[2].rate:,.0f} req/s; best GET: {best_get[0]} × "
        f"{best_get[1]}: {best_get[3].rate:,.0f} req/s", ratio=percent(best[2].rate, raw),
        verdict=INFO).against(ceiling))
    return results
