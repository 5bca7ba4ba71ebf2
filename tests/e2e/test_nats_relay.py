"""`goalengine relay nats` against the NATS server on 127.0.0.1:4222 (JetStream), read back with a JetStream consumer:
every event exactly once and in order, also when the relay is killed with SIGKILL mid-run and restarted."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from uuid import uuid4

import nats
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import issue_token
from application.events.cloudevents import to_cloudevent
from application.goals.service import Goals
from application.relay.nats_jetstream import NatsJetStreamRelay
from application.relay.relay import RelayPositions, RelayRunner
from application.store.tracing import TraceContext, traced
from tests.api.conftest import API_SECRET
from tests.conftest import AUDIT_KEY, IN_CI
from tests.scenarios import EMPLOYEE, MANAGER, SETUP_EVENTS, customer_service_terms, draft

ROOT = Path(__file__).resolve().parents[2]
NATS_URL = os.environ.get("GOALENGINE_TEST_NATS_URL", "nats://127.0.0.1:4222")
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
REQUEST_TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
pytestmark = pytest.mark.e2e


def require_nats() -> None:
    host, port = NATS_URL.removeprefix("nats://").split(":")
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
    except OSError as error:
        if IN_CI:
            pytest.fail(f"NATS at {NATS_URL} is unreachable: {error} (CI=true: the relay tests must run)")
        pytest.skip(f"NATS at {NATS_URL} is unreachable: {error}")


@dataclass(frozen=True)
class Target:
    stream: str
    prefix: str


@pytest.fixture
def target() -> Iterator[Target]:
    """A stream and subject prefix of this test's own, deleted afterwards."""
    require_nats()
    tag = uuid4().hex[:10]
    made = Target(f"GOALS_T{tag}", f"t{tag}")
    yield made
    asyncio.run(delete_stream(made.stream))


async def delete_stream(stream: str) -> None:
    connection = await nats.connect(NATS_URL)
    try:
        await connection.jetstream().delete_stream(stream)
    except nats.js.errors.NotFoundError:
        pass
    finally:
        await connection.close()


def read_back(target: Target, expected: int, timeout: float = 20.0) -> list[Any]:
    """Every message of the stream, through an ephemeral JetStream pull consumer, in stream order."""

    async def fetch() -> list[Any]:
        connection = await nats.connect(NATS_URL)
        try:
            js = connection.jetstream()
            consumer = await js.pull_subscribe(f"{target.prefix}.>", stream=target.stream)
            messages: list[Any] = []
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                try:
                    batch = await consumer.fetch(500, timeout=0.5)
                except (TimeoutError, nats.errors.TimeoutError):
                    if len(messages) >= expected:
                        break
                    continue
                for message in batch:
                    await message.ack()
                messages.extend(batch)
            return messages
        finally:
            await connection.close()

    return asyncio.run(fetch())


def stream_count(target: Target) -> int:
    async def count() -> int:
        connection = await nats.connect(NATS_URL)
        try:
            return int((await connection.jetstream().stream_info(target.stream)).state.messages)
        except nats.js.errors.NotFoundError:
            return 0
        finally:
            await connection.close()

    return asyncio.run(count())


def expected_cloudevents(goals: Goals) -> list[dict[str, Any]]:
    return [to_cloudevent(e.event, e.position) for e in goals.log_events()]


