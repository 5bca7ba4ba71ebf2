"""Goal load: a goal with few readings against one with many, read cold from the store (snapshots help the second)."""

from __future__ import annotations

import time
from collections.abc import Callable
from uuid import UUID

from eventsourcing.application import project_aggregate

from application.goals.service import Goals
from bench import workload
from bench.config import Sizes
from bench.stats import Row
from bench.stores import Databases

SECTION = "goal load"


def cold_load(goals: Goals, goal_id: UUID, version: int) -> None:
    # A version-pinned get skips the aggregate cache and reads the latest snapshot plus later events, like a miss.
    goals.repository.get(goal_id, version=version)


def replay_load(goals: Goals, goal_id: UUID, _version: int) -> None:
    # Every event from version 1, without the snapshot: what a load would cost with snapshots off.
    project_aggregate(None, goals.events.get(goal_id))


def warm_load(goals: Goals, goal_id: UUID, _version: int) -> None:
    # The command path: cached goal, fast-forwarded by one query, copied for the caller.
    goals.get_goal(goal_id)


LOADERS: dict[str, Callable[[Goals, UUID, int], None]] = {
    "cold": cold_load, "cold, no snapshot": replay_load, "warm (cache)": warm_load,
}


def measure(databases: Databases, sizes: Sizes, runs: int, progress: Callable[[str], None]) -> list[Row]:
    store = databases.store
    database = databases.fresh("load")
    clock = workload.Clock()
    goals = Goals(database.settings(), today=clock)
    try:
        progress(f"{store}: goal load, seeding goals with {sizes.small_goal} and {sizes.large_goal} readings")
        goals_by_size = {
            size: workload.run_goal_commands(goals, clock, n, size)
            for n, size in enumerate((sizes.small_goal, sizes.large_goal), start=1)
        }
        ms: dict[tuple[str, int], list[float]] = {(kind, size): [] for kind in LOADERS for size in goals_by_size}
        for run in range(runs):
            progress(f"{store}: goal load, run {run + 1}/{runs}")
            for (kind, size), samples in ms.items():
                goal_id = goals_by_size[size]
                samples.append(_ms_per_load(goals, goal_id, LOADERS[kind], sizes.loads))
        return [
            Row(SECTION, store, f"{kind}: {size} readings", "ms/load", tuple(samples), _note(kind, size))
            for (kind, size), samples in ms.items()
        ]
    finally:
        goals.close()
        databases.drop(database)


def _ms_per_load(goals: Goals, goal_id: UUID, load: Callable[[Goals, UUID, int], None], count: int) -> float:
    version = goals.get_goal(goal_id).version
    load(goals, goal_id, version)  # warm the statement caches
    started = time.perf_counter()
    for _ in range(count):
        load(goals, goal_id, version)
    return (time.perf_counter() - started) * 1000 / count


def _note(kind: str, size: int) -> str:
    events = workload.events_per_goal(size)
    if kind == "cold":
        return f"{events} events: snapshot at {events - events % 100} + {events % 100} events" if events >= 100 else (
            f"{events} events, no snapshot yet")
    return f"{events} events" if kind.startswith("cold") else "repository.get: cache, fast-forward, copy"
