"""Drafting a goal in the browser: the SMART findings beside the fields on "Check", the draft stored on "Draft".

The owner is chosen from the people the signed-in person may draft for when the directory holds people; in open mode
(no directory yet, ADR 0035) people are typed as their ids, and the form says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from api.access import require_may_draft
from api.problems import Problem
from api.schemas.goals import DraftGoalRequest
from api.web.draft_form import field_errors, findings_of, rearranged, rows_of, terms_body
from api.web.pages import FormDep, FormProblem, PageRoute, SessionDep, problem_of, refuse_on_page, render, see_other
from application.cycles.service import Cycles
from application.directory.service import Directory
from application.errors import ApplicationError
from application.goals.service import Goals
from domain.errors import GoalError
from domain import rules
from domain.values import Actor, Cadence, Direction
from projections.rollup import AlignmentViews

router = APIRouter(prefix="/workspace/goals", route_class=PageRoute, include_in_schema=False)


@dataclass(frozen=True)
class Person:
    """Someone the form offers as the goal's owner: their id (the option's value) and how people know them."""

    id: str
    label: str


def owner_choices(request: Request, actor: Actor) -> list[Person] | None:
    """The active people of the directory the actor may draft for (domain.rules.may_draft), by name; None in open
    mode. Someone without a manager in the directory is left out: their draft would name no manager."""
    directory: Directory = request.app.state.directory
    if not directory.in_directory_mode():
        return None
    people = [p for p in directory.people() if p.active and not p.removed and p.manager_id is not None
              and rules.may_draft(actor, p.id, p.manager_id)]
    return sorted((Person(p.id, f"{p.display_name or p.id}" + (f", {p.details.title}" if p.details.title else ""))
                   for p in people), key=lambda person: person.label.casefold())


def objective_choices(request: Request, actor: Actor, cycle_id: str) -> list[Person]:
    """The objectives of the cycle a goal may align to (their id and title)."""
    views: AlignmentViews = request.app.state.alignment
    return [Person(o["id"], o["title"]) for o in views.cycle(actor, cycle_id)["objectives"]] if cycle_id else []


def draft_form(request: Request, fields: dict[str, str], problem: FormProblem | None = None,
               status: int = 200, *, editing: Any = None, checked: bool = True) -> HTMLResponse:
    """The drafting form (or the editing form of a stored draft), with the SMART findings of what it holds (none
    on an empty form, which has nothing to check yet)."""
    goals: Goals = request.app.state.goals
    actor = request.state.web_session.actor
    findings = findings_of(fields, goals.today(), goals.smart_policy) if checked else None
    context = {"values": fields, "problem": problem, "report": findings and findings.report,
               "directions": list(Direction), "cadences": list(Cadence), "errors": field_errors(problem),
               "findings": findings.by_field if findings else {},
               "rows": rows_of(fields), "owners": owner_choices(request, actor), "editing": editing,
               "objectives": objective_choices(request, actor, fields.get("cycle_id", ""))}
    return render(request, "goal_new.html", context, status)


def draft_request(fields: dict[str, str]) -> DraftGoalRequest:
    """The API's draft request from the form: in open mode the manager is typed, else the directory names them."""
    return DraftGoalRequest.model_validate({
        "cycle": {"id": fields.get("cycle_id", ""), "start": fields.get("cycle_start", ""),
                  "end": fields.get("cycle_end", "")},
        "owner_id": fields.get("owner_id", ""), "manager_id": fields.get("manager_id") or None, **terms_body(fields)})


def chosen_owner(request: Request, actor: Actor, fields: dict[str, str]) -> None:
    """In directory mode the owner must be one of the people offered: never a typed name."""
    owners = owner_choices(request, actor)
    if owners is not None and fields.get("owner_id") not in {person.id for person in owners}:
        message = "choose the employee from the list of people you may draft for"
        raise Problem(422, "invalid_request", f"owner: {message}", errors=[{"field": "owner_id", "message": message}])


def manager_only(actor: Actor) -> None:
    refuse_on_page(actor, rules.DRAFTS_FOR_OTHERS, "Drafting a goal")


@router.get("/new", response_class=HTMLResponse)
def new_goal(request: Request, session: SessionDep) -> HTMLResponse:
    """The drafting form, with the open cycle running today filled in (else today's half-year)."""
    manager_only(session.actor)
    today: date = request.app.state.goals.today()
    cycle_id, start, end = running_cycle(request.app.state.cycles, today)
    defaults = {"cycle_id": cycle_id, "cycle_start": start.isoformat(), "cycle_end": end.isoformat(),
                "deadline": end.isoformat(), "weight": "100", "kpi_rows": "1"}
    if owner_choices(request, session.actor) is None and rules.holds_goals(session.actor):
        defaults["manager_id"] = session.actor.id  # open mode: a manager drafts for their report
    return draft_form(request, defaults, checked=False)


def running_cycle(cycles: Cycles, today: date) -> tuple[str, date, date]:
    """The latest unlocked cycle whose period holds today; today's half-year when HR opened none."""
    for cycle in reversed(cycles.list_cycles()):
        if not cycle.locked and cycle.start <= today <= cycle.end:
            return cycle.cycle_id, cycle.start, cycle.end
    first = today.month <= 6
    start, end = (date(today.year, 1, 1), date(today.year, 6, 30)) if first else (date(today.year, 7, 1),
                                                                                   date(today.year, 12, 31))
    return f"{today.year}-H{1 if first else 2}", start, end


@router.post("/new")
def submit_goal(request: Request, session: SessionDep, fields: FormDep) -> Response:
    """Check the draft against SMART, add or remove a KPI row (nothing stored), or store it and open its page."""
    manager_only(session.actor)
    goals: Goals = request.app.state.goals
    rows_changed = rearranged(fields)
    if rows_changed is not None:
        return draft_form(request, rows_changed)
    try:
        body = draft_request(fields)
        if fields.get("action") != "draft":
            return draft_form(request, fields)
        chosen_owner(request, session.actor, fields)
        owner = body.owner_id or ""
        if body.manager_id is not None:  # open mode; in directory mode the directory names the manager
            require_may_draft(session.actor, owner, body.manager_id)
        result = goals.draft_goal(session.actor, cycle=body.cycle_ref(), owner_id=owner,
                                  manager_id=body.manager_id, terms=body.terms())
    except (Problem, GoalError, ApplicationError, ValidationError) as error:
        problem = problem_of(error)
        # The script's preview while typing is a question, not a command: it is answered, problems and all, with 200.
        preview = request.headers.get("X-Workspace-Preview") == "1" and fields.get("action") != "draft"
        return draft_form(request, fields, problem, status=200 if preview else problem.status)
    return see_other(f"/workspace/goals/{result.goal_id}")
