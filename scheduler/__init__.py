"""Timers and period-end jobs: thin, idempotent, query-driven, one leader process.

Nothing runs here yet; the sweep over timer rows arrives with the scheduler issue. This
package is kept apart from the API so that `gradeflow serve` under gunicorn never starts it.
"""
