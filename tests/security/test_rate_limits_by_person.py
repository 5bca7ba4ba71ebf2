"""Rate limits count a session against its person, never its address: an anonymous flood of POST /login from one
address does not give the people signed in behind that address a 429."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import issue_token
from api.guards.config import GuardSettings
from api.guards.rate import RateLimits
from api.identity.config import IdentitySettings
from api.identity.issuer_keys import IssuerKeys
from api.identity.service import Identity
from api.web.session import SESSION_COOKIE, session_cookie_value, sign_in_link
from application.goals.service import Goals
from application.store.settings import Settings
from tests.api.conftest import API_SECRET
from tests.api.web.test_workspace_pages import follow_link
from domain.values import Actor, Role
from tests.conftest import AUDIT_KEY
from tests.oidc_provider import SigningKey

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


def test_each_signed_caller_counts_as_its_person_and_everything_else_as_its_address() -> None:
    key = SigningKey.generate("EdDSA")
    settings = IdentitySettings(issuer="https://idp.example", client_id="web", audience="api")
    identity = Identity.build(settings)
    assert identity.provider is not None
    identity.provider.keys = IssuerKeys(lambda: {"keys": [key.jwk()]})
    limits = RateLimits(lambda scope, receive, send: None, secret=lambda: API_SECRET,  # type: ignore[arg-type,return-value]
                        writes_per_minute=1, streams_per_caller=1, identity=lambda: identity)

    def caller(headers: dict[str, str]) -> str:
        return limits.caller({"type": "http", "client": ("10.0.0.9", 1),
                              "headers": [(k.encode(), v.encode()) for k, v in headers.items()]})

    provider_token = key.sign({"iss": "https://idp.example", "aud": "api", "email": "dev@example.com",
                               "exp": int(time.time()) + 60})
    assert caller({"authorization": f"Bearer {provider_token}"}) == "address:10.0.0.9"  # its key not fetched yet
    identity.provider.keys.key(key.kid)  # fetched by an API call the route authenticated
    assert caller({"authorization": f"Bearer {provider_token}"}) == "person:dev@example.com"
    assert caller({"authorization": f"Bearer {issue_token(API_SECRET, 'emp-dev', 'employee')}"}) == "person:emp-dev"
    session = session_cookie_value(API_SECRET, Actor("emp-dev", Role.EMPLOYEE))
    assert caller({"cookie": f"{SESSION_COOKIE}={session}"}) == "person:emp-dev"
    forged = session_cookie_value("another-secret-of-at-least-32-bytes!", Actor("emp-dev", Role.EMPLOYEE))
    assert caller({"cookie": f"{SESSION_COOKIE}={forged}"}) == "address:10.0.0.9"
    assert caller({"authorization": "Bearer not-a-token"}) == "address:10.0.0.9"
