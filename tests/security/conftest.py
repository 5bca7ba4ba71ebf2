"""Security regression fixtures: one app per store per module, with tight guards so limits are reached quickly."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import issue_token
from api.guards.config import GuardSettings
from application.goals.service import Goals
from domain.values import Actor
from tests.api.conftest import API_SECRET
from tests.scenarios import ensure_cycles
from tests.conftest import AUDIT_KEY, Clock, drop_schema, postgres_url_with_schema, require_postgres, store_settings

STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
GUARDS = GuardSettings(max_body_bytes=64 * 1024, writes_per_minute=10_000)


class Api:
    def __init__(self, client: TestClient, goals: Goals) -> None:
        self.client, self.goals = client, goals

    @staticmethod
    def as_(actor: Actor) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(API_SECRET, actor.id, actor.role)}"}


def store_url_for(store: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str | None]:
    if store == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('security-store')}/goals.db", None
    require_postgres()
    schema = f"t_{uuid4().hex[:16]}"
    return postgres_url_with_schema(schema), schema


def guarded_api(store: str, tmp_path_factory: pytest.TempPathFactory, guards: GuardSettings = GUARDS) -> Iterator[Api]:
    url, schema = store_url_for(store, tmp_path_factory)
    settings = store_settings(database_url=url, audit_key=AUDIT_KEY, api_secret=API_SECRET)
    goals = Goals(settings, today=Clock(date(2026, 1, 15)))
    ensure_cycles(goals)
    try:
        with TestClient(create_app(goals.settings, goals, guards), raise_server_exceptions=False) as client:
            yield Api(client, goals)
    finally:
        goals.close()
        if schema:
            drop_schema(schema)


@pytest.fixture(scope="module", params=STORES)
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from guarded_api(request.param, tmp_path_factory)
