"""Rebuild of the review read model against the bare library's replay of the same log, each in a child process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

from application.goals.service import Goals
from bench import seed
from bench.config import Sizes
from bench.stats import Row, rate
from bench.stores import Database, Databases

SECTION = "rebuild"
MEMORY = "memory"
PROJECTION = "reviews"
CHILD_TIMEOUT = 3600


@dataclass(frozen=True)
class ChildResult:
    events: int
    seconds: float
    peak_rss_mib: float


def run_child(work: str, database: Database) -> ChildResult:
    """Runs `python -m bench.child` in this process tree and reads the JSON line it prints."""
    command = [sys.executable, "-m", "bench.child", work, "--url", database.url, "--projection", PROJECTION]
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=CHILD_TIMEOUT, check=False, env=_child_env()
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])} failed ({completed.returncode}): {completed.stderr[-2000:]}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    return ChildResult(result["events"], result["seconds"], result["peak_rss_mib"])


def _child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}


def seeded(databases: Databases, events: int, progress: Callable[[str], None]) -> Database:
    database = databases.fresh(f"log{events}")
    goals = Goals(database.settings())
    try:
        progress(f"{databases.store}: seeding a log of {events:,} events")
        seed.seed_log(goals, events, progress)
    finally:
        goals.close()
    return database


def measure_log(
    databases: Databases, events: int, runs: int, progress: Callable[[str], None]
) -> dict[str, list[ChildResult]]:
    """Rebuild and replay one seeded log `runs` times each, alternating, in fresh child processes."""
    database = seeded(databases, events, progress)
    results: dict[str, list[ChildResult]] = {"rebuild": [], "replay": []}
    try:
        for run in range(runs):
            progress(f"{databases.store}: {events:,} events, rebuild and replay, run {run + 1}/{runs}")
            for work in ("rebuild", "replay"):
                results[work].append(run_child(work, database))
    finally:
        databases.drop(database)
    return results


def rows_for(store: str, events: int, results: dict[str, list[ChildResult]], with_rates: bool) -> list[Row]:
    size = f"{events / 1000:g}k" if events < 1_000_000 else f"{events / 1_000_000:g}M"
    rows = []
    if with_rates:
        rebuild, replay = results["rebuild"], results["replay"]
        rows.append(Row(SECTION, store, f"goalengine rebuild ({PROJECTION}), {size}", "events/s",
                        rate(rebuild[0].events, [r.seconds for r in rebuild]),
                        "runner batches of 2,000, one transaction each; records decoded straight from stored JSON"))
        rows.append(Row(SECTION, store, f"bare library replay, {size}", "events/s",
                        rate(replay[0].events, [r.seconds for r in replay]),
                        "select_notifications(500) + Mapper decode"))
    for work, label in (("rebuild", f"goalengine rebuild, {size}"), ("replay", f"bare library replay, {size}")):
        rows.append(Row(MEMORY, store, f"peak RSS, {label}", "MiB", tuple(r.peak_rss_mib for r in results[work]),
                        "child process, VmHWM"))
    return rows


def measure(
    databases: Databases, sizes: Sizes, runs: int, progress: Callable[[str], None], scale: bool
) -> list[Row]:
    """The rebuild rate at the default size, and peak memory at a smaller log (and at 1 M events when asked)."""
    store = databases.store
    rows = rows_for(store, sizes.rebuild, measure_log(databases, sizes.rebuild, runs, progress), with_rates=True)
    low = measure_log(databases, sizes.memory_low, runs, progress)
    rows += rows_for(store, sizes.memory_low, low, with_rates=False)
    if scale:
        rows += rows_for(store, sizes.scale, measure_log(databases, sizes.scale, runs, progress), with_rates=True)
    return rows
