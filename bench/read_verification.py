"""Reads check what they serve (ADR 0038): commands and reads with read verification on against off, same run.

    python -m bench.read_verification [--goals 30] [--readings 22] [--store sqlite postgresql]

Commands are the throughput workload (bench/workload.py: draft, two signatures, readings). Reads: "first reads"
load each goal once in a process that has just started (every event's Ed25519 signature is checked: the worst
case); "cold reads" load each goal from the store again (`forget_cached_aggregates` first: the rows' bytes match
what was checked before, so no signature is checked again); "warm reads" come from the aggregate cache.
Alternated, best of two each, so the noise of a shared machine falls on both alike.
Prints commands/s and reads/s, and the ratio on/off (the target is at least 0.8x).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from uuid import UUID

from application.goals.service import Goals
from bench import workload
from bench.stores import POSTGRESQL, SQLITE, Database, Databases, postgres_problem


def run(database: Database, goals_count: int, readings: int, verify: bool) -> tuple[float, ...]:
    """Commands/s, first reads/s, cold reads/s and warm reads/s on a fresh database."""
    clock = workload.Clock()
    settings = replace(database.settings(), verify_reads=verify)
    goals = Goals(settings, today=clock)
    try:
        workload.run_goal_commands(goals, clock, 0, 1)
        started = time.perf_counter()
        ids = [workload.run_goal_commands(goals, clock, n, readings) for n in range(1, goals_count + 1)]
        commands = goals_count * workload.commands_per_goal(readings) / (time.perf_counter() - started)
    finally:
        goals.close()
    goals = Goals(settings, today=clock)  # a restarted process: nothing checked yet
    try:
        first = reads_per_second(goals, ids, cold=True, rounds=1)
        return commands, first, reads_per_second(goals, ids, cold=True), reads_per_second(goals, ids, cold=False)
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


def best(databases: Databases, goals_count: int, readings: int, verify: bool) -> tuple[float, ...]:
    database = databases.fresh("reads")
    try:
        return run(database, goals_count, readings, verify)
    finally:
        databases.drop(database)


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
            on, off = [], []
            for _ in range(2):
                on.append(best(databases, args.goals, args.readings, True))
                off.append(best(databases, args.goals, args.readings, False))
        finally:
            databases.close()
        for index, name in enumerate(("commands/s", "first reads/s", "cold reads/s", "warm reads/s")):
            top_on, top_off = max(r[index] for r in on), max(r[index] for r in off)
            print(f"{store:10} {name:13} on {top_on:9.1f}  off {top_off:9.1f}  ratio {top_on / top_off:.2f}x")


if __name__ == "__main__":
    main()
