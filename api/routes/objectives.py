"""Objectives: HR (or a manager, for their own team) sets them; goals align to them; the roll-up shows progress."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response

from api.deps import GoalsDep, Reader, Setter
from api.one_hop import OneHopRoute
from api.positions import command_position
from api.routes.cycles import AlignmentDep, AlignmentFresh, ReviewsFresh
from api.problems import Problem, problem_responses
from api.schemas.cycles import ObjectiveResponse, SetObjectiveRequest
from application.cycles.objectives import Objectives
from domain.errors import UnknownObjectiveError
from domain.objective import Objective

router = APIRouter(prefix="/objectives", tags=["objectives"], route_class=OneHopRoute)



async def get_objectives(request: Request) -> Objectives:
    objectives: Objectives = request.app.state.objectives
    return objectives


ObjectivesDep = Annotated[Objectives, Depends(get_objectives)]


@router.post("", status_code=201, responses=problem_responses(401, 403, 409, 422))
def set_objective(body: SetObjectiveRequest, objectives: ObjectivesDep, goals: GoalsDep, actor: Setter,
                  response: Response) -> ObjectiveResponse:
    """Set an objective in an existing cycle: HR for any org unit, a manager for a team objective they own."""
    result = objectives.set_objective(
        actor, title=body.title, cycle_id=body.cycle, org_unit=body.org_unit, owner_id=body.owner,
        description=body.description, kpis=tuple(k.to_domain() for k in body.kpis))
    response.headers["Location"] = f"/objectives/{result.goal_id}"
    position = command_position(goals, result, response)
    return ObjectiveResponse.of(objectives.get_objective(UUID(result.goal_id)), position)


@router.get("/{objective_id}", responses=problem_responses(401, 403, 404, 422, 503))
def read_objective(objective_id: UUID, objectives: ObjectivesDep, views: AlignmentDep, actor: Reader,
                   _links: AlignmentFresh, _reviews: ReviewsFresh) -> ObjectiveResponse:
    """The objective, the goals aligned to it (as a tree) and its progress rolled up by goal weight."""
    objective = found(objectives, objective_id)
    tree = views.objective(actor, str(objective.id), objective.cycle_id)
    return ObjectiveResponse.model_validate({**ObjectiveResponse.of(objective).model_dump(), **tree})


def found(objectives: Objectives, objective_id: UUID) -> Objective:
    try:
        return objectives.get_objective(objective_id)
    except UnknownObjectiveError:
        raise Problem(404, "objective_not_found", f"objective {objective_id} not found",
                      objective_id=str(objective_id)) from None
