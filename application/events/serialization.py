"""Logged events as plain JSON-ready records: the shape of the audit trail, the feed and the replay.

Decimals become strings (exact), dates and datetimes ISO 8601 strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from application.events.catalogue import GOAL_AGGREGATE, TOPIC_PREFIX, RecordedEvent

META_FIELDS = ("originator_id", "originator_version", "timestamp", "actor_id", "actor_role", "originator_topic")


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def event_type(event: RecordedEvent) -> str:
    """The event's stable name, from its stored topic: 'goalengine:Goal.KpiRecorded' -> 'KpiRecorded'."""
    return type_name(type(event))


def type_name(cls: type[RecordedEvent]) -> str:
    """A goal event's bare name ('KpiRecorded'); another aggregate's qualified by it ('Cycle.Opened')."""
    aggregate, name = cls.TOPIC.removeprefix(TOPIC_PREFIX).rsplit(".", 1)
    return name if aggregate == GOAL_AGGREGATE else f"{aggregate}.{name}"


class UnknownEventError(LookupError):
    """A reader met an event type it has no rule for: it stops rather than silently skip the event."""

    def __init__(self, event: object) -> None:
        name = event if isinstance(event, str) else f"{type(event).__name__} ({getattr(event, 'TOPIC', '?')})"
        super().__init__(f"no handler for event {name}")


def event_data(event: RecordedEvent) -> dict[str, Any]:
    """What the event says, without the envelope (who, when, which goal, which version)."""
    return {k: jsonable(v) for k, v in vars(event).items() if k not in META_FIELDS}


@dataclass(frozen=True)
class EventRecord:
    """One logged event; `goal_id` is its aggregate's id (a goal's for goal events)."""

    goal_id: str
    version: int
    type: str
    timestamp: str
    actor_id: str
    actor_role: str
    data: dict[str, Any]
    position: int | None = None

    @classmethod
    def of(cls, event: RecordedEvent, position: int | None = None) -> EventRecord:
        return cls(
            goal_id=str(event.originator_id),
            version=event.originator_version,
            type=event_type(event),
            timestamp=event.timestamp.isoformat(),
            actor_id=event.actor_id,
            actor_role=event.actor_role,
            data=event_data(event),
            position=position,
        )

    @property
    def of_goal(self) -> bool:
        """Whether a goal recorded it (readers of goals only skip the log's other aggregates)."""
        return "." not in self.type
