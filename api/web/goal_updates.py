"""The goal page's forms for checking in on an agreed goal and for withdrawing a draft.

A check-in is the API's POST /goals/{id}/check-ins (domain/check_ins.py). Withdrawing a draft is closing it as
cancelled, the one way the domain ends a draft (domain/closure.py: the manager or HR, with a reason); no new command.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.access import require_visible
from api.schemas.check_ins import CheckInRequest
from api.web.goal_pages import command, writer
from api.web.pages import FormDep, PageRoute, SessionDep
from application.goals.service import Goals
from domain.values import Actor, Outcome

router = APIRouter(prefix="/workspace/goals", route_class=PageRoute, include_in_schema=False)


def confidence(text: str) -> int | str:
    """The form's confidence as a whole number when it is one (ASCII digits: int() would read any script's); else as
    sent, for the request model to refuse by name."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 3 else text


@router.post("/{goal_id}/check-ins")
def check_in(request: Request, goal_id: UUID, session: SessionDep, fields: FormDep) -> Response:
    def act(goals: Goals, actor: Actor) -> None:
        writer(actor)
        body = CheckInRequest.model_validate({
            "status": fields.get("status", ""), "confidence": confidence(fields.get("confidence", "")),
            **{name: fields.get(name, "") for name in ("note", "blockers", "next_steps")}})
        goals.check_in(goal_id, actor, body.to_domain(), check=require_visible(actor))
    return command(request, session, goal_id, "check_in", fields, act, "check-ins")


@router.post("/{goal_id}/withdrawal")
def withdraw(request: Request, goal_id: UUID, session: SessionDep, fields: FormDep) -> Response:
    def act(goals: Goals, actor: Actor) -> None:
        writer(actor)
        goals.close_goal(goal_id, actor, outcome=str(Outcome.CANCELLED), summary=fields.get("reason", ""),
                         check=require_visible(actor))
    return command(request, session, goal_id, "withdraw", fields, act, "outcome")
