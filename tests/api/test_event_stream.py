"""GET /events/stream: Server-Sent Events that keep up with writes, resume by Last-Event-ID and end with the client."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api.routes.events import StreamOptions
from application.goals.warnings import WarningLedger
from application.goals.service import Goals
from domain.goal_warnings import Evidence, PaceChange
from domain.values import Actor, Role
from tests.conftest import Clock
from tests.lifecycles import WHOLE_LIFE_EVENTS, whole_life
from tests.live_server import live_server
from tests.scenarios import SETUP_EVENTS, customer_service_terms, draft

Auth = Callable[[Actor], dict[str, str]]
SERVICE = Actor("learning-platform", Role.SERVICE)


@pytest.fixture
def server(app: FastAPI) -> Iterator[tuple[str, Any]]:
    app.state.event_stream = StreamOptions(heartbeat=0.2, poll=0.02)
    with live_server(app) as running:
        yield running


def sse_messages(response: httpx.Response) -> Iterator[dict[str, str]]:
    """Parse a text/event-stream into messages; comment lines come as {'comment': ...}."""
    message: dict[str, str] = {}
    for line in response.iter_lines():
        if line.startswith(":"):
            yield {"comment": line[1:].strip()}
        elif line:
            field, _, value = line.partition(":")
            message[field] = value.removeprefix(" ")
        elif message:
            yield message
            message = {}


def collect(url: str, headers: dict[str, str], count: int, **params: Any) -> tuple[list[dict[str, str]], list[str]]:
    """The first `count` events of a stream, and the comments seen on the way."""
    events, comments, deadline = [], [], time.monotonic() + 20
    with httpx.stream("GET", f"{url}/events/stream", params=params, headers=headers, timeout=20) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        for message in sse_messages(response):
            if "comment" in message:
                comments.append(message["comment"])
            else:
                events.append(message)
            if len(events) == count:
                break
            # Heartbeats come every 0.2 s, so a stream that stopped short is noticed here, not by hanging.
            assert time.monotonic() < deadline, f"only {len(events)} of {count} events arrived"
    return events, comments


def test_the_stream_delivers_a_goals_whole_life_in_order_while_it_is_written(
    server: tuple[str, Any], app: FastAPI, auth: Auth, clock: Clock
) -> None:
    goals: Goals = app.state.goals
    writer = threading.Thread(target=whole_life, args=(goals, clock))
    writer.start()
    events, _ = collect(server[0], auth(SERVICE), WHOLE_LIFE_EVENTS, after=SETUP_EVENTS)  # after the test cycles
    writer.join()
    assert goals.head_position() == SETUP_EVENTS + WHOLE_LIFE_EVENTS
    cloudevents = [json.loads(e["data"]) for e in events]
    positions = list(range(SETUP_EVENTS + 1, SETUP_EVENTS + WHOLE_LIFE_EVENTS + 1))
    assert [int(e["id"]) for e in events] == [c["position"] for c in cloudevents] == positions
    assert [e["event"] for e in events] == [c["type"] for c in cloudevents]
    assert cloudevents[0]["type"] == "goal.drafted.v1" and cloudevents[-1]["type"] == "goal.closed.v1"


def test_the_stream_resumes_after_the_last_event_id_and_starts_at_the_head_by_default(
    server: tuple[str, Any], app: FastAPI, auth: Auth
) -> None:
    goals: Goals = app.state.goals
    for title in ("One", "Two", "Three"):
        draft(goals, customer_service_terms(title=title))
    first = SETUP_EVENTS + 1  # the position of "One", after the test cycles' events
    resumed, _ = collect(server[0], {**auth(SERVICE), "Last-Event-ID": str(first)}, 2, after=0)
    assert [e["id"] for e in resumed] == [str(first + 1), str(first + 2)]

    with httpx.stream("GET", f"{server[0]}/events/stream", headers=auth(SERVICE), timeout=20) as response:
        messages = sse_messages(response)
        assert next(messages) == {"comment": "connected"}  # sent once the stream has fixed its start: the head
        draft(goals, customer_service_terms(title="Four"))
        live = next(m for m in messages if "comment" not in m)
    assert live["id"] == str(first + 3) and json.loads(live["data"])["data"]["title"] == "Four"


def test_a_quiet_stream_sends_heartbeats_and_ends_when_the_client_leaves(
    server: tuple[str, Any], auth: Auth
) -> None:
    url, uvicorn_server = server
    with httpx.stream("GET", f"{url}/events/stream", headers=auth(SERVICE), timeout=20) as response:
        comments = []
        for message in sse_messages(response):
            comments.append(message.get("comment"))
            if comments.count("heartbeat") == 2:
                break
    assert comments == ["connected", "heartbeat", "heartbeat"]
    deadline = time.monotonic() + 10
    while uvicorn_server.server_state.tasks:  # the server's request task ends once the client has gone
        assert time.monotonic() < deadline, "the stream outlived its client"
        time.sleep(0.01)


def test_a_bad_last_event_id_or_type_is_refused(server: tuple[str, Any], auth: Auth) -> None:
    url = server[0]
    bad_id = httpx.get(f"{url}/events/stream", headers={**auth(SERVICE), "Last-Event-ID": "abc"})
    assert bad_id.status_code == 422 and bad_id.json()["code"] == "invalid_last_event_id"
    bad_type = httpx.get(f"{url}/events/stream", params={"type": "goal.x.v1"}, headers=auth(SERVICE))
    assert bad_type.status_code == 422 and bad_type.json()["code"] == "unknown_event_type"


def test_the_stream_carries_early_warnings_with_the_goal_as_subject(
    app: FastAPI, server: tuple[str, Any], auth: Auth, clock: Clock
) -> None:
    url, _ = server
    goals: Goals = app.state.goals
    goal_id = draft(goals, customer_service_terms())
    evidence = Evidence(goals.head_position(), (f"{goal_id}:1",))
    WarningLedger(goals).record(str(goal_id), PaceChange("behind"), evidence, today=clock.current)
    events, _ = collect(url, auth(SERVICE), 1, after=0, type="goal.pace_changed.v1", subject=str(goal_id))
    (event,) = events
    cloudevent = json.loads(event["data"])
    assert (event["event"], cloudevent["subject"], cloudevent["data"]["pace"]) == (
        "goal.pace_changed.v1", str(goal_id), "behind")
