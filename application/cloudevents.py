"""Goal events as CloudEvents 1.0: the public contract of the feed, the live stream and the webhooks (ADR 0009).

A CloudEvent's `id` is "<goal id>:<goal version>": the same on every read and every redelivery, unique in the log.
Its `type` is `goal.<snake_case name>.v<class_version>`; stored events are upcast on load, so consumers always
get the current version of each event class.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any

from application.goals import Goals, LoggedEvent
from application.serialization import EventRecord
from application.tracing import TraceContext, TraceReader
from domain.goal import Goal

if TYPE_CHECKING:
    from application.event_filters import EventFilter

SPEC_VERSION = "1.0"
SOURCE = "urn:goalengine"
DATA_CONTENT_TYPE = "application/json"
EVENT_CLASSES: tuple[type[Goal.Event], ...] = (
    Goal.Drafted,
    Goal.Revised,
    Goal.SignatureVoided,
    Goal.AgreementSigned,
    Goal.Agreed,
    Goal.MilestoneProposed,
    Goal.MilestoneSet,
    Goal.KpiRecorded,
    Goal.RecalibrationProposed,
    Goal.RecalibrationRejected,
    Goal.Recalibrated,
    Goal.Closed,
    Goal.CheckedIn,
)


class UnknownEventTypeError(ValueError):
    """A CloudEvents type that names no goal event (or an outdated version of one)."""

    code = "unknown_event_type"

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        super().__init__(f"unknown event type {', '.join(map(repr, names))}; known: {', '.join(EVENT_TYPES)}")


def class_version(cls: type[Goal.Event]) -> int:
    """The library treats an event class without `class_version` as version 1."""
    return int(getattr(cls, "class_version", None) or 1)


def snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def cloudevent_type(cls: type[Goal.Event]) -> str:
    """E.g. Goal.KpiRecorded -> 'goal.kpi_recorded.v1'."""
    return f"goal.{snake_case(cls.__name__)}.v{class_version(cls)}"


EVENT_TYPES: dict[str, type[Goal.Event]] = {cloudevent_type(cls): cls for cls in EVENT_CLASSES}


def topics_for(types: Iterable[str]) -> list[str]:
    """The stored topics of the named CloudEvents types; raises UnknownEventTypeError for a name not in the contract."""
    names = list(types)
    unknown = [name for name in names if name not in EVENT_TYPES]
    if unknown:
        raise UnknownEventTypeError(unknown)
    return [EVENT_TYPES[name].TOPIC for name in names]


def cloudevent_id(goal_id: str, version: int) -> str:
    return f"{goal_id}:{version}"


def to_cloudevent(event: Goal.Event, position: int, trace: TraceContext | None = None) -> dict[str, Any]:
    """The event as a CloudEvents 1.0 JSON object; `position` (an extension attribute) is its place in the log.

    With a trace context (ADR 0018) it carries the distributed tracing extension and a `correlationid`.
    """
    record = EventRecord.of(event, position)
    return {
        "specversion": SPEC_VERSION,
        "id": cloudevent_id(record.goal_id, record.version),
        "source": SOURCE,
        "type": cloudevent_type(type(event)),
        "subject": record.goal_id,
        "time": record.timestamp,
        "datacontenttype": DATA_CONTENT_TYPE,
        "position": position,
        "goalversion": record.version,
        **(trace.extensions() if trace else {}),
        "data": {**record.data, "actor": {"id": record.actor_id, "role": record.actor_role}},
    }


def to_cloudevents(goals: Goals, logged: Sequence[LoggedEvent]) -> list[dict[str, Any]]:
    """Logged events as CloudEvents, each with the trace context stored beside it (one look-up for them all)."""
    keys = [(str(entry.event.originator_id), entry.event.originator_version) for entry in logged]
    traces = TraceReader(goals.engine).of(keys)
    pairs = zip(logged, keys, strict=True)
    return [to_cloudevent(entry.event, entry.position, traces.get(key)) for entry, key in pairs]


@dataclass(frozen=True)
class FeedPage:
    """A page of the feed; `next_after` is where the next read starts (never behind an unread event)."""

    items: list[dict[str, Any]]
    next_after: int


class EventFeed:
    """Reads the log as CloudEvents in position order, filtered by type, goal, cycle and org unit."""

    def __init__(self, goals: Goals) -> None:
        self.goals = goals

    def page(
        self, after: int = 0, limit: int = 100, types: Sequence[str] = (), event_filter: EventFilter | None = None
    ) -> FeedPage:
        """Up to `limit` events after a position.

        The head is read before the events: every event at or below it is committed (the store commits positions
        in order, ADR 0009), so a short page can move `next_after` up to it without skipping one.
        """
        topics = topics_for(types)
        head = self.goals.head_position()
        logged = self.goals.log_events(after, until=head, topics=topics, page_size=limit)
        if event_filter is not None:
            logged = event_filter.select(self.goals, logged)
        items = to_cloudevents(self.goals, list(islice(logged, limit)))
        if len(items) == limit:
            return FeedPage(items, items[-1]["position"])
        return FeedPage(items, max(after, head))
