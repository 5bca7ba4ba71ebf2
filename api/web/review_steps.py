"""The review's steps as forms: the manager decides, the employee assesses themself, acknowledges or disputes,
HR resolves a dispute. Each runs the same application command as its JSON route (api/routes/review_decisions.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from api.problems import Problem
from api.routes.reviews import answer
from api.schemas.review_decisions import DecisionRequest, DisputeRequest, ResolutionRequest, SelfAssessmentRequest
from api.web.pages import FormDep, PageRoute, SessionDep, problem_of, render, see_other
from api.web.review_pages import review_context
from api.web.workspace import fresh
from application.errors import ApplicationError
from application.reviews.decisions import ReviewDecisions
from domain.errors import GoalError
from domain.values import Actor
from projections.review_projection import ReviewProjection
from projections.reviews import Reviews

router = APIRouter(prefix="/workspace/reviews", route_class=PageRoute, include_in_schema=False)
Act = Callable[[ReviewDecisions, Actor], object]


def step(request: Request, session: Any, employee_id: str, cycle: str, form_name: str, fields: dict[str, str],
         act: Act) -> Response:
    """Take one step from a form; on a refusal show the review again with the problem beside the form."""
    decisions: ReviewDecisions = request.app.state.review_decisions
    try:
        act(decisions, session.actor)
    except (Problem, GoalError, ApplicationError, ValidationError) as error:
        problem = problem_of(error)
        context = review_context(request, session.actor, employee_id, cycle, problems={form_name: problem},
                                 values={form_name: fields})
        return render(request, "review.html", context, status=problem.status)
    return see_other(f"/workspace/reviews/{quote(employee_id, safe='')}?cycle={quote(cycle, safe='')}#steps")


def optional(text: str | None) -> str | None:
    return text if text and text.strip() else None


@router.post("/{employee_id}/decision")
def decide(request: Request, employee_id: str, cycle: str, session: SessionDep, fields: FormDep) -> Response:
    def act(decisions: ReviewDecisions, actor: Actor) -> None:
        body = DecisionRequest.model_validate({"band": fields.get("band", ""), "summary": fields.get("summary", ""),
                                               "override_reason": optional(fields.get("override_reason"))})
        reviews: Reviews = request.app.state.reviews
        fresh(request, ReviewProjection.name)
        basis = answer(lambda: reviews.decision_basis(actor, employee_id, cycle))
        decisions.decide(employee_id, cycle, actor, band=body.band, summary=body.summary,
                         override_reason=body.override_reason, basis=basis)
    return step(request, session, employee_id, cycle, "decide", fields, act)


@router.post("/{employee_id}/self-assessment")
def assess_self(request: Request, employee_id: str, cycle: str, session: SessionDep, fields: FormDep) -> Response:
    def act(decisions: ReviewDecisions, actor: Actor) -> None:
        body = SelfAssessmentRequest.model_validate({"text": fields.get("text", "")})
        decisions.assess_self(employee_id, cycle, actor, text=body.text)
    return step(request, session, employee_id, cycle, "assess", fields, act)


@router.post("/{employee_id}/acknowledgement")
def acknowledge(request: Request, employee_id: str, cycle: str, session: SessionDep, fields: FormDep) -> Response:
    return step(request, session, employee_id, cycle, "answer", fields,
                lambda decisions, actor: decisions.acknowledge(employee_id, cycle, actor))


@router.post("/{employee_id}/disputes")
def dispute(request: Request, employee_id: str, cycle: str, session: SessionDep, fields: FormDep) -> Response:
    def act(decisions: ReviewDecisions, actor: Actor) -> None:
        body = DisputeRequest.model_validate({"reason": fields.get("reason", "")})
        decisions.dispute(employee_id, cycle, actor, reason=body.reason)
    return step(request, session, employee_id, cycle, "answer", fields, act)


@router.post("/{employee_id}/disputes/{dispute_id}/resolution")
def resolve(request: Request, employee_id: str, dispute_id: str, cycle: str, session: SessionDep,
            fields: FormDep) -> Response:
    def act(decisions: ReviewDecisions, actor: Actor) -> None:
        body = ResolutionRequest.model_validate({"outcome": fields.get("outcome", ""),
                                                 "band": optional(fields.get("band")),
                                                 "note": fields.get("note", "")})
        decisions.resolve_dispute(employee_id, cycle, dispute_id, actor, outcome=str(body.outcome), band=body.band,
                                  note=body.note)
    return step(request, session, employee_id, cycle, "resolve", fields, act)
