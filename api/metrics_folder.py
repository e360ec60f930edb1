"""Where the workers of `gradeflow serve` count their requests for /metrics (api/metrics.py): one folder per run,
which every worker writes and whichever answers a scrape reads (prometheus-client's multiprocess mode). This module
does not import prometheus-client: the folder must be named before its first import, which reads it."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

SHARED_FOLDER = "PROMETHEUS_MULTIPROC_DIR"


def prepare_shared_folder(instance_path: str) -> Path | None:
    """Before the app is imported and the workers fork: the operator's PROMETHEUS_MULTIPROC_DIR, emptied, or a
    folder of this run under the instance folder (`metrics/<pid>`, so that two servers on one instance folder count
    apart), named in the environment the workers inherit. The folders of runs whose process is gone (killed before
    it could remove its own) are removed. Returns the folder made here, for `remove_shared_folder` at the end."""
    chosen = os.environ.get(SHARED_FOLDER)
    if chosen:
        folder = Path(chosen)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):  # an earlier run's counts would be added to this one's
            stale.unlink()
    else:
        runs = Path(instance_path) / "metrics"
        for earlier in runs.glob("*"):
            if earlier.name.isdigit() and not _alive(int(earlier.name)):
                shutil.rmtree(earlier, ignore_errors=True)
        folder = runs / str(os.getpid())
        shutil.rmtree(folder, ignore_errors=True)  # a process of this number that ran before
        folder.mkdir(parents=True)
    os.environ[SHARED_FOLDER] = str(folder)
    return None if chosen else folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def forget_worker(pid: int) -> None:
    """gunicorn's child_exit hook: a worker that ended keeps its counts (they stay in the totals), not its live
    gauges."""
    from prometheus_client import multiprocess
    multiprocess.mark_process_dead(pid)


def remove_shared_folder(made: Path | None) -> None:
    """gunicorn's on_exit hook: a folder this run made goes with it; the operator's own is emptied next time."""
    if made is not None:
        shutil.rmtree(made, ignore_errors=True)
