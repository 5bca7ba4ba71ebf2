"""The HTTP API under load: `goalengine serve` in one process, the load generator in another, on 127.0.0.1 only."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, UTC
from pathlib import Path
from typing import Any

import httpx

from api.auth import issue_token
from application.goals.service import Goals
from bench import profile as profile_tools, workload
from bench.config import Sizes
from bench.stats import Row, percentile
from bench.stores import AUDIT_KEY, Database, Databases
from domain.values import Role

SECTION = "http"
SECRET = "bench-secret-of-at-least-32-bytes-for-hs256"
HOST = "127.0.0.1"
GOALS = 50
READINGS_PER_GOAL = 10
START_TIMEOUT = 180.0  # a shared 2-core machine under load can take a minute to import and start
REVIEW_ROUTE = "/reviews/{employee_id}"
REVIEW_PATH = "/reviews/{owner_id}?cycle={cycle}"
# Closed-loop clients for "max": enough to keep uvicorn's thread pool busy on a 2-core machine.
CONCURRENCY = 16
UNTHROTTLED = 10_000_000  # writes per minute per caller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process and its live children (uvicorn's workers) have used so far (Linux
    /proc; 0 where there is none)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_seconds(int(child)) for child in children)


@dataclass(frozen=True)
class Server:
    base: str
    pid: int


@contextmanager
def served(database: Database, log_dir: Path, workers: int = 1, anchor_targets: list[str] | None = None,
           settings: dict[str, str] | None = None, start_timeout: float = START_TIMEOUT) -> Iterator[Server]:
    """`goalengine serve` (or, given targets, the anchor app) on a free loopback port, as a child process, with
    these GOALENGINE_ settings besides the bench's own; stopped (by its own pid) on exit."""
    port = free_port()
    env = {**os.environ, "GOALENGINE_DATABASE_URL": database.url, "GOALENGINE_AUDIT_KEY": AUDIT_KEY.decode(),
           "GOALENGINE_SECRET": SECRET, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
           # The load generator writes as one caller: the per-caller abuse limit (600/min) would measure itself.
           "GOALENGINE_WRITES_PER_MINUTE": str(UNTHROTTLED), **(settings or {})}
    log_path = log_dir / f"serve-{port}.log"
    log = log_path.open("w")
    if anchor_targets is not None:
        command = [sys.executable, "-m", "bench.anchor", "--url", database.url, "--port", str(port),
                   "--secret", SECRET, "--targets", ",".join(anchor_targets), "--workers", str(workers)]
    else:
        command = [sys.executable, "-m", "api.cli", "serve", "--host", HOST, "--port", str(port),
                   "--workers", str(workers)]
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://{HOST}:{port}"
    try:
        try:
            _wait_until_up(base, server, start_timeout)
        except RuntimeError as error:
            raise RuntimeError(f"{error}; its log ends:\n{log_path.read_text()[-3000:]}") from None
        yield Server(base, server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _wait_until_up(base: str, server: subprocess.Popen[bytes], timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"goalengine serve exited with {server.returncode} before answering")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)  # polling the server's readiness, not standing in for synchronisation of results
    raise RuntimeError(f"goalengine serve did not answer /health within {timeout:.0f} s")


def seed_goals(database: Database, count: int = GOALS, readings: int = READINGS_PER_GOAL) -> list[str]:
    """Agreed goals of this year with a few readings (so a reading dated today is accepted), as load targets."""
    cycle = workload.year_cycle(datetime.now(UTC).year)
    clock = workload.Clock()
    goals = Goals(database.settings(), today=clock)
    try:
        return [
            f"{workload.run_goal_commands(goals, clock, n, readings, cycle)}|{workload.owner(n).id}|{cycle.id}"
            for n in range(count)
        ]
    finally:
        goals.close()


def read_paths(base: str) -> list[str]:
    """GET goal, and GET review if the API serves it (looked up in its OpenAPI document)."""
    paths = ["/goals/{goal_id}"]
    spec = httpx.get(f"{base}/openapi.json", timeout=10).json()
    if "get" in spec.get("paths", {}).get(REVIEW_ROUTE, {}):
        paths.append(REVIEW_PATH)
    return paths


def load(
    base: str, targets: list[str], paths: list[str], rate: int, sizes: Sizes, write_share: float
) -> dict[str, Any]:
    token = issue_token(SECRET, "hr-bench", Role.HR)
    command = [
        sys.executable, "-m", "bench.loadgen", "--base", base, "--token", token, "--targets", ",".join(targets),
        "--read-paths", ",".join(paths), "--rate", str(rate), "--concurrency", str(CONCURRENCY),
        "--requests", str(sizes.requests), "--duration", str(sizes.duration), "--write-share", str(write_share),
    ]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=sizes.duration + 120, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"bench.loadgen failed ({completed.returncode}): {completed.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


MAX = "80/20 mix at max"
HALF = "80/20 mix at half capacity"
WRITES = "writes only at max"
ANCHOR = "anchor app (FastAPI + SQLAlchemy, no events): 80/20 mix at max"
TWO_WORKERS = "2 workers: 80/20 mix at max"
TWO_WORKERS_ANCHOR = "anchor app, 2 workers: 80/20 mix at max"


