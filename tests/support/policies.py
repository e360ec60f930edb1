"""Policy files for tests that run the app under other rules than the default policy's."""
from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

import yaml


def default_document() -> dict:
    return yaml.safe_load(resources.files("workflow.policies").joinpath("default.yaml").read_text("utf-8"))


def policy_file(directory: Path, change: Callable[[dict], None]) -> str:
    """The default policy changed by `change(document)`, written to `directory`: its path, for GRADEFLOW_POLICY."""
    document = default_document()
    change(document)
    path = directory / "policy.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), "utf-8")
    return str(path)
