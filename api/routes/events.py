"""The event feed for other services: GET /events (pages), /events/stream (Server-Sent Events), /events/schemas.

Both take the same filters as webhook subscriptions: type, subject (goal id), cycle, org_unit. The stream is woken
by new events (application/events/live.py) rather than polling, and each caller may hold only so many streams open.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import anyio
from pydantic import StringConstraints
from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import StreamingResponse

from api.one_hop import OneHopRoute
from api.deps import GoalsDep, require_roles
from api.schemas.common import MAX_POSITION, UUID_TEXT, described
from api.positions import refuse_beyond_head
from api.problems import Problem, problem_responses
from api.schemas.events import EventPage
from application.events.cloudevents import EVENT_TYPES, UnknownEventTypeError, topics_for
from application.events.feed import EventFeed
from application.events.filters import EventFilter, InvalidEventFilterError
from application.events.schemas import SCHEMAS
from application.events.live import EventSignal, LiveEvents
from domain.values import Actor, Role

router = APIRouter(prefix="/events", tags=["events"], route_class=OneHopRoute)

Consumer = Annotated[Actor, Depends(require_roles(Role.SERVICE, Role.HR, Role.AUDITOR))]
# Known CloudEvents types, separated by commas (as for subjects).
TYPE_LIST = described(f"^[ ,]*(({'|'.join(map(re.escape, EVENT_TYPES))})[ ]*(,[ ,]*|$))*$",
                      "must be CloudEvents types this API publishes, separated by commas", "unknown_event_type")
Types = Annotated[
    list[Annotated[str, StringConstraints(pattern=TYPE_LIST)]],
    Query(alias="type", description="Only these CloudEvents types (repeat, or separate with commas)."),
]
# Goal ids, separated by commas (spaces around them and empty items between commas are ignored).
SUBJECT_LIST = described(f"^[ ,]*({UUID_TEXT}[ ]*(,[ ,]*|$))*$", "must be goal ids (UUIDs) separated by commas",
                         "invalid_event_filter")
Subjects = Annotated[
    list[Annotated[str, StringConstraints(pattern=SUBJECT_LIST)]],
    Query(alias="subject", description="Only events of these goals (repeat, or separate with commas)."),
]
Cycle = Annotated[str | None, Query(min_length=1, max_length=200, description="Only goals of this cycle.")]
OrgUnit = Annotated[str | None, Query(min_length=1, max_length=200, description="Only goals of this org unit.")]
STREAM_PAGE = 100


@dataclass(frozen=True)
class StreamOptions:
    heartbeat: float = 15.0  # seconds of silence before a comment line keeps proxies and clients from timing out
    poll: float = 0.25  # without push: seconds between looks at the log when the stream has caught up
    push: bool = True  # wait for new events on the live signal instead of polling


def requested_types(types: Sequence[str]) -> list[str]:
    names = split(types)
    try:
        topics_for(names)
    except UnknownEventTypeError as error:
        raise Problem(422, error.code, str(error), types=error.names) from None
    return names


def requested_filter(subjects: Sequence[str], cycle: str | None, org_unit: str | None) -> EventFilter:
    try:
        return EventFilter.parse(split(subjects), cycle, org_unit)
    except InvalidEventFilterError as error:
        raise Problem(422, error.code, error.message) from None


def split(values: Sequence[str]) -> list[str]:
    """Names from repeated and comma-separated values; only ASCII spaces around them are dropped, as documented."""
    return [name.strip(" ") for value in values for name in value.split(",") if name.strip(" ")]


@router.get("", responses=problem_responses(401, 403, 422))
def read_events(
    goals: GoalsDep,
    _actor: Consumer,
    after: Annotated[int, Query(ge=0, le=MAX_POSITION, description="The last position read (0: from the start).")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    types: Types = [],  # noqa: B006 (FastAPI copies defaults per request)
    subjects: Subjects = [],  # noqa: B006
    cycle: Cycle = None,
    org_unit: OrgUnit = None,
) -> EventPage:
    """Goal events after a position, in log order, as CloudEvents (service, hr, auditor)."""
    wanted = requested_filter(subjects, cycle, org_unit)
    page = EventFeed(goals).page(after, limit, requested_types(types), wanted)
    if not page.items:  # an empty page may be the end of the log, or a position it will never reach
        refuse_beyond_head(after, goals.head_position(), "after")
    return EventPage(items=page.items, next_after=page.next_after)


@router.get("/schemas")
def event_schemas() -> dict[str, Any]:
    """The JSON Schema of each event type's `data`, by CloudEvents type (no token needed)."""
    return SCHEMAS


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, **problem_responses(401, 403, 422, 429)},
)
async def stream_events(
    request: Request,
    goals: GoalsDep,
    actor: Consumer,
    after: Annotated[
        int | None, Query(ge=0, le=MAX_POSITION, description="Start after this position (default: the head).")
    ] = None,
    last_event_id: Annotated[str | None, Header(description="Resume after this position (set by EventSource).")] = None,
    types: Types = [],  # noqa: B006 (FastAPI copies defaults per request)
    subjects: Subjects = [],  # noqa: B006
    cycle: Cycle = None,
    org_unit: OrgUnit = None,
) -> StreamingResponse:
    """Goal events as Server-Sent Events, live: `id` is the position, `event` the type, `data` the CloudEvent."""
    names = requested_types(types)
    wanted = requested_filter(subjects, cycle, org_unit)
    start = resume_position(last_event_id, after)
    head = await anyio.to_thread.run_sync(goals.head_position)
    if start is None:
        start = head
    refuse_beyond_head(start, head, "Last-Event-ID" if last_event_id is not None else "after")
    # The cap on open streams per caller is the guards' (api/guards/rate.py): one rule, checked before any work.
    options: StreamOptions = request.app.state.event_stream
    live: LiveEvents = request.app.state.live_events
    source = StreamSource(EventFeed(goals), names, wanted, live.start().signal, options)
    return StreamingResponse(
        server_sent_events(request, source, start),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def resume_position(last_event_id: str | None, after: int | None) -> int | None:
    if last_event_id is None:
        return after
    if not re.fullmatch("[0-9]{1,19}", last_event_id.strip()) or int(last_event_id) > MAX_POSITION:
        raise Problem(422, "invalid_last_event_id", f"Last-Event-ID {last_event_id!r} is not a log position")
    return int(last_event_id)


@dataclass(frozen=True)
class StreamSource:
    feed: EventFeed
    types: list[str]
    filter: EventFilter
    signal: EventSignal
    options: StreamOptions

    async def rest(self, seen: int, timeout: float, gone: asyncio.Future[None]) -> None:
        """Until new events may be there (the live signal, or with push off one poll interval), or the client left."""
        if self.options.push:
            await self.signal.wait_async(seen, timeout, until=gone)
        else:
            await asyncio.wait({gone}, timeout=min(timeout, self.options.poll))


async def client_gone(request: Request) -> None:
    """Returns when the client disconnects (a GET has no body left to read, so only the disconnect arrives)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def server_sent_events(request: Request, source: StreamSource, position: int) -> AsyncIterator[str]:
    gone = asyncio.ensure_future(client_gone(request))
    try:
        yield ": connected\n\n"  # sends the headers at once, so the client knows the stream is open
        quiet_since = time.monotonic()
        while not gone.done():
            seen = source.signal.generation  # before the read: an event committed after it wakes the rest below
            page = await anyio.to_thread.run_sync(source.feed.page, position, STREAM_PAGE, source.types, source.filter)
            for item in page.items:
                yield f"id: {item['position']}\nevent: {item['type']}\ndata: {json.dumps(item)}\n\n"
            position = page.next_after
            if page.items:
                quiet_since = time.monotonic()
                continue
            if time.monotonic() - quiet_since >= source.options.heartbeat:
                yield ": heartbeat\n\n"
                quiet_since = time.monotonic()
            await source.rest(seen, max(0.01, source.options.heartbeat - (time.monotonic() - quiet_since)), gone)
    finally:
        gone.cancel()
