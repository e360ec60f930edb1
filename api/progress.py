"""How far a long CLI job is (`gradeflow run-due`, `gradeflow audit verify`): a bar on standard error when a person
watches it at a terminal; otherwise (a cron mail, a container's log), once it has worked for `every` seconds, a JSON
line in the service's log form (api/logs.py) at most every `every` seconds and one when it ends, so that a reader sees
it works and how far it is. A job done sooner says nothing more than its result. The job says how much it has done
so far, and how much there is when that grows (a fired timer can make another due)."""
from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable

import click

from api.logs import JsonLines

LOGGER = "gradeflow.progress"


class Progress:
    def __init__(self, what: str, unit: str, *, every: float = 10.0, stream=None,
                 clock: Callable[[], float] = time.monotonic):
        self.what, self.unit, self.total, self.done = what, unit, 0, 0
        self._stream = stream if stream is not None else sys.stderr
        self._every, self._clock = every, clock
        self._bar = None
        self._last_told = self._told_any = None

    def __enter__(self) -> "Progress":
        if self._stream.isatty():
            self._bar = click.progressbar(length=1, label=self.what, file=self._stream, show_pos=True)
            self._bar.__enter__()
        self._last_told, self._told_any = self._clock(), False
        return self

    def __call__(self, done: int, total: int) -> None:
        """`done` so far, of `total` as it stands now."""
        self.total, step, self.done = max(total, done), done - self.done, done
        if self._bar is not None:
            self._bar.length = max(self.total, 1)
            self._bar.update(step)
        elif self._clock() - self._last_told >= self._every:
            self._tell()

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)
        elif self._told_any:
            self._tell()

    def _tell(self) -> None:
        self._last_told, self._told_any = self._clock(), True
        share = f" ({self.done * 100 // self.total} %)" if self.total else ""
        record = logging.LogRecord(LOGGER, logging.INFO, __file__, 0, "%s: %d of %d %s%s",
                                   (self.what, self.done, self.total, self.unit, share), None)
        record.done, record.total = self.done, self.total
        self._stream.write(JsonLines().format(record) + "\n")
        self._stream.flush()
