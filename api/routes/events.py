"""The event feed for other services: GET /events (pages), /events/stream (Server-Sent Events), /events/schemas."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request
from fastapi.responses import StreamingResponse

from api.deps import GoalsDep, require_roles
from api.schemas.common import MAX_POSITION
from api.problems import Problem, problem_responses
from api.schemas.events import EventPage
from application.cloudevents import EventFeed, UnknownEventTypeError, topics_for
from application.event_schemas import SCHEMAS
from domain.values import Actor, Role

router = APIRouter(prefix="/events", tags=["events"])

Consumer = Annotated[Actor, Depends(require_roles(Role.SERVICE, Role.HR, Role.AUDITOR))]
Types = Annotated[
    list[str], Query(alias="type", description="Only these CloudEvents types (repeat, or separate with commas).")
]
STREAM_PAGE = 100


@dataclass(frozen=True)
class StreamOptions:
    heartbeat: float = 15.0  # seconds of silence before a comment line keeps proxies and clients from timing out
    poll: float = 0.25  # seconds between looks at the log when the stream has caught up


def install(app: FastAPI) -> None:
    heartbeat = float(os.environ.get("GOALENGINE_EVENTS_HEARTBEAT_SECONDS") or StreamOptions.heartbeat)
    app.state.event_stream = StreamOptions(heartbeat=heartbeat)


def requested_types(types: Sequence[str]) -> list[str]:
    names = [name.strip() for value in types for name in value.split(",") if name.strip()]
    try:
        topics_for(names)
    except UnknownEventTypeError as error:
        raise Problem(422, error.code, str(error), types=error.names) from None
    return names


@router.get("", responses=problem_responses(401, 403, 422))
def read_events(
    goals: GoalsDep,
    _actor: Consumer,
    after: Annotated[int, Query(ge=0, le=MAX_POSITION, description="The last position read (0: from the start).")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    types: Types = [],  # noqa: B006 (FastAPI copies defaults per request)
) -> EventPage:
    """Goal events after a position, in log order, as CloudEvents (service, hr, auditor)."""
    page = EventFeed(goals).page(after, limit, requested_types(types))
    return EventPage(items=page.items, next_after=page.next_after)


@router.get("/schemas")
def event_schemas() -> dict[str, Any]:
    """The JSON Schema of each event type's `data`, by CloudEvents type (no token needed)."""
    return SCHEMAS


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, **problem_responses(401, 403, 422)},
)
async def stream_events(
    request: Request,
    goals: GoalsDep,
    _actor: Consumer,
    after: Annotated[int | None, Query(ge=0, le=MAX_POSITION, description="Start after this position (default: the head).")] = None,
    last_event_id: Annotated[str | None, Header(description="Resume after this position (set by EventSource).")] = None,
    types: Types = [],  # noqa: B006 (FastAPI copies defaults per request)
) -> StreamingResponse:
    """Goal events as Server-Sent Events, live: `id` is the position, `event` the type, `data` the CloudEvent."""
    names = requested_types(types)
    start = resume_position(last_event_id, after)
    if start is None:
        start = await anyio.to_thread.run_sync(goals.head_position)
    options: StreamOptions = request.app.state.event_stream
    return StreamingResponse(
        server_sent_events(request, EventFeed(goals), start, names, options),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def resume_position(last_event_id: str | None, after: int | None) -> int | None:
    if last_event_id is None:
        return after
    if not re.fullmatch("[0-9]{1,19}", last_event_id.strip()) or int(last_event_id) > MAX_POSITION:
        raise Problem(422, "invalid_last_event_id", f"Last-Event-ID {last_event_id!r} is not a log position")
    return int(last_event_id)


async def server_sent_events(
    request: Request, feed: EventFeed, position: int, types: list[str], options: StreamOptions
) -> AsyncIterator[str]:
    yield ": connected\n\n"  # sends the headers at once, so the client knows the stream is open
    quiet_since = time.monotonic()
    while not await request.is_disconnected():
        page = await anyio.to_thread.run_sync(feed.page, position, STREAM_PAGE, types)
        for item in page.items:
            yield f"id: {item['position']}\nevent: {item['type']}\ndata: {json.dumps(item)}\n\n"
        position = page.next_after
        if page.items:
            quiet_since = time.monotonic()
            continue
        if time.monotonic() - quiet_since >= options.heartbeat:
            yield ": heartbeat\n\n"
            quiet_since = time.monotonic()
        await anyio.sleep(options.poll)
