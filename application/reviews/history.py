"""A review's trail in words: each step, who took it when, what it said, and what it changed in the review.

The review's counterpart of application/goals/history.py (a goal's trail), for GET /reviews/{employee_id}/history and
`goalengine replay --review`: the same entries, built by replaying the steps onto the Review aggregate.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from application.goals.history import TrailEntry, diff
from application.events.serialization import event_data, event_type, jsonable
from domain.review import Review


def describe_review(events: Sequence[Review.Event]) -> list[TrailEntry]:
    review: Review | None = None
    entries = []
    for event in events:
        before = flat_review(review)
        review = event.mutate(review)
        entries.append(TrailEntry(
            type=event_type(event), version=event.originator_version, timestamp=event.timestamp.isoformat(),
            actor_id=event.actor_id, actor_role=event.actor_role, data=event_data(event),
            changes=diff(before, flat_review(review)),
        ))
    return entries


def flat_review(review: Review | None) -> dict[str, Any]:
    """The review's describable state as field paths to JSON-ready values."""
    if review is None:
        return {}
    view: dict[str, Any] = {"stage": review.stage, "final_band": review.final_band,
                            "self_assessments": len(review.assessments)}
    if review.decision is not None:
        decision = review.decision
        view.update({"decision.band": decision.band, "decision.computed_band": decision.computed_band,
                     "decision.override_direction": decision.override_direction,
                     "decision.justification_hash": decision.justification_hash})
    if review.acknowledgement is not None:
        view["acknowledged_by"] = review.acknowledgement.by
    for dispute in review.disputes:
        view[f"disputes.{dispute.id}.outcome"] = dispute.outcome or "open"
    return {path: jsonable(value) for path, value in view.items()}
