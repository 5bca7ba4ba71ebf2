"""A large JSON body is decoded in a worker thread, not on the event loop that answers everyone else; a small one
where the request is handled (a hop to a thread would cost more than decoding it)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import json_route
from domain.values import Actor
from tests.scenarios import EMPLOYEE, agreed, customer_service_terms

Auth = Callable[[Actor], dict[str, str]]


@pytest.fixture
def decoded_in() -> Iterator[list[tuple[str, bool]]]:
    """Where each body was decoded: the thread's name and whether an event loop was running there."""
    seen: list[tuple[str, bool]] = []
    original = json_route.json_loads

    def watching(body: bytes) -> Any:
        try:
            asyncio.get_running_loop()
            on_loop = True
        except RuntimeError:
            on_loop = False
        seen.append((threading.current_thread().name, on_loop))
        return original(body)

    json_route.json_loads = watching
    yield seen
    json_route.json_loads = original


def test_a_large_command_body_is_decoded_off_the_event_loop(
    client: TestClient, auth: Auth, decoded_in: list[tuple[str, bool]], app: FastAPI
) -> None:
    goal_id = agreed(app.state.goals, customer_service_terms())
    reading = b'{"kpi": "tickets", "value": "15.5", "observed_at": "2026-01-10"}'
    padded = reading + b" " * json_route.OFF_LOOP_BYTES  # whitespace: the same body, over the threshold
    answer = client.post(f"/goals/{goal_id}/measurements", content=padded,
                         headers={**auth(EMPLOYEE), "content-type": "application/json"})
    assert answer.status_code == 201, answer.text
    assert [on_loop for _, on_loop in decoded_in] == [False]
    assert answer.json()["measurements"][-1]["value"] == "15.5"  # the value decoded off the loop is the one stored


def test_a_small_command_body_is_decoded_where_the_request_is_handled(
    client: TestClient, auth: Auth, decoded_in: list[tuple[str, bool]], app: FastAPI
) -> None:
    goal_id = agreed(app.state.goals, customer_service_terms())
    reading = {"kpi": "tickets", "value": "15.5", "observed_at": "2026-01-10"}
    answer = client.post(f"/goals/{goal_id}/measurements", json=reading, headers=auth(EMPLOYEE))
    assert answer.status_code == 201, answer.text
    assert [on_loop for _, on_loop in decoded_in] == [True]
    assert answer.json()["measurements"][-1]["value"] == "15.5"


def test_a_body_that_is_not_json_still_gets_the_422_naming_the_body(
    client: TestClient, auth: Auth, app: FastAPI
) -> None:
    goal_id = agreed(app.state.goals, customer_service_terms())
    answer = client.post(f"/goals/{goal_id}/measurements", content=b'{"kpi": ',
                         headers={**auth(EMPLOYEE), "content-type": "application/json"})
    assert answer.status_code == 422 and [e["field"] for e in answer.json()["errors"]] == ["body"]
