"""GET /: the workspace of whoever is signed in: their goals and pace, their team's, HR's queue, the auditor's list."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.problems import Problem
from api.web.pages import PageRoute, SessionDep, render
from api.web.team_view import by_person
from api.positions import ReadPositions
from application.goals.service import Goals
from application.goals.recalibration_queue import pending_recalibrations
from domain.goal import Goal
from domain.values import Actor, Cadence, Role, Status
from projections.goal_index import GoalIndexProjection, ListingNotAllowedError, list_goals, visible_filters
from projections.review_projection import ReviewProjection
from projections.reviews import Reviews

router = APIRouter(route_class=PageRoute, include_in_schema=False)
CADENCE_DAYS = {Cadence.WEEKLY: 7, Cadence.MONTHLY: 31, Cadence.QUARTERLY: 92}


def goal_rows(
    request: Request, actor: Actor, owner: str | None = None, manager: str | None = None
) -> list[dict[str, Any]]:
    """Every goal-index row the actor may list (the same filters as GET /goals), in drafting order."""
    try:
        filters = {**visible_filters(actor, owner, manager)}
    except ListingNotAllowedError as error:
        raise Problem(403, "listing_not_allowed", str(error)) from None
    # Read your writes, as the API does: wait for the background projector to pass the head seen on arrival.
    fresh(request, GoalIndexProjection.name)
    engine = request.app.state.goals.engine
    rows, cursor = [], None
    while True:
        page = list_goals(engine, filters, 200, cursor)
        rows += page.items
        if page.next_cursor is None:
            return rows
        cursor = page.next_cursor


def fresh(request: Request, projection: str) -> None:
    """Read your writes, as the API does: wait (bounded) for the projector to pass the head seen on arrival."""
    positions: ReadPositions = request.app.state.read_positions
    positions.reached(projection, None, eventual=False)


def current_cycle(rows: list[dict[str, Any]], wanted: str | None) -> tuple[str | None, list[str]]:
    """The cycle asked for, else the cycle of the latest drafted goal; and every cycle, latest first."""
    cycles = list(dict.fromkeys(r["cycle_id"] for r in reversed(rows)))
    return (wanted if wanted in cycles else (cycles[0] if cycles else None)), cycles


def waiting_for(goal: Goal, actor: Actor, today: date) -> list[str]:
    """What this goal waits for from the actor: a signature on a draft, a reading due by its cadence."""
    party = goal.party_of(actor)
    if goal.status == Status.DRAFT and party is not None and party not in goal.signatures:
        return [f"a draft to sign (version {goal.version})"]
    if goal.status != Status.AGREED or party is None:
        return []
    due = []
    for kpi in goal.kpis:
        last = goal.readings.last_day(kpi.id)
        if last is None or (today - last).days >= CADENCE_DAYS[kpi.cadence]:
            due.append(f"a {kpi.cadence} reading of {kpi.name} is due" + (f" (last: {last})" if last else ""))
    return due


def review_goals(reviews: Reviews, actor: Actor, employee_id: str, cycle: str) -> list[dict[str, Any]]:
    review = reviews.review(actor, employee_id, cycle)
    return [{**g, "owner_id": employee_id, "owner_display_name": review["employee_display_name"]}
            for g in review["goals"]]


def waiting_list(goals: Goals, actor: Actor, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    items = []
    for row in rows:
        goal = goals.get_goal(UUID(row["goal_id"]))
        items += [{"goal_id": row["goal_id"], "title": row["title"], "what": what}
                  for what in waiting_for(goal, actor, goals.today())]
    return items


# The one table that picks a page per role (home_<role>.html) and the sections it shows; a role not in it (a service
# identity) has no workspace. tests/test_architecture.py names this table.
HOME_SECTIONS: dict[Role, frozenset[str]] = {
    Role.EMPLOYEE: frozenset({"mine"}),
    Role.MANAGER: frozenset({"mine", "team"}),
    Role.HR: frozenset({"oversight"}),
    Role.AUDITOR: frozenset({"oversight"}),
}


@router.get("/", response_class=HTMLResponse)
def workspace(request: Request, session: SessionDep, cycle: str | None = None) -> HTMLResponse:
    """The signed-in person's workspace."""
    actor = session.actor
    sections = HOME_SECTIONS.get(actor.role)
    if sections is None:
        raise Problem(403, "role_not_allowed", "a service identity has no workspace; it reads the event feed")
    goals: Goals = request.app.state.goals
    reviews: Reviews = request.app.state.reviews
    rows = goal_rows(request, actor)
    fresh(request, ReviewProjection.name)
    chosen, cycles = current_cycle(rows, cycle)
    in_cycle = [r for r in rows if r["cycle_id"] == chosen]
    context: dict[str, Any] = {"cycle": chosen, "cycles": cycles, "rows": in_cycle, "today": goals.today()}
    if "mine" in sections:
        mine = [r for r in in_cycle if r["owner_id"] == actor.id]
        context["mine"] = review_goals(reviews, actor, actor.id, chosen) if mine and chosen else []
        context["waiting"] = waiting_list(goals, actor, in_cycle)
    if "team" in sections and chosen:
        owners = sorted({r["owner_id"] for r in in_cycle if r["manager_id"] == actor.id and r["owner_id"] != actor.id})
        team = [g for owner in owners for g in review_goals(reviews, actor, owner, chosen)]
        context["team"] = by_person(team, request.app.state.directory.person)
    if "oversight" in sections:
        context["queue"] = len(pending_recalibrations(goals))
        context["employees"] = sorted({r["owner_id"] for r in in_cycle})
    return render(request, f"home_{actor.role}.html", context)
