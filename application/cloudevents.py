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
from typing import Any

from application.goals import Goals
from application.serialization import EventRecord
from domain.goal import Goal

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


def to_cloudevent(event: Goal.Event, position: int) -> dict[str, Any]:
    """The event as a CloudEvents 1.0 JSON object; `position` (an extension attribute) is its place in the log."""
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
        "data": {**record.data, "actor": {"id": record.actor_id, "role": record.actor_role}},
    }


@dataclass(frozen=True)
class FeedPage:
    """A page of the feed; `next_after` is where the next read starts (never behind an unread event)."""

    items: list[dict[str, Any]]
    next_after: int


class EventFeed:
    """Reads the log as CloudEvents in position order, filtered by type."""

    def __init__(self, goals: Goals) -> None:
        self.goals = goals

    def page(self, after: int = 0, limit: int = 100, types: Sequence[str] = ()) -> FeedPage:
        """Up to `limit` events after a position.

        The head is read before the events: every event at or below it is committed (the store commits positions
        in order, ADR 0009), so a short page can move `next_after` up to it without skipping one.
        """
        topics = topics_for(types)
        head = self.goals.head_position()
        logged = self.goals.log_events(after, until=head, topics=topics, page_size=limit)
        items = [to_cloudevent(entry.event, entry.position) for entry in islice(logged, limit)]
        if len(items) == limit:
            return FeedPage(items, items[-1]["position"])
        return FeedPage(items, max(after, head))
