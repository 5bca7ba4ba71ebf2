"""The rules of closing a goal: who may, with which outcome, and when (moved out of goal.py to keep it small)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain import rules, validation
from domain.errors import ClosureRuleError, FourEyesViolationError, PermissionDeniedError, RecalibrationPendingError
from domain.values import Actor, Outcome, Status

if TYPE_CHECKING:
    from domain.goal import Goal


def require_closable(goal: Goal, outcome: Outcome | str, summary: str, actor: Actor) -> Outcome:
    """The outcome, read from the caller's value, once every rule of closing the goal holds."""
    outcome = validation.choice(Outcome, "outcome", outcome)
    validation.require_text("summary", summary)
    if not rules.may_close(actor, goal.manager_id):
        raise PermissionDeniedError(
            f"only the manager ({goal.manager_id!r}) or HR closes a goal, not {actor.id!r}", actor_id=actor.id
        )
    if not rules.closer_is_not_the_beneficiary(actor.id, goal.owner_id, outcome):
        raise FourEyesViolationError(
            f"{actor.id!r} owns this goal and cannot close it as {outcome}: a second person must", actor_id=actor.id
        )
    if goal.status == Status.DRAFT and outcome != Outcome.CANCELLED:
        raise ClosureRuleError(f"a draft can only be closed as cancelled, not {outcome}", outcome=str(outcome))
    if goal.status == Status.AGREED and outcome == Outcome.CANCELLED:
        raise ClosureRuleError("an agreed goal is cancelled by a recalibration to cancelled (a reason, HR's "
                               "decision, four eyes), not closed as cancelled", outcome=str(outcome))
    pending = goal.pending_recalibration()
    if pending:
        raise RecalibrationPendingError(
            f"recalibration {pending.id!r} awaits HR's decision; decide it before closing",
            recalibration_id=pending.id,
        )
    return outcome
