"""Check-ins on a goal: the owner or the manager says how it is going (domain/check_ins.py)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from api.access import require_visible
from api.deps import ExpectedVersionDep, GoalsDep, IdempotencyKeyDep, Writer
from api.one_hop import OneHopRoute
from api.positions import command_position
from api.problems import problem_responses
from api.schemas.check_ins import CheckInRequest, CheckInResponse

router = APIRouter(prefix="/goals", tags=["goals"], route_class=OneHopRoute)

# HR sees every goal but is no party to it: a check-in from HR is refused as 409 not_a_party, like a signature.


@router.post("/{goal_id}/check-ins", status_code=201, responses=problem_responses(401, 403, 404, 409, 412, 422))
def check_in(
    goal_id: UUID, body: CheckInRequest, goals: GoalsDep, actor: Writer, response: Response,
    version: ExpectedVersionDep, key: IdempotencyKeyDep,
) -> CheckInResponse:
    """The owner or the manager checks in on an agreed goal: status, confidence (1-5), note, blockers, next steps."""
    result = goals.check_in(goal_id, actor, body.to_domain(), expected_version=version, idempotency_key=key,
                            check=require_visible(actor))  # one load: the check runs on the command's goal
    assert result.reference is not None
    response.headers["ETag"] = f'"{result.version}"'
    response.headers["Location"] = f"/goals/{goal_id}/history"
    return CheckInResponse(id=result.reference, goal_id=str(goal_id), version=result.version,
                           position=command_position(goals, result, response))
