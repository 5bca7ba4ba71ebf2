"""Bounded answers (issue 28): GET of a goal with `sizes.big_goal` readings (100,000 by default) and of its review,
against the same for a goal with 10, over HTTP on `goalengine serve`: time per request and bytes per answer.

The goal's answer keeps its latest 100 readings and the review one reading per day (ADR 0044), so both should cost
about the same whatever the history. The big goal is recorded through the application's commands, as the API would
(readings alternate two KPIs a day apart over the year; past the year's days, later readings are corrections).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx

from api.auth import issue_token
from application.goals.service import Goals
from bench import workload
from bench.api_load import SECRET, served
from bench.config import Sizes
from bench.stats import Row
from bench.soak import wait_until_ready
from bench.stores import Database, Databases
from domain.values import Role

SECTION = "bounded"
SMALL_READINGS = 10
# Past the bounds: 100 readings in the goal's answer, and every day of the year for both KPIs in the review.
AT_BOUND_READINGS = 1000
REQUESTS = 30  # per answer and run, after one warm-up request


def seed(databases: Databases, sizes: Sizes, progress: Callable[[str], None]) -> tuple[Database, dict[str, str]]:
    """The store with a small and a big goal (of two owners); their goal and review paths."""
    database = databases.fresh("bounded")
    cycle = workload.year_cycle(datetime.now(UTC).year)
    clock = workload.Clock()
    goals = Goals(database.settings(), today=clock)
    try:
        small = workload.run_goal_commands(goals, clock, 1, SMALL_READINGS, cycle)
        progress(f"{databases.store}: bounded, recording {sizes.big_goal:,} readings of one goal")
        started = time.perf_counter()
        big = workload.run_goal_commands(goals, clock, 2, sizes.big_goal, cycle)
        progress(f"{databases.store}: bounded, recorded in {time.perf_counter() - started:.0f} s")
        at_bound = workload.run_goal_commands(goals, clock, 3, AT_BOUND_READINGS, cycle)
    finally:
        goals.close()
    paths = {"small goal": f"/goals/{small}", "big goal": f"/goals/{big}", "at-bound goal": f"/goals/{at_bound}",
             **{f"{name} review": f"/reviews/{workload.owner(n).id}?cycle={cycle.id}&consistency=eventual"
                for name, n in (("small", 1), ("big", 2), ("at-bound", 3))}}
    return database, paths


def timed(client: httpx.Client, path: str) -> tuple[float, int]:
    """Median milliseconds per GET (after a warm-up) and the answer's bytes."""
    answer = client.get(path)
    answer.raise_for_status()
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        client.get(path).raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(answer.content)


def measure(databases: Databases, sizes: Sizes, runs: int, progress: Callable[[str], None]) -> list[Row]:
    store = databases.store
    database, paths = seed(databases, sizes, progress)
    samples: dict[tuple[str, str], list[float]] = {}
    try:
        token = issue_token(SECRET, "hr-bench", Role.HR)
        with served(database, Path(databases.root)) as server, httpx.Client(
                base_url=server.base, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
            wait_until_ready(server.base)  # (reviews are read as they stand: the cost of the answer, not of a wait)
            for run in range(runs):
                progress(f"{store}: bounded, run {run + 1}/{runs}")
                for name, path in paths.items():
                    milliseconds, size = timed(client, path)
                    samples.setdefault((name, "GET time"), []).append(milliseconds)
                    samples.setdefault((name, "answer size"), []).append(size / 1024)
        note = f"big goal: {sizes.big_goal:,} readings; at the bounds: {AT_BOUND_READINGS:,}; small: {SMALL_READINGS}"
        rows = [Row(SECTION, store, f"{name}: {metric}", "ms" if metric == "GET time" else "KiB", tuple(values),
                    note if name == "big goal" else "") for (name, metric), values in samples.items()]
        return rows + ratios(store, samples)
    finally:
        databases.drop(database)


def ratios(store: str, samples: dict[tuple[str, str], list[float]]) -> list[Row]:
    """Big over small (the issue's target: at most 2x) and big over a goal already at the bounds (flat: about 1x),
    per answer and metric."""
    return [Row(SECTION, store, f"{kind} {metric}: big / {other}", "x",
                (statistics.median(samples[(f"big {kind}", metric)]) /
                 statistics.median(samples[(f"{other} {kind}", metric)]),))
            for other in ("small", "at-bound") for kind in ("goal", "review") for metric in ("GET time", "answer size")]
