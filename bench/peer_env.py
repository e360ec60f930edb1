"""The SpiffWorkflow peer's own virtualenv, bench/.peer-venv (git-ignored): made once, with SpiffWorkflow 3.x
installed by pip from the configured package index; nothing of it enters gradeflow's environment."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PEER_VENV = Path(__file__).resolve().parent / ".peer-venv"
REQUIREMENT = "SpiffWorkflow>=3,<4"
STAMP = PEER_VENV / ".installed-spiffworkflow-3"


def peer_python() -> Path:
    """The peer virtualenv's interpreter, the virtualenv made and SpiffWorkflow installed first if need be."""
    python = PEER_VENV / "bin" / "python"
    if not STAMP.exists():
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", REQUIREMENT],
                       check=True)
        STAMP.touch()
    return python
