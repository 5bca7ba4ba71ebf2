"""The goal resources: draft, read, revise, sign, milestones, measurements, recalibrations, closure, history."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response

from api.one_hop import OneHopRoute
from api.access import require_may_draft, require_visible, visible_goal
from api.deps import AsOfDep, ExpectedVersionDep, GoalsDep, HrOnly, IdempotencyKeyDep, Reader, Writer
from api.schemas.goal_views import (
    FindingView,
    GoalResponse,
    HistoryEntry,
    HistoryResponse,
    RecalibrationResponse,
    SmartResponse,
)
from api.schemas.goals import (
    ClosureRequest,
    DecisionRequest,
    DraftGoalRequest,
    MeasurementRequest,
    MilestoneRequest,
    RecalibrationRequest,
    ReviseGoalRequest,
    SignatureRequest,
)
from api.positions import command_position
from api.problems import Problem, problem_responses
from application.goals.parties import name_lookup
from application.goals.service import Goals
from application.store.idempotency import CommandResult
from application.goals.history import describe_trail
from domain import rules
from domain.goal import Goal

router = APIRouter(prefix="/goals", tags=["goals"], route_class=OneHopRoute)

# Role checks come first and do not depend on the goal, so a 403 here reveals nothing about which goals exist.
RecalibrationId = Annotated[str, Path(max_length=100, description="The proposal's id: r1, r2, ...")]

READ_ERRORS = problem_responses(401, 403, 404, 422)
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 412, 422)
DRAFT_ERRORS = problem_responses(401, 403, 409, 422)


def goal_response(goals: Goals, result: CommandResult, response: Response) -> GoalResponse:
    """The answer to a command, from the goal the command loaded and left (never loaded again)."""
    goal = answered_goal(result)
    response.headers["ETag"] = f'"{goal.version}"'
    answer = GoalResponse.of(goal, goals.bounded_readings(goal), name_lookup(goals.parties))
    answer.position = command_position(goals, result, response)
    return answer


def answered_goal(result: CommandResult) -> Goal:
    assert result.goal is not None, "the application answers every command with its goal"
    return result.goal


@router.post("", status_code=201, responses=DRAFT_ERRORS)
def draft_goal(
    body: DraftGoalRequest, goals: GoalsDep, actor: Writer, response: Response, key: IdempotencyKeyDep
) -> GoalResponse:
    """Draft a goal: an employee for themself naming their manager, a manager for a report naming the owner."""
    owner_id, manager_id = rules.drafting_parties(actor, body.owner_id, body.manager_id)
    if owner_id is None:
        raise Problem(422, "invalid_request", f"body.owner_id: is required for a {actor.role}",
                      errors=[{"field": "body.owner_id", "message": "is required"}])
    if manager_id is not None:  # else the directory names the manager, and says who may draft (ADR 0035)
        require_may_draft(actor, owner_id, manager_id)
    result = goals.draft_goal(actor, cycle=body.cycle_ref(), owner_id=owner_id, manager_id=manager_id,
                              terms=body.terms(), idempotency_key=key)
    response.headers["Location"] = f"/goals/{result.goal_id}"
    return goal_response(goals, result, response)


@router.get("/{goal_id}", responses=READ_ERRORS)
def read_goal(goal_id: UUID, goals: GoalsDep, actor: Reader, response: Response, as_of: AsOfDep) -> GoalResponse:
    """The goal now, or as it stood at `as_of`; its version is in the ETag."""
    goal = visible_goal(goals, goal_id, actor, as_of)
    response.headers["ETag"] = f'"{goal.version}"'
    return GoalResponse.of(goal, goals.bounded_readings(goal), name_lookup(goals.parties))


@router.patch("/{goal_id}", responses=WRITE_ERRORS)
def revise_goal(
    goal_id: UUID, body: ReviseGoalRequest, goals: GoalsDep, actor: Writer, response: Response,
    version: ExpectedVersionDep, key: IdempotencyKeyDep,
) -> GoalResponse:
    """Revise a draft's terms; signatures given to the old terms are voided."""
    result = goals.revise_goal(goal_id, actor, body.changes(), expected_version=version, idempotency_key=key,
                               check=require_visible(actor))
    return goal_response(goals, result, response)


@router.get("/{goal_id}/smart", responses=READ_ERRORS)
def smart_findings(goal_id: UUID, goals: GoalsDep, actor: Reader) -> SmartResponse:
    """The SMART check's findings: blocking ones stop the goal from being agreed."""
    goal = visible_goal(goals, goal_id, actor)
    report = goal.smart_report(goals.today(), goals.smart_policy)
    return SmartResponse(
        goal_id=str(goal.id), version=goal.version, passes=report.passes,
        findings=[FindingView(criterion=str(f.criterion), code=f.code, message=f.message, blocking=f.blocking)
                  for f in report.findings],
    )


@router.post("/{goal_id}/signatures", status_code=201, responses=WRITE_ERRORS)
def sign_goal(
    goal_id: UUID, goals: GoalsDep, actor: Writer, response: Response, version: ExpectedVersionDep,
    key: IdempotencyKeyDep, body: SignatureRequest | None = None,
) -> GoalResponse:
    """The caller (owner or manager) signs the terms of the version they read."""
    result = goals.sign_goal(goal_id, actor, read_version=body.version if body else None,
                             expected_version=version, idempotency_key=key, check=require_visible(actor))
    return goal_response(goals, result, response)


