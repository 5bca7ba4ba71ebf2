"""`python -m bench.subscribers [--quick]`: what consumers cost (ADR 0018, 0019), as ratios measured in one run.

- relay throughput: `goalengine relay nats` (read the log, CloudEvents, publish, acks, store the position) against
  publishing the same messages with nats-py alone, into a JetStream stream configured the same way;
- idle CPU of 1,000 open SSE streams on a real `goalengine serve` process: polling every 0.25 s (before, push off)
  against waiting for new events (after, push on); CPU seconds of the server process per wall second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

import nats

from api.auth import issue_token
from application.events.cloudevents import to_cloudevents
from bench.workload import open_cycle
from application.goals.service import Goals
from application.relay.nats_jetstream import STRUCTURED, NatsJetStreamRelay
from application.relay.relay import RelayRunner
from application.store.settings import Settings, key_fields_from_env
from bench.machine import describe
from domain.terms import GoalTerms
from domain.values import Actor, Cadence, Cycle, Direction, Kpi, Role

ROOT = Path(__file__).resolve().parent.parent
NATS_URL = os.environ.get("GOALENGINE_BENCH_NATS_URL", "nats://127.0.0.1:4222")
SECRET = "bench-secret-of-at-least-32-bytes-long!"
KPI = Kpi("tickets", "Tickets per day", "tickets/day", Direction.INCREASE, Decimal(14), Cadence.WEEKLY,
          target=Decimal(20))
CYCLE = Cycle("2026-H1", date(2026, 1, 1), date(2026, 6, 30))


def seed(goals: Goals, count: int) -> None:
    """`count` events: the cycle's opening, then drafts."""
    actor = Actor("emp-1", Role.EMPLOYEE)
    open_cycle(goals, CYCLE)
    for number in range(count - 1):
        terms = GoalTerms(title=f"Goal {number}",
                          statement="Resolve at least 20 support tickets per day by the end of Q2",
                          kpis=(KPI,), deadline=CYCLE.end, weight=Decimal(100), org_unit="support")
        goals.draft_goal(actor, cycle=CYCLE, owner_id="emp-1", manager_id="mgr-1", terms=terms)


async def publish_bare(cloudevents: list[dict[str, Any]], stream: str, prefix: str, batch: int) -> float:
    """nats-py alone: the same messages, headers and batching, already built; seconds."""
    connection = await nats.connect(NATS_URL)
    js = connection.jetstream()
    await js.add_stream(name=stream, subjects=[f"{prefix}.>"], duplicate_window=7200)
    payloads = [(f"{prefix}.{c['type']}", json.dumps(c, separators=(",", ":")).encode(),
                 {"Nats-Msg-Id": c["id"], "content-type": STRUCTURED}) for c in cloudevents]
    started = time.perf_counter()
    for first in range(0, len(payloads), batch):
        pending = [await js.publish_async(s, p, headers=h, stream=stream) for s, p, h in payloads[first:first + batch]]
        await asyncio.gather(*pending)
    elapsed = time.perf_counter() - started
    await js.delete_stream(stream)
    await connection.close()
    return elapsed


async def delete_stream(stream: str) -> None:
    connection = await nats.connect(NATS_URL)
    await connection.jetstream().delete_stream(stream)
    await connection.close()


