"""HR's and the auditor's pages: the recalibration queue, the fairness report as charts, the trail's verification."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import OVERSEERS
from api.problems import Problem
from api.schemas.goal_views import RecalibrationView
from api.web.fairness_packet import packet_body
from api.web.goal_pages import name_finder
from api.web.pages import PageRoute, SessionDep, refuse_on_page, render
from api.web.workspace import fresh
from application.fairness.report import GROUPINGS, CycleNotFoundError, FairnessRequestError, fairness_report
from application.audit.verification import verify_trail
from application.goals.service import Goals
from application.goals.recalibration_queue import pending_recalibrations
from domain import rules
from domain.goal import Goal
from domain.values import Actor
from projections.review.scoring import policy
from projections.review.what_if import Effect, recalibration_effect
from projections.review_projection import ReviewProjection, load_states

router = APIRouter(prefix="/workspace", route_class=PageRoute, include_in_schema=False)


def oversight(actor: Actor) -> None:
    refuse_on_page(actor, OVERSEERS)


@router.get("/hr/recalibrations", response_class=HTMLResponse)
def queue_page(request: Request, session: SessionDep) -> HTMLResponse:
    """Every proposal waiting for a decision: before and after side by side, the latest readings, and what approving
    it would do to the goal's attainment and to its owner's score and band."""
    oversight(session.actor)
    goals: Goals = request.app.state.goals
    fresh(request, ReviewProjection.name)
    items: list[dict[str, Any]] = []
    for waiting in pending_recalibrations(goals):
        goal = goals.get_goal(waiting.goal_id)
        view = RecalibrationView.model_validate(goal.recalibration(waiting.recalibration_id))
        items.append({"goal": goal, "recalibration": view, "kpi_names": {k.id: k.name for k in goal.kpis},
                      "effect": effect_of(request, goal, waiting.recalibration_id)})
    return render(request, "hr_queue.html", {"items": items, "name_of": name_finder(goals)})


def effect_of(request: Request, goal: Goal, recalibration_id: str) -> Effect | None:
    """What approving the proposal would do, from the review read model (None if it has not seen the goal yet)."""
    goals: Goals = request.app.state.goals
    states = load_states(goals.engine, goal.owner_id, goal.cycle.id)
    mine = next((s for s in states if s["goal_id"] == str(goal.id)), None)
    if mine is None or not any(r["id"] == recalibration_id for r in mine["recalibrations"]):
        return None
    return recalibration_effect(states, str(goal.id), recalibration_id, goals.today(), policy())


@router.get("/hr/fairness", response_class=HTMLResponse)
def fairness_page(
    request: Request, session: SessionDep, cycle: str | None = None, group_by: str = "manager"
) -> HTMLResponse:
    """The fairness report of a cycle (ADR 0041): its sentence, a funnel plot, rows by status with their caveats."""
    oversight(session.actor)
    goals: Goals = request.app.state.goals
    cycle = cycle or latest_cycle(request)  # the menu's link names no cycle: the latest one opened
    auditor = rules.sees_evidence_ids(session.actor)
    try:
        report = fairness_report(goals, cycle, group_by).body if cycle else None
    except (CycleNotFoundError, FairnessRequestError) as error:
        raise Problem(404 if isinstance(error, CycleNotFoundError) else 422, error.code, error.message) from None
    shown = people_named(report, name_finder(goals)) if report and group_by in PEOPLE_GROUPINGS else report
    return render(request, "fairness.html", {"cycle": cycle or "", "group_by": group_by, "groupings": GROUPINGS,
                                             "report": report,
                                             "packet": packet_body(shown, provenance=auditor) if shown else None})


PEOPLE_GROUPINGS = ("manager", "decider")  # groups that are people: the page names them (the report keeps ids)


def people_named(report: dict[str, Any], name_of: Callable[[str], str]) -> dict[str, Any]:
    measures = {key: {**measure, "groups": [{**row, "group": name_of(str(row["group"]))} for row in measure["groups"]]}
                for key, measure in report["measures"].items()}
    return {**report, "measures": measures}


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
