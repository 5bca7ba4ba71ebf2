"""Audit: verify the tamper-evident trail; the recalibration fairness report. Auditors and HR only, read-only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from api.schemas.audit import FairnessReportResponse, VerificationResponse
from api.deps import GoalsDep, require_roles
from api.problems import Problem, problem_responses
from application.audit.verification import LogPositionError, verify_trail
from domain.values import Actor, Role
from application.audit.fairness import GroupBy, recalibration_fairness

router = APIRouter(tags=["audit"])

Auditor = Annotated[Actor, Depends(require_roles(Role.AUDITOR, Role.HR))]
MAX_POSITION = 2**63 - 1  # the stores' integer range
Position = Annotated[int | None, Query(ge=0, le=MAX_POSITION, description="A log position (default: the head).")]
Digest = Annotated[str | None, Query(pattern=r"^[0-9a-fA-F]{64}$",
                                     description="A digest recorded earlier at `position`: checked against it.")]
Cycle = Annotated[str, Query(min_length=1, max_length=200, description="The cycle's id, e.g. 2026-H1.")]
TAMPER_RESPONSE = {409: {**problem_responses(409)[409], "description": "tamper_detected: the first bad event"}}


@router.get("/audit/verify", responses={**problem_responses(401, 403, 422), **TAMPER_RESPONSE})
def verify(goals: GoalsDep, _actor: Auditor, position: Position = None, digest: Digest = None) -> VerificationResponse:
    """Recompute every goal's hash chain from the stored rows; 409 names the first changed, removed or forged event."""
    try:
        result = verify_trail(goals, position=position, expected_digest=digest)
    except LogPositionError as error:
        raise Problem(422, error.code, error.message, **error.context) from None
    if result.problem is not None:
        problem = result.problem
        raise Problem(409, "tamper_detected", problem.detail, goal_id=problem.goal_id, version=problem.version,
                      kind=problem.kind, position=problem.position, events=result.events, digest=result.digest)
    return VerificationResponse(intact=True, events=result.events, digest=result.digest, position=result.position)


@router.get("/fairness/recalibrations", response_model=FairnessReportResponse,
            responses=problem_responses(401, 403, 422))
def fairness_report(
    goals: GoalsDep, _actor: Auditor, cycle: Cycle, group_by: GroupBy = GroupBy.MANAGER, position: Position = None
) -> Response:
    """Recalibrations per manager or org unit: eased or tightened, four-eyes check, disparity test, at a position."""
    try:
        report = recalibration_fairness(goals, cycle, group_by, position=position)
    except LogPositionError as error:
        raise Problem(422, error.code, error.message, **error.context) from None
    return Response(content=report.canonical(), media_type="application/json")