def measure(databases: Databases, sizes: Sizes, runs: int, progress: Callable[[str], None],
            profile: bool = False) -> list[Row]:
    """goalengine's capacity (80/20 closed loop), its latency at half that rate (open loop), writes only, and the
    anchor app's capacity, run by run; on PostgreSQL also `serve --workers 2` against one worker (and the anchor
    with 2 workers); with `profile`, where a request's time goes (bench/profile.py)."""
    store = databases.store
    database = databases.fresh("http")
    samples: dict[tuple[str, str], list[float]] = {}
    notes: dict[str, str] = {}
    rows: list[Row] = []
    try:
        progress(f"{store}: http, seeding {GOALS} goals")
        targets = seed_goals(database)
        root = Path(databases.root)
        with served(database, root) as server, served(database, root, anchor_targets=targets) as anchor:
            paths = read_paths(server.base)
            for run in range(runs):
                progress(f"{store}: http, run {run + 1}/{runs}")
                capacity = _one(server, targets, paths, 0, sizes, 0.2, MAX, samples, notes)
                _one(server, targets, paths, max(int(capacity / 2), 1), sizes, 0.2, HALF, samples, notes)
                _one(server, targets, paths[:1], 0, _fewer(sizes), 1.0, WRITES, samples, notes)
                _one(anchor, targets, paths, 0, sizes, 0.2, ANCHOR, samples, notes)
            if profile:
                rows += _profiled(server, targets, paths, sizes, root, store, progress)
        if store == "postgresql":
            _two_workers(database, root, targets, paths, sizes, runs, samples, notes, progress)
        return rows + [
            Row(SECTION, store, f"{name}: {metric}", UNITS.get(metric, "ms"), tuple(values),
                notes[name] if metric == "throughput" else "")
            for (name, metric), values in samples.items()
        ]
    finally:
        databases.drop(database)


def _two_workers(database: Database, root: Path, targets: list[str], paths: list[str], sizes: Sizes, runs: int,
                 samples: dict[tuple[str, str], list[float]], notes: dict[str, str],
                 progress: Callable[[str], None]) -> None:
    """goalengine and the anchor, each with 2 worker processes, one after the other (2 cores: each gets both)."""
    for name, anchor in ((TWO_WORKERS, None), (TWO_WORKERS_ANCHOR, targets)):
        with served(database, root, workers=2, anchor_targets=anchor) as workers:
            for run in range(runs):
                progress(f"{database.store}: http, {name}, run {run + 1}/{runs}")
                _one(workers, targets, paths, 0, sizes, 0.2, name, samples, notes)


def _profiled(server: Server, targets: list[str], paths: list[str], sizes: Sizes, root: Path, store: str,
              progress: Callable[[str], None]) -> list[Row]:
    """One more 80/20 run at max under py-spy (not counted above); its summary as rows (share of samples)."""
    progress(f"{store}: http, profiling an 80/20 run")
    raw = root / f"profile-{store}.txt"
    with profile_tools.sampling(server.pid, raw):
        load(server.base, targets, paths, 0, sizes, 0.2)
    found = profile_tools.summary(raw)
    if found is None:
        return [Row(SECTION, store, "profile", "% of samples", (0.0,), "no profile: py-spy missing or not allowed")]
    progress("\n".join(found.lines()))
    return [Row(SECTION, store, f"profile, {kind}: {name}", "% of samples", (round(share * 100, 1),),
                f"of {found.samples} samples holding the interpreter lock")
            for kind, shares in (("inclusive", found.inclusive), ("self", found.own)) for name, share in shares]


def _one(server: Server, targets: list[str], paths: list[str], rate: int, sizes: Sizes, write_share: float,
         name: str, samples: dict[tuple[str, str], list[float]], notes: dict[str, str]) -> float:
    """One load-generator run; its metrics join the samples; returns its throughput."""
    cpu_before = cpu_seconds(server.pid)
    result = load(server.base, targets, paths, rate, sizes, write_share)
    result["server_cpu"] = cpu_seconds(server.pid) - cpu_before
    metrics = _metrics(result)
    for metric, value in metrics.items():
        samples.setdefault((name, metric), []).append(value)
    notes[name] = _note(result, paths, notes.get(name, ""))
    return metrics["throughput"]


def _fewer(sizes: Sizes) -> Sizes:
    return replace(sizes, requests=max(sizes.requests // 3, 20))


UNITS = {"throughput": "req/s", "server CPU": "ms/req", "load generator CPU": "ms/req", "failed": "requests"}


def _metrics(result: dict[str, Any]) -> dict[str, float]:
    latencies = [s * 1000 for kind in ("read", "write") for s in result["latencies"][kind]]
    answered = max(len(latencies), 1)
    by_kind = {kind: [s * 1000 for s in result["latencies"][kind]] for kind in ("read", "write")}
    return {
        "throughput": len(latencies) / result["seconds"],
        "p50": percentile(latencies, 0.50),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        **{f"p99 {kind}s": percentile(values, 0.99) for kind, values in by_kind.items() if values},
        "failed": float(sum(n for status, n in result["statuses"].items() if not status.startswith("2"))),
        # CPU per request is steadier than latency on a shared machine: it says what a request costs.
        "server CPU": result["server_cpu"] * 1000 / answered,
        "load generator CPU": result["cpu_seconds"] * 1000 / answered,
    }


def _note(result: dict[str, Any], paths: list[str], earlier: str) -> str:
    failed = sum(n for status, n in result["statuses"].items() if not status.startswith("2"))
    reads = "reads: " + " and ".join(paths)
    failures = f"; {failed} failed requests, e.g. {result['failures'][:2]}" if failed else ""
    return earlier if earlier and not failures else f"{reads}{failures}"
