"""Reads check what they serve (ADR 0038, 0050): commands and reads with read checks on against off, same run.

    python -m bench --only reads [--store sqlite|postgresql|both]
    python -m bench.read_verification [--goals 30] [--readings 22] [--store sqlite postgresql]

Commands are the throughput workload (bench/workload.py: draft, two signatures, readings), best of two fresh
databases each, alternated. Reads, in a process that has just started: "first reads" load each goal once (nothing
checked in memory: each event's read seal is checked, ADR 0050; without one, its Ed25519 signature); "cold reads"
then load each goal from the store again (`forget_cached_aggregates` first: the rows' bytes match what was checked
before); "warm reads" come from the aggregate cache. Both contenders' applications start together, five times,
and read each goal in turn (the order flips goal by goal), so the noise of a shared machine falls on both alike;
reads/s are over all five. Prints commands/s and reads/s, and the ratio on/off (the target is at least 0.8x).
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
RESTARTS = 5  # starts of both contenders together; their reads are summed over all of them
ROUNDS = ((1, True), (3, True), (3, False))  # passes over the goals: first reads, cold reads, warm reads


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


def reads_after_restart(kept: dict[bool, tuple[Settings, list[UUID]]]) -> dict[bool, list[float]]:
    """Seconds of first, cold and warm reads of each contender, in two applications that have just started
    (nothing checked in memory yet), one goal of each in turn (the order flips each goal), so that every moment of
    a noisy machine's load falls on both alike."""
    apps = {verify: Goals(settings, today=workload.Clock()) for verify, (settings, _ids) in kept.items()}
    seconds = {verify: [0.0, 0.0, 0.0] for verify in apps}
    try:
        for index, (rounds, cold) in enumerate(ROUNDS):
            for _ in range(rounds):
                for n in range(len(kept[True][1])):
                    for verify in (True, False) if n % 2 else (False, True):
                        seconds[verify][index] += read_once(apps[verify], kept[verify][1][n], cold)
    finally:
        for app in apps.values():
            app.close()
    return seconds


def read_once(goals: Goals, goal_id: UUID, cold: bool) -> float:
    if cold:
        goals.forget_cached_aggregates()
    started = time.perf_counter()
    goals.get_goal(goal_id)
    return time.perf_counter() - started


def one_run(databases: Databases, goals_count: int, readings: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Each measure with read checks on and off. Commands: best of two fresh databases per contender, alternated.
    Reads: over the last two databases, summed over RESTARTS starts of both applications together."""
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
        totals = {True: [0.0, 0.0, 0.0], False: [0.0, 0.0, 0.0]}
        settings = {verify: (contender(database, verify), ids) for verify, (database, ids) in kept.items()}
        for _ in range(RESTARTS):
            for verify, seconds in reads_after_restart(settings).items():
                totals[verify] = [total + more for total, more in zip(totals[verify], seconds, strict=True)]
    finally:
        for database, _ids in kept.values():
            databases.drop(database)
    reads = [RESTARTS * goals_count * rounds for rounds, _cold in ROUNDS]
    on, off = ((max(commands[v]), *(n / total for n, total in zip(reads, totals[v], strict=True)))
               for v in (True, False))
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
