"""GET /metrics (Prometheus text format) and GET /ready (readiness), for operators; no token needed (ADR 0021)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field

from api.one_hop import OneHopRoute
from api.deps import GoalsDep
from api.problems import Problem, problem_responses
from application.audit.rollback import rollback_watch

router = APIRouter(tags=["operations"], route_class=OneHopRoute)


class ProjectionReadiness(BaseModel):
    name: str
    lag: int


class ReadyResponse(BaseModel):
    status: Literal["ready"]
    head: int
    projections: list[ProjectionReadiness]
    people: Literal["open", "directory"] = Field(
        "open", description="open: reporting lines as typed; directory: people and managers from the directory "
                            "(ADR 0035)")


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """Requests, latencies, the log, projection lag, webhooks and open streams, in the Prometheus text format."""
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/ready", responses=problem_responses(503))
def ready(request: Request, goals: GoalsDep) -> ReadyResponse:
    """Ready to serve: the store answers and every projection is within its lag bound (503 otherwise)."""
    try:
        head = goals.head_position()
        people = "directory" if request.app.state.directory.in_directory_mode() else "open"
        statuses = request.app.state.projections.status() if hasattr(request.app.state, "projections") else []
    except Exception as error:  # the store is away: not ready, and say what kind of failure it was
        raise Problem(503, "store_unavailable", f"the store does not answer ({type(error).__name__})") from None
    rolled_back = rollback_watch(goals).finding()
    if rolled_back is not None:
        raise Problem(503, "log_rolled_back", rolled_back.detail, kind=rolled_back.kind)
    bound = request.app.state.guards.ready_max_lag
    behind = [status.name for status in statuses if status.lag > bound]
    if behind:
        raise Problem(503, "projections_behind", f"projections more than {bound} events behind: {', '.join(behind)}",
                      projections=behind)
    return ReadyResponse(status="ready", head=head, people=people,
                         projections=[ProjectionReadiness(name=s.name, lag=s.lag) for s in statuses])
