"""The background worker (ADR 0048): `goalengine serve` starts one `goalengine worker` beside its request process,
which runs no projector, notifier or webhook delivery of its own; reads still see their writes; the worker
delivers webhooks, is restarted when it dies and stops with serve. `goalengine worker` also runs alone beside
`serve --no-worker`, on SQLite without `database is locked`, and exits 0 on SIGTERM.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest

from api.auth import issue_token
from api.cli.malloc_arenas import is_glibc
from application.store.bounds import Bounds
from domain.values import Role
from tests.conftest import drop_schema, postgres_url_with_schema, require_postgres
from tests.e2e.test_http_lifecycle import GOALENGINE, Server, customer_service_goal, launched, open_cycle_of, serving
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.e2e

SECRET = "e2e-secret-of-at-least-32-bytes-long"  # as tests/e2e/test_http_lifecycle.py launches servers with
BACKGROUND_THREADS = ("goalengine-projector", "webhook-delivery", "goalengine-heartbeat")
WEBHOOKS = {"GOALENGINE_WEBHOOK_ALLOW_PRIVATE": "true", "GOALENGINE_WEBHOOK_POLL_INTERVAL": "0.1"}


def as_(sub: str, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(SECRET, sub, role)}"}


def eventually(condition: Callable[[], Any], what: str, within: float = 60) -> Any:
    """Look again (every 50 ms) until the condition holds; fail naming it after `within` seconds."""
    deadline = time.monotonic() + within
    while not (found := condition()):
        assert time.monotonic() < deadline, f"{what}: not within {within} s"
        time.sleep(0.05)  # the pause between looks at a condition checked each time, not a guess at a duration
    return found


def running_worker(base: str) -> dict[str, Any] | None:
    """The worker /ready reports, once it reports one running."""
    answer = httpx.get(f"{base}/ready", timeout=10)
    worker: dict[str, Any] = answer.json().get("worker", {}) if answer.status_code == 200 else {}
    return worker if worker.get("state") == "running" else None


def thread_names(base: str) -> set[str]:
    """The request process's threads, by name, from its /metrics."""
    lines = httpx.get(f"{base}/metrics", timeout=10).text.splitlines()
    return {line.split('name="')[1].split('"')[0] for line in lines if line.startswith("goalengine_process_threads{")}


def agreed_goal(base: str, owner: str) -> str:
    terms = {**customer_service_goal(date.today()), "owner_id": owner}
    drafted = httpx.post(f"{base}/goals", json=terms, headers=as_("mgr-1", Role.MANAGER), timeout=30)
    assert drafted.status_code == 201, drafted.text
    goal_id = str(drafted.json()["id"])
    for sub, role in ((owner, Role.EMPLOYEE), ("mgr-1", Role.MANAGER)):
        assert httpx.post(f"{base}/goals/{goal_id}/signatures", headers=as_(sub, role), timeout=30).status_code == 201
    return goal_id


def write_then_read(base: str, owner: str, goal_id: str, value: int) -> list[str]:
    """A reading, then the owner's review read with the position the write answered, and without one."""
    reading = {"kpi": "tickets", "value": value, "observed_at": date.today().isoformat()}
    written = httpx.post(f"{base}/goals/{goal_id}/measurements", json=reading, headers=as_(owner, Role.EMPLOYEE),
                         timeout=30)
    if written.status_code != 201:
        return [f"write {value}: {written.status_code} {written.text[:200]}"]
    position = written.headers["Goalengine-Position"]
    problems = []
    for extra in ({"Goalengine-Min-Position": position}, {}):  # with the token, and read-your-writes by default
        review = httpx.get(f"{base}/reviews/{owner}?cycle={date.today().year}-e2e",
                           headers={**as_("mgr-1", Role.MANAGER), **extra}, timeout=30)
        if review.status_code != 200 or review.json()["goals"][0]["kpis"][0]["latest"] != str(value):
            problems.append(f"review after {position} ({extra}): {review.status_code} {review.text[:200]}")
        elif int(review.headers["Goalengine-Position"]) < int(position):
            problems.append(f"review reflects {review.headers['Goalengine-Position']} < {position}")
    return problems


@contextmanager
def store_url(tmp_path: Path, store: str) -> Iterator[str]:
    if store == "sqlite":
        yield f"sqlite:///{tmp_path}/goals.db"
        return
    require_postgres()
    schema = f"t_{uuid4().hex[:16]}"
    try:
        yield postgres_url_with_schema(schema)
    finally:
        drop_schema(schema)


