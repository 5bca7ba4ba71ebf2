"""Review views and rating justifications per employee and cycle, read from the projections."""

from __future__ import annotations

import re
from urllib.parse import quote

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Query, Request, Response

from api.one_hop import OneHopRoute
from api.deps import ActorDep, AsOfDep, GoalsDep
from api.packet_pdf import packet_pdf
from api.problems import Problem, problem_responses
from api.schemas.common import described
from api.schemas.reviews import JustificationResponse, ReviewResponse
from api.positions import projection_read
from projections.review_packet import review_packet
from projections.review_projection import ReviewProjection
from projections.reviews import ReviewAccessDeniedError, ReviewNotVisibleError, Reviews
from projections.review.scoring import POLICIES, UnknownPolicyError

router = APIRouter(prefix="/reviews", tags=["reviews"], route_class=OneHopRoute)

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
Fresh = Annotated[None, Depends(projection_read(ReviewProjection.name))]


async def get_reviews(request: Request) -> Reviews:
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


PacketFormat = Annotated[Literal["json", "pdf"], Query(description="json (with the proofs) or pdf (to read)")]
PACKET_RESPONSES = {**ERRORS, 200: {"description": "The packet.", "content": {
    "application/json": {"schema": {"type": "object"}}, "application/pdf": {}}}}


@router.get("/{employee_id}/packet", responses=PACKET_RESPONSES, response_model=None)
def read_packet(
    employee_id: str, cycle: Cycle, reviews: ReviewsDep, goals: GoalsDep, actor: ActorDep, _position: Fresh,
    format: PacketFormat = "json",
) -> Response | dict[str, Any]:
    """The review packet: the review, its justification, every cited event and their audit proofs (ADR 0027)."""
    packet = answer(lambda: review_packet(goals, reviews, actor, employee_id, cycle))
    if format == "pdf":
        return Response(packet_pdf(packet), media_type="application/pdf",
                        headers={"Content-Disposition": attachment(f"review-packet-{employee_id}-{cycle}.pdf")})
    return packet


def attachment(filename: str) -> str:
    """A Content-Disposition naming the file: an ASCII fallback, and the exact name in RFC 5987 form, so no cycle
    id (quotes, non-Latin-1 letters) can break or inject into the header."""
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


T = TypeVar("T")


def answer(read: Callable[[], T]) -> T:
    try:
        return read()
    except ReviewAccessDeniedError as error:
        raise Problem(403, "review_not_allowed", str(error)) from None
    except ReviewNotVisibleError as error:
        raise Problem(404, "review_not_found", str(error)) from None
    except UnknownPolicyError as error:
        raise Problem(422, "unknown_scoring_policy", str(error), policy=error.version) from None
