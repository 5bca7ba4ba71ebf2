"""GET /goals/{id}/measurements: the whole reading series of a goal, a page at a time (ADR 0044).

A goal's own answer shows only its latest readings; a KPI fed by another system gathers thousands a year, so the
series is paged here, in the order recorded, with an opaque cursor. Corrections are marked as in the goal's answer
(`corrects_version`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.access import visible_goal
from api.deps import GoalsDep, Reader
from api.one_hop import OneHopRoute
from api.problems import Problem, problem_responses
from api.schemas.common import described
from api.schemas.goal_views import MeasurementView
from application.goals.parties import name_lookup
from application.goals.readings import InvalidReadingCursorError
from domain.values import Kpi, Measurement

router = APIRouter(prefix="/goals", tags=["goals"], route_class=OneHopRoute)
CURSOR = described(r"^[A-Za-z0-9_-]+$", "must be the next_cursor of a page, unchanged", "invalid_cursor")


class MeasurementPage(BaseModel):
    goal_id: str
    items: list[MeasurementView] = Field(description="Readings in the order recorded, corrections too.")
    next_cursor: str | None = Field(description="Pass it back as `cursor` for the next page; null on the last page.")


@router.get("/{goal_id}/measurements", responses=problem_responses(401, 403, 404, 422))
def read_measurements(
    goal_id: UUID, goals: GoalsDep, actor: Reader,
    kpi: Annotated[str | None, Query(min_length=1, max_length=100, description="Only this KPI's readings.")] = None,
    from_: Annotated[date | None, Query(alias="from", description="Only readings observed on or after this day.")]
    = None,
    to: Annotated[date | None, Query(description="Only readings observed on or before this day.")] = None,
    cursor: Annotated[str | None, Query(max_length=200, pattern=CURSOR,
                                        description="Opaque: the `next_cursor` of a page.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> MeasurementPage:
    """The goal's readings in the order recorded, filtered by KPI and observed day, paged by an opaque cursor."""
    goal = visible_goal(goals, goal_id, actor)
    require_sensible_filter(goal.kpis, kpi, from_, to)

    def wanted(reading: Measurement) -> bool:
        return ((kpi is None or reading.kpi == kpi) and (from_ is None or reading.observed_at >= from_)
                and (to is None or reading.observed_at <= to))

    try:
        page = goals.reading_page(goal, wanted, cursor, limit)
    except InvalidReadingCursorError as error:
        raise Problem(422, error.code, str(error), cursor=cursor) from None
    name_of = name_lookup(goals.parties)
    items = [MeasurementView.model_validate(m) for m in page.readings]
    return MeasurementPage(goal_id=str(goal.id), next_cursor=page.next_cursor, items=[
        m.model_copy(update={"recorded_by_display_name": name_of(m.recorded_by)}) for m in items])


def require_sensible_filter(kpis: Sequence[Kpi], kpi: str | None, from_: date | None, to: date | None) -> None:
    """A KPI the goal does not have, or a window that ends before it starts, is a mistake: say so, not an empty page."""
    if kpi is not None and kpi not in {k.id for k in kpis}:
        raise Problem(422, "unknown_kpi", f"query.kpi: the goal has no KPI {kpi!r}",
                      errors=[{"field": "query.kpi", "message": f"the goal has no KPI {kpi!r}"}])
    if from_ is not None and to is not None and from_ > to:
        raise Problem(422, "invalid_request", f"query.to: {to} is before query.from {from_}",
                      errors=[{"field": "query.to", "message": f"is before `from` ({from_})"}])
