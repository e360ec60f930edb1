"""Real HTTP to a `gradeflow serve` subprocess on 127.0.0.1: one connection a request (http.client), from
threads; "at once" means every thread has its connection open and waits on a barrier. A client that loses
its connection sees one of CONNECTION_ERRORS: the outcome of its request is unknown."""
from __future__ import annotations

import http.client
import json
import threading
from dataclasses import dataclass

from tests.support.processes import Process, children, serve, wait_for
from tests.support.settings import PASSWORD

API = "/api/v1"
WORKERS = 2
REQUEST_TIMEOUT = 60  # seconds a client waits for one answer
STREAM_TIMEOUT = 240  # for a whole stream of transitions

# What a client sees when the server dies under its request or is not there: the outcome is unknown.
CONNECTION_ERRORS = (OSError, http.client.HTTPException)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: object

    @property
    def code(self) -> str | None:
        """The problem-details code of an error answer."""
        return self.body.get("code") if isinstance(self.body, dict) else None

    @property
    def etag(self) -> int:
        return int(self.headers["etag"].strip('"'))


def connect(port: int) -> http.client.HTTPConnection:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    connection.connect()
    return connection


def send(connection: http.client.HTTPConnection, method: str, path: str, *, token: str | None = None,
         body: dict | None = None, if_match: int | None = None, idempotency_key: str | None = None) -> Answer:
    """One request on an open connection, which is closed afterwards; connection errors are raised."""
    headers = {"Connection": "close"}
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if if_match is not None:
        headers["If-Match"] = f'"{if_match}"'
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    try:
        connection.request(method, API + path, body=payload, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()},
                      json.loads(raw) if raw else None)
    finally:
        connection.close()


def call(port: int, method: str, path: str, **kw) -> Answer:
    return send(connect(port), method, path, **kw)


def sign_in(port: int, username: str) -> str:
    answer = call(port, "POST", "/auth/token", body={"username": username, "password": PASSWORD})
    assert answer.status == 200, (username, answer)
    return answer.body["access_token"]


def at_once(requests) -> list:
    """Each request gets an open connection and a thread; all are sent when every thread is ready."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def run(i, request):
        try:
            results[i] = request(barrier)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=STREAM_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a request never ended"
    return results


def start_server(gradeflow_process) -> tuple[Process, int]:
    """`gradeflow serve --workers 2 --no-scheduler`, answering, with its two workers up (nothing but the test's
    requests moves a case)."""
    server, port = serve(gradeflow_process, "--workers", str(WORKERS), "--no-scheduler")
    wait_for(lambda: len(children(server.pid)) == WORKERS, "both gunicorn workers up", [server], timeout=60)
    return server, port


def report(what: str, figures: dict) -> None:
    print(f"\nFIGURES {what}: {json.dumps(figures, sort_keys=True)}")
