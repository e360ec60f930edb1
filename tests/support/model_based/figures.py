"""The figures of a run of the model-based test, for docs/reliability.md: examples, steps, requests by status,
each rule's count, the outcome of every kind of request, the states the cases ended in (run with pytest -s)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Figures:
    examples: int = 0
    steps: int = 0
    requests: int = 0
    rules: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    outcomes: Counter = field(default_factory=Counter)
    states_reached: Counter = field(default_factory=Counter)
    invariant_checks: int = 0

    def report(self, label: str) -> str:
        lines = [f"model-based test on {label}: {self.examples} examples, {self.steps} steps, {self.requests} requests,"
                 f" {self.invariant_checks} invariant checks, 0 violations",
                 f"  statuses: {dict(sorted(self.statuses.items()))}",
                 f"  final states of cases: {dict(sorted(self.states_reached.items()))}",
                 "  rules: " + ", ".join(f"{k} {v}" for k, v in sorted(self.rules.items()))]
        lines.append("  outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items())))
        return "\n".join(lines)
