"""The worker class of `gradeflow serve`: gunicorn's gthread worker, taking new connections so that they spread
over the workers: the worker holding the fewest takes the next.

Every worker listens on the one socket, and each new connection goes to whichever worker calls accept()
first: often the one already running, which then takes a burst of connections in a row while the other is
still waking up or waiting for its GIL. Kept-alive connections stay where they landed, so a few busy clients
(a reverse proxy's upstream connections, the benchmark's four) could load one worker, and so one core, while
the other stood idle (docs/benchmarks.md, "Connections spread over the workers").

Here each worker writes how many connections it holds into memory shared with the others (made by the master
before it forks them). A worker that holds more than another steps back when a new connection arrives: it
stops listening for a moment, serving its other connections meanwhile, so that the worker holding fewer takes
it. It listens again as soon as no other worker holds fewer than it does, or when the moment is over, and a
connection that nobody took meanwhile is its own: it accepts it at once. Workers holding as many as each
other take it as gunicorn's own worker does, so a new connection waits only when the worker that should take
it is slow to.
"""
from __future__ import annotations

import mmap
import struct
import time

from gunicorn.workers.gthread import ThreadWorker

# longer than the GIL's switch interval (5 ms), which a busy worker's listening thread may wait for
STEP_BACK = 0.010  # seconds at most
RECHECK = 0.001  # seconds between two looks at the others' counts while stepping back
_COUNT = struct.Struct("q")


class ConnectionCounts:
    """How many connections each worker holds, one slot per worker, in memory that forked workers share."""

    def __init__(self, slots: int):
        self.slots = slots
        self._memory = mmap.mmap(-1, _COUNT.size * slots)  # anonymous: shared with the processes forked later

    def set(self, slot: int, count: int) -> None:
        _COUNT.pack_into(self._memory, _COUNT.size * slot, count)

    def get(self, slot: int) -> int:
        return _COUNT.unpack_from(self._memory, _COUNT.size * slot)[0]

    def fewest_besides(self, slot: int, in_use: int) -> int | None:
        """The fewest connections that a worker of slots 0 … in_use - 1 other than `slot` holds."""
        others = [self.get(s) for s in range(min(in_use, self.slots)) if s != slot]
        return min(others) if others else None

    def assign(self, arbiter, worker) -> None:
        """gunicorn's pre_fork hook (in the master): the lowest slot that no live worker holds, counting 0."""
        taken = {getattr(w, "connection_slot", None) for w in arbiter.WORKERS.values()}
        free = next((s for s in range(self.slots) if s not in taken), None)
        if free is not None:
            self.set(free, 0)
            worker.connection_counts, worker.connection_slot = self, free


def should_step_back(held: int, fewest_elsewhere: int | None) -> bool:
    """A worker holding `held` connections leaves a new one to another worker holding fewer."""
    return fewest_elsewhere is not None and held > fewest_elsewhere


class BalancedThreadWorker(ThreadWorker):
    # set by ConnectionCounts.assign; left None (gunicorn's own behaviour) for a worker that found no free slot
    connection_counts: ConnectionCounts | None = None
    connection_slot: int | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._listen_again_at: float | None = None  # monotonic time; None: not stepping back

    def _holds_more(self) -> bool:
        counts = self.connection_counts
        return counts is not None and should_step_back(
            self.nr_conns, counts.fewest_besides(self.connection_slot, self.cfg.workers))

    def accept(self, listener):
        if not self._holds_more():
            self._accept(listener)
            return
        self._listen_again_at = time.monotonic() + STEP_BACK
        super().set_accept_enabled(False)

    def _accept(self, listener) -> None:
        super().accept(listener)  # nothing waiting (another worker took it): gunicorn's accept lets EAGAIN pass
        self._publish()

    def set_accept_enabled(self, enabled):
        if enabled and self._listen_again_at is not None:
            return  # run() asks on each turn of its loop; listening again waits for the moment's end
        super().set_accept_enabled(enabled)

    def wait_for_and_dispatch_events(self, timeout):
        self._publish()
        if self._listen_again_at is not None:
            remaining = self._listen_again_at - time.monotonic()
            if remaining > 0 and self._holds_more():
                timeout = min(timeout, remaining, RECHECK)
            else:  # the moment is over, or the others have caught up (they took connections meanwhile)
                self._listen_again()
        super().wait_for_and_dispatch_events(timeout)

    def _listen_again(self) -> None:
        self._listen_again_at = None
        if not self.alive:  # stopping: run() has stopped listening for good
            return
        for listener in self.sockets:
            self._accept(listener)
        super().set_accept_enabled(self.nr_conns < self.worker_connections)

    def _publish(self) -> None:
        if self.connection_counts is not None:
            self.connection_counts.set(self.connection_slot, self.nr_conns)
