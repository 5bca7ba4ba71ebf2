"""A goal's KPI readings, read from its events: the aggregate keeps only what its rules need (ADR 0028), and what is
kept here for answers is bounded too (ADR 0044): the latest readings, how many there are, and the reading that counts
for each KPI and day. The whole series is paged from the events (`page`), never held.

A stored event never changes, so what a goal's readings are up to a version never changes either: it is cached per
goal and extended, by the events a save has just stored (no query at all) or by one query for the events between the
cached version and the one asked for. Any process may hold it: it can lag, never be wrong for the version asked.
"""

from __future__ import annotations

import base64
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from domain.goal import Goal
from domain.values import Measurement

Series = tuple[Measurement, ...]
# The goal's reading events after one version and up to another, in version order.
ReadingEvents = Callable[[UUID, int, int], Iterable[Goal.KpiRecorded]]
PAGE_SCAN = 1000  # stored events read per query while paging (readings are most of a fed goal's events)


@dataclass(frozen=True)
class Readings:
    """What an answer shows of a goal's readings up to a version: bounded by `kept` and by KPIs times days."""

    version: int
    total: int  # every reading recorded, corrections too
    latest: Series  # the last `kept` readings, in the order recorded
    by_day: dict[tuple[str, date], Measurement] = field(default_factory=dict)  # the reading that counts per KPI, day

    def extended(self, readings: Iterable[Measurement], version: int, kept: int) -> Readings:
        added = tuple(readings)
        by_day = dict(self.by_day)
        for reading in added:
            by_day[(reading.kpi, reading.observed_at)] = reading
        return Readings(version, self.total + len(added), (self.latest + added)[-kept:] if kept else (), by_day)

    def for_charts(self) -> Series:
        """The counted reading of every day, and the latest readings (so recent corrections show): by version."""
        chosen = {reading.version: reading for reading in (*self.by_day.values(), *self.latest)}
        return tuple(chosen[version] for version in sorted(chosen))


@dataclass(frozen=True)
class ReadingPage:
    readings: Series
    next_cursor: str | None


class InvalidReadingCursorError(ValueError):
    code = "invalid_cursor"

    def __init__(self, cursor: str) -> None:
        super().__init__(f"cursor {cursor!r} is not one this API handed out; start again without it")


class ReadingSeries:
    """Goals' bounded readings (`Readings`), cached for at most `maxsize` recently used goals."""

    def __init__(self, reading_events: ReadingEvents, maxsize: int, kept: int) -> None:
        self.reading_events = reading_events
        self.maxsize, self.kept = max(maxsize, 1), max(kept, 0)
        self.cached: OrderedDict[UUID, Readings] = OrderedDict()
        self.lock = threading.Lock()

    def up_to(self, goal_id: UUID, version: int) -> Readings:
        """The goal's readings recorded at or before `version`."""
        with self.lock:
            entry = self.cached.get(goal_id)
        if entry is not None and entry.version == version:
            return entry
        if entry is not None and entry.version > version:  # an earlier version (as_of): read, not cached
            return self._read(goal_id, Readings(0, 0, ()), version)
        entry = self._read(goal_id, entry or Readings(0, 0, ()), version)
        self._keep(goal_id, entry)
        return entry

    def saved(self, goal_id: UUID, events: Sequence[object]) -> None:
        """A save has stored these events of the goal: extend readings that end just before them."""
        stored = [e for e in events if isinstance(e, Goal.Event) and e.originator_id == goal_id]
        if not stored:
            return
        first, last = stored[0].originator_version, stored[-1].originator_version
        with self.lock:
            entry = self.cached.get(goal_id) or (Readings(0, 0, ()) if first == 1 else None)
        if entry is None or entry.version != first - 1:
            return  # not known up to here: the next read fills it from the events
        added = (e.reading() for e in stored if isinstance(e, Goal.KpiRecorded))
        self._keep(goal_id, entry.extended(added, last, self.kept))

    def forget(self) -> None:
        """Drop every cached entry (after an erasure: the readings' notes are personal text, ADR 0026)."""
        with self.lock:
            self.cached.clear()

    def page(self, goal_id: UUID, version: int, wanted: Callable[[Measurement], bool], cursor: str | None,
             limit: int) -> ReadingPage:
        """Up to `limit` wanted readings recorded after the cursor and at or before `version`, in recorded order."""
        after = decode_cursor(cursor) if cursor else 0
        found: list[Measurement] = []
        while after < version and len(found) < limit:
            scanned_to = min(after + PAGE_SCAN, version)
            for event in self.reading_events(goal_id, after, scanned_to):
                reading = event.reading()
                if wanted(reading):
                    found.append(reading)
                    if len(found) == limit:
                        scanned_to = reading.version
                        break
            after = scanned_to
        return ReadingPage(tuple(found), encode_cursor(after) if after < version else None)

    def _read(self, goal_id: UUID, known: Readings, version: int) -> Readings:
        entry = known
        while entry.version < version:  # in slices, so that a long history is never held at once
            until = min(entry.version + PAGE_SCAN, version)
            entry = entry.extended((e.reading() for e in self.reading_events(goal_id, entry.version, until)), until,
                                   self.kept)
        return entry

    def _keep(self, goal_id: UUID, entry: Readings) -> None:
        with self.lock:
            current = self.cached.get(goal_id)
            if current is None or current.version < entry.version:
                self.cached[goal_id] = entry
            self.cached.move_to_end(goal_id)
            while len(self.cached) > self.maxsize:
                self.cached.popitem(last=False)


def encode_cursor(version: int) -> str:
    return base64.urlsafe_b64encode(f"r1:{version}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The goal version the cursor stands for; opaque to clients, so what it holds may change."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, version = text.split(":")
        if prefix != "r1" or not version.isdigit() or len(version) > 18:
            raise ValueError(cursor)
        return int(version)
    except (ValueError, UnicodeDecodeError):
        raise InvalidReadingCursorError(cursor) from None
