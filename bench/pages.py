"""The pages' answer times on the demo data: `gradeflow demo` into a fresh database, `gradeflow serve` (its default
workers and threads unless --workers/--threads say otherwise, no scheduler, production mode), each main page signed
in as the person who uses it, requested one after another over HTTP; the median and the 95th percentile in ms
against the issue's 100 ms.

One client, so the figure is a page's own time (rendering and its SQL), not queueing behind other requests."""
from __future__ import annotations

import http.cookiejar
import re
import statistics
import subprocess
import time
import urllib.parse
import urllib.request

from bench.databases import Database
from bench.report import MET, NOT_MET, Result
from bench.server import Server
from bench.settings import Settings
from tests.support.commands import GRADEFLOW

TARGET_MS = 100.0
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_CASE_LINK = re.compile(r'href="/cases/(\d+)"')
_CYCLE_LINK = re.compile(r'href="/cycles/([0-9A-Za-z_-]+)"')


class _Visitor:
    """A browser's cookie jar over urllib: signs in through the sign-in form, then reads pages."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as answer:
            if answer.status != 200:
                raise RuntimeError(f"GET {path}: {answer.status}")
            return answer.read().decode("utf-8")

    def sign_in(self, username: str, password: str) -> None:
        token = _CSRF.search(self.get("/sign-in")).group(1)
        form = urllib.parse.urlencode({"csrf_token": token, "username": username, "password": password}).encode()
        with self.opener.open(self.base + "/sign-in", data=form, timeout=30) as answer:
            if answer.url.rstrip("/") != self.base:
                raise RuntimeError(f"{username} could not sign in (landed on {answer.url})")


def _timed(visitor: _Visitor, path: str, rounds: int) -> list[float]:
    visitor.get(path)  # warm: templates compiled, connections open
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        visitor.get(path)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run_pages(settings: Settings, database: Database) -> list[Result]:
    rounds = 10 if settings.quick else 60
    server = Server(database, settings.folder, workers=settings.workers, threads=settings.threads)
    for step in (("db", "upgrade"), ("demo",)):
        done = subprocess.run([str(GRADEFLOW), *step], env={**server.env, "GRADEFLOW_ENV": "development"},
                              cwd=settings.folder, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"gradeflow {' '.join(step)}: {done.stderr[-2000:]}")
    logins = dict(line.split("\t")[:2] for line in (settings.folder / "demo-logins.txt").read_text().splitlines())
    results = []
    with server:
        base = f"http://127.0.0.1:{server.port}"
        pages: list[tuple[str, str]] = []  # (login, path)
        wujun = _Visitor(base)
        wujun.sign_in("wujun", logins["wujun"])
        case_id = _CASE_LINK.search(wujun.get("/apply")).group(1)
        hr = _Visitor(base)
        hr.sign_in("hr.chen", logins["hr.chen"])
        cycle = _CYCLE_LINK.search(hr.get("/cycles")).group(1)
        pages += [("liuyang", "/"), ("liuyang", "/apply"), ("wujun", f"/cases/{case_id}"), ("zhouli", "/review"),
                  ("committee.qian", f"/cycles/{cycle}/scoring"), ("hr.chen", "/"), ("hr.chen", "/cycles"),
                  ("hr.chen", f"/cycles/{cycle}"), ("hr.chen", "/appeals"), ("hr.chen", "/managers"),
                  ("hr.chen", f"/cycles/{cycle}/board"), ("liuyang", "/workflow")]
        visitors = {"wujun": wujun, "hr.chen": hr}
        for login, path in pages:
            if login not in visitors:
                visitors[login] = _Visitor(base)
                visitors[login].sign_in(login, logins[login])
            times = _timed(visitors[login], path, rounds)
            median, p95 = statistics.median(times), _p95(times)
            results.append(Result("pages", database.kind, f"GET {path} as {login}",
                                  f"median {median:.1f} ms, p95 {p95:.1f} ms ({rounds} requests)",
                                  target=f"p95 <= {TARGET_MS:.0f} ms",
                                  verdict=MET if p95 <= TARGET_MS else NOT_MET))
    return results
