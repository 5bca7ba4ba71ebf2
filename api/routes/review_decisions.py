"""The review's steps (domain/review.py): the manager's decision, the employee's self-assessment, acknowledgement
and dispute, HR's resolution. Reading the review stays in api/routes/reviews.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from api.deps import ActorDep, AsOfDep, HrOnly, IdempotencyKeyDep, ManagerOnly, Reviewed
from api.one_hop import OneHopRoute
from api.positions import command_position
from api.problems import problem_responses
from api.routes.reviews import Cycle, Fresh, ReviewsDep, answer
from api.schemas.review_decisions import (
    DecisionRequest, DisputeRequest, ResolutionRequest, ReviewHistoryResponse, ReviewStepResponse,
    SelfAssessmentRequest,
)
from api.schemas.goal_views import HistoryEntry
from application.goals.parties import name_lookup, with_display_names
from application.store.idempotency import CommandResult
from application.reviews.history import describe_review
from application.reviews.decisions import ReviewDecisions
from application.reviews.release import ratings_released
from domain.review import Review
from domain.review_values import review_id
from domain.rules import is_the_reviewed_employee
from projections.review.decision_view import decision_view

router = APIRouter(prefix="/reviews", tags=["reviews"], route_class=OneHopRoute)

Manager = ManagerOnly
Employee = Reviewed
WITHHELD = (Review.DecisionRecorded, Review.DisputeResolved)
DisputeId = Annotated[str, Path(min_length=1, max_length=20, pattern=r"^d[0-9]{1,6}$", description="d1, d2, ...")]
ERRORS = problem_responses(401, 403, 404, 409, 422, 503)


async def get_decisions(request: Request) -> ReviewDecisions:
    decisions: ReviewDecisions = request.app.state.review_decisions
    return decisions


DecisionsDep = Annotated[ReviewDecisions, Depends(get_decisions)]


def step_response(decisions: ReviewDecisions, employee_id: str, cycle: str, result: CommandResult,
                  response: Response, by_employee: bool = False) -> ReviewStepResponse:
    review = decisions.review(employee_id, cycle)
    view = decision_view(review)
    if by_employee and not ratings_released(decisions.goals.repository, cycle):  # ADR 0046: not shown to them yet
        view = {**view, "final_band": None, "decision": None}
    response.headers["Location"] = f"/reviews/{employee_id}?cycle={cycle}"
    name_of = name_lookup(decisions.goals.parties)
    return ReviewStepResponse(
        review_id=result.goal_id, employee_id=employee_id, employee_display_name=name_of(employee_id), cycle=cycle,
        version=result.version, position=command_position(decisions.goals, result, response), stage=view["stage"],
        final_band=view["final_band"], dispute_id=result.reference,
        decision=with_display_names(view["decision"], name_of))


@router.post("/{employee_id}/decision", status_code=201, responses=ERRORS)
def decide(
    employee_id: str, cycle: Cycle, body: DecisionRequest, reviews: ReviewsDep, decisions: DecisionsDep,
    actor: Manager, response: Response, key: IdempotencyKeyDep, _position: Fresh,
) -> ReviewStepResponse:
    """The employee's manager decides the band; the decision pins the justification it rests on (policy version,
    content hash, log position). A band other than the computed one needs `override_reason`."""
    decisions.cycle(cycle)  # an unknown cycle is 404 before any evidence is read
    basis = answer(lambda: reviews.decision_basis(actor, employee_id, cycle))
    result = decisions.decide(employee_id, cycle, actor, band=body.band, summary=body.summary,
                              override_reason=body.override_reason, basis=basis, idempotency_key=key)
    return step_response(decisions, employee_id, cycle, result, response)


@router.post("/{employee_id}/self-assessment", status_code=201, responses=ERRORS)
def assess_self(
    employee_id: str, cycle: Cycle, body: SelfAssessmentRequest, decisions: DecisionsDep, actor: Employee,
    response: Response, key: IdempotencyKeyDep,
) -> ReviewStepResponse:
    """The employee's own view of the cycle, in their words (before the review is settled)."""
    result = decisions.assess_self(employee_id, cycle, actor, text=body.text, idempotency_key=key)
    return step_response(decisions, employee_id, cycle, result, response, by_employee=True)


@router.post("/{employee_id}/acknowledgement", status_code=201, responses=ERRORS)
def acknowledge(
    employee_id: str, cycle: Cycle, decisions: DecisionsDep, actor: Employee, response: Response,
    key: IdempotencyKeyDep,
) -> ReviewStepResponse:
    """The employee acknowledges the decision: the review is settled."""
    result = decisions.acknowledge(employee_id, cycle, actor, idempotency_key=key)
    return step_response(decisions, employee_id, cycle, result, response)


@router.post("/{employee_id}/disputes", status_code=201, responses=ERRORS)
def dispute(
    employee_id: str, cycle: Cycle, body: DisputeRequest, decisions: DecisionsDep, actor: Employee,
    response: Response, key: IdempotencyKeyDep,
) -> ReviewStepResponse:
    """The employee disputes the decision with a reason; HR resolves it. Answers the dispute's id."""
    result = decisions.dispute(employee_id, cycle, actor, reason=body.reason, idempotency_key=key)
    return step_response(decisions, employee_id, cycle, result, response)


@router.post("/{employee_id}/disputes/{dispute_id}/resolution", responses=ERRORS)
def resolve(
    employee_id: str, dispute_id: DisputeId, cycle: Cycle, body: ResolutionRequest, decisions: DecisionsDep,
    actor: HrOnly, response: Response, key: IdempotencyKeyDep,
) -> ReviewStepResponse:
    """HR (not the manager who decided, not the employee) upholds the decision or changes the band."""
    result = decisions.resolve_dispute(employee_id, cycle, dispute_id, actor, outcome=str(body.outcome),
                                       band=body.band, note=body.note, idempotency_key=key)
    return step_response(decisions, employee_id, cycle, result, response)


@router.get("/{employee_id}/history", responses=problem_responses(401, 403, 404, 422, 503))
def review_history(
    employee_id: str, cycle: Cycle, reviews: ReviewsDep, decisions: DecisionsDep, actor: ActorDep, as_of: AsOfDep,
    _position: Fresh,
) -> ReviewHistoryResponse:
    """The review's trail: every step in order, who took it when, what it said and what it changed."""
    answer(lambda: reviews.require_visible(actor, employee_id, cycle))
    steps = decisions.steps(employee_id, cycle, until=as_of)
    if is_the_reviewed_employee(actor, employee_id) and not ratings_released(decisions.goals.repository, cycle):
        steps = [s for s in steps if not isinstance(s, WITHHELD)]  # ADR 0046: the band waits for the release
    trail = describe_review(steps)
    name_of = name_lookup(decisions.goals.parties)
    return ReviewHistoryResponse(
        review_id=str(review_id(employee_id, cycle)), employee_id=employee_id,
        employee_display_name=name_of(employee_id), cycle=cycle, as_of=as_of,
        events=[HistoryEntry.model_validate({**e.as_dict(), "actor_display_name": name_of(e.actor_id)})
                for e in trail])
