"""Bounded answers (issue 28): GET of a goal with `sizes.big_goal` readings (100,000 by default) and of its review,
against the same for a goal with 10, over HTTP on `goalengine serve`: time per request and bytes per answer.

The goal's answer keeps its latest 100 readings and the review one reading per day (ADR 0044), so both should cost
about the same whatever the history. The big goal is recorded through the application's commands, as the API would
(readings alternate two KPIs a day apart over the year; past the year's days, later readings are corrections):
drafted and agreed by the commands, its readings recorded by the goal's own method and saved BULK_SAVE at a time
(the same events, signed, chained and snapshotted as the commands store them, in far fewer transactions: 100,000
commands took over two hours on PostgreSQL on a busy 2-core machine).

A goal with 10 readings shows all 10 while the big one shows the latest 100, so "big / small" with the default
bound compares different amounts of content; the two ratios that show whether cost grows with history are big /
a goal already at the bounds (1,460 readings), and big / small with the bound configured to 10
(GOALENGINE_GOAL_MEASUREMENTS=10: both answers then hold 10 readings). All three are reported (ADR 0044 addendum).
`as_of` reads (a past moment: every event up to it folded) are measured too, against the small goal's.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import httpx

from api.auth import issue_token
from application.goals.service import Goals
from bench import workload
from bench.api_load import SECRET, served
from bench.config import Sizes
from bench.stats import Ratio, Row, at_most, checked
from bench.soak import wait_until_ready
from bench.stores import Database, Databases
from domain.values import Cycle, Role

SECTION = "bounded"
SMALL_READINGS = 10
# At the bounds: 100 readings in the goal's answer, and in the review every day of the year for both KPIs, each
# with a correction (the first 730 readings fill the days, the next 730 correct each once).
AT_BOUND_READINGS = 4 * 365
CONFIGURED_BOUND = SMALL_READINGS  # the second pass: GOALENGINE_GOAL_MEASUREMENTS=10, the small goal's readings
REQUESTS = 30  # per answer and run, after one warm-up request
AS_OF_REQUESTS = 2  # an as_of read folds every event up to the moment: seconds each on the big goal (first run only)
GOALS = (("small", 1), ("big", 2), ("at-bound", 3))
BULK_SAVE = 2000  # readings per save while the big goal is seeded
# A server's first start on the seeded store checkpoints the whole audit log (ADR 0039), and its projector folds
# every seeded event into the reviews before the first request: minutes for 100,000 readings on a busy machine.
READY_TIMEOUT = 3600.0
WHY = {
    "default": "with the default bound the small goal shows its 10 readings and the big one its latest 100, a "
    "fixed difference that does not grow with history: see big / at the bounds, and big / small with the bound "
    "set to 10 (ADR 0044 addendum)",
    "review": "the review's series holds the counted reading of each KPI and day (ADR 0044): the big goal's readings "
    "fill every day of the year, the small one's 10 days; bounded by the cycle's days, not by readings (see big / "
    "at the bounds)",
    "as_of": "an as_of read folds every event of the goal (and, for the review, of each of its goals) up to the "
    "moment, so it grows with history; the current answers are the bounded ones",
    "flat": "past the bounds the answer should neither grow nor slow with history; a miss here is a regression",
}


def seed(databases: Databases, sizes: Sizes, progress: Callable[[str], None]) -> tuple[Database, dict[str, str]]:
    """The store with a small, a big and an at-the-bounds goal (of three owners); their goal and review paths,
    now and as of the moment after seeding."""
    database = databases.fresh("bounded")
    cycle = workload.year_cycle(datetime.now(UTC).year)
    clock = workload.Clock()
    goals = Goals(database.settings(), today=clock)
    readings = {"small": SMALL_READINGS, "big": sizes.big_goal, "at-bound": AT_BOUND_READINGS}
    ids = {}
    try:
        for name, n in GOALS:
            progress(f"{databases.store}: bounded, recording {readings[name]:,} readings of the {name} goal")
            started = time.perf_counter()
            if readings[name] > BULK_SAVE:
                ids[name] = record_in_bulk(goals, clock, n, readings[name], cycle)
            else:
                ids[name] = workload.run_goal_commands(goals, clock, n, readings[name], cycle)
            progress(f"{databases.store}: bounded, recorded in {time.perf_counter() - started:.0f} s")
    finally:
        goals.close()
    moment = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    paths = {}
    for name, n in GOALS:
        review = f"/reviews/{workload.owner(n).id}?cycle={cycle.id}&consistency=eventual"
        paths |= {f"{name} goal": f"/goals/{ids[name]}", f"{name} review": review}
        if name != "at-bound":
            paths |= {f"{name} goal as_of": f"/goals/{ids[name]}?as_of={moment}",
                      f"{name} review as_of": f"{review}&as_of={moment}"}
    return database, paths


def record_in_bulk(goals: Goals, clock: workload.Clock, n: int, count: int, cycle: Cycle) -> UUID:
    """The goal agreed through the commands, then `count` readings by its own method, saved BULK_SAVE at a time."""
    goal_id = workload.run_goal_commands(goals, clock, n, 0, cycle)
    goal = goals.get_goal(goal_id)
    for i, (kpi, value, day) in enumerate(workload.readings(count, cycle), start=1):
        goal.record_kpi(kpi, value, day, workload.owner(n), "bench", today=clock())
        if i % BULK_SAVE == 0 or i == count:
            goals.save_at(goal)
    return goal_id


def timed(client: httpx.Client, path: str, requests: int) -> tuple[float, int]:
    """Median milliseconds per GET (after a warm-up) and the answer's bytes."""
    answer = client.get(path)
    answer.raise_for_status()
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(path).raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(answer.content)