def relay_throughput(url: str, events: int, batch: int) -> dict[str, float]:
    goals = Goals(Settings(database_url=url, audit_key=b"bench", **key_fields_from_env(os.environ)))
    try:
        seed(goals, events)
        tag = uuid4().hex[:8]
        relay = NatsJetStreamRelay(NATS_URL, f"BENCH_R{tag}", f"benchr{tag}")
        started = time.perf_counter()
        relayed = asyncio.run(RelayRunner(goals, relay, batch_size=batch).run(once=True))
        relay_seconds = time.perf_counter() - started
        asyncio.run(delete_stream(relay.stream))
        assert relayed == events, f"relayed {relayed} of {events}"
        cloudevents = to_cloudevents(goals, list(goals.log_events()))
        bare_seconds = asyncio.run(publish_bare(cloudevents, f"BENCH_B{tag}", f"benchb{tag}", batch))
    finally:
        goals.close()
    return {"relay events/s": events / relay_seconds, "nats-py alone events/s": events / bare_seconds,
            "relay / nats-py alone (time)": relay_seconds / bare_seconds}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def open_streams(port: int, count: int, token: str) -> list[asyncio.StreamWriter]:
    request = (f"GET /events/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
               "Accept: text/event-stream\r\n\r\n").encode()

    async def one() -> asyncio.StreamWriter:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request)
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b": connected"), 60)
        assert b" 200 " in head.split(b"\r\n", 1)[0], head[:200]
        return writer

    writers = []
    for first in range(0, count, 100):  # in waves, so the accept queue never overflows
        writers += await asyncio.gather(*(one() for _ in range(first, min(count, first + 100))))
    return writers


def idle_stream_cpu(streams: int, window: float, push: bool) -> float:
    """CPU seconds per wall second of a serve process holding `streams` open, quiet streams."""
    directory = tempfile.mkdtemp(prefix="bench-streams-")
    port = free_port()
    env = {**os.environ, "GOALENGINE_DATABASE_URL": f"sqlite:///{directory}/goals.db", "GOALENGINE_SECRET": SECRET,
           "GOALENGINE_AUDIT_KEY": "bench", "GOALENGINE_EVENTS_PUSH": "true" if push else "false",
           "GOALENGINE_EVENTS_MAX_STREAMS_PER_CALLER": str(streams + 10),
           "GOALENGINE_STREAMS_PER_CALLER": str(streams + 10),
           "GOALENGINE_MAX_CONNECTIONS": str(2 * streams + 100),
           "GOALENGINE_WEBHOOK_SECRETS_KEY_FILE": f"{directory}/webhook.key"}
    server = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    token = issue_token(SECRET, "dashboards", "service")

    async def measure() -> float:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                await asyncio.sleep(0.1)
        writers = await open_streams(port, streams, token)
        await asyncio.sleep(1.0)  # let the opening settle before the window starts
        before, started = cpu_seconds(server.pid), time.monotonic()
        await asyncio.sleep(window)
        used = (cpu_seconds(server.pid) - before) / (time.monotonic() - started)
        for writer in writers:
            writer.close()
        return used

    try:
        return asyncio.run(measure())
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.subscribers")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--json", type=Path, default=None, help="write the results here (default: bench/results/)")
    parser.add_argument("--events", type=int, default=None, help="events to relay (default 3000; quick 300)")
    parser.add_argument("--streams", type=int, default=None, help="open SSE streams (default 1000; quick 100)")
    parser.add_argument("--window", type=float, default=None, help="seconds of idle CPU measured (default 10)")
    args = parser.parse_args(argv)
    events, streams, window = (300, 100, 2.0) if args.quick else (3000, 1000, 10.0)
    events, streams, window = args.events or events, args.streams or streams, args.window or window
    results: dict[str, Any] = {"machine": describe(), "events": events, "streams": streams, "window_s": window}
    with tempfile.TemporaryDirectory() as directory:
        results["relay, sqlite"] = relay_throughput(f"sqlite:///{directory}/relay.db", events, 500)
    before = idle_stream_cpu(streams, window, push=False)
    after = idle_stream_cpu(streams, window, push=True)
    results["idle SSE streams"] = {"poll every 0.25 s (before): CPU s/s": before, "push (after): CPU s/s": after,
                                   "after / before": after / before if before else float("nan")}
    print(json.dumps(results, indent=2))
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%MZ")
    target = args.json or ROOT / "bench" / "results" / f"{stamp}-subscribers{'-quick' if args.quick else ''}.json"
    target.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