def test_the_relay_publishes_every_event_once_in_order_as_structured_cloudevents(
    goals: Goals, target: Target
) -> None:
    goal_id = draft(goals, customer_service_terms())
    with traced(TraceContext(TRACEPARENT, "corr-1")):  # as the API does around a request
        goals.sign_goal(goal_id, EMPLOYEE)
    settings = replace(goals.settings, api_secret=API_SECRET)
    with TestClient(create_app(settings, goals)) as client:  # and a real request's traceparent, through the API
        signed = client.post(f"/goals/{goal_id}/signatures", json={"version": 2},
                             headers={"Authorization": f"Bearer {issue_token(API_SECRET, MANAGER.id, MANAGER.role)}",
                                      "traceparent": REQUEST_TRACEPARENT})
        assert signed.status_code == 201, signed.text
    relay = NatsJetStreamRelay(NATS_URL, target.stream, target.prefix)
    runner = RelayRunner(goals, relay, batch_size=2)
    assert asyncio.run(runner.run(once=True)) == SETUP_EVENTS + 4  # the test cycles', then the goal's
    assert asyncio.run(RelayRunner(goals, relay).run(once=True)) == 0  # nothing new: nothing sent again
    messages = read_back(target, SETUP_EVENTS + 4)
    expected = expected_cloudevents(goals)
    bodies = [json.loads(m.data) for m in messages]
    assert [b["id"] for b in bodies] == [e["id"] for e in expected]
    assert [m.subject for m in messages] == [f"{target.prefix}.{e['type']}" for e in expected]
    assert [m.headers["Nats-Msg-Id"] for m in messages] == [e["id"] for e in expected]
    assert {m.headers["content-type"] for m in messages} == {"application/cloudevents+json; charset=utf-8"}
    assert [b.get("traceparent") for b in bodies[SETUP_EVENTS:]] == [
        None, TRACEPARENT, REQUEST_TRACEPARENT, REQUEST_TRACEPARENT]
    correlation = [b["correlationid"] for b in bodies[SETUP_EVENTS + 1:]]
    assert correlation[0] == "corr-1" and correlation[1] == correlation[2] != "corr-1"  # one id per request
    assert RelayPositions(goals.engine).get(relay.name) == goals.head_position()


def start_relay(goals: Goals, target: Target, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "GOALENGINE_DATABASE_URL": goals.settings.database_url,
           "GOALENGINE_AUDIT_KEY": AUDIT_KEY.decode(), "GOALENGINE_SECRET": "unused-by-the-relay"}
    command = [sys.executable, "-m", "api.cli", "relay", "nats", "--url", NATS_URL, "--stream", target.stream,
               "--subject-prefix", target.prefix, *extra]
    with log.open("ab") as output:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def wait_for(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


def test_a_relay_killed_mid_run_and_restarted_publishes_every_event_exactly_once_in_order(
    goals: Goals, target: Target, tmp_path: Path
) -> None:
    # Enough events that the relay, publishing one at a time, is still under way when it is killed after ten.
    for number in range(300):
        draft(goals, customer_service_terms(title=f"Goal {number}"))
    total = goals.head_position()
    log = tmp_path / "relay.log"
    relay = start_relay(goals, target, log, "--batch-size", "1")
    try:
        wait_for(lambda: stream_count(target) >= 10, 30, "the relay to be under way")
        relay.send_signal(signal.SIGKILL)
        assert relay.wait(10) == -signal.SIGKILL
    finally:
        relay.kill()
    at_kill = RelayPositions(goals.engine).get(f"nats:{target.stream}")
    assert 0 < at_kill < total, "the relay was killed mid-run"
    restarted = start_relay(goals, target, log)
    try:
        wait_for(lambda: RelayPositions(goals.engine).get(f"nats:{target.stream}") == total, 60, "the rest")
        draft(goals, customer_service_terms(title="After the restart"))  # followed live, not only caught up
        wait_for(lambda: stream_count(target) == total + 1, 30, "the live event")
        restarted.send_signal(signal.SIGTERM)
        assert restarted.wait(15) == 0, log.read_text()
    finally:
        restarted.kill()
    messages = read_back(target, total + 1)
    ids = [m.headers["Nats-Msg-Id"] for m in messages]
    assert ids == [e["id"] for e in expected_cloudevents(goals)]  # every event, once, in log order
    assert [json.loads(m.data)["position"] for m in messages] == list(range(1, total + 2))
    assert "stopped after" in log.read_text()
