"""A policy per org unit: the company's policy file names, under `org_units`, the org units whose cases follow a
policy file of their own (a branch that grades differently from head office). A unit's policy governs the cases
of its managers and of the units below it, unless a unit further down names its own; everyone else follows the
company's. Each is versioned like the company's: a case records the version of its unit's policy.

What the whole company shares stays the company's, and a unit's file must say the same: the time zone, the
ladder, probation, the periods and their closes, the period scorecard, the score scale and its decimal places
(performance records, exam results, closes and the probation timers are the company's, not a unit's). A unit's
file may differ in everything that governs its cases: eligibility, scoring (weights, pass marks, the performance
and exam components), the committee's quorum, quotas, ranking, publication and reminders.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TypeVar

from workflow.policy import BUILTIN_POLICIES, Policy, PolicyError, load_policy
from workflow.quotas import UNIT_SEPARATOR

Held = TypeVar("Held")  # what a unit holds: its policy, or the rules built from it

# What a unit's policy shares with the company's: the key in the file, and how the parsed policy holds it.
SHARED = (
    ("timezone", lambda p: p.timezone),
    ("ladder", lambda p: p.ladder),
    ("probation", lambda p: p.probation_months),
    ("periods", lambda p: p.periods),
    ("quarter_close", lambda p: p.closes),
    ("period_scorecard", lambda p: p.period_scorecard),
    ("scoring.scale", lambda p: p.scoring.scale),
    ("scoring.decimal_places", lambda p: p.scoring.decimal_places),
)


def load_policies(path: str | Path | None = None) -> Policy:
    """The company's policy (load_policy) with the policies of its org units in `units`; PolicyError naming every
    problem, of the company's file and of each unit's (keys `org_units.<unit>`)."""
    company = load_policy(path)
    if not company.org_unit_files:
        return company
    here = Path(path).parent if path is not None and str(path) not in BUILTIN_POLICIES else Path.cwd()
    problems, units = [], []
    for unit, file in company.org_unit_files:
        key = f"org_units.{unit}"
        try:
            policy = load_policy(file if file in BUILTIN_POLICIES else here / file)
        except PolicyError as refused:
            problems.extend(PolicyError(key, f"{file}: {p.key}: {p.problem}") for p in refused.problems)
            continue
        problems.extend(PolicyError(key, f"{file}: {problem}") for problem in _unlike_the_company(company, policy))
        units.append((unit, policy))
    problems.extend(_names_in_conflict(company, units))
    if problems:
        raise PolicyError.of(problems, str(path) if path is not None else None)
    return dataclasses.replace(company, units=tuple(units))


def _unlike_the_company(company: Policy, unit: Policy) -> list[str]:
    found = [f"its {key} differs from the company policy's: a unit's policy may differ only in what governs its "
             "cases (eligibility, scoring other than its scale, committee, quotas, ranking, publication, reminders)"
             for key, held in SHARED if held(unit) != held(company)]
    if unit.org_unit_files:
        found.append("names org_units of its own: only the company's policy does")
    return found


def _names_in_conflict(company: Policy, units: list[tuple[str, Policy]]) -> list[PolicyError]:
    """Different policies have different names: a case's reference, and a cycle's, then say whose rules they are."""
    by_name = {company.name: company.version}
    problems = []
    for unit, policy in units:
        if by_name.setdefault(policy.name, policy.version) != policy.version:
            problems.append(PolicyError(f"org_units.{unit}", f"its name {policy.name!r} is taken by another "
                                                                "policy: each policy file has a name of its own"))
    return problems


def unit_of(units: tuple[tuple[str, Held], ...], org_unit: str) -> tuple[str, Held] | None:
    """The unit whose policy governs `org_unit`: itself or the nearest unit above it that has one."""
    holding = [(unit, policy) for unit, policy in units
               if org_unit == unit or org_unit.startswith(unit + UNIT_SEPARATOR)]
    return max(holding, key=lambda held: len(held[0]), default=None)
