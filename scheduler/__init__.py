"""The scheduler: one sweep that fires due timer rows, run by APScheduler in a leader process.

- `sweep.sweep` fires every timer due at an instant, earliest first, each in its own transaction
  together with its effect, and records the run. It runs from the scheduler, from `PUT /clock`
  (manual clock) and from `gradeflow run-due`.
- `leader` elects one scheduler process (PostgreSQL advisory lock, SQLite file lock).
- `process` runs APScheduler: `gradeflow scheduler`, or a thread in each worker of `gradeflow serve`
  (one of them leads).
"""
