"""Command throughput: goalengine's application, the bare library (default and fastest set-up) and raw inserts."""

from __future__ import annotations

import time
from collections.abc import Callable

from eventsourcing.persistence import StoredEvent

from application.goals.service import Goals
from bench import bare, raw, workload
from bench.config import Sizes
from bench.stats import Row, rate
from bench.stores import POSTGRESQL, Database, Databases

SECTION = "commands"


def library_set_ups(store: str) -> dict[str, dict[str, str]]:
    """The bare library's configurations: its defaults, and the fastest its settings allow on this store."""
    fastest = {"AGGREGATE_CACHE_MAXSIZE": "1000", "DEEPCOPY_FROM_AGGREGATE_CACHE": "n"}
    if store == POSTGRESQL:
        # Faster inserts through stored functions; in 9.5.6 they take no table lock, so ids may show out of order.
        fastest["POSTGRES_ENABLE_DB_FUNCTIONS"] = "y"
    return {"bare library (defaults)": {}, "bare library (fastest)": fastest}


def run_goalengine(database: Database, sizes: Sizes) -> tuple[float, list[StoredEvent]]:
    """Seconds for the timed commands, and the events they stored (for the raw writer to insert again)."""
    clock = workload.Clock()
    goals = Goals(database.settings(), today=clock)
    try:
        workload.run_goal_commands(goals, clock, 0, 1)  # warm-up: first connection, first statements
        warm_position = goals.head_position()
        started = time.perf_counter()
        for n in range(1, sizes.goals + 1):
            workload.run_goal_commands(goals, clock, n, sizes.readings)
        elapsed = time.perf_counter() - started
        stored = list(goals.recorder.select_notifications(warm_position + 1, 10**9))
        return elapsed, stored
    finally:
        goals.close()


def run_bare(database: Database, sizes: Sizes, extra_env: dict[str, str]) -> float:
    app = bare.BareGoals(env={**database.library_env(), **extra_env})
    try:
        bare.run_goal_commands(app, 0, 1)
        started = time.perf_counter()
        for n in range(1, sizes.goals + 1):
            bare.run_goal_commands(app, n, sizes.readings)
        return time.perf_counter() - started
    finally:
        app.close()


def measure(databases: Databases, sizes: Sizes, runs: int, progress: Callable[[str], None]) -> list[Row]:
    """Each run times every contender once, in turn, each on a fresh database of the same store."""
    store = databases.store
    set_ups = library_set_ups(store)
    seconds: dict[str, list[float]] = {"goalengine": [], **{name: [] for name in set_ups}, "raw": []}
    for run in range(runs):
        progress(f"{store}: commands, run {run + 1}/{runs}")
        elapsed, stored = _on_fresh(databases, "ge", lambda db: run_goalengine(db, sizes))
        seconds["goalengine"].append(elapsed)
        for name, env in set_ups.items():
            seconds[name].append(_on_fresh(databases, "lib", lambda db, env=env: run_bare(db, sizes, env)))
        commands = raw.grouped_by_command(stored, sizes.readings)
        seconds["raw"].append(_on_fresh(databases, "raw",
                                        lambda db, commands=commands: raw.insert_commands(db, commands)))
    count = sizes.goals * workload.commands_per_goal(sizes.readings)
    notes = {
        "goalengine": "draft, sign, sign, readings; rules, hash chain, cache, snapshots every 100",
        "bare library (defaults)": "minimal Aggregate, same events, library recorder",
        "bare library (fastest)": ", ".join(f"{k}={v}" for k, v in set_ups["bare library (fastest)"].items()),
        "raw": "one transaction per command, same rows, driver only",
    }
    return [Row(SECTION, store, name, "commands/s", rate(count, s), notes[name]) for name, s in seconds.items()]


def _on_fresh(databases: Databases, label: str, work: Callable[[Database], object]):  # type: ignore[no-untyped-def]
    database = databases.fresh(label)
    try:
        return work(database)
    finally:
        databases.drop(database)
