"""End to end: `goalengine serve` as a real process on a free port, driven over real HTTP with tokens from
`goalengine token`.

The server runs on the machine's real date, so the goal's cycle is laid around today rather than fixed in 2026.
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

pytestmark = pytest.mark.e2e

STARTUP_SECONDS = 120  # a deadline, not a wait: an idle machine answers in a second, a loaded one in far more
GOALENGINE = Path(sys.executable).with_name("goalengine")


@dataclass
class Server:
    url: str
    env: dict[str, str]
    process: subprocess.Popen[str]
    lines: queue.Queue[str]

    def token(self, sub: str, role: str) -> str:
        result = subprocess.run(
            [str(GOALENGINE), "token", "--sub", sub, "--role", role], env=self.env, capture_output=True, text=True,
            timeout=STARTUP_SECONDS, check=True,  # a process start: its imports alone took over 30 s under load
        )
        return result.stdout.strip()

    def line_matching(self, text: str, deadline: float) -> str:
        """The first line of the server's output containing `text` (waits for it, up to the deadline)."""
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if text in line:
                return line
        raise AssertionError(f"the server printed no line with {text!r}")


def pump(stream: IO[str], lines: queue.Queue[str]) -> None:
    """Hand the server's output on line by line (reading it also keeps the pipe from filling up)."""
    for line in stream:
        lines.put(line)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_healthy(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert server.process.poll() is None, f"goalengine serve exited with {server.process.returncode}"
        try:
            if httpx.get(f"{server.url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)  # polling interval, not a synchronisation guess: the loop checks the condition itself
    raise AssertionError(f"goalengine serve did not answer /health within {STARTUP_SECONDS} s")


def launched(tmp_path: Path, database_url: str, *extra_args: str) -> Server:
    """`goalengine serve` started as a real process on a free port, its output read line by line."""
    port = free_port()
    env = {**os.environ, "GOALENGINE_DATABASE_URL": database_url,
           "GOALENGINE_SECRET": "e2e-secret-of-at-least-32-bytes-long", "GOALENGINE_AUDIT_KEY": "e2e-audit-key",
           "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [str(GOALENGINE), "serve", "--host", "127.0.0.1", "--port", str(port), *extra_args],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    threading.Thread(target=pump, args=(process.stdout, lines), daemon=True).start()
    return Server(f"http://127.0.0.1:{port}", env, process, lines)


@contextmanager
def serving(server: Server, stop_within: float = 15) -> Iterator[Server]:
    """The launched server once healthy; stopped with SIGTERM afterwards (killed if it takes too long)."""
    process = server.process
    try:
        wait_until_healthy(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=stop_within)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def running_server(tmp_path: Path, *extra_args: str) -> Iterator[Server]:
    with serving(launched(tmp_path, f"sqlite:///{tmp_path}/goals.db", *extra_args)) as server:
        yield server
    # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal, so the exit status names it.
    assert server.process.returncode in (0, -signal.SIGTERM), f"goalengine serve ended with {server.process.returncode}"
    server.line_matching("Application shutdown complete", time.monotonic() + 5)


def customer_service_goal(today: date) -> dict[str, Any]:
    """The seed's goal: at least 20 tickets a day and CSAT of 90% or more, in a cycle around today."""
    start, end = today - timedelta(days=30), today + timedelta(days=150)
    return {
        "cycle": {"id": f"{today.year}-e2e", "start": start.isoformat(), "end": end.isoformat()},
        "manager_id": "mgr-1", "org_unit": "support", "title": "Support throughput and satisfaction",
        "statement": "Resolve at least 20 support tickets per day with an average customer satisfaction rating of "
        "90% or higher, by the end of Q2",
        "kpis": [
            {"id": "tickets", "name": "Tickets resolved per day", "unit": "tickets/day", "direction": "increase",
             "baseline": 14, "target": 20, "cadence": "weekly"},
            {"id": "csat", "name": "Average CSAT", "unit": "%", "direction": "increase", "baseline": 82,
             "target": 90, "cadence": "monthly"},
        ],
        "deadline": (end - timedelta(days=40)).isoformat(),
        "rationale": "Customer support quality is a company objective.", "weight": 60,
    }


def open_cycle_of(terms: dict[str, Any], base: str, hr: dict[str, str]) -> None:
    """HR opens the cycle a goal's terms name (already open is fine: 409)."""
    cycle = terms["cycle"]
    opened = httpx.post(f"{base}/cycles", json={**cycle, "name": "E2E cycle"}, headers=hr, timeout=30)
    assert opened.status_code in (201, 409), opened.text


def test_the_customer_service_goal_lives_from_draft_to_closure_over_real_http(tmp_path: Path) -> None:
    with running_server(tmp_path) as server, httpx.Client(base_url=server.url, timeout=10) as http:
        people = {"employee": ("emp-1", "employee"), "manager": ("mgr-1", "manager"), "hr": ("hr-7", "hr"),
                  "other_hr": ("hr-8", "hr")}
        with ThreadPoolExecutor() as pool:  # each `goalengine token` is a process start: run them side by side
            tokens = dict(zip(people, pool.map(lambda person: server.token(*person), people.values()), strict=True))
        as_ = {name: {"Authorization": f"Bearer {token}"} for name, token in tokens.items()}
        today = date.today()
        terms = customer_service_goal(today)
        open_cycle_of(terms, server.url, as_["hr"])

        drafted = http.post("/goals", json=terms, headers=as_["employee"])
        assert drafted.status_code == 201, drafted.text
        goal = drafted.json()
        url = drafted.headers["Location"]
        assert (goal["status"], goal["owner_id"], [k["id"] for k in goal["kpis"]]) == (
            "draft", "emp-1", ["tickets", "csat"],
        )

        assert http.get(f"{url}/smart", headers=as_["manager"]).json()["passes"] is True
        assert http.post(f"{url}/signatures", json={"version": 1}, headers=as_["employee"]).status_code == 201
        agreed = http.post(f"{url}/signatures", json={"version": 1}, headers=as_["manager"])
        assert agreed.json()["status"] == "agreed", agreed.text

        due = (today + timedelta(days=30)).isoformat()
        for party in ("manager", "employee"):  # after agreement a milestone holds once both parties set it
            assert http.post(f"{url}/milestones", json={"kpi": "tickets", "due": due, "target": 17},
                             headers=as_[party]).status_code == 201
        assert [m["id"] for m in http.get(url, headers=as_["employee"]).json()["milestones"]] == [f"tickets@{due}"]
        for kpi, value in (("tickets", "17.5"), ("csat", "86")):
            reading = {"kpi": kpi, "value": value, "observed_at": today.isoformat(), "source": "helpdesk"}
            assert http.post(f"{url}/measurements", json=reading, headers=as_["employee"]).status_code == 201

        new_deadline = (date.fromisoformat(terms["deadline"]) + timedelta(days=31)).isoformat()  # within the cycle
        proposal = {"targets": {"csat": 88}, "deadline": new_deadline, "reason": "external_factor",
                    "justification": "A ticketing outage cost two weeks of throughput."}
        first = http.post(f"{url}/recalibrations", json=proposal, headers=as_["manager"])
        assert (first.status_code, first.json()["id"]) == (201, "r1"), first.text
        rejected = http.post(f"{url}/recalibrations/r1/rejection", json={"note": "Not enough evidence"},
                             headers=as_["hr"])
        assert rejected.json()["status"] == "rejected"
        second = http.post(f"{url}/recalibrations", json=proposal, headers=as_["employee"]).json()
        approved = http.post(f"{url}/recalibrations/{second['id']}/approval", json={"note": "Checked the evidence."},
                             headers=as_["other_hr"])
        assert approved.status_code == 200 and approved.json()["status"] == "approved", approved.text

        current = http.get(url, headers=as_["employee"])
        assert {k["id"]: k["target"] for k in current.json()["kpis"]} == {"tickets": "20", "csat": "88"}
        assert current.json()["deadline"] == new_deadline
        closed = http.post(f"{url}/closure", json={"outcome": "partially_achieved", "summary": "CSAT met late."},
                           headers={**as_["manager"], "If-Match": current.headers["ETag"]})
        assert closed.status_code == 200 and closed.json()["status"] == "closed", closed.text

        history = [e["type"] for e in http.get(f"{url}/history", headers=as_["hr"]).json()["events"]]
        assert history[-5:] == ["RecalibrationProposed", "RecalibrationRejected", "RecalibrationProposed",
                                "Recalibrated", "Closed"]
        assert http.get("/health").json()["head"] == 1 + len(history)  # the cycle's opening, then the goal


def test_serve_with_a_demo_token_prints_the_docs_url_and_a_token_that_works(tmp_path: Path) -> None:
    with running_server(tmp_path, "--demo-token") as server:
        deadline = time.monotonic() + STARTUP_SECONDS
        docs_url = server.line_matching("/docs", deadline).split("docs at ")[1].strip()
        token = server.line_matching("token", deadline).rsplit(" ", 1)[1].strip()
        assert docs_url == f"{server.url}/docs"
        docs = httpx.get(docs_url, timeout=10)
        assert docs.status_code == 200 and "swagger" in docs.text.lower()
        unknown_goal = httpx.get(f"{server.url}/goals/00000000-0000-0000-0000-000000000001", timeout=10,
                                 headers={"Authorization": f"Bearer {token}"})
        assert unknown_goal.json()["code"] == "goal_not_found"  # the token was accepted: 404, not 401
