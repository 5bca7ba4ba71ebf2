"""Consumers over real HTTP: filters on the feed and the stream, trace context on every output, push not poll, and
a cap on open streams per caller."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_app
from api.guards.config import GuardSettings
from api.routes.events import StreamOptions
from application.store.settings import Settings
from application.goals.service import Goals
from application.events.live import LiveEvents
from application.webhooks.config import WebhookSettings
from application.webhooks.delivery import WebhookDelivery, WebhookThread
from domain.cycle import cycle_uuid
from domain.values import Actor, Role
from tests.api.test_event_stream import sse_messages
from tests.conftest import Clock
from tests.live_server import live_server
from tests.scenarios import (
    EMPLOYEE, MANAGER, QUALITY_OBJECTIVE_ID, SETUP_EVENTS, YEAR, customer_service_terms, defect_rate_terms, draft,
)
from tests.webhook_receiver import Receiver

Auth = Callable[[Actor], dict[str, str]]
SERVICE = Actor("dashboards", Role.SERVICE)
SLOW = 60.0  # every poll interval and heartbeat in these tests: waiting one out would fail the deadlines below
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


@pytest.fixture
def server(app: FastAPI) -> Iterator[str]:
    app.state.live_events.stop()  # the app's own, with a 1 s fallback: replaced by one that never polls in time
    app.state.live_events = LiveEvents(app.state.goals, fallback_interval=SLOW).start()
    app.state.event_stream = StreamOptions(heartbeat=SLOW, poll=SLOW)
    try:
        with live_server(app) as (url, _server):
            yield url
    finally:
        app.state.live_events.stop()


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Seconds until the condition held; fails after the timeout."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, f"timed out waiting for {what}"
        time.sleep(0.005)
    return time.monotonic() - started


class StreamReader:
    """Reads a live stream on a thread, so the test can write while it listens."""

    def __init__(self, url: str, headers: dict[str, str], **params: Any) -> None:
        self.events: list[dict[str, Any]] = []
        self.connected = threading.Event()
        self.stop = threading.Event()
        self.response: httpx.Response | None = None
        self.thread = threading.Thread(target=self._read, args=(url, headers, params), daemon=True)

    def __enter__(self) -> StreamReader:
        self.thread.start()
        assert self.connected.wait(10), "the stream did not open"
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        if self.response is not None:  # the reader is blocked on a quiet stream: cut its connection under it
            sock = self.response.extensions["network_stream"].get_extra_info("socket")
            sock.shutdown(socket.SHUT_RDWR)
        self.thread.join(10)

    def _read(self, url: str, headers: dict[str, str], params: dict[str, Any]) -> None:
        try:
            stream = httpx.stream("GET", f"{url}/events/stream", params=params, headers=headers, timeout=SLOW * 2)
            with stream as answer:
                self.response = answer
                for message in sse_messages(answer):
                    if message.get("comment") == "connected":
                        self.connected.set()
                    elif "data" in message:
                        self.events.append(json.loads(message["data"]))
                    if self.stop.is_set():
                        return
        except (httpx.HTTPError, OSError, ValueError, AttributeError):
            if not self.stop.is_set():
                raise


def test_the_feed_and_the_stream_take_the_same_filters_as_webhooks(server: str, app: FastAPI, auth: Auth) -> None:
    goals: Goals = app.state.goals
    first = str(draft(goals, customer_service_terms()))
    second = str(draft(goals, customer_service_terms(cycle=YEAR, title="Year")))
    third = str(draft(goals, defect_rate_terms()))
    cases = {
        (("subject", f"{first},{third}"),): [first, third],
        (("cycle", "2026"),): [str(cycle_uuid("2026")), str(QUALITY_OBJECTIVE_ID), second, third],  # own fields
        (("org_unit", "support"), ("cycle", "2026-H1")): [first],
        (("org_unit", "quality"), ("subject", first)): [],
    }
    for params, subjects in cases.items():
        page = httpx.get(f"{server}/events", params=params, headers=auth(SERVICE)).json()
        assert [item["subject"] for item in page["items"]] == subjects, params
        assert page["next_after"] == SETUP_EVENTS + 3
    with StreamReader(server, auth(SERVICE), after=0, org_unit="support") as reader:
        wait_for(lambda: len(reader.events) == 2, 10, "the support goals")
        draft(goals, defect_rate_terms(title="More quality"))
        fourth = str(draft(goals, customer_service_terms(title="More support")))
        wait_for(lambda: len(reader.events) == 3, 10, "the new support goal")
    assert [e["subject"] for e in reader.events] == [first, second, fourth]
    bad = httpx.get(f"{server}/events", params={"subject": "not-a-goal"}, headers=auth(SERVICE))
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_event_filter"


def test_a_requests_traceparent_reaches_the_feed_the_stream_and_a_webhook(
    server: str, app: FastAPI, auth: Auth, clock: Clock
) -> None:
    goals: Goals = app.state.goals
    goal_id = draft(goals, customer_service_terms())
    goals.sign_goal(goal_id, EMPLOYEE)
    store = app.state.subscriptions
    store.settings = WebhookSettings(allow_private=True)
    with Receiver() as receiver, StreamReader(server, auth(SERVICE)) as reader:
        made = store.create(receiver.url, [], "dashboards", goals.head_position())
        receiver.secret = made.secret
        headers = {**auth(MANAGER), "traceparent": TRACEPARENT, "tracestate": "vendor=1"}
        signed = httpx.post(f"{server}/goals/{goal_id}/signatures", json={"version": 2}, headers=headers)
        assert signed.status_code == 201, signed.text
        assert signed.headers["traceparent"] == TRACEPARENT
        wait_for(lambda: len(reader.events) == 2, 10, "the signature and the agreement on the stream")
        worker = WebhookDelivery(goals, store.settings, store=store)
        try:
            receiver.wait_for(lambda: len(receiver.accepted()) == 2, step=worker.run_once)
        finally:
            worker.close()
    feed = httpx.get(f"{server}/events", params={"after": SETUP_EVENTS + 2}, headers=auth(SERVICE)).json()["items"]
    outputs = {"feed": feed, "stream": reader.events, "webhook": [d.body for d in receiver.accepted()]}
    for name, events in outputs.items():
        assert [e["type"] for e in events] == ["goal.agreement_signed.v2", "goal.agreed.v1"], name
        assert {e["traceparent"] for e in events} == {TRACEPARENT}, name
        assert {e["tracestate"] for e in events} == {"vendor=1"}, name
    correlation_ids = {e["correlationid"] for events in outputs.values() for e in events}
    assert len(correlation_ids) == 1  # one request, one id, on every output
    untraced = httpx.get(f"{server}/events", params={"after": 0, "limit": SETUP_EVENTS + 2},
                         headers=auth(SERVICE)).json()["items"]
    assert all("traceparent" not in e for e in untraced)  # written outside any request


def test_a_request_without_a_valid_traceparent_gets_a_fresh_one(server: str, app: FastAPI, auth: Auth) -> None:
    goal_id = draft(app.state.goals, customer_service_terms())
    invalid = "00-" + "0" * 32 + "-00f067aa0ba902b7-01"  # an all-zero trace id is invalid (W3C)
    answers = [
        httpx.post(f"{server}/goals/{goal_id}/signatures", json={"version": version}, headers={**auth(actor), **given})
        for actor, version, given in ((EMPLOYEE, 1, {}), (MANAGER, 2, {"traceparent": invalid}))
    ]
    assert [a.status_code for a in answers] == [201, 201]
    fresh = [a.headers["traceparent"] for a in answers]
    assert len(set(fresh)) == 2 and invalid not in fresh and all(len(t) == 55 for t in fresh)
    stored = httpx.get(f"{server}/events", params={"after": SETUP_EVENTS + 1}, headers=auth(SERVICE)).json()["items"]
    assert [e["traceparent"] for e in stored] == [fresh[0], fresh[1], fresh[1]]  # signed, signed and agreed


def test_the_stream_and_the_worker_wake_on_a_new_event_without_waiting_out_a_poll(
    server: str, app: FastAPI, auth: Auth, settings_for_writer: Callable[[], Goals]
) -> None:
    goals: Goals = app.state.goals
    store = app.state.subscriptions
    store.settings = WebhookSettings(allow_private=True, poll_interval=SLOW)
    writer = settings_for_writer()  # on PostgreSQL another process's writer: its commits arrive by LISTEN/NOTIFY
    with Receiver() as receiver, StreamReader(server, auth(SERVICE)) as reader:
        made = store.create(receiver.url, [], "dashboards", goals.head_position())
        receiver.secret = made.secret
        delivery = WebhookDelivery(goals, store.settings, signal=app.state.live_events.signal, store=store)
        worker = WebhookThread(delivery).start()
        try:
            draft(writer, customer_service_terms(title="Wake up"))
            stream_latency = wait_for(lambda: len(reader.events) == 1, SLOW / 6, "the stream")
            worker_latency = wait_for(lambda: len(receiver.accepted()) == 1, SLOW / 6, "the worker")
        finally:
            worker.stop(5)
    print(f"\nwake-up latency on {goals.settings.store}: stream {stream_latency * 1000:.0f} ms, "
          f"worker {worker_latency * 1000:.0f} ms (poll interval {SLOW:.0f} s)")
    assert reader.events[0]["data"]["title"] == "Wake up"


@pytest.fixture
def settings_for_writer(app: FastAPI) -> Iterator[Callable[[], Goals]]:
    """The app's own Goals on SQLite (an in-process signal); a second, separate Goals on PostgreSQL."""
    made: list[Goals] = []

    def writer() -> Goals:
        goals: Goals = app.state.goals
        if goals.settings.store == "sqlite":
            return goals
        other = Goals(goals.settings, today=goals.today)
        made.append(other)
        return other

    yield writer
    for other in made:
        other.close()