def measure_pass(database: Database, root: Path, paths: dict[str, str], runs: int, label: str,
                 settings: dict[str, str], progress: Callable[[str], None]) -> dict[tuple[str, str], list[float]]:
    """Each path's median ms and KiB per run, on a server with these settings; names get `label` appended."""
    samples: dict[tuple[str, str], list[float]] = {}
    token = issue_token(SECRET, "hr-bench", Role.HR)
    with served(database, root, settings=settings, start_timeout=READY_TIMEOUT) as server, httpx.Client(
            base_url=server.base, headers={"Authorization": f"Bearer {token}"}, timeout=300) as client:
        wait_until_ready(server.base, READY_TIMEOUT)  # (then reviews are read as they stand: the answer, not a wait)
        for run in range(runs):
            progress(f"{database.store}: bounded{label}, run {run + 1}/{runs}")
            for name, path in paths.items():
                if "as_of" in path and run > 0:
                    continue
                milliseconds, size = timed(client, path, AS_OF_REQUESTS if "as_of" in path else REQUESTS)
                samples.setdefault((name + label, "GET time"), []).append(milliseconds)
                samples.setdefault((name + label, "answer size"), []).append(size / 1024)
    return samples


def measure(databases: Databases, sizes: Sizes, runs: int, progress: Callable[[str], None]) -> list[Row]:
    store = databases.store
    database, paths = seed(databases, sizes, progress)
    root = Path(databases.root)
    try:
        samples = measure_pass(database, root, paths, runs, "", {}, progress)
        configured = {name: path for name, path in paths.items() if name in ("small goal", "big goal")}
        samples |= measure_pass(database, root, configured, runs, f", bound {CONFIGURED_BOUND}",
                                {"GOALENGINE_GOAL_MEASUREMENTS": str(CONFIGURED_BOUND)}, progress)
        note = (f"big goal: {sizes.big_goal:,} readings; at the bounds: {AT_BOUND_READINGS:,}; small: "
                f"{SMALL_READINGS}; 'bound {CONFIGURED_BOUND}': served with GOALENGINE_GOAL_MEASUREMENTS="
                f"{CONFIGURED_BOUND}")
        return [Row(SECTION, store, f"{name}: {metric}", "ms" if metric == "GET time" else "KiB", tuple(values),
                    note if name == "big goal" else "") for (name, metric), values in samples.items()]
    finally:
        databases.drop(database)


def ratios(rows: list[Row], store: str) -> list[Ratio]:
    """Big over small (the issue's target, at most 2x) with the default bound and with the bound set to 10, big over
    a goal already at the bounds, and the as_of reads big over small; per answer and metric."""
    medians = {r.name: r.median for r in rows if r.store == store and r.section == SECTION}
    bound = f", bound {CONFIGURED_BOUND}"
    comparisons = [("goal", "", "small", "default"), ("goal", "", "at-bound", "flat"),
                   ("goal", bound, "small", "flat"), ("review", "", "small", "review"),
                   ("review", "", "at-bound", "flat"), ("goal as_of", "", "small", "as_of"),
                   ("review as_of", "", "small", "as_of")]
    found = []
    for kind, label, other, why in comparisons:
        for metric in ("GET time", "answer size"):
            big, base = medians.get(f"big {kind}{label}: {metric}"), medians.get(f"{other} {kind}{label}: {metric}")
            if big is None or not base:
                continue
            name = f"bounded: {kind} {metric}, big / {other}" + (label or (", bound 100" if kind == "goal" else ""))
            found.append(checked(store, name, big / base, "<= 2x", lambda v: at_most(v, 2.0), WHY[why]))
    return found
