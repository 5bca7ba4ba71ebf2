"""A store that times out under load answers 503 store_busy with Retry-After, never a 500."""

from __future__ import annotations

import pytest
from eventsourcing.persistence import ConnectionUnavailableError
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError


@pytest.mark.parametrize(
    "error",
    [ConnectionUnavailableError("Timed out waiting for connection pool semaphore"),
     OperationalError("SELECT 1", {}, Exception("database is locked"))],
    ids=["event store pool", "read model lock"],
)
def test_a_busy_store_answers_503_and_asks_for_a_retry(
    app: FastAPI, client: TestClient, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    def busy() -> int:
        raise error

    monkeypatch.setattr(app.state.goals, "head_position", busy)
    answer = client.get("/health")
    assert answer.status_code == 503
    assert answer.json()["code"] == "store_busy" and answer.headers["Retry-After"] == "1"
    assert answer.headers["content-type"] == "application/problem+json"