@pytest.mark.parametrize("store", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_serve_runs_its_background_in_a_worker_that_projects_delivers_restarts_and_stops_with_it(
    tmp_path: Path, store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in WEBHOOKS.items():  # webhooks to loopback allowed, in serve and so in its worker
        monkeypatch.setenv(name, value)
    with store_url(tmp_path, store) as url, serving(launched(tmp_path, url)) as server, Receiver() as receiver:
        base = server.url
        first = eventually(lambda: running_worker(base), "the worker beats its heartbeat")
        assert first["pid"] != server.process.pid
        assert thread_names(base).isdisjoint(BACKGROUND_THREADS)  # none of its work runs in the request process
        if is_glibc():  # serve capped its malloc arenas, and so its worker's, which inherits the cap (ADR 0053)
            cap = os.environ.get("MALLOC_ARENA_MAX") or str(Bounds().malloc_arenas)
            assert f"MALLOC_ARENA_MAX={cap}".encode() in Path(f"/proc/{first['pid']}/environ").read_bytes().split(b"\0")

        subscribed = httpx.post(f"{base}/subscriptions", json={"url": receiver.url}, headers=as_("svc-1", Role.SERVICE),
                                timeout=30)
        assert subscribed.status_code == 201, subscribed.text
        receiver.secret = subscribed.json()["secret"]
        open_cycle_of(customer_service_goal(date.today()), base, as_("hr-7", Role.HR))
        owners = [f"emp-{n}" for n in range(3)]
        with ThreadPoolExecutor(len(owners)) as pool:
            goal_ids = list(pool.map(lambda owner: agreed_goal(base, owner), owners))
            problems = [p for found in pool.map(lambda pair: write_then_read(base, *pair, 17),
                                                zip(owners, goal_ids, strict=True)) for p in found]
        assert problems == []
        head = httpx.get(f"{base}/health", timeout=10).json()["head"]
        receiver.wait_for(lambda: head in {d.body["position"] for d in receiver.accepted()}, timeout=60)
        assert receiver.bad_signatures == []

        os.kill(first["pid"], signal.SIGKILL)  # the worker dies: serve starts another
        second = eventually(lambda: (w := running_worker(base)) and w["pid"] != first["pid"] and w,
                            "a new worker beats its heartbeat")
        assert write_then_read(base, owners[0], goal_ids[0], 18) == []  # and reads see their writes again
    assert server.process.returncode in (0, -signal.SIGTERM)
    with pytest.raises(ProcessLookupError):  # serve stopped its worker (and reaped it) before it ended
        os.kill(second["pid"], 0)


def test_a_worker_alone_beside_serve_without_one_shares_sqlite_and_exits_0_on_sigterm(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/goals.db"
    with serving(launched(tmp_path, url, "--no-worker")) as server:
        base = server.url
        down = httpx.get(f"{base}/ready", timeout=10)
        assert down.status_code == 503 and down.json()["code"] == "worker_down"
        worker = subprocess.Popen([str(GOALENGINE), "worker"], cwd=tmp_path, env=server.env, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            assert eventually(lambda: running_worker(base), "the worker beats its heartbeat")["pid"] == worker.pid
            open_cycle_of(customer_service_goal(date.today()), base, as_("hr-7", Role.HR))
            owners = [f"emp-{n}" for n in range(4)]
            with ThreadPoolExecutor(len(owners)) as pool:  # writes of one process while the other projects
                goal_ids = list(pool.map(lambda owner: agreed_goal(base, owner), owners))
                problems = [p for value in (15, 16) for found in pool.map(
                    write_then_read, [base] * len(owners), owners, goal_ids, [value] * len(owners)) for p in found]
            assert problems == []
        finally:
            worker.send_signal(signal.SIGTERM)
            output, _ = worker.communicate(timeout=30)
        assert worker.returncode == 0, output
        assert "database is locked" not in output and "Traceback" not in output
        gone = httpx.get(f"{base}/ready", timeout=10)  # its heartbeat left with it
        assert gone.status_code == 503 and gone.json()["worker"]["state"] == "down"
    served = "".join(iter_lines(server))
    assert "database is locked" not in served, served[-2000:]


def iter_lines(server: Server) -> Iterator[str]:
    while not server.lines.empty():
        yield server.lines.get_nowait()
