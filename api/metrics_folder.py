"""Where the workers of `gradeflow serve` count their requests for /metrics (api/metrics.py): one folder per run,
which every worker writes and whichever answers a scrape reads (prometheus-client's multiprocess mode). This module
does not import prometheus-client: the folder must be named before its first import, which reads it."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

SHARED_FOLDER = "PROMETHEUS_MULTIPROC_DIR"


def prepare_shared_folder() -> Path | None:
    """Before the app is imported and the workers fork: the operator's PROMETHEUS_MULTIPROC_DIR, emptied, or a new
    temporary folder, named in the environment the workers inherit. Returns the folder made here (for
    `remove_shared_folder` at the end of the run), None for the operator's."""
    chosen = os.environ.get(SHARED_FOLDER)
    folder = Path(chosen) if chosen else Path(tempfile.mkdtemp(prefix="gradeflow-metrics-"))
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):  # an earlier run's counts would be added to this one's
        stale.unlink()
    os.environ[SHARED_FOLDER] = str(folder)
    return None if chosen else folder


def forget_worker(pid: int) -> None:
    """gunicorn's child_exit hook: a worker that ended keeps its counts (they stay in the totals), not its live
    gauges."""
    from prometheus_client import multiprocess
    multiprocess.mark_process_dead(pid)


def remove_shared_folder(made: Path | None) -> None:
    """gunicorn's on_exit hook: a folder this run made goes with it; the operator's own is emptied next time."""
    if made is not None:
        shutil.rmtree(made, ignore_errors=True)
