"""API fixtures: the ASGI app over the test store, a TestClient, and tokens for any actor."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import issue_token
from application.goals.service import Goals
from application.store.settings import Settings
from domain.values import Actor
from tests.conftest import AUDIT_KEY, Clock, store_settings
from tests.scenarios import ensure_cycles

API_SECRET = "test-api-secret-of-at-least-32-bytes!"


@pytest.fixture
def api_settings(store_url: str) -> Settings:
    return store_settings(database_url=store_url, audit_key=AUDIT_KEY, api_secret=API_SECRET)


@pytest.fixture
def app(api_settings: Settings, clock: Clock) -> Iterator[FastAPI]:
    goals = Goals(api_settings, today=clock)
    ensure_cycles(goals)
    yield create_app(api_settings, goals)
    goals.close()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def auth() -> Callable[[Actor], dict[str, str]]:
    def headers(actor: Actor) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(API_SECRET, actor.id, actor.role)}"}

    return headers
