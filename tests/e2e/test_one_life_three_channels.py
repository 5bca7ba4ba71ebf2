"""Done when: a goal's whole life gives the same ordered events at /events, on the SSE stream and at a webhook."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_app
from api.auth import issue_token
from api.routes.events import StreamOptions
from application.goals.service import Goals
from tests.conftest import AUDIT_KEY, Clock, store_settings
from tests.lifecycles import WHOLE_LIFE_EVENTS, whole_life
from tests.scenarios import SETUP_EVENTS
from tests.live_server import live_server
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.e2e
SECRET = "e2e-api-secret-of-at-least-32-bytes!"
EVENTS = SETUP_EVENTS + WHOLE_LIFE_EVENTS  # the test cycles first (whole_life opens them), then the goal's life


@pytest.fixture
def app(store_url: str, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> Iterator[FastAPI]:
    """The API with its webhook worker running inside the process, tuned to retry at once."""
    for name, value in {
        "GOALENGINE_WEBHOOKS_IN_PROCESS": "true", "GOALENGINE_WEBHOOK_ALLOW_PRIVATE": "true",
        "GOALENGINE_WEBHOOK_BACKOFF_BASE": "0.01", "GOALENGINE_WEBHOOK_POLL_INTERVAL": "0.02",
    }.items():
        monkeypatch.setenv(name, value)
    goals = Goals(store_settings(database_url=store_url, audit_key=AUDIT_KEY, api_secret=SECRET), today=clock)
    app = create_app(goals.settings, goals)
    app.state.event_stream = StreamOptions(heartbeat=0.2, poll=0.02)
    yield app
    goals.close()


def stream_ids(url: str, headers: dict[str, str], count: int, out: list[str], ready: threading.Event) -> None:
    with httpx.stream("GET", f"{url}/events/stream", params={"after": 0}, headers=headers, timeout=20) as response:
        for line in response.iter_lines():
            ready.set()
            if line.startswith("data: "):
                out.append(json.loads(line.removeprefix("data: "))["id"])
                if len(out) == count:
                    return


def feed_ids(url: str, headers: dict[str, str]) -> list[str]:
    ids, after = [], 0
    while page := httpx.get(f"{url}/events", params={"after": after, "limit": 4}, headers=headers).json():
        if not page["items"]:
            return ids
        ids += [item["id"] for item in page["items"]]
        after = page["next_after"]
    return ids


def test_a_whole_life_reaches_the_feed_the_stream_and_a_webhook_alike(app: FastAPI, clock: Clock) -> None:
    headers = {"Authorization": f"Bearer {issue_token(SECRET, 'hris', 'service')}"}
    with live_server(app) as (url, _server), Receiver(fail_first=2) as receiver:
        made = httpx.post(f"{url}/subscriptions", json={"url": receiver.url}, headers=headers).json()
        receiver.secret = made["secret"]
        streamed: list[str] = []
        connected = threading.Event()
        reader = threading.Thread(target=stream_ids, args=(url, headers, EVENTS, streamed, connected))
        reader.start()
        connected.wait(10)
        whole_life(app.state.goals, clock)
        receiver.wait_for(lambda: len(receiver.accepted()) >= EVENTS)
        reader.join(20)
        fed = feed_ids(url, headers)
        shown = httpx.get(f"{url}/subscriptions/{made['id']}", headers=headers).json()
    stored = [f"{e.event.originator_id}:{e.event.originator_version}" for e in app.state.goals.log_events()]
    assert len(stored) == EVENTS
    assert fed == streamed == [d.webhook_id for d in receiver.accepted()] == stored
    assert receiver.bad_signatures == [] and receiver.requests() == EVENTS + 2  # two 503s, retried
    assert (shown["status"], shown["delivered"], shown["position"]) == ("active", EVENTS, EVENTS)
