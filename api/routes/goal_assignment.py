"""HR's commands on who holds a goal and where it goes: reassignment and carry-over to a later cycle."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from api.deps import ExpectedVersionDep, GoalsDep, HrOnly, IdempotencyKeyDep
from api.one_hop import OneHopRoute
from api.problems import problem_responses
from api.routes.cycles import CyclesDep
from api.routes.goals import goal_response
from api.schemas.cycles import CarryOverRequest, ReassignmentRequest
from api.schemas.goal_views import GoalResponse

router = APIRouter(prefix="/goals", tags=["goals"], route_class=OneHopRoute)

ERRORS = problem_responses(401, 403, 404, 409, 412, 422)


@router.post("/{goal_id}/reassignment", responses=ERRORS)
def reassign_goal(goal_id: UUID, body: ReassignmentRequest, goals: GoalsDep, actor: HrOnly, response: Response,
                  version: ExpectedVersionDep, key: IdempotencyKeyDep) -> GoalResponse:
    """HR moves the goal to another owner or manager with a reason; visibility follows from this event on."""
    result = goals.reassign_goal(goal_id, actor, reason=body.reason, owner_id=body.owner_id,
                                 manager_id=body.manager_id, expected_version=version, idempotency_key=key)
    return goal_response(goals, result, response)


@router.post("/{goal_id}/carry-over", status_code=201, responses=ERRORS)
def carry_over_goal(goal_id: UUID, body: CarryOverRequest, goals: GoalsDep, cycles: CyclesDep, actor: HrOnly,
                    response: Response) -> GoalResponse:
    """HR carries the open goal over to a later cycle: it closes here (cancelled, carried over) and continues as a
    new draft there, linked both ways, with the same terms but no rationale (its author's words stay on the goal
    carried from; the parties state it again as they agree the new one); the answer is the new goal."""
    result = cycles.carry_over(goal_id, actor, to_cycle=body.to_cycle, reason=body.reason)
    response.headers["Location"] = f"/goals/{result.goal_id}"
    return goal_response(goals, result, response)
