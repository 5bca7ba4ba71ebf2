"""Rate limits count a session against its person, never its address: an anonymous flood of POST /login from one
address does not give the people signed in behind that address a 429."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.guards.config import GuardSettings
from api.web.session import sign_in_link
from application.goals.service import Goals
from application.store.settings import Settings
from tests.api.conftest import API_SECRET
from tests.api.web.test_workspace_pages import follow_link
from tests.conftest import AUDIT_KEY

WRITES = 5


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/goals.db", audit_key=AUDIT_KEY, api_secret=API_SECRET)
    goals = Goals(settings)
    try:
        with TestClient(create_app(settings, goals, GuardSettings(writes_per_minute=WRITES))) as test_client:
            yield test_client
    finally:
        goals.close()


def test_an_anonymous_flood_of_sign_ins_does_not_give_a_signed_in_person_429(client: TestClient) -> None:
    signed_in = follow_link(client, sign_in_link(API_SECRET, "emp-dev", "employee", "http://testserver"))
    assert signed_in.status_code == 303  # one write from this address's anonymous bucket: the link's POST
    session = dict(client.cookies)
    client.cookies.clear()
    flood = [client.post("/login", data={"token": "x", "csrf_token": "y"}).status_code for _ in range(3 * WRITES)]
    assert flood.count(429) >= 2 * WRITES  # the anonymous bucket of this address is spent
    client.cookies.update(session)
    page = client.get("/")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert page.status_code == 200 and csrf
    answers = [client.post("/logout", data={"csrf_token": csrf.group(1)}, follow_redirects=False).status_code
               for _ in range(WRITES)]
    assert 429 not in answers  # the person's own bucket, from the same address
    assert answers[0] == 303
