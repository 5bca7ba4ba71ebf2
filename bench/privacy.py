"""The cost of sealing personal text (ADR 0026): commands and a rebuild with every note sealed, against the same
application storing the text in the clear (its mapper without the personal-data step), in the same run.

Each reading carries a note and each goal a rationale, so every event but the signatures has text to seal: an
upper bound for a real log, where most readings have no note.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from application.audit.chain import ChainingMapper
from application.goals.service import Goals
from bench import workload
from bench.config import Sizes
from bench.seed import READINGS_PER_GOAL
from bench.stats import Row
from bench.stores import Database, Databases
from projections.service import build_runner

SECTION = "privacy"
NOTE = "Reading taken after the team's weekly review; two tickets were reopened by the customer."


def _goals(database: Database, sealed: bool, clock: workload.Clock | None = None) -> Goals:
    goals = Goals(database.settings(), today=clock)
    if not sealed:
        assert isinstance(goals.mapper, ChainingMapper)
        goals.mapper.personal = None  # stores the text as it was before ADR 0026
    return goals


def time_commands(database: Database, sizes: Sizes, sealed: bool) -> float:
    clock = workload.Clock()
    goals = _goals(database, sealed, clock)
    try:
        workload.run_goal_commands(goals, clock, 0, 1, note=NOTE)
        started = time.perf_counter()
        for n in range(1, sizes.goals + 1):
            workload.run_goal_commands(goals, clock, n, sizes.readings, note=NOTE)
        return time.perf_counter() - started
    finally:
        goals.close()


def time_rebuild(database: Database, sizes: Sizes, sealed: bool) -> tuple[int, float]:
    """Seconds to rebuild the review read model from a log of about `sizes.rebuild` events with notes."""
    goals = _goals(database, sealed)
    try:
        mapper = goals.mapper
        assert isinstance(mapper, ChainingMapper)
        for n in range(1, -(-sizes.rebuild // workload.events_per_goal(READINGS_PER_GOAL)) + 1):
            stored = []
            for event in workload.goal_in_memory(n, READINGS_PER_GOAL, NOTE).collect_events():
                stored.append(mapper.to_stored_event(event))
                mapper.remember(stored[-1])
            goals.recorder.insert_events(stored)
        fresh = _goals(database, sealed)  # no key or goal cached: as a rebuild after a restart
        try:
            started = time.perf_counter()
            events = build_runner(fresh).rebuild("reviews")
            return events, time.perf_counter() - started
        finally:
            fresh.close()
    finally:
        goals.close()


def measure(databases: Databases, sizes: Sizes, runs: int, progress: Callable[[str], None]) -> list[Row]:
    store = databases.store
    count = sizes.goals * workload.commands_per_goal(sizes.readings)
    writes: dict[bool, list[float]] = {True: [], False: []}
    rebuilds: dict[bool, list[float]] = {True: [], False: []}
    for run in range(runs):
        progress(f"{store}: privacy, run {run + 1}/{runs}")
        # Alternated, best of two each (as bench/audit.py): the first run's imports and a shared machine's noise
        # fall on both contenders alike.
        for _ in range(2):
            for sealed in (True, False):
                seconds = _on_fresh(databases, lambda db, sealed=sealed: time_commands(db, sizes, sealed))
                writes[sealed].append(count / seconds)
                events, seconds = _on_fresh(databases, lambda db, sealed=sealed: time_rebuild(db, sizes, sealed))
                rebuilds[sealed].append(events / seconds)
        for series in (*writes.values(), *rebuilds.values()):
            series[-2:] = [max(series[-2:])]
    return [
        Row(SECTION, store, "commands, text sealed", "commands/s", tuple(writes[True]), "AES-GCM per text field"),
        Row(SECTION, store, "commands, text in the clear", "commands/s", tuple(writes[False]), "same application"),
        Row(SECTION, store, "rebuild, text sealed", "events/s", tuple(rebuilds[True]),
            f"reviews, log of {sizes.rebuild:,}"),
        Row(SECTION, store, "rebuild, text in the clear", "events/s", tuple(rebuilds[False]),
            f"reviews, log of {sizes.rebuild:,}"),
    ]


def _on_fresh(databases: Databases, work: Callable[[Database], object]):  # type: ignore[no-untyped-def]
    database = databases.fresh("privacy")
    try:
        return work(database)
    finally:
        databases.drop(database)
