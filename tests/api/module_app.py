"""One app per store for a whole test module, for suites of many small requests (each test makes its own goals).

A fresh store per test costs a PostgreSQL schema each time; the permission matrix and the error catalogue need
hundreds of cases, and isolation comes from every case drafting the goals it acts on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import issue_token
from application.goals.service import Goals
from domain.values import Actor
from tests.api.conftest import API_SECRET
from tests.scenarios import H1, H2, YEAR, ensure_cycles
from tests.conftest import (
    AUDIT_KEY,
    store_settings,
    Clock,
    drop_schema,
    postgres_url_with_schema,
    require_postgres,
)

STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@dataclass
class Api:
    client: TestClient
    goals: Goals

    def as_(self, actor: Actor) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(API_SECRET, actor.id, actor.role)}"}

    def head(self) -> int:
        head: int = self.client.get("/health").json()["head"]
        return head


def module_api(store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """Body of a module-scoped fixture parametrised with STORES; business date 2026-01-15."""
    schema = None
    if store == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('module-store')}/goals.db"
    else:
        require_postgres()
        schema = f"t_{uuid4().hex[:16]}"
        url = postgres_url_with_schema(schema)
    settings = store_settings(database_url=url, audit_key=AUDIT_KEY, api_secret=API_SECRET)
    goals = Goals(settings, today=Clock(date(2026, 1, 15)))
    ensure_cycles(goals, H1, YEAR, H2)
    try:
        with TestClient(create_app(goals.settings, goals)) as client:
            yield Api(client, goals)
    finally:
        goals.close()
        if schema:
            drop_schema(schema)
