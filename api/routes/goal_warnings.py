"""A goal's early warnings (ADR 0024): what the notifier announced about it, in order, with the evidence."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel

from api.access import visible_goal
from api.deps import AsOfDep, GoalsDep, Reader
from api.one_hop import OneHopRoute
from api.problems import problem_responses
from api.schemas.goal_views import HistoryEntry
from application.goals.warnings import WarningLedger

router = APIRouter(prefix="/goals", tags=["goals"], route_class=OneHopRoute)



class WarningsResponse(BaseModel):
    goal_id: str
    as_of: str | None
    warnings: list[HistoryEntry]


@router.get("/{goal_id}/warnings", responses=problem_responses(401, 403, 404, 422))
def goal_warnings(goal_id: UUID, goals: GoalsDep, actor: Reader, as_of: AsOfDep) -> WarningsResponse:
    """The goal's early warnings in order: overdue readings, changes of pace, missed milestones, each with the log
    position and the events it was derived from."""
    visible_goal(goals, goal_id, actor)
    trail = WarningLedger(goals).trail(str(goal_id), until=as_of)
    return WarningsResponse(goal_id=str(goal_id), as_of=as_of.isoformat() if as_of else None,
                            warnings=[HistoryEntry.model_validate(entry.as_dict()) for entry in trail])
