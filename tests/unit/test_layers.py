"""The layers point one way (docs: "The shape"): api/ calls the scheduler, the workflow and models; nothing
below api/ imports it. The scheduler is handed its rules and unit of work factory by whoever starts it."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_packages(path: Path) -> set[str]:
    """The top-level packages a module imports, wherever in it (inside functions too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", ["scheduler", "workflow", "models"])
def test_no_module_below_the_http_layer_imports_api(package):
    modules = sorted((ROOT / package).rglob("*.py"))
    assert modules
    upward = [str(m.relative_to(ROOT)) for m in modules if "api" in imported_packages(m)]
    assert upward == []


def test_the_check_sees_an_import_of_api_anywhere_in_a_module(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import os\n\ndef f():\n    from api.context import uow\n    return uow\n", "utf-8")
    assert "api" in imported_packages(module)
    module.write_text("import api.context as c\n", "utf-8")
    assert "api" in imported_packages(module)
    module.write_text("from apispec import APISpec\nfrom . import api\n", "utf-8")
    assert "api" not in imported_packages(module)
