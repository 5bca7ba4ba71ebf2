"""The recalibration queue: every proposal still waiting for HR's decision, oldest first.

Read from the log's recalibration events only (proposed, approved, rejected), so it costs one pass over those.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.goals.service import Goals
from domain.goal import Goal

QUEUE_TOPICS = (Goal.RecalibrationProposed.TOPIC, Goal.Recalibrated.TOPIC, Goal.RecalibrationRejected.TOPIC)


@dataclass(frozen=True)
class WaitingProposal:
    goal_id: UUID
    recalibration_id: str
    position: int


def pending_recalibrations(goals: Goals) -> list[WaitingProposal]:
    """Proposals without a decision, in the order they were made."""
    waiting: dict[tuple[UUID, str], WaitingProposal] = {}
    for logged in goals.log_events(topics=QUEUE_TOPICS):
        event = logged.event
        key = (event.originator_id, str(getattr(event, "recalibration_id")))  # noqa: B009 (every queue topic has it)
        if isinstance(event, Goal.RecalibrationProposed):
            waiting[key] = WaitingProposal(event.originator_id, key[1], logged.position)
        else:
            waiting.pop(key, None)
    return sorted(waiting.values(), key=lambda proposal: proposal.position)