@pytest.fixture
def two_stream_server(api_settings: Settings, clock: Clock) -> Iterator[str]:
    """A server whose one per-caller cap on open streams (the guards', ADR 0020) is 2."""
    goals = Goals(api_settings, today=clock)
    app = create_app(api_settings, goals, GuardSettings(streams_per_caller=2))
    app.state.event_stream = StreamOptions(heartbeat=SLOW, poll=SLOW)
    try:
        with live_server(app) as (url, _server):
            yield url
    finally:
        goals.close()


def test_a_caller_may_hold_only_so_many_streams_open(two_stream_server: str, auth: Auth) -> None:
    server = two_stream_server
    with StreamReader(server, auth(SERVICE)), StreamReader(server, auth(SERVICE)):
        third = httpx.get(f"{server}/events/stream", headers=auth(SERVICE))
        assert third.status_code == 429 and third.json()["code"] == "too_many_streams"
        assert third.headers["Retry-After"] == "5"
        with httpx.stream("GET", f"{server}/events/stream", headers=auth(Actor("other", Role.SERVICE))) as other:
            assert other.status_code == 200  # the cap is per caller

    def reopened() -> bool:
        with httpx.stream("GET", f"{server}/events/stream", headers=auth(SERVICE)) as answer:
            return answer.status_code == 200

    wait_for(reopened, 10, "a slot to be given back once a stream closed")
