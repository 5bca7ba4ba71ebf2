"""Reads check what they serve (ADR 0038, 0050): commands and reads with read checks on against off, same run.

    python -m bench --only reads [--store sqlite|postgresql|both]
    python -m bench.read_verification [--goals 30] [--readings 22] [--store sqlite postgresql]

Commands are the throughput workload (bench/workload.py: draft, two signatures, readings), best of two fresh
databases each, alternated. Reads, in a process that has just started: "first reads" load each goal once (nothing
checked in memory: each event's read seal is checked, ADR 0050; without one, its Ed25519 signature); "cold reads"
then load each goal from the store again (`forget_cached_aggregates` first: the rows' bytes match what was checked
before); "warm reads" come from the aggregate cache. The two contenders' processes restart in turn, best of five
each, so the noise of a shared machine falls on both alike. Prints commands/s and reads/s, and the ratio on/off
(the target is at least 0.8x).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import replace
from uuid import UUID

from application.goals.service import Goals
from application.store.settings import Settings
from bench import workload
from bench.config import Sizes
from bench.stats import Row
from bench.stores import POSTGRESQL, SQLITE, Database, Databases, postgres_problem

SECTION = "reads"
MEASURES = ("commands", "first reads", "cold reads", "warm reads")
RESTARTS = 5  # restarts of each contender, alternated; best of them (one pass of first reads is short)


def populate(database: Database, goals_count: int, readings: int, verify: bool) -> tuple[float, list[UUID]]:
    """Commands/s of the throughput workload on a fresh database, and the goals it wrote."""
    clock = workload.Clock()
    goals = Goals(contender(database, verify), today=clock)
    try:
        workload.run_goal_commands(goals, clock, 0, 1)
        started = time.perf_counter()
        ids = [workload.run_goal_commands(goals, clock, n, readings) for n in range(1, goals_count + 1)]
        return goals_count * workload.commands_per_goal(readings) / (time.perf_counter() - started), ids
    finally:
        goals.close()


def contender(database: Database, verify: bool) -> Settings:
    return replace(database.settings(), verify_reads=verify)


def reads_after_restart(settings: Settings, ids: list[UUID]) -> tuple[float, float, float]:
    """First, cold and warm reads/s in a process that has just started (nothing checked in memory yet)."""
    goals = Goals(settings, today=workload.Clock())
    try:
        first = reads_per_second(goals, ids, cold=True, rounds=1)
        return first, reads_per_second(goals, ids, cold=True), reads_per_second(goals, ids, cold=False)
    finally:
        goals.close()


def reads_per_second(goals: Goals, ids: list[UUID], cold: bool, rounds: int = 3) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        for goal_id in ids:
            if cold:
                goals.forget_cached_aggregates()
            goals.get_goal(goal_id)
    return rounds * len(ids) / (time.perf_counter() - started)


def one_run(databases: Databases, goals_count: int, readings: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Each measure with read checks on and off, best of each. Commands: two fresh databases per contender,
    alternated. Reads: the last two databases, a restart of each in turn, RESTARTS times, so that the noise of a
    shared machine falls on both alike."""
    commands: dict[bool, list[float]] = {True: [], False: []}
    kept: dict[bool, tuple[Database, list[UUID]]] = {}
    try:
        for attempt in range(2):
            for verify in (True, False):
                database = databases.fresh("reads")
                rate, ids = populate(database, goals_count, readings, verify)
                commands[verify].append(rate)
                if attempt == 0:
                    databases.drop(database)
                else:
                    kept[verify] = (database, ids)
        reads: dict[bool, list[tuple[float, float, float]]] = {True: [], False: []}
        for _ in range(RESTARTS):
            for verify, (database, ids) in kept.items():
                reads[verify].append(reads_after_restart(contender(database, verify), ids))
    finally:
        for database, _ids in kept.values():
            databases.drop(database)
    on, off = ((max(commands[v]), *map(max, zip(*reads[v], strict=True))) for v in (True, False))
    return on, off


def measure(databases: Databases, sizes: Sizes, runs: int, progress: Callable[[str], None]) -> list[Row]:
    """The section of `python -m bench --only reads`: one row per measure and contender."""
    samples: dict[tuple[str, bool], list[float]] = {(m, on): [] for m in MEASURES for on in (True, False)}
    for number in range(runs):
        progress(f"{databases.store}: reads, run {number + 1}/{runs}")
        for verify, rates in zip((True, False), one_run(databases, sizes.goals, sizes.readings), strict=True):
            for name, value in zip(MEASURES, rates, strict=True):
                samples[(name, verify)].append(value)
    unit = {"commands": "commands/s"}
    return [Row(SECTION, databases.store, f"{name}, read checks {'on' if verify else 'off'}",
                unit.get(name, "reads/s"), tuple(values), "read seals (ADR 0050)" if verify else "no read checks")
            for (name, verify), values in samples.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--goals", type=int, default=30)
    parser.add_argument("--readings", type=int, default=22)
    parser.add_argument("--store", nargs="*", default=[SQLITE, POSTGRESQL], choices=[SQLITE, POSTGRESQL])
    args = parser.parse_args()
    for store in args.store:
        if store == POSTGRESQL and postgres_problem():
            print(f"{store}: skipped ({postgres_problem()})")
            continue
        databases = Databases(store)
        try:
            on, off = one_run(databases, args.goals, args.readings)
        finally:
            databases.close()
        for name, top_on, top_off in zip(MEASURES, on, off, strict=True):
            print(f"{store:10} {name + '/s':13} on {top_on:9.1f}  off {top_off:9.1f}  ratio {top_on / top_off:.2f}x")


if __name__ == "__main__":
    main()
