"""The recalibration queue: every proposal still waiting for HR's decision, oldest first.

Read from the log's recalibration events only (proposed, approved, rejected), each searched for once
(GoalEventLog.recalibration_steps: every look searches only what was stored since the last).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.goals.service import Goals


@dataclass(frozen=True)
class WaitingProposal:
    goal_id: UUID
    recalibration_id: str
    position: int


def pending_recalibrations(goals: Goals) -> list[WaitingProposal]:
    """Proposals without a decision, in the order they were made."""
    waiting: dict[tuple[UUID, str], WaitingProposal] = {}
    for step in goals.recalibration_steps.found():
        key = (step.goal_id, step.recalibration_id)
        if step.proposed:
            waiting[key] = WaitingProposal(step.goal_id, step.recalibration_id, step.position)
        else:
            waiting.pop(key, None)
    return sorted(waiting.values(), key=lambda proposal: proposal.position)
