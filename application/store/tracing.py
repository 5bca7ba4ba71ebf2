"""Trace context of the command that caused an event: its W3C traceparent and a correlation id (ADR 0018).

The API sets the context of each request (api/tracing.py); the event recorders (application/store/traced_recorders.py)
store it beside the request's events in the same transaction; the CloudEvents carry it as the distributed tracing
extension (`traceparent`, `tracestate`) and a `correlationid` extension shared by all events of one request.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy import Engine, text

TRACEPARENT = re.compile(r"^(?!ff)[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$")
MAX_TRACESTATE = 512
TRACES_TABLE = "goalengine_event_traces"


@dataclass(frozen=True)
class TraceContext:
    traceparent: str
    correlation_id: str
    tracestate: str | None = None

    @classmethod
    def of_request(cls, traceparent: str | None, tracestate: str | None) -> TraceContext:
        """The caller's traceparent if it is a valid W3C one, otherwise a fresh one; a fresh correlation id."""
        given = (traceparent or "").strip().lower()
        if TRACEPARENT.match(given):
            state = (tracestate or "").strip()[:MAX_TRACESTATE] or None
            return cls(given, fresh_correlation_id(), state)
        return cls(fresh_traceparent(), fresh_correlation_id())

    def extensions(self) -> dict[str, str]:
        """CloudEvents attributes: the distributed tracing extension and the correlation id."""
        attributes = {"traceparent": self.traceparent, "correlationid": self.correlation_id}
        if self.tracestate:
            attributes["tracestate"] = self.tracestate
        return attributes


def fresh_traceparent() -> str:
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


def fresh_correlation_id() -> str:
    """A random (version 4) UUID as text, as `str(uuid4())` writes it, without building a UUID object per request."""
    raw = bytearray(secrets.token_bytes(16))
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    text = raw.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


current_trace: ContextVar[TraceContext | None] = ContextVar("goalengine_trace", default=None)


@contextmanager
def traced(context: TraceContext) -> Iterator[TraceContext]:
    """Run a block (a request, a command) under a trace context."""
    token = current_trace.set(context)
    try:
        yield context
    finally:
        current_trace.reset(token)


class TraceReader:
    """Looks up the trace context stored with events, by goal id and version."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def of(self, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], TraceContext]:
        wanted = set(keys)
        if not wanted:
            return {}
        goal_ids = sorted({goal_id for goal_id, _ in wanted})
        names = ", ".join(f":g{i}" for i in range(len(goal_ids)))
        query = text(
            f"SELECT originator_id, originator_version, traceparent, tracestate, correlation_id "
            f"FROM {TRACES_TABLE} WHERE originator_id IN ({names})"
        )
        found: dict[tuple[str, int], TraceContext] = {}
        with self.engine.connect() as connection:
            rows = connection.execute(query, {f"g{i}": goal_id for i, goal_id in enumerate(goal_ids)})
            for goal_id, version, traceparent, tracestate, correlation_id in rows:
                key = (str(goal_id), int(version))
                if key in wanted:
                    found[key] = TraceContext(traceparent, correlation_id, tracestate)
        return found
