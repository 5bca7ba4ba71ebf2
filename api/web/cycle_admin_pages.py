"""HR's page of one review cycle (/workspace/cycles/{cycle_id}): completion per team or org unit (goals agreed,
readings up to date, self-assessments, decisions, acknowledgements, disputes), the band distribution (decided, and as
the scores give it now), and the calibration table (each employee's computed band beside the band decided)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.problems import Problem
from api.web.cycle_pages import STATE_WORDS
from api.web.goal_pages import name_finder
from api.web.pages import PageRoute, SessionDep, render
from api.web.workspace import fresh
from application.cycles.service import Cycles
from application.goals.service import Goals
from application.reviews.records import ReviewRecords
from domain import rules
from domain.cycle import Cycle
from domain.errors import UnknownCycleError
from projections.cycle_overview import EmployeeRow, completion, employee_rows
from projections.review.scoring import policy
from projections.review_projection import ReviewProjection

router = APIRouter(prefix="/workspace/cycles", route_class=PageRoute, include_in_schema=False)
GROUPINGS = {"team": "Team (manager)", "org_unit": "Org unit"}


def grouping(request: Request, group_by: str) -> Callable[[EmployeeRow], str]:
    """A row's team (its manager's name) or org unit (the directory's, else that of the employee's first goal)."""
    goals: Goals = request.app.state.goals
    name_of = name_finder(goals)
    if group_by == "team":
        return lambda row: name_of(row.manager_id)
    directory = request.app.state.directory

    def org_unit(row: EmployeeRow) -> str:
        person = directory.person(row.employee_id) if directory.in_directory_mode() else None
        return (person.details.org_unit if person and person.details.org_unit else row.org_unit) or "(no org unit)"

    return org_unit


def the_cycle(request: Request, cycle_id: str) -> Cycle:
    cycles: Cycles = request.app.state.cycles
    try:
        return cycles.get_cycle(cycle_id)
    except UnknownCycleError:
        raise Problem(404, "cycle_not_found", "There is no review cycle with this name.") from None


@router.get("/{cycle_id}", response_class=HTMLResponse)
def cycle_page(request: Request, cycle_id: str, session: SessionDep, group_by: str = "team") -> HTMLResponse:
    """One cycle's completion, band distribution and calibration, for HR and auditors."""
    if not rules.oversees_cycles(session.actor):
        raise Problem(403, "role_not_allowed", "Only HR and auditors see a cycle's progress and bands.")
    if group_by not in GROUPINGS:
        raise Problem(422, "invalid_request", "group by: choose a team or an org unit",
                      errors=[{"field": "group_by", "message": "choose a team or an org unit"}])
    cycle = the_cycle(request, cycle_id)
    goals: Goals = request.app.state.goals
    fresh(request, ReviewProjection.name)
    scoring = policy()
    rows = employee_rows(goals.engine, ReviewRecords(goals), cycle_id, goals.today(), scoring)
    group = grouping(request, group_by)
    context: dict[str, Any] = {
        "cycle": cycle, "state": STATE_WORDS[cycle.status], "group_by": group_by, "groupings": GROUPINGS,
        "total": completion(rows)[""] if rows else None, "groups": completion(rows, group),
        "bands": [band.name for band in scoring.bands], "name_of": name_finder(goals),
        "rows": sorted(rows, key=lambda r: (group(r), -(r.score or 0), r.employee_id)), "group_of": group,
    }
    return render(request, "cycle_admin.html", context)
