"""Timers and period-end jobs: thin, idempotent, query-driven, one leader process.

`due.run_due` finalizes the cases whose appeal window has passed; it runs from `PUT /clock`
(manual clock) and `gradeflow run-due`. The periodic scheduler process arrives with the
scheduler issue. This package is kept apart from the API so that `gradeflow serve` under
gunicorn never starts it.
"""
