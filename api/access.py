"""The API's side of the permission model: the rules live in domain.rules; here they become 404 and 403.

A goal the caller may not see answers 404, exactly like a goal that does not exist, so that its existence does not
leak.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from api.problems import Problem
from application.goals.service import Goals
from domain.goal import Goal
from domain import rules
from domain.values import Actor

def visible_goal(goals: Goals, goal_id: UUID, actor: Actor, as_of: datetime | None = None) -> Goal:
    """The goal (now, or as it stood at `as_of`) if the caller may see it; otherwise 404."""
    goal = goals.get_goal(goal_id)
    require_visible(actor)(goal)
    return goals.get_goal(goal_id, as_of=as_of) if as_of is not None else goal


def require_visible(actor: Actor) -> Callable[[Goal], None]:
    """A command's check on the goal it loaded: 404 unless the caller may see it (one load serves both)."""

    def check(goal: Goal) -> None:
        if not rules.may_see(actor, goal.owner_id, goal.manager_id):
            raise Problem(404, "goal_not_found", f"goal {goal.id} not found", goal_id=str(goal.id))

    return check


def require_may_draft(actor: Actor, owner_id: str, manager_id: str) -> None:
    """Refused with 403 before anything is parsed further: see domain.rules.may_draft."""
    if not rules.may_draft(actor, owner_id, manager_id):
        raise Problem(
            403, "permission_denied",
            f"{actor.role} {actor.id!r} may not draft a goal for owner {owner_id!r} with manager {manager_id!r}",
            actor_id=actor.id,
        )
