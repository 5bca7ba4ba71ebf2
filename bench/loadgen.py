"""The HTTP load generator, run as its own process: `python -m bench.loadgen` prints one JSON line of results.

At a fixed rate it is open-loop: request i is due at start + i/rate and its latency counts from that moment,
so a slow server cannot hide its queueing by slowing the generator down (no coordinated omission).
At `--rate 0` it is closed-loop: `--concurrency` clients send back to back, as fast as the server answers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, UTC
from typing import Any
from urllib.parse import urlsplit

import httpx

DEFAULT_WRITE_SHARE = 0.2
MAX_IN_FLIGHT = 256


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"read": [], "write": []})
    statuses: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Target:
    """A goal to read and write, and the employee and cycle whose review shows it."""

    goal_id: str
    owner_id: str
    cycle: str

    @classmethod
    def parse(cls, text: str) -> Target:
        goal_id, owner_id, cycle = text.split("|")
        return cls(goal_id, owner_id, cycle)


@dataclass(frozen=True)
class Plan:
    targets: Sequence[Target]
    read_paths: Sequence[str]  # templates with {goal_id}, {owner_id}, {cycle}
    kpis: Sequence[str]
    write_share: float = DEFAULT_WRITE_SHARE
    seed: int = 7

    def request(self, i: int) -> tuple[str, str, str, dict[str, Any] | None]:
        """(kind, method, path, body) of the i-th request: reads and writes in an 80/20 mix, spread over the goals."""
        rng = random.Random(self.seed * 1_000_003 + i)
        target = rng.choice(self.targets)
        if rng.random() < self.write_share:
            body = {"kpi": rng.choice(self.kpis), "value": str(round(rng.uniform(10, 25), 1)),
                    "observed_at": datetime.now(UTC).date().isoformat(), "source": "bench"}
            return "write", "POST", f"/goals/{target.goal_id}/measurements", body
        path = rng.choice(self.read_paths).format(goal_id=target.goal_id, owner_id=target.owner_id, cycle=target.cycle)
        return "read", "GET", path, None


async def send(client: httpx.AsyncClient, plan: Plan, i: int, due: float, tally: Tally) -> None:
    kind, method, path, body = plan.request(i)
    try:
        response = await client.request(method, path, json=body)
        status = str(response.status_code)
    except httpx.HTTPError as error:
        status = type(error).__name__
    latency = time.perf_counter() - due
    tally.statuses[status] = tally.statuses.get(status, 0) + 1
    if status.startswith("2"):
        tally.latencies[kind].append(latency)
    elif len(tally.failures) < 5:
        tally.failures.append(f"{method} {path}: {status}")


async def fixed_rate(client: httpx.AsyncClient, plan: Plan, rate: float, count: int, deadline: float,
                     tally: Tally) -> int:
    start = time.perf_counter()
    tasks: set[asyncio.Task[None]] = set()
    sent = 0
    while sent < count:
        due = start + sent / rate
        now = time.perf_counter()
        if now >= deadline:
            break
        if due > now:
            await asyncio.sleep(due - now)
        if len(tasks) >= MAX_IN_FLIGHT:  # the server has fallen far behind: wait rather than pile up sockets
            _done, tasks = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        task = asyncio.create_task(send(client, plan, sent, due, tally))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        sent += 1
    if tasks:
        await asyncio.wait(tasks)
    return sent


async def closed_loop(client: httpx.AsyncClient, plan: Plan, concurrency: int, count: int, deadline: float,
                      tally: Tally) -> int:
    counter = iter(range(count))

    async def worker() -> int:
        done = 0
        for i in counter:
            if time.perf_counter() >= deadline:
                break
            await send(client, plan, i, time.perf_counter(), tally)
            done += 1
        return done

    return sum(await asyncio.gather(*(worker() for _ in range(concurrency))))


async def run(args: argparse.Namespace) -> dict[str, Any]:
    targets = [Target.parse(t) for t in args.targets.split(",")]
    plan = Plan(targets, args.read_paths.split(","), args.kpis.split(","), args.write_share)
    headers = {"Authorization": f"Bearer {args.token}"}
    limits = httpx.Limits(max_connections=MAX_IN_FLIGHT if args.rate else args.concurrency)
    tally = Tally()
    async with httpx.AsyncClient(base_url=args.base, headers=headers, limits=limits, timeout=30) as client:
        await client.get("/health")
        cpu_before = _cpu_seconds()  # the run's own work, not the interpreter's start-up
        started = time.perf_counter()
        deadline = started + args.duration
        if args.rate > 0:
            sent = await fixed_rate(client, plan, args.rate, args.requests, deadline, tally)
        else:
            sent = await closed_loop(client, plan, args.concurrency, args.requests, deadline, tally)
        elapsed = time.perf_counter() - started
    return {"sent": sent, "seconds": elapsed, "statuses": tally.statuses, "failures": tally.failures,
            "latencies": tally.latencies, "cpu_seconds": _cpu_seconds() - cpu_before}


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loadgen")
    parser.add_argument("--base", required=True, help="http://127.0.0.1:PORT (only the loopback address is allowed)")
    parser.add_argument("--token", required=True)
    parser.add_argument("--targets", required=True, help="comma-separated goal_id|owner_id|cycle triples")
    parser.add_argument("--kpis", default="tickets,csat")
    parser.add_argument("--read-paths", default="/goals/{goal_id}", help="comma-separated path templates")
    parser.add_argument("--write-share", type=float, default=DEFAULT_WRITE_SHARE, help="share of POST measurements")
    parser.add_argument("--rate", type=float, default=200, help="requests per second; 0 for as fast as possible")
    parser.add_argument("--concurrency", type=int, default=16, help="clients at --rate 0")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--duration", type=float, default=20, help="seconds at most")
    args = parser.parse_args(argv)
    if urlsplit(args.base).hostname != "127.0.0.1":
        parser.error("--base must be on 127.0.0.1: the generator only loads a local server")
    print(json.dumps(asyncio.run(run(args))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
