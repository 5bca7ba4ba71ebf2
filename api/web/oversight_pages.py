"""HR's and the auditor's pages: the recalibration queue, the fairness report as charts, the trail's verification."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import OVERSEERS, require_roles
from api.problems import Problem
from api.schemas.goal_views import RecalibrationView
from api.web.fairness_packet import packet_body
from api.web.pages import PageRoute, SessionDep, render
from application.fairness.report import GROUPINGS, CycleNotFoundError, FairnessRequestError, fairness_report
from application.audit.verification import verify_trail
from application.goals.service import Goals
from application.goals.recalibration_queue import pending_recalibrations
from domain.values import Actor

router = APIRouter(prefix="/workspace", route_class=PageRoute, include_in_schema=False)


def oversight(actor: Actor) -> None:
    require_roles(*OVERSEERS)(actor)


@router.get("/hr/recalibrations", response_class=HTMLResponse)
def queue_page(request: Request, session: SessionDep) -> HTMLResponse:
    """Every proposal waiting for a decision: before and after side by side, reason and justification."""
    oversight(session.actor)
    goals: Goals = request.app.state.goals
    items: list[dict[str, Any]] = []
    for waiting in pending_recalibrations(goals):
        goal = goals.get_goal(waiting.goal_id)
        view = RecalibrationView.model_validate(goal.recalibration(waiting.recalibration_id))
        items.append({"goal": goal, "recalibration": view, "kpis": {k.id: k for k in goal.kpis}})
    return render(request, "hr_queue.html", {"items": items})


@router.get("/hr/fairness", response_class=HTMLResponse)
def fairness_page(
    request: Request, session: SessionDep, cycle: str | None = None, group_by: str = "manager"
) -> HTMLResponse:
    """The fairness report of a cycle (ADR 0041): its sentence, a funnel plot, rows by status with their caveats."""
    oversight(session.actor)
    goals: Goals = request.app.state.goals
    cycle = cycle or latest_cycle(request)  # the menu's link names no cycle: the latest one opened
    try:
        report = fairness_report(goals, cycle, group_by).body if cycle else None
    except (CycleNotFoundError, FairnessRequestError) as error:
        raise Problem(404 if isinstance(error, CycleNotFoundError) else 422, error.code, error.message) from None
    return render(request, "fairness.html", {"cycle": cycle or "", "group_by": group_by, "groupings": GROUPINGS,
                                             "report": report, "packet": packet_body(report) if report else None})


def latest_cycle(request: Request) -> str | None:
    cycles = request.app.state.cycles.list_cycles()
    return str(cycles[-1].cycle_id) if cycles else None


@router.get("/trail", response_class=HTMLResponse)
def trail_page(request: Request, session: SessionDep, verify: bool = False) -> HTMLResponse:
    """The trail's verification, run on request through the same function as GET /audit/verify."""
    oversight(session.actor)
    goals: Goals = request.app.state.goals
    result = verify_trail(goals).as_dict() if verify else None
    return render(request, "trail.html", {"result": result})
