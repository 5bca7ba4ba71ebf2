"""What the log holds of a few topics, searched once: each look searches only what was stored since the last.

A search of the whole log for a rare topic (the cycles opened, say) costs a pass over every event stored, so it grows
with history; here each look reads the log's head first and searches only the stretch after the last look, up to that
head. The log's positions commit in order (one writer on SQLite, the table lock on PostgreSQL, ADR 0011), so nothing
commits later below a head once seen. A log shorter than when last searched (a database put back) is searched again
from the start.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Generic, Protocol, TypeVar

from eventsourcing.persistence import Notification

T = TypeVar("T")
PAGE = 500


class NotificationLog(Protocol):
    def max_notification_id(self) -> int | None: ...

    def select_notifications(self, start: int | None, limit: int, stop: int | None = None,
                             topics: Sequence[str] = (), *, inclusive_of_start: bool = True) -> Sequence[Notification]:
        ...


def stretch(select: Callable[[int, int, int], Sequence[Notification]], after: int, head: int) -> Iterator[Notification]:
    """The notifications `select(after, head, limit)` finds between `after` (excluded) and `head`, page by page."""
    while after < head:
        page = select(after, head, PAGE)
        yield from page
        if len(page) < PAGE:
            return
        after = page[-1].id


class LogScan(Generic[T]):
    """The notifications of `topics`, each read into a T once, in log order (entries: one per such event, so bounded
    by what the topics count, e.g. the cycles opened, never by the rest of the log)."""

    def __init__(self, log: Callable[[], NotificationLog], topics: Sequence[str], read: Callable[[Notification], T]):
        self._log, self._topics, self._read = log, list(topics), read
        self._found: list[T] = []
        self._position = 0
        self._lock = threading.Lock()

    def found(self) -> list[T]:
        log = self._log()
        with self._lock:
            head = log.max_notification_id() or 0  # read under the lock: a head older than the position is a put-back
            if head < self._position:
                self._found, self._position = [], 0
            read = [self._read(notification) for notification in stretch(  # all of the stretch, or none of it
                lambda after, up_to, limit: log.select_notifications(
                    after, limit, stop=up_to, topics=self._topics, inclusive_of_start=False),
                self._position, head)]
            self._found.extend(read)
            self._position = max(self._position, head)
            return list(self._found)
