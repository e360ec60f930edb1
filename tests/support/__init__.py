"""What the tests share, so that no test module imports another.

settings     the test configuration: the clock's start, the users' password, `config_for`
databases    a fresh PostgreSQL database, emptying every table
driver       `Driver`: the API driven as named users, people created through the real use cases
answers      what an answer must be: `ok` (a success with its status) or `assert_problem` (problem details)
world        the standard organisation (hr, admin, committee, supervisor S900, one open cycle) and its people
steps        the steps of a case over the API: apply, review, score, decide, publish, appeal, move the clock
cycles       cycles brought to a point: decided, published (and that publication's deadline)
reads        what the tests read back: records over the API as hr, rows in a fresh database session
committee_world  the committee tests' organisation: a cycle whose committee is still to be appointed
threads      requests run on threads released together, in this process
commands     the real `gradeflow` command run as a subprocess, and what its runs need (a free port, …)
processes    long-running `gradeflow` processes (schedulers, servers) and waiting on them
live_server  real HTTP to a `gradeflow serve` subprocess
model_based  the model-based test's organisation, oracle, invariants and figures
"""
