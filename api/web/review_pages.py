"""The review page of one employee and cycle: goals, statements citing their events, the rating once it may be shown,
the review's stage and the form of whoever takes the next step; printable as the packet."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import as_of_moment
from api.packet_pdf import packet_pdf
from api.routes.reviews import answer, attachment
from api.web.pages import FormProblem, PageRoute, SessionDep, render
from api.web.review_statements import Statements
from application.goals.parties import name_lookup
from api.web.workspace import fresh
from domain.review_values import ResolutionOutcome, Stage
from domain import rules
from domain.rules import is_the_reviewed_employee
from domain.values import Actor
from projections.review_packet import review_packet
from projections.review_projection import ReviewProjection
from projections.review.scoring import policy
from projections.reviews import Reviews

router = APIRouter(prefix="/workspace/reviews", route_class=PageRoute, include_in_schema=False)
OPEN_TO_ANSWER = (str(Stage.DECIDED),)
SETTLED = (str(Stage.ACKNOWLEDGED), str(Stage.RESOLVED))


def review_actions(view: dict[str, Any], actor: Actor, employee_id: str, released: bool) -> dict[str, bool]:
    """Which forms to offer; the domain still guards each step (these only spare people a refusal)."""
    employee, stage = is_the_reviewed_employee(actor, employee_id), view["stage"]
    managers = {g["manager_id"] for g in view["goals"]}
    return {
        "decide": rules.may_decide_reviews(actor) and actor.id in managers and not employee
        and stage not in SETTLED and stage != str(Stage.DISPUTED),
        "assess": employee and stage not in SETTLED,
        "answer": employee and released and stage in OPEN_TO_ANSWER,
        "resolve": rules.resolves_disputes(actor) and stage == str(Stage.DISPUTED),
    }


def review_context(
    request: Request, actor: Actor, employee_id: str, cycle: str, moment: datetime | None = None,
    problems: dict[str, FormProblem] | None = None, values: dict[str, dict[str, str]] | None = None,
) -> dict[str, Any]:
    reviews: Reviews = request.app.state.reviews
    fresh(request, ReviewProjection.name)
    justification = answer(lambda: reviews.justification(actor, employee_id, cycle, moment))
    view = answer(lambda: reviews.review(actor, employee_id, cycle, moment))
    open_dispute = next((d for d in view["disputes"] if d["outcome"] is None), None)
    goals = request.app.state.goals
    said = Statements(goals, name_lookup(goals.parties), goals.today().year, moment)
    return {"employee_id": employee_id, "cycle": cycle, "as_of": moment, "justification": justification,
            "view": view, "shown": view["released"],
            "actions": review_actions(view, actor, employee_id, view["released"]) if moment is None else {},
            "bands": [band.name for band in policy().bands], "outcomes": list(ResolutionOutcome),
            "open_dispute": open_dispute, "problems": problems or {}, "values": values or {},
            "statements": said.said(justification["statements"])}


@router.get("/{employee_id}", response_class=HTMLResponse)
def review_page(
    request: Request, employee_id: str, cycle: str, session: SessionDep, as_of: str | None = None
) -> HTMLResponse:
    """The review: the same justification and view as GET /reviews/{employee_id}[/justification], and its steps."""
    moment = as_of_moment(as_of.replace(" ", "T")) if as_of else None
    return render(request, "review.html", review_context(request, session.actor, employee_id, cycle, moment))


@router.get("/{employee_id}/packet.pdf")
def packet_page(request: Request, employee_id: str, cycle: str, session: SessionDep) -> Response:
    """The review packet as a PDF (ADR 0027): the same as GET /reviews/{employee_id}/packet?format=pdf."""
    fresh(request, ReviewProjection.name)
    packet = answer(lambda: review_packet(request.app.state.goals, request.app.state.reviews, session.actor,
                                          employee_id, cycle))
    return Response(packet_pdf(packet), media_type="application/pdf",
                    headers={"Content-Disposition": attachment(packet_file_name(employee_id, cycle))})


def packet_file_name(employee_id: str, cycle: str) -> str:
    """review-packet-emp-1-2026-H1.pdf: the employee and the cycle, so that packets saved together stay apart."""
    return f"review-packet-{employee_id}-{cycle}.pdf"

