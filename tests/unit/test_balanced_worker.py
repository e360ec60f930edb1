"""Which worker of `gradeflow serve` takes a new connection (api/balanced_worker.py): the counts the workers
share, and the rule that a worker holding more than another leaves it to that one. The spread that makes on the
real server: tests/integration/test_default_server.py."""
import os
from types import SimpleNamespace

from api.balanced_worker import BalancedThreadWorker, ConnectionCounts, should_step_back


def test_a_worker_holding_more_connections_than_another_leaves_the_new_one_to_it():
    assert should_step_back(2, fewest_elsewhere=1)


def test_workers_holding_as_many_as_each_other_take_a_new_connection_at_once():
    assert not should_step_back(1, fewest_elsewhere=1)
    assert not should_step_back(0, fewest_elsewhere=3)


def test_a_lone_worker_never_steps_back_there_is_nobody_to_leave_the_connection_to():
    assert not should_step_back(5, fewest_elsewhere=None)


def test_the_counts_are_shared_with_a_forked_process():
    counts = ConnectionCounts(slots=2)
    pid = os.fork()
    if pid == 0:  # the child writes, as a worker does
        counts.set(1, 7)
        os._exit(0)
    os.waitpid(pid, 0)
    assert counts.get(1) == 7 and counts.fewest_besides(1, in_use=2) == 0


def test_the_fewest_elsewhere_leaves_out_the_asking_worker_and_the_slots_not_in_use():
    counts = ConnectionCounts(slots=4)
    for slot, held in enumerate((3, 1, 2, 0)):
        counts.set(slot, held)
    assert counts.fewest_besides(1, in_use=3) == 2  # slot 3 is beyond the three workers
    assert counts.fewest_besides(0, in_use=1) is None


def test_the_master_gives_each_new_worker_the_lowest_slot_no_live_worker_holds_starting_at_no_connections():
    counts = ConnectionCounts(slots=4)
    counts.set(1, 9)  # left by a worker that died
    arbiter = SimpleNamespace(WORKERS={101: SimpleNamespace(connection_slot=0),
                                       103: SimpleNamespace(connection_slot=2)})
    replacement = SimpleNamespace()
    counts.assign(arbiter, replacement)
    assert (replacement.connection_slot, replacement.connection_counts) == (1, counts) and counts.get(1) == 0


def test_a_worker_that_finds_no_free_slot_is_given_none_and_takes_connections_as_gunicorns_own_worker_does():
    counts = ConnectionCounts(slots=2)
    arbiter = SimpleNamespace(WORKERS={101: SimpleNamespace(connection_slot=0),
                                       102: SimpleNamespace(connection_slot=1)})
    extra = SimpleNamespace()
    counts.assign(arbiter, extra)
    assert not hasattr(extra, "connection_counts") and BalancedThreadWorker.connection_counts is None
