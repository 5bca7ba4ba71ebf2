"""The review page of one employee and cycle: score, band, statements citing their events; printable as the packet."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import as_of_moment
from api.packet_pdf import packet_pdf
from api.routes.reviews import answer
from api.web.pages import PageRoute, SessionDep, render
from api.web.workspace import fresh
from projections.review_packet import review_packet
from projections.review_projection import ReviewProjection
from projections.reviews import Reviews

router = APIRouter(prefix="/workspace/reviews", route_class=PageRoute, include_in_schema=False)


@router.get("/{employee_id}", response_class=HTMLResponse)
def review_page(
    request: Request, employee_id: str, cycle: str, session: SessionDep, as_of: str | None = None
) -> HTMLResponse:
    """The review packet: the same justification and view as GET /reviews/{employee_id}[/justification]."""
    reviews: Reviews = request.app.state.reviews
    fresh(request, ReviewProjection.name)
    moment = as_of_moment(as_of.replace(" ", "T")) if as_of else None
    justification = answer(lambda: reviews.justification(session.actor, employee_id, cycle, moment))
    view = answer(lambda: reviews.review(session.actor, employee_id, cycle, moment))
    return render(request, "review.html", {"employee_id": employee_id, "cycle": cycle, "as_of": moment,
                                           "justification": justification, "view": view})


@router.get("/{employee_id}/packet.pdf")
def packet_page(request: Request, employee_id: str, cycle: str, session: SessionDep) -> Response:
    """The review packet as a PDF (ADR 0027): the same as GET /reviews/{employee_id}/packet?format=pdf."""
    fresh(request, ReviewProjection.name)
    packet = answer(lambda: review_packet(request.app.state.goals, request.app.state.reviews, session.actor,
                                          employee_id, cycle))
    return Response(packet_pdf(packet), media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="review-packet-{cycle}.pdf"'})
