"""Local sign-in (ADR 0037): nothing signs in by GET, a sign-in link only names whom it signs in until its button is
pressed, and GOALENGINE_LOCAL_TOKENS=false turns off links, the paste form and local API tokens alike."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import issue_token
from api.bootstrap import bootstrap
from api.web.session import SESSION_COOKIE, sign_in_link
from application.goals.service import Goals
from application.store.settings import Settings
from tests.api.conftest import API_SECRET
from tests.api.web.test_workspace_pages import follow_link
from tests.conftest import AUDIT_KEY

BASE = "http://testserver"


def client_with(tmp_path: Path, **env: str) -> Iterator[TestClient]:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/goals.db", audit_key=AUDIT_KEY, api_secret=API_SECRET)
    goals = Goals(settings)
    environ = {**{k: v for k, v in os.environ.items() if "OIDC" not in k}, **env}
    try:
        with TestClient(create_app(services=bootstrap(settings, goals, environ=environ)), base_url=BASE) as client:
            yield client
    finally:
        goals.close()


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    yield from client_with(tmp_path)


def test_a_token_in_the_address_of_the_sign_in_page_signs_nobody_in(client: TestClient) -> None:
    api_token = issue_token(API_SECRET, "hr-iris", "hr")
    for token in (api_token, api_token, sign_in_link(API_SECRET, "hr-iris", "hr", BASE).split("token=")[1]):
        refused = client.get("/login", params={"token": token}, follow_redirects=False)
        assert refused.status_code == 400 and 'data-code="sign_in_by_get_refused"' in refused.text
        assert SESSION_COOKIE not in client.cookies
    assert client.get("/", follow_redirects=False).headers["location"] == "/login?next=/"


def test_a_sign_in_link_page_names_whom_it_signs_in_and_signs_in_only_by_its_button(client: TestClient) -> None:
    link = sign_in_link(API_SECRET, "emp-dev", "employee", BASE)
    page = client.get(link)
    assert page.status_code == 200 and "Sign in as emp-dev" in page.text and SESSION_COOKIE not in client.cookies
    assert follow_link(client, link).status_code == 303 and SESSION_COOKIE in client.cookies
    not_a_link = client.get("/login/link", params={"token": issue_token(API_SECRET, "hr-iris", "hr")})
    assert not_a_link.status_code == 401  # an API token is not a sign-in link


def test_the_paste_form_still_needs_its_csrf_token(client: TestClient) -> None:
    token = issue_token(API_SECRET, "hr-iris", "hr")
    page = client.get("/login").text
    assert 'name="token"' in page and 'href="/auth/login' not in page
    forged = client.post("/login", data={"token": token, "csrf_token": "forged"}, follow_redirects=False)
    assert forged.status_code == 403 and SESSION_COOKIE not in client.cookies


def test_local_tokens_turned_off_refuse_links_the_paste_form_and_api_tokens(tmp_path: Path) -> None:
    for client in client_with(tmp_path, GOALENGINE_LOCAL_TOKENS="false"):
        page = client.get("/login")
        assert 'name="token"' not in page.text and "GOALENGINE_LOCAL_TOKENS=false" in page.text
        csrf = re.search(r'value="([^"]+)"', page.text)
        assert csrf is None
        link = client.get(sign_in_link(API_SECRET, "emp-dev", "employee", BASE).removeprefix(BASE))
        assert link.status_code == 403 and 'data-code="local_sign_in_off"' in link.text
        pasted = client.post("/login", data={"token": issue_token(API_SECRET, "hr-iris", "hr")})
        assert pasted.status_code == 403 and SESSION_COOKIE not in client.cookies
        api = client.get("/goals", headers={"Authorization": f"Bearer {issue_token(API_SECRET, 'hr-iris', 'hr')}"})
        assert api.status_code == 401 and api.json()["code"] == "local_tokens_off"
