"""Every KPI reading of a goal, read from its events: the aggregate keeps only what its rules need (ADR 0028).

A stored event never changes, so a goal's series up to a version never changes either: it is cached per goal and
extended, by the events a save has just stored (no query at all) or by one query for the events between the cached
version and the one asked for. Any process may hold it: it can lag, never be wrong for the version asked.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID

from domain.goal import Goal
from domain.values import Measurement

Series = tuple[Measurement, ...]
# The goal's reading events after one version and up to another, in version order.
ReadingEvents = Callable[[UUID, int, int], Iterable[Goal.KpiRecorded]]


@dataclass(frozen=True)
class _Cached:
    version: int
    readings: Series


class ReadingSeries:
    """Goals' reading series, cached for the most recently used goals."""

    def __init__(self, reading_events: ReadingEvents, maxsize: int) -> None:
        self.reading_events = reading_events
        self.maxsize = max(maxsize, 1)
        self.cached: OrderedDict[UUID, _Cached] = OrderedDict()
        self.lock = threading.Lock()

    def up_to(self, goal_id: UUID, version: int) -> Series:
        """Every reading of the goal recorded at or before `version`, in the order recorded."""
        with self.lock:
            entry = self.cached.get(goal_id)
        if entry is not None and entry.version >= version:
            return entry.readings if entry.version == version else _until(entry.readings, version)
        start, known = (entry.version, entry.readings) if entry else (0, ())
        readings = known + tuple(event.reading() for event in self.reading_events(goal_id, start, version))
        self._keep(goal_id, _Cached(version, readings))
        return readings

    def saved(self, goal_id: UUID, events: Sequence[object]) -> None:
        """A save has stored these events of the goal: extend a series that ends just before them."""
        stored = [e for e in events if isinstance(e, Goal.Event) and e.originator_id == goal_id]
        if not stored:
            return
        first, last = stored[0].originator_version, stored[-1].originator_version
        with self.lock:
            entry = self.cached.get(goal_id) or (_Cached(0, ()) if first == 1 else None)
        if entry is None or entry.version != first - 1:
            return  # the series is not known up to here: the next read fills it from the events
        added = tuple(e.reading() for e in stored if isinstance(e, Goal.KpiRecorded))
        self._keep(goal_id, _Cached(last, entry.readings + added))

    def forget(self) -> None:
        """Drop every cached series (after an erasure: the readings' notes are personal text, ADR 0026)."""
        with self.lock:
            self.cached.clear()

    def _keep(self, goal_id: UUID, entry: _Cached) -> None:
        with self.lock:
            current = self.cached.get(goal_id)
            if current is None or current.version < entry.version:
                self.cached[goal_id] = entry
            self.cached.move_to_end(goal_id)
            while len(self.cached) > self.maxsize:
                self.cached.popitem(last=False)


def _until(readings: Series, version: int) -> Series:
    return tuple(reading for reading in readings if reading.version <= version)
