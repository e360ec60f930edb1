"""The worker's resident memory (VmRSS, /proc/<pid>/status) as requests go by. Target: <= 5 MiB growth from
the first checkpoint (10,000 requests; --quick 1,000) to the second (100,000; --quick 5,000).

One worker (`gradeflow serve` with --threads as given, 4 by default), `clients` clients, each going round
its own share of 200 submitted cases with four requests per case: GET /cases/{id} (the supervisor), the
supervisor's return_materials, the applicant's resubmit (a state change and a history entry each) and
GET /cases?cycle= (hr, a page of 50).
"""
from __future__ import annotations

from bench.databases import Database
from bench.load import Request, run_load, sign_in
from bench.raw import Ceiling
from bench.report import Result, verdict
from bench.server import Server, rss_kib
from bench.settings import Settings
from bench.world import BOSS, HR, PASSWORD, World, organisation

CYCLE = "2026R1"
CASES = 200
TARGET_MIB = 5.0


def run_rss(settings: Settings, database: Database) -> list[Result]:
    first, second = settings.size((1_000, 5_000), (10_000, 100_000))
    clients = settings.clients
    world = World(database)
    numbers = organisation(world, applicants=CASES, committee_size=5, cycle=CYCLE, applicant_logins=CASES)
    case_ids = world.promotions(CYCLE, numbers)
    world.settle()
    ceiling = Ceiling(database, settings.raw_seconds).read()
    with Server(database, settings.folder, workers=1, threads=settings.threads) as server:
        [worker] = server.worker_pids()
        boss, hr = sign_in(server.port, BOSS, PASSWORD), sign_in(server.port, HR, PASSWORD)
        applicants = [sign_in(server.port, no.lower(), PASSWORD) for no in numbers]
        mine = [list(range(k, CASES, clients)) for k in range(clients)]

        def request_for(offset: int):
            def request(k: int, n: int) -> Request:
                n += offset
                i = mine[k][(n // 4) % len(mine[k])]
                step = n % 4
                if step == 0:
                    return Request("GET", f"/cases/{case_ids[i]}", boss)
                if step == 1:
                    return Request("POST", f"/cases/{case_ids[i]}/events", boss, {"event": "return_materials",
                                                                                  "comment": "请补充材料"})
                if step == 2:
                    return Request("POST", f"/cases/{case_ids[i]}/events", applicants[i], {"event": "resubmit"})
                return Request("GET", f"/cases?cycle={CYCLE}&per_page=50", hr)
            return request

        start_kib = rss_kib(worker)
        per_client = first // clients
        runs = [run_load(server.port, clients, request_for(0), per_client=per_client)]
        at_first = rss_kib(worker)
        runs.append(run_load(server.port, clients, request_for(per_client), per_client=(second - first) // clients))
        at_second = rss_kib(worker)
        same_worker = server.worker_pids() == [worker]
    ceiling.read()
    unexpected = sum(sum(r.unexpected.values()) for r in runs)
    growth = (at_second - at_first) / 1024
    result = Result("rss", database.kind, f"worker VmRSS at {first:,} → {second:,} requests, {clients} clients",
                    f"{at_first / 1024:.1f} → {at_second / 1024:.1f} MiB (+{growth:.1f} MiB; {start_kib / 1024:.1f} MiB "
                    f"after start-up; {runs[-1].rate:,.0f} req/s)", target=f"<= {TARGET_MIB:.0f} MiB growth",
                    verdict=verdict(growth <= TARGET_MIB and same_worker and not unexpected)).against(ceiling)
    if not same_worker:
        result.notes.append("the worker was replaced during the run")
    if unexpected:
        result.notes.append(f"{unexpected} unexpected answers: {[s for r in runs for s in r.samples][:3]}")
    return [result]
