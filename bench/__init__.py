"""gradeflow's benchmarks (issue 11, point 4): one command, each figure beside the raw ceiling of the same
database measured in the same run.

    .venv/bin/python -m bench [--quick] [--only NAME ...] [--db sqlite|postgresql|both] [--report FILE]
    make bench BENCH_ARGS="--quick --only post"

raw = one transaction doing UPDATE of one row + INSERT of one history row + COMMIT, through a connection
with the project's own SQLite pragmas (models/base.py), one client (bench/raw.py). Every benchmark gets
a fresh SQLite file or a fresh PostgreSQL database; the HTTP benchmarks start the real `gradeflow serve`
on a free port of 127.0.0.1. docs/benchmarks.md holds the figures of a full run and how to read them.
"""
