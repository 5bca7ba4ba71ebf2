"""The fairness report, version 2 (ADR 0041, 0042): statistics per group with their header, hash and signature."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from api.deps import GoalsDep, require_roles
from api.json_route import OffLoopJSONRoute
from api.problems import Problem, problem_responses
from application.audit.chain import SigningKeyMissingError
from application.audit.tree import TamperDetectedError
from application.audit.verification import LogPositionError
from application.fairness.body import REPORT_VERSION
from application.fairness.report import CycleNotFoundError, FairnessRequestError, fairness_report
from domain.values import Actor, Role

router = APIRouter(tags=["audit"], route_class=OffLoopJSONRoute)

Reader = Annotated[Actor, Depends(require_roles(Role.AUDITOR, Role.HR))]
MAX_POSITION = 2**63 - 1
STATUS = {CycleNotFoundError: 404, FairnessRequestError: 422, LogPositionError: 422, TamperDetectedError: 409,
          SigningKeyMissingError: 503}


@router.get("/fairness/report", response_class=Response, responses={
    200: {"content": {"application/json": {}}, "description": "The report as canonical JSON, signed."},
    **problem_responses(401, 403, 404, 409, 422, 503)})
def report(
    goals: GoalsDep, _actor: Reader,
    cycle: Annotated[str, Query(min_length=1, max_length=200, description="The cycle's id, e.g. 2026-H1.")],
    group_by: Annotated[str, Query(max_length=200, description="manager, org_unit or decider.")] = "manager",
    strata: Annotated[Literal["org_unit", "reason"] | None, Query(description="Strata of the CMH test.")] = None,
    position: Annotated[int | None, Query(ge=0, le=MAX_POSITION, description="A log position (default: the head).")]
    = None,
    report_version: Annotated[int, Query(ge=1, le=1000, description="1 (ADR 0007) or 2 (ADR 0041).")]
    = REPORT_VERSION,
) -> Response:
    """Per group: rates with intervals, ratios, two-sided tests, statuses; a header tying it to a signed checkpoint."""
    try:
        found = fairness_report(goals, cycle, group_by, strata, position, report_version)
    except (CycleNotFoundError, FairnessRequestError, LogPositionError, TamperDetectedError,
            SigningKeyMissingError) as error:
        raise Problem(STATUS[type(error)], error.code, error.message, **error.context) from None
    return Response(content=found.canonical(), media_type="application/json")
