"""The topology of compose.yaml (docs/deployment.md), as real processes on this machine: one PostgreSQL, two `gradeflow
serve --workers 2 --no-scheduler` hosts on different ports, two `gradeflow scheduler` processes (one leads). Clients
drive thirty cases through both hosts, as a load balancer would spread them, while the schedulers fire three hundred
due probation ends; halfway, the leading scheduler and one serve host are killed with SIGKILL. Afterwards: every
timer fired exactly once (the other scheduler took over), every case is the replay of its history (nothing lost or
doubled: the clients found the surviving host), and `gradeflow audit verify` exits 0 (issue 15, point 5).
"""
from __future__ import annotations

import random

import pytest

from tests.integration.test_real_server import (APPLICANTS, Stream, _stream_ready,
                                                assert_every_case_is_the_replay_of_its_history,
                                                assert_the_chain_verifies)
from tests.integration.test_scheduler_processes import (all_probation_ends_fired,
                                                        assert_each_probation_ended_exactly_once, fired_count,
                                                        probation_managers, sweeps_that_fired_finished)
from tests.support.live_server import report, start_server
from tests.support.processes import wait_for
from tests.support.reads import runs

PROBATION_ENDS = 300


class _Balanced(Stream):
    """The stream, each request sent to any host not known dead, as a load balancer spreads them."""
    hosts: list[int]

    @property
    def port(self) -> int:
        return random.choice(self.hosts)


def test_two_hosts_and_two_schedulers_lose_nothing_when_the_leader_and_a_host_are_killed(
        app, gf, migrated, gradeflow_process, tmp_path):
    if not migrated.startswith("postgresql"):
        pytest.skip("several hosts share one PostgreSQL; SQLite is one host's file")
    first_host, first_port = start_server(gradeflow_process)
    second_host, second_port = start_server(gradeflow_process)
    stream = _stream_ready(gf, first_port)
    managers = probation_managers(app, PROBATION_ENDS)
    stream.__class__, stream.hosts = _Balanced, [first_port, second_port]
    schedulers = [gradeflow_process("scheduler") for _ in range(2)]
    killed = {}

    def kill_the_leader_and_a_host(stream) -> None:
        wait_for(lambda: fired_count(app) >= PROBATION_ENDS // 5, "a fifth of the probation ends fired", schedulers,
                 every=0.02)
        [leader] = [p for p in schedulers if p.runner in {r.runner for r in runs(app)}]
        leader.kill9()
        killed["scheduler"] = leader
        stream.wait_until_written(1 / 2)
        first_host.kill9()
        stream.hosts = [second_port]  # the load balancer's health check notices: requests go to the other host
        killed["host"] = first_host

    elapsed = stream.run(kill_the_leader_and_a_host)
    [survivor] = [p for p in schedulers if p is not killed["scheduler"]]
    wait_for(lambda: all_probation_ends_fired(app), "every probation end fired", [survivor], timeout=120)
    wait_for(lambda: sweeps_that_fired_finished(app, but=[killed["scheduler"].runner]), "the sweeps finished",
             [survivor], timeout=30)

    assert survivor.alive() and second_host.alive(), (survivor.output()[-2000:], second_host.output()[-2000:])
    fired_by_run = assert_each_probation_ended_exactly_once(app, managers)
    runners = {r.id: r.runner for r in runs(app)}
    assert {runners[run_id] for run_id in fired_by_run} == {killed["scheduler"].runner, survivor.runner}
    assert stream.figures["server_errors"] == 0, stream.figures
    assert stream.figures["cases_done"] == len(APPLICANTS)
    figures = assert_every_case_is_the_replay_of_its_history(app, stream)
    assert figures["entries_lost"] == 0
    assert_the_chain_verifies(tmp_path, migrated, figures["links"])
    report("5 topology: two hosts, two schedulers, leader and a host killed",
           {**stream.figures, **figures, "probation_ends": PROBATION_ENDS, "seconds": round(elapsed, 2)})
