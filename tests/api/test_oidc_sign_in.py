"""Signing in with the organisation's identity provider (a real OpenID provider on loopback, tests/oidc_provider.py):
the code flow with PKCE, state and nonce, the ID token's checks, the directory's say over who and in which role,
and signing out at the provider too. The browser walk is tests/e2e/test_oidc_browser.py."""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import bootstrap
from api.web.oidc_sign_in import FLOW_AUDIENCE, FLOW_COOKIE
from api.web.session import SESSION_COOKIE, sign_in_link
from application.goals.service import Goals
from application.identity.people import OpenPeople
from application.store.settings import Settings
from domain.values import Role
from tests.api.conftest import API_SECRET
from tests.conftest import AUDIT_KEY
from tests.oidc_provider import OpenIdProvider, SigningKey, oidc_environment, running_provider

BASE = "http://testserver"
CALLBACK = f"{BASE}/auth/callback"
ROLES = {"ana@example.com": frozenset({Role.MANAGER}), "iris@example.com": frozenset({Role.HR, Role.MANAGER})}


@dataclass(frozen=True)
class Someone:
    id: str
    email: str | None
    active: bool = True
    manager_id: str | None = None
    groups: tuple[str, ...] = ()
    user_name: str = ""
    display_name: str = ""


@dataclass
class SmallDirectory:
    """A directory that knows a few people (the PersonFinder protocol): for unknown and deactivated people."""

    people: dict[str, Someone] = field(default_factory=dict)

    def person(self, person_id: str) -> Someone | None:
        return self.people.get(person_id)

    def find_by_email(self, email: str) -> Someone | None:
        return next((p for p in self.people.values() if p.email == email), None)

    def find_by_external_id(self, external_id: str) -> Someone | None:
        return None

    def roles_of(self, person_id: str) -> frozenset[Role]:
        return frozenset({Role.EMPLOYEE})

    def in_directory_mode(self) -> bool:
        return True


@pytest.fixture(scope="module")
def provider() -> Iterator[OpenIdProvider]:
    with running_provider(CALLBACK) as running:
        yield running


def client_for(provider: OpenIdProvider, tmp_path: Path, people: object = None, **env: str) -> Iterator[TestClient]:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/goals.db", audit_key=AUDIT_KEY, api_secret=API_SECRET)
    goals = Goals(settings)
    environ = {**os.environ, **oidc_environment(provider, tmp_path / "client-secret", **env)}
    services = bootstrap(settings, goals, environ=environ, people=people or OpenPeople(ROLES))  # type: ignore[arg-type]
    try:
        with TestClient(create_app(services=services), base_url=BASE) as client:
            yield client
    finally:
        goals.close()


@pytest.fixture
def web(provider: OpenIdProvider, tmp_path: Path) -> Iterator[TestClient]:
    provider.id_token_changes, provider.id_token_key = {}, None
    yield from client_for(provider, tmp_path)


def at_provider(client: TestClient, sub: str, next_path: str = "/") -> httpx.Response:
    """Start at /auth/login, authorize at the provider as `sub`, and come back to the callback."""
    started = client.get(f"/auth/login?next={next_path}", follow_redirects=False)
    assert started.status_code == 303, started.text
    asked = {k: v[0] for k, v in parse_qs(urlsplit(started.headers["location"]).query).items()}
    assert asked["code_challenge_method"] == "S256" and asked["state"] and asked["nonce"]
    authorized = httpx.post(started.headers["location"].split("?")[0], data={**asked, "sub": sub})
    assert authorized.status_code == 302, authorized.text
    return client.get(authorized.headers["location"].removeprefix(BASE), follow_redirects=False)


def test_a_person_signs_in_through_the_provider_in_the_role_the_directory_gives(
        web: TestClient, provider: OpenIdProvider) -> None:
    for email, role in (("dev@example.com", "employee"), ("ana@example.com", "manager"), ("iris@example.com", "hr")):
        web.cookies.clear()
        provider.users[email] = {"email": email, "email_verified": True, "role": "auditor"}  # a claim grants nothing
        back = at_provider(web, email, "/workspace/goals/new" if role != "employee" else "/")
        assert back.status_code == 200 and SESSION_COOKIE in back.cookies, back.text
        assert 'http-equiv="refresh"' in back.text
        assert f"{email} ({role})" in web.get("/").text


def test_a_signed_out_visitor_is_sent_to_the_provider_and_the_paste_form_is_gone(web: TestClient) -> None:
    sent = web.get("/workspace/hr/recalibrations", follow_redirects=False)
    assert sent.headers["location"] == "/auth/login?next=/workspace/hr/recalibrations"
    page = web.get("/login").text
    assert 'href="/auth/login?next=/"' in page and 'name="token"' not in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is None
    pasted = web.post("/login", data={"token": "anything", "csrf_token": "x"})
    assert pasted.status_code == 403 and "local_sign_in_off" in pasted.text
    link = web.get(sign_in_link(API_SECRET, "hr-iris", "hr", BASE).removeprefix(BASE))
    assert link.status_code == 403 and SESSION_COOKIE not in web.cookies


@pytest.mark.parametrize("changes", [{"nonce": "another-nonce"}, {"aud": "another-client"}, {"exp": 1_000_000},
                                     {"iss": "https://elsewhere.example"}, {"exp": "9999999999"}, {"aud": [1, 2]}])