@router.post("/{goal_id}/milestones", status_code=201, responses=WRITE_ERRORS)
def set_milestone(
    goal_id: UUID, body: MilestoneRequest, goals: GoalsDep, actor: Writer, response: Response,
    version: ExpectedVersionDep, key: IdempotencyKeyDep,
) -> GoalResponse:
    """Set a milestone on the way to a KPI's target: on a draft part of the terms both sign, later proposed first."""
    result = goals.set_milestone(goal_id, actor, kpi=body.kpi, due=body.due, target=body.target,
                                 expected_version=version, idempotency_key=key, check=require_visible(actor))
    return goal_response(goals, result, response)


@router.post("/{goal_id}/measurements", status_code=201, responses=WRITE_ERRORS)
def record_measurement(
    goal_id: UUID, body: MeasurementRequest, goals: GoalsDep, actor: Writer, response: Response,
    version: ExpectedVersionDep, key: IdempotencyKeyDep,
) -> GoalResponse:
    """Record a KPI reading; a second reading for the same KPI and day corrects the first."""
    result = goals.record_kpi(goal_id, actor, kpi=body.kpi, value=body.value, observed_at=body.observed_at,
                              source=body.source, note=body.note, expected_version=version,
                              idempotency_key=key, check=require_visible(actor))
    return goal_response(goals, result, response)


def recalibration_response(
    goals: Goals, result: CommandResult, recalibration_id: str, response: Response
) -> RecalibrationResponse:
    goal = answered_goal(result)
    response.headers["ETag"] = f'"{goal.version}"'
    answer = RecalibrationResponse.of(goal, recalibration_id)
    return answer.model_copy(update={"position": command_position(goals, result, response)})


@router.post("/{goal_id}/recalibrations", status_code=201, responses=WRITE_ERRORS)
def propose_recalibration(
    goal_id: UUID, body: RecalibrationRequest, goals: GoalsDep, actor: Writer, response: Response,
    version: ExpectedVersionDep, key: IdempotencyKeyDep,
) -> RecalibrationResponse:
    """Propose new targets, deadline or milestones, or (`cancel`) the goal's cancellation, with a reason category
    and a justification; HR decides. Refused after the goal's deadline or once its cycle is in review."""
    result = goals.propose_recalibration(
        goal_id, actor, reason=str(body.reason), justification=body.justification, targets=body.domain_targets(),
        deadline=body.deadline, milestones=[m.model_dump() for m in body.milestones],
        expected_version=version, idempotency_key=key, check=require_visible(actor), cancel=body.cancel,
    )
    assert result.reference is not None
    response.headers["Location"] = f"/goals/{goal_id}/recalibrations/{result.reference}"
    return recalibration_response(goals, result, result.reference, response)


@router.post("/{goal_id}/recalibrations/{recalibration_id}/approval", responses=WRITE_ERRORS)
def approve_recalibration(
    goal_id: UUID, recalibration_id: RecalibrationId, goals: GoalsDep, actor: HrOnly, response: Response,
    body: DecisionRequest, version: ExpectedVersionDep, key: IdempotencyKeyDep,
) -> RecalibrationResponse:
    """HR approves a proposal (not the owner, not the proposer), saying why in `note`; it takes effect."""
    result = goals.approve_recalibration(goal_id, actor, recalibration_id, note=body.note,
                                         expected_version=version, idempotency_key=key, check=require_visible(actor))
    return recalibration_response(goals, result, recalibration_id, response)


@router.post("/{goal_id}/recalibrations/{recalibration_id}/rejection", responses=WRITE_ERRORS)
def reject_recalibration(
    goal_id: UUID, recalibration_id: RecalibrationId, goals: GoalsDep, actor: HrOnly, response: Response,
    body: DecisionRequest, version: ExpectedVersionDep, key: IdempotencyKeyDep,
) -> RecalibrationResponse:
    """HR rejects a proposal, saying why in `note`; the goal stays as it was."""
    result = goals.reject_recalibration(goal_id, actor, recalibration_id, note=body.note,
                                        expected_version=version, idempotency_key=key, check=require_visible(actor))
    return recalibration_response(goals, result, recalibration_id, response)


@router.post("/{goal_id}/closure", responses=WRITE_ERRORS)
def close_goal(
    goal_id: UUID, body: ClosureRequest, goals: GoalsDep, actor: Writer, response: Response,
    version: ExpectedVersionDep, key: IdempotencyKeyDep,
) -> GoalResponse:
    """Close the goal with its outcome and a summary (the manager or HR)."""
    result = goals.close_goal(goal_id, actor, outcome=str(body.outcome), summary=body.summary,
                              expected_version=version, idempotency_key=key, check=require_visible(actor))
    return goal_response(goals, result, response)


@router.get("/{goal_id}/history", responses=READ_ERRORS)
def goal_history(goal_id: UUID, goals: GoalsDep, actor: Reader, as_of: AsOfDep) -> HistoryResponse:
    """The audit trail: every event in order, with who did it, when, what it said and what it changed."""
    visible_goal(goals, goal_id, actor)
    trail = describe_trail(goals.goal_events(goal_id, until=as_of))
    name_of = name_lookup(goals.parties)  # the author of each event, by name (ADR 0033)
    return HistoryResponse(goal_id=str(goal_id), as_of=as_of, events=[
        HistoryEntry.model_validate({**entry.as_dict(), "actor_display_name": name_of(entry.actor_id)})
        for entry in trail])
