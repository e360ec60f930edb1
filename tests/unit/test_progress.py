"""A long CLI job's progress (issue 15, point 4; api/progress.py): a bar at a terminal; otherwise, once the job has
worked for `every` seconds, a JSON line at most every `every` seconds and one at the end, with how far it is; a job
done sooner says nothing."""
from __future__ import annotations

import io
import json

from api.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False

    def lines(self) -> list[tuple]:
        return [(e["message"], e["done"], e["total"]) for e in map(json.loads, self.getvalue().splitlines())]


def test_without_a_terminal_it_tells_how_far_every_so_often_and_at_the_end():
    now, pipe = [0.0], Pipe()
    with Progress("audit verify", "links", every=10, stream=pipe, clock=lambda: now[0]) as progress:
        for checked in range(1000, 5001, 1000):
            now[0] += 4  # a round of links every four seconds: told at 12 s, not again within ten seconds
            progress(checked, 5000)
    assert pipe.lines() == [("audit verify: 3000 of 5000 links (60 %)", 3000, 5000),
                            ("audit verify: 5000 of 5000 links (100 %)", 5000, 5000)]  # the end
    assert json.loads(pipe.getvalue().splitlines()[0])["logger"] == "gradeflow.progress"


def test_a_job_done_sooner_says_nothing():
    pipe = Pipe()
    with Progress("run-due", "timers", every=10, stream=pipe) as progress:
        progress(3, 3)
    assert pipe.getvalue() == ""


def test_a_total_that_grows_is_followed():
    pipe = Pipe()
    with Progress("run-due", "timers", every=0, stream=pipe) as progress:
        progress(10, 12)
        progress(14, 15)  # firing made more due
    assert pipe.lines()[-1] == ("run-due: 14 of 15 timers (93 %)", 14, 15)


def test_at_a_terminal_it_draws_a_bar():
    terminal = Terminal()
    with Progress("run-due", "timers", stream=terminal) as progress:
        progress(5, 10)
        progress(10, 10)
    assert "run-due" in terminal.getvalue() and "10/10" in terminal.getvalue()
    assert "{" not in terminal.getvalue()
