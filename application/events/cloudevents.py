"""Logged events as CloudEvents 1.0: the public contract of the feed, the live stream and the webhooks (ADR 0009).

A CloudEvent's `id` is "<aggregate id>:<version>": the same on every read and every redelivery, unique in the log.
Its `type` is `<aggregate>.<snake_case name>.v<class_version>` (`goal.kpi_recorded.v1`, `cycle.locked.v1`) unless
the class names its own (`CLOUDEVENT_TYPE`); stored events are upcast on load, so consumers always get the current
version of each event class. The `subject` is the goal an event is about (ADR 0022): the goal itself, or the goal
another aggregate's event names in its `goal_id`; otherwise the event's own aggregate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from application.goals.service import Goals, LoggedEvent
from application.events.serialization import EventRecord
from application.store.tracing import TraceContext, TraceReader
from application.events.catalogue import EVENT_CLASSES, GOAL_AGGREGATE, RecordedEvent, aggregate_name

SPEC_VERSION = "1.0"
SOURCE = "urn:goalengine"
DATA_CONTENT_TYPE = "application/json"


class UnknownEventTypeError(ValueError):
    """A CloudEvents type that names no event of the log (or an outdated version of one)."""

    code = "unknown_event_type"

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        super().__init__(f"unknown event type {', '.join(map(repr, names))}; known: {', '.join(EVENT_TYPES)}")


def class_version(cls: type[RecordedEvent]) -> int:
    """The library treats an event class without `class_version` as version 1."""
    return int(getattr(cls, "class_version", None) or 1)


def snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def cloudevent_type(cls: type[RecordedEvent]) -> str:
    """E.g. Goal.KpiRecorded -> 'goal.kpi_recorded.v1'; a class's own CLOUDEVENT_TYPE wins."""
    own = getattr(cls, "CLOUDEVENT_TYPE", None)
    if isinstance(own, str):
        return own
    aggregate = snake_case(aggregate_name(cls.TOPIC))
    return f"{aggregate}.{snake_case(cls.__name__)}.v{class_version(cls)}"


def subject_of(event: RecordedEvent) -> str:
    """The goal the event is about, or else its own aggregate."""
    goal_id = getattr(event, "goal_id", None)
    return str(goal_id) if goal_id else str(event.originator_id)


def is_goal_event(event: RecordedEvent) -> bool:
    return aggregate_name(event.TOPIC) == GOAL_AGGREGATE


EVENT_TYPES: dict[str, type[RecordedEvent]] = {cloudevent_type(cls): cls for cls in EVENT_CLASSES}


def topics_for(types: Iterable[str]) -> list[str]:
    """The stored topics of the named CloudEvents types; raises UnknownEventTypeError for a name not in the contract."""
    names = list(types)
    unknown = [name for name in names if name not in EVENT_TYPES]
    if unknown:
        raise UnknownEventTypeError(unknown)
    return [EVENT_TYPES[name].TOPIC for name in names]


def cloudevent_id(goal_id: str, version: int) -> str:
    return f"{goal_id}:{version}"


def to_cloudevent(event: RecordedEvent, position: int, trace: TraceContext | None = None) -> dict[str, Any]:
    """The event as a CloudEvents 1.0 JSON object; `position` (an extension attribute) is its place in the log.

    `goalversion` is the goal's version after a goal event; another aggregate's events carry `aggregateversion`.
    With a trace context (ADR 0018) it carries the distributed tracing extension and a `correlationid`.
    """
    record = EventRecord.of(event, position)
    version_key = "goalversion" if is_goal_event(event) else "aggregateversion"
    return {
        "specversion": SPEC_VERSION,
        "id": cloudevent_id(record.goal_id, record.version),
        "source": SOURCE,
        "type": cloudevent_type(type(event)),
        "subject": subject_of(event),
        "time": record.timestamp,
        "datacontenttype": DATA_CONTENT_TYPE,
        "position": position,
        version_key: record.version,
        **(trace.extensions() if trace else {}),
        "data": {**record.data, "actor": {"id": record.actor_id, "role": record.actor_role}},
    }


def to_cloudevents(goals: Goals, logged: Sequence[LoggedEvent]) -> list[dict[str, Any]]:
    """Logged events as CloudEvents, each with the trace context stored beside it (one look-up for them all)."""
    keys = [(str(entry.event.originator_id), entry.event.originator_version) for entry in logged]
    traces = TraceReader(goals.engine).of(keys)
    pairs = zip(logged, keys, strict=True)
    return [to_cloudevent(entry.event, entry.position, traces.get(key)) for entry, key in pairs]
