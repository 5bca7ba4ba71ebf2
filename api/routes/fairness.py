"""The fairness report, version 2 (ADR 0041; by attribute, ADR 0042): statistics per group, header, signature."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from api.bootstrap import fairness_min_cell
from api.deps import GoalsDep, require_roles
from api.one_hop import OneHopRoute
from api.problems import Problem, problem_responses
from application.audit.chain import SigningKeyMissingError
from application.audit.tree import TamperDetectedError
from application.audit.verification import LogPositionError
from application.equality.attributes import NoSnapshotError
from application.equality.report import ATTRIBUTE, attribute_report
from application.errors import ApplicationError
from application.fairness.body import REPORT_VERSION
from application.privacy.keys import DataMasterKeyMissingError
from application.fairness.report import CycleNotFoundError, FairnessRequestError, fairness_report
from domain.values import Actor, Role

router = APIRouter(tags=["audit"], route_class=OneHopRoute)

Reader = Annotated[Actor, Depends(require_roles(Role.AUDITOR, Role.HR, Role.EQUALITY_ANALYST))]
MAX_POSITION = 2**63 - 1
STATUS: dict[type[ApplicationError], int] = {
    CycleNotFoundError: 404, FairnessRequestError: 422, LogPositionError: 422, TamperDetectedError: 409,
    SigningKeyMissingError: 503, NoSnapshotError: 409, DataMasterKeyMissingError: 503}
ERRORS = tuple(STATUS)


def allowed(actor: Actor, group_by: str) -> None:
    """By a protected characteristic: the equality analyst only; otherwise HR and auditors (ADR 0042)."""
    wanted = (Role.EQUALITY_ANALYST,) if group_by.startswith(ATTRIBUTE) else (Role.AUDITOR, Role.HR)
    if actor.role not in wanted:
        raise Problem(403, "role_not_allowed", f"role {actor.role} may not read this report; allowed: "
                      f"{', '.join(wanted)}")


@router.get("/fairness/report", response_class=Response, responses={
    200: {"content": {"application/json": {}}, "description": "The report as canonical JSON, signed."},
    **problem_responses(401, 403, 404, 409, 422, 503)})  # 409: tampering, or no attribute snapshot
def report(
    goals: GoalsDep, actor: Reader,
    cycle: Annotated[str, Query(min_length=1, max_length=200, description="The cycle's id, e.g. 2026-H1.")],
    group_by: Annotated[str, Query(max_length=200, description="manager, org_unit, decider or attribute:<name> "
                                   "(the equality analyst's).")] = "manager",
    strata: Annotated[Literal["org_unit", "reason"] | None, Query(description="Strata of the CMH test.")] = None,
    position: Annotated[int | None, Query(ge=0, le=MAX_POSITION, description="A log position (default: the head).")]
    = None,
    report_version: Annotated[int, Query(ge=1, le=1000, description="1 (ADR 0007) or 2 (ADR 0041).")]
    = REPORT_VERSION,
) -> Response:
    """Per group: rates with intervals, ratios, two-sided tests, statuses; a header tying it to a signed checkpoint."""
    allowed(actor, group_by)
    try:
        if group_by.startswith(ATTRIBUTE):
            found = attribute_report(goals, cycle, group_by, strata, position, fairness_min_cell())
        else:
            found = fairness_report(goals, cycle, group_by, strata, position, report_version)
    except ERRORS as error:
        raise Problem(STATUS[type(error)], error.code, error.message, **error.context) from None
    return Response(content=found.canonical(), media_type="application/json")
