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


class WorkerReadiness(BaseModel):
    state: Literal["in_process", "running", "down"] = Field(
        description="in_process: this process runs the background work itself; running: the background worker "
                    "(`goalengine worker`) beat its heartbeat within the last 5 s; down: it did not (ADR 0048)")
    pid: int | None = Field(None, description="the process running the background work (its host is in the "
                            "store's worker_heartbeats, not here: /ready answers without a token)")
    seen_seconds_ago: float | None = Field(None, description="since the worker's last heartbeat")


class RefusedEvent(BaseModel):
    goal_id: str | None = Field(description="the aggregate whose read models stop before this version (null: a row "
                                            "the store cannot decode, where every projection halts)")
    version: int | None
    position: int
    kind: str = Field(description="the kind of tampering, as goalengine verify names it")


class ReadyResponse(BaseModel):
    status: Literal["ready"]
    head: int
    projections: list[ProjectionReadiness]
    worker: WorkerReadiness
    tampered: list[RefusedEvent] = Field(
        default_factory=list, description="stored events the projections refused as not what was signed (ADR 0050)")
    people: Literal["open", "directory"] = Field(
        "open", description="open: reporting lines as typed; directory: people and managers from the directory "
                            "(ADR 0035)")


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """Requests, latencies, the log, projection lag, webhooks and open streams, in the Prometheus text format."""
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/ready", responses=problem_responses(503))
def ready(request: Request, goals: GoalsDep) -> ReadyResponse:
    """Ready to serve: the store answers, the background worker runs and every projection is within its lag bound
    (503 otherwise)."""
    try:
        head = goals.head_position()
        people = "directory" if request.app.state.directory.in_directory_mode() else "open"
        statuses = request.app.state.projections.status() if hasattr(request.app.state, "projections") else []
        status = request.app.state.worker.status()
        worker = WorkerReadiness(state=status.state, pid=status.pid, seen_seconds_ago=status.seen_seconds_ago)
        refused = request.app.state.projections.findings() if hasattr(request.app.state, "projections") else []
    except Exception as error:  # the store is away: not ready, and say what kind of failure it was
        raise Problem(503, "store_unavailable", f"the store does not answer ({type(error).__name__})") from None
    rolled_back = rollback_watch(goals).finding()
    if rolled_back is not None:
        raise Problem(503, "log_rolled_back", rolled_back.detail, kind=rolled_back.kind)
    if worker.state == "down":
        raise Problem(503, "worker_down", "the background worker (projector, notifier, webhook delivery) has not "
                      "beaten its heartbeat within 5 s: reads wait for read models that do not move",
                      worker=worker.model_dump())
    bound = request.app.state.guards.ready_max_lag
    behind = [status.name for status in statuses if status.lag > bound]
    if behind:
        raise Problem(503, "projections_behind", f"projections more than {bound} events behind: {', '.join(behind)}",
                      projections=behind)
    return ReadyResponse(status="ready", head=head, people=people, worker=worker,
                         projections=[ProjectionReadiness(name=s.name, lag=s.lag) for s in statuses],
                         tampered=[RefusedEvent(goal_id=f.goal_id, version=f.version, position=f.position, kind=f.kind)
                                   for f in refused])
