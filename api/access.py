"""Who may see which goal, and whom a caller may draft for: the API's side of the permission model.

The domain guards every command (only a party or HR writes, only HR decides recalibrations). What it cannot know is
the read side and the role a token carries: an employee token sees the goals it owns, a manager token the goals its
holder owns or manages, HR and auditors see all, a service token reads no goal directly. A goal the caller may not
see answers 404, exactly like a goal that does not exist, so that its existence does not leak.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from api.problems import Problem
from application.goals import Goals
from domain.goal import Goal
from domain.values import Actor, Role

SEES_EVERY_GOAL = (Role.HR, Role.AUDITOR)


def may_see(actor: Actor, goal: Goal) -> bool:
    """Employees see their own goals; managers their own and those they manage; HR and auditors all."""
    if actor.role in SEES_EVERY_GOAL:
        return True
    if actor.role is Role.EMPLOYEE:
        return actor.id == goal.owner_id
    if actor.role is Role.MANAGER:
        return actor.id in (goal.owner_id, goal.manager_id)
    return False


def visible_goal(goals: Goals, goal_id: UUID, actor: Actor, as_of: datetime | None = None) -> Goal:
    """The goal (now, or as it stood at `as_of`) if the caller may see it; otherwise 404."""
    goal = goals.get_goal(goal_id)
    if not may_see(actor, goal):
        raise Problem(404, "goal_not_found", f"goal {goal_id} not found", goal_id=str(goal_id))
    return goals.get_goal(goal_id, as_of=as_of) if as_of is not None else goal


def require_may_draft(actor: Actor, owner_id: str, manager_id: str) -> None:
    """An employee drafts for themself; a manager for themself or a report they manage; HR for anyone."""
    if actor.role is Role.HR:
        return
    allowed = actor.role is Role.EMPLOYEE and actor.id == owner_id
    allowed = allowed or (actor.role is Role.MANAGER and actor.id in (owner_id, manager_id))
    if not allowed:
        raise Problem(
            403, "permission_denied",
            f"{actor.role} {actor.id!r} may not draft a goal for owner {owner_id!r} with manager {manager_id!r}",
            actor_id=actor.id,
        )
