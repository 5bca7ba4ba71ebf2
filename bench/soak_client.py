"""The soak's clients, as their own process: `python -m bench.soak_client` prints one JSON line per segment.

A fixed offered rate (open loop: latency counts from when a request was due) over a pool of `--connections`
kept-alive connections (8 by default, as a few client processes would hold), the issue 28 mix: 20% automated
readings, 40% review reads, 40% goal reads. A connection error (a connection the server closed while the client
reused it) is counted by its kind, never retried.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx

from bench.loadgen import Plan, Tally, Target, send
from bench.stats import percentile

SOAK_READ_PATHS = ("/goals/{goal_id}", "/reviews/{owner_id}?cycle={cycle}")


def segment_report(tally: Tally, started: float, elapsed: float) -> dict[str, Any]:
    errors = {status: n for status, n in tally.statuses.items() if not status.startswith("2")}
    reads = [s * 1000 for s in tally.latencies["read"]]
    return {
        "at_seconds": round(started, 1), "seconds": round(elapsed, 2),
        "answered": sum(len(v) for v in tally.latencies.values()),
        "read_p50_ms": percentile(reads, 0.50), "read_p99_ms": percentile(reads, 0.99),
        "write_p99_ms": percentile([s * 1000 for s in tally.latencies["write"]], 0.99),
        "errors": errors, "connection_errors": sum(n for status, n in errors.items() if not status.isdigit()),
        "failures": tally.failures,
        # Every read's latency, so that the soak compares its p99 over windows as long as the first 5 minutes.
        "read_ms": [round(ms, 2) for ms in reads],
    }


async def one_segment(client: httpx.AsyncClient, plan: Plan, first: int, rate: float, seconds: float) -> Tally:
    """Requests first, first+1, ... each due at its time; waits for the last to be answered."""
    tally, tasks = Tally(), set[asyncio.Task[None]]()
    start = time.perf_counter()
    count = int(rate * seconds)
    for i in range(count):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(send(client, plan, first + i, due, tally))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(tasks)
    return tally


async def run(args: argparse.Namespace) -> None:
    plan = Plan([Target.parse(t) for t in args.targets.split(",")], SOAK_READ_PATHS, ("tickets", "csat"),
                write_share=0.2)
    limits = httpx.Limits(max_connections=args.connections, max_keepalive_connections=args.connections)
    headers = {"Authorization": f"Bearer {args.token}"}
    async with httpx.AsyncClient(base_url=args.base, headers=headers, limits=limits, timeout=30) as client:
        began, sent = time.perf_counter(), 0
        while time.perf_counter() - began < args.seconds:
            segment_start = time.perf_counter() - began
            seconds = min(args.segment, args.seconds - segment_start)
            if seconds * args.rate < 1:
                break
            tally = await one_segment(client, plan, sent, args.rate, seconds)
            sent += int(args.rate * seconds)
            elapsed = time.perf_counter() - began - segment_start
            print(json.dumps(segment_report(tally, segment_start, elapsed)), flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak_client")
    parser.add_argument("--base", required=True, help="http://127.0.0.1:PORT (only the loopback address)")
    parser.add_argument("--token", required=True)
    parser.add_argument("--targets", required=True, help="comma-separated goal_id|owner_id|cycle triples")
    parser.add_argument("--rate", type=float, default=40, help="requests offered per second")
    parser.add_argument("--seconds", type=float, default=3600)
    parser.add_argument("--segment", type=float, default=30, help="seconds per reported segment")
    parser.add_argument("--connections", type=int, default=8, help="kept-alive connections in the pool")
    args = parser.parse_args(argv)
    if urlsplit(args.base).hostname != "127.0.0.1":
        parser.error("--base must be on 127.0.0.1: the soak only loads a local server")
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
