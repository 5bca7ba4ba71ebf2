"""GET /goals: goals filtered by owner, manager, cycle and status, a page at a time (from the goal index)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from api.one_hop import OneHopRoute
from api.deps import ActorDep
from api.problems import Problem, problem_responses
from api.positions import projection_read
from api.schemas.common import described
from api.schemas.goal_views import NAMED
from application.goals.parties import name_lookup, with_display_names
from projections.goal_index import (
    GoalIndexProjection,
    InvalidCursorError,
    ListingNotAllowedError,
    list_goals,
    visible_filters,
)

router = APIRouter(prefix="/goals", tags=["goals"], route_class=OneHopRoute)

Filter = Annotated[str | None, Query(min_length=1, max_length=200)]


class GoalListItem(BaseModel):
    goal_id: str
    owner_id: str
    manager_id: str
    owner_display_name: str = Field(description="The owner's name" + NAMED)
    manager_display_name: str = Field(description="The manager's name" + NAMED)
    org_unit: str | None
    cycle_id: str
    status: str
    title: str
    version: int
    updated_at: str


class GoalListResponse(BaseModel):
    items: list[GoalListItem]
    next_cursor: str | None  # pass it back as `cursor` for the next page; null on the last page


CURSOR = described(r"^[A-Za-z0-9_-]+$", "must be the next_cursor of a page, unchanged", "invalid_cursor")


@router.get("", responses=problem_responses(401, 403, 422, 503))
def list_goal_page(
    request: Request,
    actor: ActorDep,
    _position: Annotated[None, Depends(projection_read(GoalIndexProjection.name))],
    owner: Filter = None,
    manager: Filter = None,
    cycle: Filter = None,
    status: Literal["draft", "agreed", "closed"] | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200, pattern=CURSOR,
                                        description="Opaque: the `next_cursor` of a page.")] = None,
) -> GoalListResponse:
    """Goals the caller may see, in the order they were drafted, filtered and paged by an opaque cursor."""
    try:
        filters = {**visible_filters(actor, owner, manager), "cycle_id": cycle, "status": status}
        page = list_goals(request.app.state.goals.engine, filters, limit, cursor)
    except ListingNotAllowedError as error:
        raise Problem(403, "listing_not_allowed", str(error)) from None
    except InvalidCursorError as error:
        raise Problem(422, "invalid_cursor", str(error), cursor=cursor) from None
    name_of = name_lookup(request.app.state.goals.parties)
    return GoalListResponse(items=[GoalListItem(**with_display_names(row, name_of)) for row in page.items],
                            next_cursor=page.next_cursor)
