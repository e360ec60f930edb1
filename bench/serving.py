"""The request paths over real HTTP, and which worker × thread counts serve them best.

- post: `POST /cases/{id}/events` approve_materials by the applicants' supervisor, each request on a
  different submitted promotion case (a cycle with a committee of five), `clients` clients at once.
  Target: >= 10 % of the raw ceiling with p99 <= 100 ms.
- get: `GET /cases/{id}` by the same supervisor over those cases, for a fixed time. Target: >= 600 req/s.
- serve-config: both, against a server of each worker × thread count in turn (same database, fresh cases
  for each), to choose what `gradeflow serve` should run on this machine.
"""
from __future__ import annotations

from collections.abc import Callable

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
COMBOS_QUICK = ((1, 4), (2, 2), (2, 4))
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
    world.settle()
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
            post, post_shares = _with_workers_cpu(server, lambda: run_load(
                server.port, clients, _approve(case_ids[clients * 5:], token, clients)))
        if "get" in which:
            run_load(server.port, clients, _read(case_ids, token, clients), seconds=1.0)  # warm-up
            get, get_shares = _with_workers_cpu(server, lambda: run_load(
                server.port, clients, _read(case_ids, token, clients), seconds=get_seconds))
    ceiling.read()
    results = []
    if post:
        results.append(post_result(database, post, ceiling, label))
        results[-1].notes.append(post_shares)
    if get:
        results.append(get_result(database, get, ceiling, label))
        results[-1].notes.append(get_shares)
    return results


def _with_workers_cpu(server: Server, measure: Callable[[], LoadRun]) -> tuple[LoadRun, str]:
    """The load run, and how its CPU fell on the workers: each worker serves the clients' connections it took,
    so an uneven split would bound the figure by one core (docs/benchmarks.md, 2026-12-05 17:00 UTC)."""
    before = server.workers_cpu()
    run = measure()
    used = [cpu - before[pid] for pid, cpu in server.workers_cpu().items() if pid in before]
    return run, (f"workers' CPU in the {run.seconds:.1f} s: " + " / ".join(f"{s:.1f} s" for s in used)
                 + f"; per request {1000 * sum(used) / max(run.requests, 1):.2f} ms")


def run_serve_config(settings: Settings, database: Database) -> list[Result]:
    """POST and GET against each worker × thread count, in rounds (the full run: two, the second in the reverse
    order, each count keeping its better POST and its better GET, so that a busy moment of a shared machine
    weighs less); the best for POST (meeting p99 if any does) and the best for GET."""
    clients = settings.clients
    combos = COMBOS_QUICK if settings.quick else COMBOS_FULL
    rounds = settings.size(1, 2)
    per_run = settings.size(40, 150) * clients + clients * 3  # the first clients × 3 warm the server up
    get_seconds = settings.size(2.0, 6.0)
    case_ids = iter(_prepare(database, per_run * len(combos) * rounds))
    ceiling = Ceiling(database, settings.raw_seconds).read()
    posts: dict[tuple[int, int], LoadRun] = {}
    gets: dict[tuple[int, int], LoadRun] = {}
    for order in [combos, combos[::-1]][:rounds]:
        for combo in order:
            mine = [next(case_ids) for _ in range(per_run)]
            with Server(database, settings.folder, workers=combo[0], threads=combo[1]) as server:
                token = sign_in(server.port, BOSS, PASSWORD)
                run_load(server.port, clients, _approve(mine[:clients * 3], token, clients))
                post = run_load(server.port, clients, _approve(mine[clients * 3:], token, clients))
                get = run_load(server.port, clients, _read(mine, token, clients), seconds=get_seconds)
            if combo not in posts or _better(post, posts[combo]):
                posts[combo] = post
            if combo not in gets or _better(get, gets[combo]):
                gets[combo] = get
    raw = ceiling.read().value
    results = []
    for combo in combos:
        post, get = posts[combo], gets[combo]
        results.append(Result("serve-config", database.kind, f"{_name(combo)}, {clients} clients",
                              f"POST {post.summary()}; GET {get.summary()}", ratio=f"POST {percent(post.rate, raw)}",
                              notes=post.samples + get.samples).against(ceiling))
    sound = [c for c in combos if not posts[c].unexpected and not gets[c].unexpected] or list(combos)
    fitting = [c for c in sound if posts[c].percentile(99) <= P99_TARGET]
    best = max(fitting or sound, key=lambda c: posts[c].rate)
    best_get = max(sound, key=lambda c: gets[c].rate)
    results.append(Result("serve-config", database.kind, "best for POST" + (
        " (p99 <= 100 ms)" if fitting else " (none met p99 <= 100 ms)") + " and for GET",
        f"POST: {_name(best)}, {posts[best].rate:,.0f} req/s; GET: {_name(best_get)}, {gets[best_get].rate:,.0f} req/s",
        ratio=f"POST {percent(posts[best].rate, raw)}", verdict=INFO).against(ceiling))
    return results


def _better(run: LoadRun, than: LoadRun) -> bool:
    return (not run.unexpected, run.rate) > (not than.unexpected, than.rate)


def _name(combo: tuple[int, int]) -> str:
    return f"{combo[0]} worker(s) × {combo[1]} thread(s)"
