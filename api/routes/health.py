"""GET /health: is the engine up, which store, how far the event log goes."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from api.one_hop import OneHopRoute
from api.deps import GoalsDep

router = APIRouter(tags=["health"], route_class=OneHopRoute)


class HealthResponse(BaseModel):
    status: Literal["ok"]
    store: Literal["sqlite", "postgresql"]
    head: int


@router.get("/health")
def health(goals: GoalsDep) -> HealthResponse:
    """Liveness, the store in use and the event log's last position (no token needed)."""
    return HealthResponse(status="ok", store=goals.settings.store, head=goals.head_position())  # type: ignore[arg-type]
