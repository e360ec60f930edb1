"""The unit of work the services are written against (workflow/services/unit_of_work.py) and the one models/
provides (models/unit_of_work.py) cannot drift apart: every repository and method the Protocol lists exists
on SqlUnitOfWork, and takes the Protocol's arguments the way the services pass them."""
from __future__ import annotations

import inspect
import subprocess
import sys
import typing
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from models.unit_of_work import SqlUnitOfWork
from workflow.services.unit_of_work import UnitOfWork

REPOSITORIES = typing.get_type_hints(UnitOfWork)
TYPED_SERVICES = ("accounts", "calendar", "cycles", "evaluations", "finalization", "managers", "timers")


def _methods(protocol: type) -> list[str]:
    return sorted(name for name, value in vars(protocol).items()
                  if callable(value) and (not name.startswith("_") or name in ("__enter__", "__exit__")))


def _accepts(implementation: inspect.Signature, declared: inspect.Signature) -> list[str]:
    """What the implementation fails to accept of the calls the declared signature allows."""
    problems = []
    given = implementation.parameters
    takes_any_keyword = any(p.kind is p.VAR_KEYWORD for p in given.values())
    for name, parameter in declared.parameters.items():
        if parameter.kind is parameter.VAR_KEYWORD:
            if not takes_any_keyword:
                problems.append("takes no **keywords")
            continue
        mine = given.get(name)
        if mine is None:
            problems.append(f"has no parameter {name!r}")
        elif mine.kind is not parameter.kind:
            problems.append(f"takes {name!r} as {mine.kind.description}, not {parameter.kind.description}")
        elif parameter.default is not parameter.empty and mine.default is parameter.empty:
            problems.append(f"requires {name!r}, which may be left out")
    for name, mine in given.items():
        if name not in declared.parameters and mine.default is mine.empty \
                and mine.kind not in (mine.VAR_POSITIONAL, mine.VAR_KEYWORD):
            problems.append(f"requires {name!r}, which the services never pass")
    return problems


def test_the_unit_of_work_lists_every_repository_of_the_sql_unit_of_work():
    made = SqlUnitOfWork(Session())
    repositories = {name for name, value in vars(made).items() if hasattr(value, "session")}
    assert set(REPOSITORIES) == repositories
    assert isinstance(made, UnitOfWork)


@pytest.mark.parametrize("attribute", sorted(REPOSITORIES))
def test_each_repository_has_the_methods_the_services_call_with_their_arguments(attribute):
    protocol, repository = REPOSITORIES[attribute], getattr(SqlUnitOfWork(Session()), attribute)
    assert _methods(protocol), f"{protocol.__name__} lists no method"
    for name in _methods(protocol):
        method = getattr(repository, name, None)
        assert callable(method), f"{type(repository).__name__} has no {name}()"
        declared = inspect.signature(getattr(protocol, name)).replace(
            parameters=list(inspect.signature(getattr(protocol, name)).parameters.values())[1:])
        problems = _accepts(inspect.signature(method), declared)
        assert not problems, f"{type(repository).__name__}.{name}() " + "; ".join(problems)


def test_the_unit_of_work_itself_commits_flushes_and_is_a_context_manager():
    for name in _methods(UnitOfWork):
        declared = inspect.signature(getattr(UnitOfWork, name))
        declared = declared.replace(parameters=list(declared.parameters.values())[1:])
        problems = _accepts(inspect.signature(getattr(SqlUnitOfWork(Session()), name)), declared)
        assert not problems, f"SqlUnitOfWork.{name}() " + "; ".join(problems)


def test_the_interface_and_the_services_typed_by_it_import_neither_models_nor_sqlalchemy():
    """The interface is the inner layer's: models/ satisfies it, workflow/ never imports models/."""
    modules = ", ".join(f"workflow.services.{name}" for name in TYPED_SERVICES)
    loaded = subprocess.run(
        [sys.executable, "-c", f"import sys, workflow.services.unit_of_work, {modules}; "
                               "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
                               "('models', 'api', 'flask', 'sqlalchemy'))))"],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[2])
    assert loaded.stdout.split() == []
