"""Seed a log fast: goals built in memory by their own methods, mapped by the application, inserted in batches."""

from __future__ import annotations

from collections.abc import Callable

from eventsourcing.persistence import StoredEvent

from application.audit.chain import ChainingMapper
from application.goals.service import Goals
from bench import workload

READINGS_PER_GOAL = 22  # 26 events per goal (a year of weekly readings of two KPIs would be ~100)
GOALS_PER_BATCH = 100


def seed_log(goals: Goals, events: int, progress: Callable[[str], None] = lambda _: None) -> int:
    """Append whole goals until the log holds at least `events` events; returns the log's head position."""
    per_goal = workload.events_per_goal(READINGS_PER_GOAL)
    goal_count = -(-events // per_goal)
    first = goals.head_position() // per_goal + 1
    for batch, start in enumerate(range(first, first + goal_count, GOALS_PER_BATCH)):
        stop = min(start + GOALS_PER_BATCH, first + goal_count)
        goals.recorder.insert_events(_stored_events(goals, range(start, stop)))
        if batch % 40 == 39:
            progress(f"seeded {goals.head_position():,} of {events:,} events")
    return goals.head_position()


def _stored_events(goals: Goals, numbers: range) -> list[StoredEvent]:
    mapper = goals.mapper
    assert isinstance(mapper, ChainingMapper)
    stored: list[StoredEvent] = []
    for n in numbers:
        for event in workload.goal_in_memory(n, READINGS_PER_GOAL).collect_events():
            stored.append(mapper.to_stored_event(event))
            # Remembered at once, so the goal's next event chains from it without reading the store.
            mapper.remember(stored[-1])
    return stored
