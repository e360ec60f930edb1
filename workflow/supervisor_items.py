"""The supervisor's score made of items (上级评价 by item: 工作业绩 40, 工作能力 40, 工作态度 20). Where the policy
declares `scoring.supervisor_items`, the supervisor scores each item from 0 to its points, and the supervisor score
is their sum: nobody types the total, and each item stays on the case, so that the score can be explained."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from workflow.errors import FieldError, quoted
from workflow.policy import SupervisorItem
from workflow.scoring import points_problem

FIELD = "supervisor_items"
ITEM_MISSING = "item_missing"
ITEM_UNKNOWN = "item_unknown"
ITEM_RANGE = "item_range"
ITEM_PRECISION = "score_precision"
SCORE_FROM_ITEMS = "score_from_items"  # a supervisor score typed where the policy makes it from items
NO_ITEMS = "no_items"  # items sent where the policy scores the supervisor as one number


def item_problems(items: tuple[SupervisorItem, ...], entered: Mapping[str, Decimal],
                  places: int) -> list[FieldError]:
    """What is wrong with the items the supervisor scored, each naming its field (`supervisor_items.<code>`)."""
    problems = [FieldError(f"{FIELD}.{code}", ITEM_UNKNOWN, f"the policy has no supervisor item {quoted(code)} "
                           f"(it has: {', '.join(item.code for item in items)})")
                for code in entered if code not in {item.code for item in items}]
    for item in items:
        field, value = f"{FIELD}.{item.code}", entered.get(item.code)
        if value is None:
            problems.append(FieldError(field, ITEM_MISSING, "the supervisor scores every item"))
        elif (problem := points_problem(value, Decimal(0), item.points, places, ITEM_RANGE)) is not None:
            problems.append(FieldError(field, *problem))
    return problems


def supervisor_total(items: tuple[SupervisorItem, ...], entered: Mapping[str, Decimal],
                     places: int) -> tuple[Decimal, dict[str, str]]:
    """The supervisor score of items `item_problems` found nothing wrong with, and the items as the case keeps
    them ({code: "35.50"}, in the policy's order, to the scoring's places)."""
    exact = Decimal(1).scaleb(-places)
    kept = {item.code: entered[item.code].quantize(exact) + 0 for item in items}  # + 0: -0 is 0
    return sum(kept.values(), Decimal(0)), {code: str(value) for code, value in kept.items()}
