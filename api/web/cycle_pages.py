"""The cycles page: every review cycle with its dates and state, HR's form to open one, and HR's next move for each
(activate, start the review, release the ratings, lock), through the same Cycles service as POST /cycles[/{id}/...]."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from api.problems import Problem
from api.schemas.cycles import OpenCycleRequest
from api.web.pages import FormDep, FormProblem, PageRoute, SessionDep, problem_of, render, see_other
from application.cycles.service import Cycles
from application.errors import ApplicationError
from domain.cycle import CycleStatus
from domain.errors import GoalError
from domain import rules
from domain.values import Actor

router = APIRouter(prefix="/workspace/cycles", route_class=PageRoute, include_in_schema=False)
# The move HR may make next from each state, as (path segment, button label); locking is offered from every state.
NEXT_MOVE = {
    CycleStatus.PLANNING: ("activate", "Activate"),
    CycleStatus.ACTIVE: ("review", "Start the review"),
    CycleStatus.REVIEW: ("release", "Release the ratings"),
}
STATE_WORDS = {
    CycleStatus.PLANNING: "Planning",
    CycleStatus.ACTIVE: "Active: goals agreed and tracked",
    CycleStatus.REVIEW: "In review: ratings being decided",
    CycleStatus.RELEASED: "Released: employees see their rating",
    CycleStatus.LOCKED: "Locked: everything frozen",
}


def cycles_context(request: Request, actor: Actor, problem: FormProblem | None = None,
                   opening: dict[str, str] | None = None) -> dict[str, Any]:
    """`opening` holds the fields of a refused "Open a cycle" form (its problem shows beside them, not on top, for
    whoever is shown the form)."""
    cycles: Cycles = request.app.state.cycles
    rows = [{"cycle": c, "state": STATE_WORDS[c.status], "next": NEXT_MOVE.get(c.status),
             "lockable": c.status is not CycleStatus.LOCKED} for c in cycles.list_cycles()]
    beside = opening is not None and rules.moves_cycles(actor)  # else the form is not there to show it beside
    return {"rows": rows, "moves": rules.moves_cycles(actor), "overview": rules.oversees_cycles(actor),
            "problem": None if beside else problem,
            "opening": opening or {}, "open_problem": problem if beside else None}


@router.get("", response_class=HTMLResponse)
def cycles_page(request: Request, session: SessionDep) -> HTMLResponse:
    """Every review cycle with its dates and state; HR moves them on from here."""
    return render(request, "cycles.html", cycles_context(request, session.actor))


@router.post("")
def open_cycle(request: Request, session: SessionDep, fields: FormDep) -> Response:
    """HR opens a cycle (in planning) from the form on the cycles page; the API's OpenCycleRequest checks the fields."""
    cycles: Cycles = request.app.state.cycles
    wanted = {name: fields.get(name, "").strip() for name in ("id", "name", "start", "end")}
    try:
        body = OpenCycleRequest.model_validate(wanted)
        cycles.open_cycle(session.actor, cycle_id=body.id, name=body.name, start=body.start, end=body.end)
    except (ValidationError, GoalError, ApplicationError) as error:
        problem = problem_of(error)
        context = cycles_context(request, session.actor, problem, opening=wanted)
        return render(request, "cycles.html", context, status=problem.status)
    return see_other(f"/workspace/cycles#cycle-{quote(body.id, safe='')}")


@router.post("/{cycle_id}/{move}")
def move_cycle(request: Request, cycle_id: str, move: str, session: SessionDep, fields: FormDep) -> Response:
    cycles: Cycles = request.app.state.cycles
    actions = {"activate": cycles.activate, "review": cycles.start_review, "release": cycles.release,
               "lock": cycles.lock}
    try:
        if move not in actions:
            raise Problem(404, "not_found", "There is no such step for a cycle.")
        cycles.get_cycle(cycle_id)
        actions[move](session.actor, cycle_id)
    except (Problem, GoalError, ApplicationError) as error:
        problem = problem_of(error)
        return render(request, "cycles.html", cycles_context(request, session.actor, problem), status=problem.status)
    return see_other(f"/workspace/cycles#cycle-{quote(cycle_id, safe='')}")
