"""Lag of the review view under a steady write load: `goalengine projections run` in its own process follows the
log while this process writes KPI readings at a fixed rate; the lag of an event is the time from its commit to
the moment the review projection's position passes it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from bisect import bisect_left
from collections.abc import Callable
from uuid import UUID

from sqlalchemy import select

from application.goals.service import Goals
from bench import workload
from bench.config import Sizes
from bench.stats import Row, percentile
from bench.stores import AUDIT_KEY, Database, Databases
from projections.service import build_runner
from projections.tables import projection_positions

SECTION = "lag"
PROJECTION = "reviews"
SAMPLE_EVERY = 0.005  # seconds between reads of the projection's position
POLL_INTERVAL = "0.05"  # the follower's wait when nothing is new


def follower(database: Database) -> subprocess.Popen[bytes]:
    env = {**os.environ, "GOALENGINE_DATABASE_URL": database.url, "GOALENGINE_AUDIT_KEY": AUDIT_KEY.decode()}
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "projections", "run", "--poll-interval", POLL_INTERVAL],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def review_position(goals: Goals) -> int:
    with goals.engine.connect() as connection:
        query = select(projection_positions.c.position).where(projection_positions.c.name == PROJECTION)
        return int(connection.execute(query).scalar() or 0)


class PositionSampler(threading.Thread):
    """Records (time, position) whenever the projection's position moves."""

    def __init__(self, goals: Goals) -> None:
        super().__init__(daemon=True)
        self.goals, self.seen, self.done = goals, [(time.perf_counter(), 0)], threading.Event()

    def run(self) -> None:
        while not self.done.wait(SAMPLE_EVERY):
            position = review_position(self.goals)
            if position != self.seen[-1][1]:
                self.seen.append((time.perf_counter(), position))

    def caught_up_at(self, position: int) -> float | None:
        positions = [p for _, p in self.seen]
        index = bisect_left(positions, position)
        return self.seen[index][0] if index < len(self.seen) else None


def one_run(database: Database, sizes: Sizes) -> list[float]:
    """Lag in milliseconds of every event written at `lag_rate` readings per second for `lag_seconds`."""
    clock = workload.Clock()
    goals = Goals(database.settings(), today=clock)
    build_runner(goals)  # creates the read-model tables and positions before the follower and the sampler start
    process = follower(database)
    try:
        goal_ids = [workload.run_goal_commands(goals, clock, n, 0) for n in range(1, 11)]
        sampler = PositionSampler(goals)
        deadline = time.monotonic() + 60
        while review_position(goals) < goals.head_position():  # the follower is up and caught up
            if process.poll() is not None or time.monotonic() > deadline:
                errors = process.stderr.read() if process.stderr else ""
                raise RuntimeError(f"projections run did not catch up: {errors}")
            time.sleep(0.01)
        sampler.start()
        written = write_steadily(goals, clock, goal_ids, sizes)
        last = written[-1][1]
        while sampler.caught_up_at(last) is None:
            if time.monotonic() > deadline + sizes.lag_seconds:
                raise RuntimeError("projections run fell behind for good")
            time.sleep(0.01)
        sampler.done.set()
        sampler.join()
        return [((sampler.caught_up_at(p) or t) - t) * 1000 for t, p in written]
    finally:
        process.terminate()
        process.wait(timeout=30)
        goals.close()


def write_steadily(goals: Goals, clock: workload.Clock, goal_ids: list[UUID], sizes: Sizes) -> list[tuple[float, int]]:
    """KPI readings at a fixed rate (open loop: each is due at its slot); returns (commit time, position) of each."""
    interval, count = 1 / sizes.lag_rate, sizes.lag_rate * sizes.lag_seconds
    readings = workload.readings(count)
    started, written = time.perf_counter(), []
    for i, (kpi, value, day) in enumerate(readings):
        pause = started + i * interval - time.perf_counter()
        if pause > 0:
            time.sleep(pause)  # pacing the offered load, not waiting for a result
        goal_id = goal_ids[i % len(goal_ids)]
        goals.record_kpi(goal_id, workload.owner(1 + i % len(goal_ids)), kpi=kpi, value=value, observed_at=day)
        written.append((time.perf_counter(), goals.head_position()))
    return written


def measure(databases: Databases, sizes: Sizes, runs: int, progress: Callable[[str], None]) -> list[Row]:
    store = databases.store
    samples: dict[str, list[float]] = {"p50": [], "p95": [], "max": []}
    for run in range(runs):
        progress(f"{store}: lag of the review view at {sizes.lag_rate} writes/s, run {run + 1}/{runs}")
        database = databases.fresh("lag")
        try:
            lags = one_run(database, sizes)
        finally:
            databases.drop(database)
        samples["p50"].append(percentile(lags, 0.50))
        samples["p95"].append(percentile(lags, 0.95))
        samples["max"].append(max(lags))
    note = f"projections run (poll {POLL_INTERVAL} s) beside {sizes.lag_rate} KPI readings/s for {sizes.lag_seconds} s"
    return [Row(SECTION, store, f"review view lag: {name}", "ms", tuple(values), note)
            for name, values in samples.items()]
