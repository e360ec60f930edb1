"""Requests run at once in this process: each on a thread of its own, released together."""
from __future__ import annotations

import threading


def at_once(requests) -> list:
    """Run the requests on separate threads, released together."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def run(i, request):
        barrier.wait()
        results[i] = request()

    threads = [threading.Thread(target=run, args=(i, r)) for i, r in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results
