"""Whether a cycle's ratings are released to its employees (ADR 0046): read by the review views and the steps."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.application import Repository

from application.goals.checks import find_cycle
from domain.errors import NotReleasedError


def ratings_released(repository: Repository[UUID], cycle_id: str) -> bool:
    """True once HR released the cycle (or locked it); a cycle nobody opened has released nothing."""
    cycle = find_cycle(repository, cycle_id)
    return cycle is not None and cycle.ratings_released


def require_released(repository: Repository[UUID], cycle_id: str) -> None:
    cycle = find_cycle(repository, cycle_id)
    if cycle is None:
        raise NotReleasedError(f"no review cycle {cycle_id!r} has released its ratings", cycle=cycle_id)
    cycle.require_released()
