"""The feed: the log read as CloudEvents in position order, narrowed by type and by an event filter (ADR 0009, 0018).

It sits above the contract (application/events/cloudevents.py) and the filters (application/events/filters.py),
which know nothing of each other's callers: neither imports the feed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from application.events.cloudevents import to_cloudevents, topics_for
from application.events.filters import EventFilter
from application.goals.service import Goals


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
