"""Competition ranking ("1224": ties share the better rank), and the top p % of n: the one home of both, for
eligibility's performance rank (workflow/eligibility.py) and the grading rules' ranks (workflow/grading_rules.py)."""
from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from decimal import Decimal


def competition_rank(scores: Mapping[str, Decimal], employee_no: str) -> int:
    """Rank by score, descending, ties sharing the better rank ("1224" ranking)."""
    mine = scores[employee_no]
    return 1 + sum(1 for score in scores.values() if score > mine)


def competition_ranks(scores: Mapping[str, Decimal]) -> dict[str, tuple[int, int]]:
    """employee_no → (rank from the bottom, rank from the top), competition ranking both ways, for many at once."""
    ordered = sorted(scores.values())
    return {employee_no: (bisect_left(ordered, score) + 1, len(ordered) - bisect_right(ordered, score) + 1)
            for employee_no, score in scores.items()}


def rank_cutoff(top_percent: Decimal, ranked: int) -> int:
    """Top p % of n ranked managers: ranks 1..ceil(p × n)."""
    return math.ceil(top_percent / 100 * ranked)
