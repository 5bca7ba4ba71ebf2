"""Position tokens (ADR 0016): what log position an answer reflects, and reads that wait for one.

Commands answer with the position of their last event (`Goalengine-Position`, and `position` in the body). Reads
answer with the position their read model reflects. A read waits, bounded by GOALENGINE_READ_WAIT_S, for
`min_position` (query) or `Goalengine-Min-Position` (header); without either it waits for the head of the log it
saw on arrival (read-your-writes); `consistency=eventual` answers at once. Waiting is on the positions the store
holds for the read models, which the projector moves in another process (`goalengine worker`, ADR 0048), never by
projecting here: past the bound, 503 `projection_behind` with Retry-After. A position beyond the head of the log is
one no read model will reach by waiting: 422 `position_beyond_head` at once, with the head in the body.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Literal

from fastapi import Depends, Header, Query, Request, Response

from api.one_hop import after_endpoint, before_endpoint
from api.problems import Problem
from application.goals.service import Goals
from application.store.idempotency import CommandResult
from projections.positions import StoredPositions

POSITION_HEADER = "Goalengine-Position"
MIN_POSITION_HEADER = "Goalengine-Min-Position"
MinPositionQuery = Annotated[
    int | None, Query(ge=0, le=2**62, description="Answer only once the read model reflects this log position "
                      "(a `Goalengine-Position` you were given); 503 projection_behind if it takes too long, 422 "
                      "position_beyond_head at once if the log has not reached it.")
]
MinPositionHeader = Annotated[
    int | None, Header(alias=MIN_POSITION_HEADER, ge=0, le=2**62, description="As the `min_position` query.")
]
ConsistencyQuery = Annotated[
    Literal["read_your_writes", "eventual"],
    Query(description="read_your_writes (default): see every write committed before this request arrived; "
          "eventual: answer at once from the read model as it stands."),
]


class ReadPositions:
    """Waits for the projector's progress on behalf of request threads; `written` wakes the projector, wherever it
    runs, after this process committed events."""

    def __init__(self, goals: Goals, progress: StoredPositions, written: Callable[[], None],
                 wait_seconds: float) -> None:
        self.goals, self.progress, self.written, self.wait_seconds = goals, progress, written, wait_seconds

    def reached(self, projection: str, min_position: int | None, eventual: bool) -> int:
        """The position the read model reflects once it is at least the one asked for (or the head on arrival)."""
        progress = self.progress
        if min_position is None and eventual:
            return progress.position(projection)
        target = self.goals.head_position() if min_position is None else min_position
        position = progress.position(projection)
        if position >= target:
            return position
        if min_position is not None:
            refuse_beyond_head(min_position, self.goals.head_position(), "min_position")
        self.written()  # whatever the reader waits for was committed: the leader may not know yet
        position = progress.wait_for(projection, target, self.wait_seconds)
        if position < target:
            raise Problem(
                503, "projection_behind",
                f"the {projection} read model reached position {position}, not yet {target}, within "
                f"{self.wait_seconds:g} s; retry shortly (or pass consistency=eventual)",
                projection=projection, position=position, min_position=target,
            )
        return position


def read_positions(request: Request) -> ReadPositions:
    positions: ReadPositions = request.app.state.read_positions
    return positions


def projection_read(projection: str) -> Callable[..., Coroutine[Any, Any, None]]:
    """A dependency for a route that reads `projection`: waits as asked, then stamps the position it reflects. The
    wait blocks, so it runs in the endpoint's thread, before the endpoint (api/one_hop.py)."""

    async def wait(
        request: Request, response: Response, min_position: MinPositionQuery = None,
        min_position_header: MinPositionHeader = None, consistency: ConsistencyQuery = "read_your_writes",
    ) -> None:
        asked = [p for p in (min_position, min_position_header) if p is not None]

        def reach() -> None:
            eventual = consistency == "eventual"
            position = read_positions(request).reached(projection, max(asked) if asked else None, eventual)
            response.headers[POSITION_HEADER] = str(position)

        await before_endpoint(reach)

    return wait


async def event_store_read(request: Request, response: Response) -> None:
    """For the goal routes, which read the event store itself: always current (each process's goal cache is
    fast-forwarded from the store on every read), so nothing is waited for; a position beyond the head is refused.
    Reads the token by hand, so that the goal commands' OpenAPI entries do not list it. After a command, wakes
    the projector, so that it starts on the new events before a read has to ask. What blocks runs in the
    endpoint's thread (api/one_hop.py)."""
    if request.method != "GET":
        await after_endpoint(lambda: read_positions(request).written())
        return
    asked = [_whole(request.query_params.get("min_position"), "query.min_position"),
             _whole(request.headers.get(MIN_POSITION_HEADER), f"header.{MIN_POSITION_HEADER}")]
    target = max((p for p in asked if p is not None), default=None)

    def stamp_head() -> None:
        head = read_positions(request).goals.head_position()
        if target is not None:
            refuse_beyond_head(target, head, "min_position")
        response.headers[POSITION_HEADER] = str(head)

    await before_endpoint(stamp_head)


def refuse_beyond_head(position: int, head: int, field: str) -> None:
    """422 position_beyond_head for a position the log has not reached: waiting would never end."""
    if position > head:
        raise Problem(422, "position_beyond_head", f"{field}: position {position} lies beyond the head of the log "
                      f"({head}); ask for a position you were given, or the head", head=head, position=position)


def command_position(goals: Goals, result: CommandResult, response: Response) -> int:
    """Stamp a command's answer with the position of its last event (the head, for a key stored before tokens)."""
    position = result.position if result.position is not None else goals.head_position()
    response.headers[POSITION_HEADER] = str(position)
    return position


def _whole(text: str | None, field: str) -> int | None:
    if text is None:
        return None
    if not text.isdigit() or len(text) > 19 or int(text) > 2**62:  # as the query's bounds
        message = "must be a whole number from 0 to 2**62"
        raise Problem(422, "invalid_request", f"{field}: {message}", errors=[{"field": field, "message": message}])
    return int(text)


ReadPositionsDep = Annotated[ReadPositions, Depends(read_positions)]
