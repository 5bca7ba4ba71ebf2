"""Who decides an employee's review in a cycle: one home for the rule (ADR 0036).

With a directory, the employee's manager there on the day of the decision. Without one (open mode), the manager
who holds the most goal weight among the employee's agreed and closed goals of the cycle: drafts never count, so
nobody (the employee included) blocks a review with a never-signed draft naming another manager. A tie names
every tied manager, and then nobody decides alone (HR reassigns goals to settle it).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal


def review_deciders(directory_manager: str | None, goals: Iterable[tuple[str, str, Decimal]]) -> frozenset[str]:
    """The managers who may decide; `goals` are (manager id, status, weight) of the employee's goals in the cycle."""
    if directory_manager is not None:
        return frozenset({directory_manager})
    weights: dict[str, Decimal] = {}
    for manager_id, status, weight in goals:
        if status != "draft":
            weights[manager_id] = weights.get(manager_id, Decimal(0)) + weight
    most = max(weights.values(), default=None)
    return frozenset(manager for manager, weight in weights.items() if weight == most)
