"""A request takes at most one hop to a worker thread (ADR 0049): its dependencies run on the event loop, and what
they must block on runs in the endpoint's thread, before (or after) the endpoint."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import anyio.to_thread
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.positions import MIN_POSITION_HEADER as MIN_POSITION, POSITION_HEADER
from domain.values import Actor
from tests.scenarios import EMPLOYEE, H1, HR, agreed, customer_service_terms

Auth = Callable[[Actor], dict[str, str]]


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The name of each function handed to anyio's thread pool while the test runs."""
    seen: list[str] = []
    original = anyio.to_thread.run_sync

    async def counting(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        seen.append(getattr(function, "__name__", None) or getattr(getattr(function, "func", None), "__name__", "?"))
        return await original(function, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    yield seen


def test_a_goal_read_a_reading_and_a_review_read_each_take_one_hop(
    client: TestClient, auth: Auth, app: FastAPI, hops: list[str]
) -> None:
    goal_id = agreed(app.state.goals, customer_service_terms())
    hops.clear()
    read = client.get(f"/goals/{goal_id}", headers=auth(EMPLOYEE))
    assert read.status_code == 200 and int(read.headers[POSITION_HEADER]) > 0
    assert len(hops) == 1, hops
    hops.clear()
    reading = {"kpi": "tickets", "value": "15.5", "observed_at": "2026-01-10"}
    written = client.post(f"/goals/{goal_id}/measurements", json=reading, headers=auth(EMPLOYEE))
    assert written.status_code == 201, written.text
    assert len(hops) == 1, hops
    hops.clear()
    review = client.get(f"/reviews/{EMPLOYEE.id}?cycle={H1.id}", headers=auth(HR))
    assert review.status_code == 200, review.text
    assert int(review.headers[POSITION_HEADER]) >= int(written.headers[POSITION_HEADER])  # still read-your-writes
    assert len(hops) == 1, hops


def test_what_a_dependency_blocks_on_still_answers_instead_of_the_endpoint(
    client: TestClient, auth: Auth, app: FastAPI
) -> None:
    goal_id = agreed(app.state.goals, customer_service_terms())
    head = app.state.goals.head_position()
    beyond = client.get(f"/goals/{goal_id}?min_position={head + 1000}", headers=auth(EMPLOYEE))
    assert beyond.status_code == 422 and beyond.json()["code"] == "position_beyond_head"
    behind = client.get(f"/reviews/{EMPLOYEE.id}?cycle={H1.id}", headers={**auth(HR), MIN_POSITION: str(head + 1000)})
    assert behind.status_code == 422 and behind.json()["code"] == "position_beyond_head"
