"""API calls with the identity provider's access tokens (a real provider on loopback): checked against its keys,
its issuer and GOALENGINE_OIDC_AUDIENCE; roles from the directory; a rotated key picked up; local tokens can be off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.auth import issue_token
from api.identity.config import IdentitySettings
from api.identity.issuer_keys import IssuerKeys
from api.identity.provider import ProviderUnavailableError
from api.identity.service import Identity
from api.problems import Problem
from tests.api.conftest import API_SECRET
from tests.api.test_oidc_sign_in import SmallDirectory, Someone, client_for
from tests.oidc_provider import OpenIdProvider, SigningKey, running_provider


@pytest.fixture(scope="module")
def provider() -> Iterator[OpenIdProvider]:
    with running_provider() as running:
        running.users = {"dev@example.com": {"email": "dev@example.com"},
                         "iris@example.com": {"email": "iris@example.com"}}
        yield running


@pytest.fixture(scope="module")
def api(provider: OpenIdProvider, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from client_for(provider, tmp_path_factory.mktemp("provider-tokens"))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_the_provider_issued_works_in_the_role_the_directory_gives(
        api: TestClient, provider: OpenIdProvider) -> None:
    assert api.get("/goals", headers=bearer(provider.access_token("dev@example.com"))).status_code == 200
    # Only HR opens cycles: iris is HR in the directory (tests.api.test_oidc_sign_in.ROLES), dev only claims to be.
    claimed_hr = provider.access_token("dev@example.com", role="hr", roles=["hr"])
    refused = api.post("/cycles", json={}, headers=bearer(claimed_hr))
    assert refused.status_code == 403 and refused.json()["code"] == "role_not_allowed"
    hr = provider.access_token("iris@example.com")
    assert api.post("/cycles", json={}, headers=bearer(hr)).status_code == 422  # past the role check


@pytest.mark.parametrize("changes", [{"aud": "another-api"}, {"aud": ["another-api", "more"]}, {"ttl": -120},
                                     {"iss": "https://elsewhere.example"}, {"exp": "9999999999"}])
def test_a_token_for_another_audience_issuer_or_expired_gets_401(
        api: TestClient, provider: OpenIdProvider, changes: dict[str, object]) -> None:
    answer = api.get("/goals", headers=bearer(provider.access_token("dev@example.com", **changes)))  # type: ignore[arg-type]
    assert answer.status_code == 401, answer.text
    assert answer.json()["code"] in ("invalid_token", "token_expired")


def test_a_token_signed_by_another_key_gets_401(api: TestClient, provider: OpenIdProvider) -> None:
    stranger = SigningKey.generate()
    for kid in (None, provider.key.kid):  # its own key id, and the provider's key id on a forged signature
        answer = api.get("/goals", headers=bearer(provider.access_token("dev@example.com", key=stranger) if kid is None
                                                  else stranger.sign({"sub": "x", "aud": "goalengine-api"}, kid)))
        assert answer.status_code == 401, answer.text


@pytest.mark.parametrize("alg", ["ES256", "EdDSA", "RS256"])
def test_a_rotated_provider_key_is_picked_up(api: TestClient, provider: OpenIdProvider, alg: str) -> None:
    old = provider.key
    assert api.get("/goals", headers=bearer(provider.access_token("dev@example.com"))).status_code == 200
    a_minute_passes(api.app.state.identity.provider.keys)  # type: ignore[attr-defined]
    provider.rotate(alg)
    fetched = provider.jwks_requests
    assert api.get("/goals", headers=bearer(provider.access_token("dev@example.com"))).status_code == 200
    assert provider.jwks_requests == fetched + 1
    assert api.get("/goals", headers=bearer(provider.access_token("dev@example.com", key=old))).status_code == 401


def a_minute_passes(keys: IssuerKeys) -> None:
    """The key cache's clock a minute on: the last fetch of the provider's keys was long enough ago to fetch again."""
    later = keys.clock() + 61
    keys.clock = lambda: later


def test_unknown_key_ids_refetch_the_keys_at_most_once_a_minute() -> None:
    now = [1000.0]
    fetches: list[float] = []
    keys = IssuerKeys(lambda: fetches.append(now[0]) or {"keys": [SigningKey.generate().jwk()]}, clock=lambda: now[0])
    for _ in range(50):
        assert keys.key("made-up") is None
    now[0] += 59
    assert keys.key("made-up") is None
    now[0] += 1
    assert keys.key("made-up") is None
    assert fetches == [1000.0, 1060.0]


def test_local_tokens_turned_off_get_401_while_provider_tokens_work(provider: OpenIdProvider, tmp_path: Path) -> None:
    for client in client_for(provider, tmp_path, GOALENGINE_LOCAL_TOKENS="false"):
        local = client.get("/goals", headers=bearer(issue_token(API_SECRET, "hr-7", "hr")))
        assert local.status_code == 401 and local.json()["code"] == "local_tokens_off"
        assert client.get("/goals", headers=bearer(provider.access_token("dev@example.com"))).status_code == 200


def test_a_provider_token_of_an_unknown_or_deactivated_person_gets_401(
        provider: OpenIdProvider, tmp_path: Path) -> None:
    directory = SmallDirectory({"p-1": Someone("p-1", "gone@example.com", active=False),
                                "p-2": Someone("p-2", "dev@example.com")})
    for client in client_for(provider, tmp_path, directory):
        assert client.get("/goals", headers=bearer(provider.access_token("dev@example.com"))).status_code == 200
        for who, code in (("gone@example.com", "person_deactivated"), ("stranger@example.com", "unknown_person")):
            answer = client.get("/goals", headers=bearer(provider.access_token(who, email=who)))
            assert answer.status_code == 401 and answer.json()["code"] == code


def test_a_provider_that_does_not_answer_costs_one_503_a_minute_then_401s(provider: OpenIdProvider) -> None:
    def down() -> dict[str, object]:
        raise ProviderUnavailableError("the identity provider at https://idp.example/jwks did not answer")

    identity = Identity.build(IdentitySettings(issuer=provider.issuer, client_id="web", audience="goalengine-api"))
    assert identity.provider is not None
    identity.provider.keys = IssuerKeys(down)
    token = provider.access_token("dev@example.com")
    statuses = []
    for _ in range(3):
        with pytest.raises(Problem) as refused:
            identity.actor_from_bearer(API_SECRET, token, 3600)
        statuses.append(refused.value.status)
    assert statuses == [503, 401, 401]


def test_sign_in_while_the_provider_is_down_is_a_clear_503_page(tmp_path: Path) -> None:
    dead = OpenIdProvider("goalengine-web", "x", "goalengine-api", issuer="http://localhost:9")  # nothing listens
    for client in client_for(dead, tmp_path):
        page = client.get("/auth/login", follow_redirects=False)
        assert page.status_code == 503 and 'data-code="identity_provider_unavailable"' in page.text
        assert client.get("/health").status_code == 200  # the rest serves on
