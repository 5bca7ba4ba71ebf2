"""HR's and the auditor's pages: the recalibration queue, the fairness report as charts, the trail's verification."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.problems import Problem
from api.schemas.goals import RecalibrationView
from api.web.fairness_chart import fairness_chart
from api.web.pages import PageRoute, SessionDep, render
from application.audit.fairness import GroupBy, recalibration_fairness
from application.audit.verification import verify_trail
from application.goals.service import Goals
from application.goals.recalibration_queue import pending_recalibrations
from domain.values import Actor, Role

router = APIRouter(prefix="/workspace", route_class=PageRoute, include_in_schema=False)
OVERSIGHT = (Role.HR, Role.AUDITOR)


def oversight(actor: Actor) -> None:
    if actor.role not in OVERSIGHT:
        raise Problem(403, "role_not_allowed", f"role {actor.role} may not see this page; allowed: hr, auditor")


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
    request: Request, session: SessionDep, cycle: str | None = None, group_by: GroupBy = GroupBy.MANAGER
) -> HTMLResponse:
    """The recalibration fairness report of a cycle: a chart per group with its figures, p-values and caveats."""
    oversight(session.actor)
    goals: Goals = request.app.state.goals
    cycle = cycle or latest_cycle(request)  # the menu's link names no cycle: the latest one opened
    report = recalibration_fairness(goals, cycle, group_by).body if cycle else None
    return render(request, "fairness.html", {"cycle": cycle or "", "group_by": str(group_by), "report": report,
                                             "chart": fairness_chart(report) if report else None})


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