def test_an_id_token_that_does_not_hold_opens_no_session(web: TestClient, provider: OpenIdProvider,
                                                          changes: dict[str, object]) -> None:
    provider.users["dev@example.com"] = {"email": "dev@example.com"}
    provider.id_token_changes = changes
    back = at_provider(web, "dev@example.com")
    assert back.status_code == 401 and "id_token_refused" in back.text and SESSION_COOKIE not in web.cookies


def test_an_id_token_signed_by_another_key_opens_no_session(web: TestClient, provider: OpenIdProvider) -> None:
    provider.id_token_key = SigningKey.generate()
    back = at_provider(web, "dev@example.com")
    assert back.status_code == 401 and SESSION_COOKIE not in web.cookies


def test_a_callback_this_browser_did_not_start_is_refused(web: TestClient, provider: OpenIdProvider) -> None:
    at_provider(web, "dev@example.com")  # leaves no flow cookie behind
    web.cookies.clear()
    web.get("/auth/login", follow_redirects=False)
    forged = web.get("/auth/callback?code=stolen&state=not-this-browsers", follow_redirects=False)
    assert forged.status_code == 400 and "state_mismatch" in forged.text and SESSION_COOKIE not in web.cookies


@pytest.mark.parametrize("who, code", [("stranger@example.com", "unknown_person"),
                                       ("gone@example.com", "person_deactivated"),
                                       ("nobody-verified@example.com", "unknown_person")])
def test_an_unknown_or_deactivated_person_gets_a_clear_page_and_no_session(
        provider: OpenIdProvider, tmp_path: Path, who: str, code: str) -> None:
    provider.id_token_changes, provider.id_token_key = {}, None
    directory = SmallDirectory({"p-1": Someone("p-1", "gone@example.com", active=False),
                                "p-2": Someone("p-2", "nobody-verified@example.com")})
    provider.users[who] = {"email": who, "email_verified": who != "nobody-verified@example.com"}
    for client in client_for(provider, tmp_path, directory):
        back = at_provider(client, who)
        assert back.status_code == 403 and f'data-code="{code}"' in back.text, back.text
        assert "ask HR" in back.text and SESSION_COOKIE not in client.cookies


def test_signing_out_ends_the_session_here_and_at_the_provider(web: TestClient, provider: OpenIdProvider) -> None:
    provider.users["ana@example.com"] = {"email": "ana@example.com"}
    at_provider(web, "ana@example.com")
    page = web.get("/").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf
    out = web.post("/logout", data={"csrf_token": csrf.group(1)}, follow_redirects=False)
    onward = re.search(r'id="provider-sign-out" href="([^"]+)"', out.text)
    assert out.status_code == 200 and onward and onward.group(1).startswith(f"{provider.issuer}/end_session?")
    asked = {k: v[0] for k, v in parse_qs(urlsplit(html.unescape(onward.group(1))).query).items()}
    assert asked["post_logout_redirect_uri"] == f"{BASE}/login" and asked["client_id"] == "goalengine-web"
    assert asked["id_token_hint"].count(".") == 2
    assert web.get("/", follow_redirects=False).status_code == 303  # the session ended here


def test_a_configured_redirect_uri_is_what_the_provider_is_given(provider: OpenIdProvider, tmp_path: Path) -> None:
    """Behind a proxy that hides the public address, GOALENGINE_OIDC_REDIRECT_URI names it."""
    public = "https://goals.example.com/auth/callback"
    for client in client_for(provider, tmp_path, GOALENGINE_OIDC_REDIRECT_URI=public):
        started = client.get("/auth/login", follow_redirects=False)
        asked = {k: v[0] for k, v in parse_qs(urlsplit(started.headers["location"]).query).items()}
        assert asked["redirect_uri"] == public
        settings = client.app.state.identity.settings  # type: ignore[attr-defined]
        assert settings.signed_out_url("http://internal:8000/login") == "https://goals.example.com/login"


def test_the_flow_sends_an_s256_challenge_of_the_verifier_it_keeps_and_a_fresh_state_and_nonce(
        web: TestClient) -> None:
    seen = []
    for _ in range(2):
        started = web.get("/auth/login", follow_redirects=False)
        asked = {k: v[0] for k, v in parse_qs(urlsplit(started.headers["location"]).query).items()}
        flow = jwt.decode(web.cookies[FLOW_COOKIE], API_SECRET, algorithms=["HS256"], audience=FLOW_AUDIENCE)
        assert create_s256_code_challenge(flow["verifier"]) == asked["code_challenge"]
        assert (flow["state"], flow["nonce"]) == (asked["state"], asked["nonce"])
        assert "lax" in next(c for c in started.headers.get_list("set-cookie") if c.startswith(FLOW_COOKIE)).lower()
        seen.append((asked["state"], asked["nonce"], flow["verifier"]))
    assert len({part for parts in seen for part in parts}) == 6


def test_a_person_who_declines_at_the_provider_gets_a_page_saying_so(web: TestClient) -> None:
    started = web.get("/auth/login", follow_redirects=False)
    state = parse_qs(urlsplit(started.headers["location"]).query)["state"][0]
    declined = web.get("/auth/callback", params={"state": state, "error": "access_denied",
                                                 "error_description": "The user <b>declined</b>"})
    # The page reads codes as words (issue 25): access_denied shows as "access denied".
    assert declined.status_code == 401 and 'data-code="identity_provider_refused"' in declined.text
    assert "access denied" in declined.text and "<b>" not in declined.text and SESSION_COOKIE not in web.cookies
