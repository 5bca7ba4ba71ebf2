"""What a review holds: the decision with the justification it pins, the employee's voice, and disputes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from domain import stored

REVIEW_NAMESPACE = uuid5(NAMESPACE_URL, "urn:goalengine:review")


def review_id(employee_id: str, cycle_id: str) -> UUID:
    """One review per employee and cycle: its id follows from them, so two first steps cannot make two reviews."""
    return uuid5(REVIEW_NAMESPACE, f"review:{employee_id}:{cycle_id}")


class Stage(StrEnum):
    OPEN = "open"  # nothing decided yet (the employee may already have assessed themself)
    DECIDED = "decided"
    ACKNOWLEDGED = "acknowledged"
    DISPUTED = "disputed"
    RESOLVED = "resolved"


class ResolutionOutcome(StrEnum):
    UPHELD = "upheld"
    CHANGED = "changed"


# Stored outcomes are read through the vocabulary, as every stored choice is (domain/stored.py).
stored.VOCABULARY[ResolutionOutcome] = {"upheld": ResolutionOutcome.UPHELD, "changed": ResolutionOutcome.CHANGED}


class OverrideDirection(StrEnum):
    UP = "up"
    DOWN = "down"


@dataclass(frozen=True)
class DecisionBasis:
    """The rating justification a decision rests on, pinned: read from the review projection by the caller.

    `bands` is the policy's scale, best first; `goal_managers` who manage the employee's goals in the cycle.
    """

    policy_version: str
    justification_hash: str
    position: int
    computed_band: str | None
    bands: tuple[str, ...]
    goal_managers: frozenset[str]

    def direction(self, band: str) -> OverrideDirection | None:
        """Up or down from the computed band; None when they agree or nothing was computed."""
        if self.computed_band is None or band == self.computed_band:
            return None
        better = self.bands.index(band) < self.bands.index(self.computed_band)
        return OverrideDirection.UP if better else OverrideDirection.DOWN


@dataclass(frozen=True)
class Decision:
    band: str
    computed_band: str | None
    summary: str
    override_reason: str | None
    override_direction: str | None
    policy_version: str
    justification_hash: str
    justification_position: int
    bands: tuple[str, ...]
    decided_by: str
    decided_at: datetime
    version: int


@dataclass(frozen=True)
class Acknowledgement:
    by: str
    at: datetime
    version: int
    decision_version: int


@dataclass(frozen=True)
class SelfAssessment:
    text: str
    at: datetime
    version: int


@dataclass
class Dispute:
    id: str
    reason: str
    raised_at: datetime
    version: int
    decision_version: int
    outcome: ResolutionOutcome | None = None
    band: str | None = None
    note: str = ""
    resolved_by: str | None = None
    resolved_version: int | None = field(default=None)
