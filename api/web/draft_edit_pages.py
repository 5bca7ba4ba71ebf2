"""Editing a stored draft in the browser: the drafting form filled in with its terms, the SMART findings beside the
fields, and "Save the changes" revising the draft (PATCH /goals/{id} in the API; the signatures given are voided)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from api.access import require_visible, visible_goal
from api.problems import Problem
from api.schemas.goals import ReviseGoalRequest
from api.web.draft_form import rearranged, terms_body, terms_fields
from api.web.draft_pages import draft_form
from api.web.pages import FormDep, FormProblem, PageRoute, SessionDep, problem_of, see_other
from application.errors import ApplicationError, VersionMismatchError
from application.cycles.service import Cycles
from application.goals.service import Goals
from domain.errors import GoalError, UnknownCycleError
from domain.goal import Goal
from domain import rules
from domain.values import Actor, Status

router = APIRouter(prefix="/workspace/goals", route_class=PageRoute, include_in_schema=False)


def editable(request: Request, actor: Actor, goal_id: UUID) -> Goal:
    """The draft, if the actor sees it and may change it (a party to it, or HR); else a plain refusal."""
    goal = visible_goal(request.app.state.goals, goal_id, actor)
    if goal.status != Status.DRAFT:
        raise Problem(409, "goal_not_draft", "Only a draft can be edited; this goal is already "
                      f"{'agreed' if goal.status == Status.AGREED else 'closed'}.")
    if not rules.may_write(actor, goal.owner_id, goal.manager_id):
        raise Problem(403, "permission_denied", "Only the goal's owner, their manager or HR edits a draft.")
    return goal


def stored_cycle(goal: Goal) -> dict[str, str]:
    """The draft's cycle, as the form's (hidden) fields: the SMART check reads it; a revision cannot change it."""
    return {"cycle_id": goal.cycle.id, "cycle_start": goal.cycle.start.isoformat(),
            "cycle_end": goal.cycle.end.isoformat()}


def editing(request: Request, goal: Goal) -> dict[str, Any]:
    goals: Goals = request.app.state.goals
    cycles: Cycles = request.app.state.cycles
    try:
        cycle = cycles.get_cycle(goal.cycle.id).name
    except UnknownCycleError:  # a cycle the store does not hold as its own: its id is all there is to show
        cycle = goal.cycle.id
    return {"id": str(goal.id), "title": goal.title, "cycle": cycle,
            "owner": goals.parties.display_name_of(goal.owner_id) or goal.owner_id}


@router.get("/{goal_id}/edit", response_class=HTMLResponse)
def edit_draft(request: Request, goal_id: UUID, session: SessionDep) -> HTMLResponse:
    """The editing form of a draft, with its SMART findings beside the fields."""
    goal = editable(request, session.actor, goal_id)
    fields = {**terms_fields(goal.terms), **stored_cycle(goal), "version": str(goal.version)}
    return draft_form(request, fields, editing=editing(request, goal))


@router.post("/{goal_id}/edit")
def save_draft(request: Request, goal_id: UUID, session: SessionDep, fields: FormDep) -> Response:
    """Check the edited terms, add or remove a KPI row (nothing stored), or save them as a revision of the draft."""
    goal = editable(request, session.actor, goal_id)
    fields = {**fields, **stored_cycle(goal)}
    shown = editing(request, goal)
    rows_changed = rearranged(fields)
    if rows_changed is not None:
        return draft_form(request, rows_changed, editing=shown)
    goals: Goals = request.app.state.goals
    try:
        changes = ReviseGoalRequest.model_validate(terms_body(fields)).changes()
        if fields.get("action") != "save":
            return draft_form(request, fields, editing=shown)
        goals.revise_goal(goal_id, session.actor, changes, expected_version=read_version(fields),
                          check=require_visible(session.actor))
    except VersionMismatchError:
        problem = FormProblem(412, VersionMismatchError.code, "Someone changed this draft after you opened it: open "
                              "it again to see their change, then make yours.")
        return draft_form(request, fields, problem, status=problem.status, editing=shown)
    except (Problem, GoalError, ApplicationError, ValidationError) as error:
        problem = problem_of(error)
        preview = request.headers.get("X-Workspace-Preview") == "1" and fields.get("action") != "save"
        return draft_form(request, fields, problem, status=200 if preview else problem.status, editing=shown)
    return see_other(f"/workspace/goals/{goal_id}#signatures")


def read_version(fields: dict[str, str]) -> int:
    """The draft's version the form was filled in from: saving over someone else's change is refused."""
    version = fields.get("version", "")
    if not version.isdigit() or len(version) > 9:
        message = "is not the version of the draft you opened; open the draft again"
        raise Problem(422, "invalid_request", f"version: {message}", errors=[{"field": "version", "message": message}])
    return int(version)
