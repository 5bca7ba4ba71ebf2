"""Review views and rating justifications per employee and cycle, read from the projections."""

from __future__ import annotations

import re

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from api.json_route import OffLoopJSONRoute
from api.deps import ActorDep, AsOfDep
from api.problems import Problem, problem_responses
from api.schemas.common import described
from api.schemas.reviews import JustificationResponse, ReviewResponse
from api.positions import projection_read
from projections.review_projection import ReviewProjection
from projections.reviews import ReviewAccessDeniedError, ReviewNotVisibleError, Reviews
from projections.review.scoring import POLICIES, UnknownPolicyError

router = APIRouter(prefix="/reviews", tags=["reviews"], route_class=OffLoopJSONRoute)

Cycle = Annotated[str, Query(min_length=1, max_length=200, description="The review cycle's id, e.g. 2026-H1.")]
POLICY_VERSION = described(f"^({'|'.join(map(re.escape, sorted(POLICIES)))})$",
                           f"must be a known scoring policy version: {', '.join(sorted(POLICIES))}",
                           "unknown_scoring_policy")
Policy = Annotated[
    str | None, Query(min_length=1, max_length=50, pattern=POLICY_VERSION,
                      description="Scoring policy version (default: the current one).")
]
ERRORS = problem_responses(401, 403, 404, 422, 503)
# Waits (bounded) until the review read model reflects the position asked for, or the head seen on arrival.
Fresh = Annotated[int, Depends(projection_read(ReviewProjection.name))]


def get_reviews(request: Request) -> Reviews:
    reviews: Reviews = request.app.state.reviews
    return reviews


ReviewsDep = Annotated[Reviews, Depends(get_reviews)]


@router.get("/{employee_id}", responses=ERRORS)
def read_review(
    employee_id: str, cycle: Cycle, reviews: ReviewsDep, actor: ActorDep, as_of: AsOfDep, _position: Fresh
) -> ReviewResponse:
    """One employee's goals in a cycle, review-ready: attainment, pace, milestones, recalibrations, outcomes."""
    return ReviewResponse.model_validate(answer(lambda: reviews.review(actor, employee_id, cycle, as_of)))


@router.get("/{employee_id}/justification", responses=ERRORS)
def read_justification(
    employee_id: str, cycle: Cycle, reviews: ReviewsDep, actor: ActorDep, as_of: AsOfDep, _position: Fresh,
    policy: Policy = None,
) -> JustificationResponse:
    """A weighted score, its rating band, and statements that each cite the events they rest on."""
    return JustificationResponse.model_validate(
        answer(lambda: reviews.justification(actor, employee_id, cycle, as_of, policy))
    )


def answer(read: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    try:
        return read()
    except ReviewAccessDeniedError as error:
        raise Problem(403, "review_not_allowed", str(error)) from None
    except ReviewNotVisibleError as error:
        raise Problem(404, "review_not_found", str(error)) from None
    except UnknownPolicyError as error:
        raise Problem(422, "unknown_scoring_policy", str(error), policy=error.version) from None
