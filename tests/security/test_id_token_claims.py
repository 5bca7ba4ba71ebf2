"""Every malformed claim of an ID token ends the sign-in with a refusal page, never a 5xx: Hypothesis draws values of
every JSON type (or none at all) for every claim the provider (a real one on loopback) puts in the ID token of a
real code flow."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.web.session import SESSION_COOKIE
from tests import strategies
from tests.api.test_oidc_sign_in import CALLBACK, at_provider, client_for
from tests.oidc_provider import OpenIdProvider, running_provider

ID_TOKEN_CLAIMS = ("iss", "sub", "aud", "exp", "iat", "nbf", "nonce", "azp", "at_hash", "auth_time", "email",
                   "email_verified")


@pytest.fixture(scope="module")
def provider() -> Iterator[OpenIdProvider]:
    with running_provider(CALLBACK) as running:
        yield running


@pytest.fixture(scope="module")
def web(provider: OpenIdProvider, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from client_for(provider, tmp_path_factory.mktemp("id-token-claims"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawn=st.dictionaries(st.sampled_from(ID_TOKEN_CLAIMS),
                             strategies.json_values("dev@example.com", "goalengine-web") | st.just(...),
                             min_size=1, max_size=3))
def test_no_id_token_claim_value_gives_a_5xx(web: TestClient, provider: OpenIdProvider, drawn: dict[str, Any]) -> None:
    web.cookies.clear()
    provider.users["dev@example.com"] = {"email": "dev@example.com"}
    provider.id_token_changes = drawn
    try:
        back = at_provider(web, "dev@example.com")
    finally:
        provider.id_token_changes = {}
    assert back.status_code < 500, (drawn, back.text[:300])
    assert (back.status_code == 200) == (SESSION_COOKIE in back.cookies)
