"""HTTP clients: threads of this process, each with its own keep-alive connection (http.client), sending
their requests one after another; every answer's status is checked and every latency kept."""
from __future__ import annotations

import http.client
import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

API = "/api/v1"
TIMEOUT = 120  # seconds a client waits for one answer


class Client:
    """One keep-alive connection; reopened when the server closes it (a sync worker closes every one)."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)

    def call(self, method: str, path: str, *, token: str | None = None, body: dict | None = None):
        """(status, parsed body); a GET that meets a connection the server had closed is sent again."""
        headers = {"Accept": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            try:
                self.conn.request(method, API + path, body=payload, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
                if response.will_close:
                    self.conn.close()
                return response.status, (json.loads(raw) if raw else None)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                if method != "GET" or attempt == 2:
                    raise

    def close(self) -> None:
        self.conn.close()


def sign_in(port: int, username: str, password: str) -> str:
    client = Client(port)
    try:
        status, body = client.call("POST", "/auth/token", body={"username": username, "password": password})
    finally:
        client.close()
    if status != 200:
        raise RuntimeError(f"sign-in of {username} failed: {status} {body}")
    return body["access_token"]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    token: str
    body: dict | None = None
    expect: int = 200


@dataclass
class LoadRun:
    clients: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    unexpected: Counter = field(default_factory=Counter)  # "status code" or exception name → count
    samples: list[str] = field(default_factory=list)  # a few unexpected answers, for the report

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the latencies, in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered))) - 1))]

    def summary(self) -> str:
        text = f"{self.rate:,.0f} req/s (p50 {self.percentile(50):.0f} ms, p99 {self.percentile(99):.0f} ms)"
        if self.unexpected:
            text += f", {sum(self.unexpected.values())} unexpected answers {dict(self.unexpected)}"
        return text


def run_load(port: int, clients: int, request_for: Callable[[int, int], Request | None], *,
             per_client: int | None = None, seconds: float | None = None) -> LoadRun:
    """`clients` threads; client k sends request_for(k, 0), request_for(k, 1), ... until it has sent
    `per_client`, `seconds` have passed, or request_for returns None. All start together."""
    run = LoadRun(clients)
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    deadline: list[float] = []

    def client(k: int) -> None:
        conn = Client(port)
        latencies, unexpected, samples = [], Counter(), []
        barrier.wait()
        n = 0
        try:
            while per_client is None or n < per_client:
                if seconds is not None and time.perf_counter() >= deadline[0]:
                    break
                request = request_for(k, n)
                if request is None:
                    break
                n += 1
                began = time.perf_counter()
                try:
                    status, body = conn.call(request.method, request.path, token=request.token, body=request.body)
                except (OSError, http.client.HTTPException) as exc:
                    unexpected[type(exc).__name__] += 1
                    continue
                latencies.append(time.perf_counter() - began)
                if status != request.expect:
                    unexpected[str(status)] += 1
                    if len(samples) < 3:
                        samples.append(f"{request.method} {request.path} → {status} {json.dumps(body)[:300]}")
        finally:
            conn.close()
            with lock:
                run.latencies.extend(latencies)
                run.unexpected.update(unexpected)
                run.samples.extend(samples[:3 - len(run.samples)])

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    deadline.append(time.perf_counter() + (seconds or 0))  # set before any client may pass the barrier
    barrier.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    run.seconds = time.perf_counter() - began
    return run


def in_threads(clients: int, work: Callable[[int], None]) -> float:
    """Run work(0) ... work(clients - 1) in threads started together; the seconds until all have ended.
    The first exception of a thread is raised here."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(clients + 1)

    def run(k: int) -> None:
        barrier.wait()
        try:
            work(k)
        except BaseException as exc:  # noqa: BLE001 - raised again below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(k,), daemon=True) for k in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - began
