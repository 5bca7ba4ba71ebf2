"""Every malformed claim answers 401 (or a refusal page), never 5xx: Hypothesis draws values of every JSON type for
every claim of every token goalengine reads (local API tokens, provider access tokens, session cookies, sign-in links),
each signed with the right key, so that only the claims themselves are wrong."""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.app import create_app
from api.bootstrap import bootstrap
from api.identity.issuer_keys import IssuerKeys
from api.web.session import SESSION_AUDIENCE, SESSION_COOKIE, SIGN_IN_AUDIENCE, SIGN_IN_LINK_PATH
from application.goals.service import Goals
from application.store.settings import Settings
from tests.api.conftest import API_SECRET
from tests.conftest import AUDIT_KEY
from tests import strategies
from tests.oidc_provider import SigningKey

ISSUER, AUDIENCE = "https://idp.example", "goalengine-api"
CLAIMS = ("sub", "role", "exp", "iat", "nbf", "aud", "iss", "jti", "email", "email_verified", "kid")
KINDS = ("local", "provider", "session", "link")
KEY = SigningKey.generate("ES256")

json_values = strategies.json_values("hr", "employee", AUDIENCE, ISSUER, "dev@example.com", " hr-7")
changes = st.dictionaries(st.sampled_from(CLAIMS), json_values | st.just(...), min_size=1, max_size=4)


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, TestClient]]:
    """One app with the provider configured (API tokens, sessions), one without (where sign-in links work)."""
    folder: Path = tmp_path_factory.mktemp("claims")
    settings = Settings(database_url=f"sqlite:///{folder}/goals.db", audit_key=AUDIT_KEY, api_secret=API_SECRET)
    goals = Goals(settings)
    environ = {**os.environ, "GOALENGINE_OIDC_ISSUER": ISSUER, "GOALENGINE_OIDC_CLIENT_ID": "goalengine-web",
               "GOALENGINE_OIDC_AUDIENCE": AUDIENCE}
    services = bootstrap(settings, goals, environ=environ)
    assert services.identity.provider is not None
    services.identity.provider.keys = IssuerKeys(lambda: {"keys": [KEY.jwk()]})  # no network: the keys as fetched
    local = bootstrap(settings, goals, environ={k: v for k, v in os.environ.items() if "OIDC" not in k})
    try:
        with TestClient(create_app(services=services)) as oidc, TestClient(create_app(services=local)) as plain:
            yield {"local": oidc, "provider": oidc, "session": oidc, "link": plain}
    finally:
        goals.close()


def valid_claims(kind: str) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {"sub": "dev@example.com", "role": "employee", "iat": now, "exp": now + 600,
                              "jti": "j-1", "email": "dev@example.com"}
    if kind == "provider":
        claims.update(iss=ISSUER, aud=AUDIENCE)
    elif kind != "local":
        claims["aud"] = SESSION_AUDIENCE if kind == "session" else SIGN_IN_AUDIENCE
    return claims


def signed(kind: str, claims: dict[str, Any], kid: object) -> str:
    """A JWS built by hand: PyJWT would refuse to encode a `kid` that is not a string."""
    alg, key = (KEY.alg, KEY.private) if kind == "provider" else ("HS256", API_SECRET.encode())
    header: dict[str, Any] = {"alg": alg, "typ": "JWT"}
    if kid is not ... or kind == "provider":
        header["kid"] = KEY.kid if kid is ... else kid
    signing_input = f"{part(header)}.{part(claims)}".encode()
    algorithm = jwt.get_algorithm_by_name(alg)
    signature = algorithm.sign(signing_input, algorithm.prepare_key(key))
    return f"{signing_input.decode()}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def part(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def answer(clients: dict[str, TestClient], kind: str, token: str) -> int:
    client = clients[kind]
    client.cookies.clear()
    if kind == "session":
        client.cookies.set(SESSION_COOKIE, token)
        return client.get("/", follow_redirects=False).status_code
    if kind == "link":
        return client.get(SIGN_IN_LINK_PATH, params={"token": token}).status_code
    return client.get("/goals", headers={"Authorization": f"Bearer {token}"}).status_code


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                     HealthCheck.too_slow])
@given(kind=st.sampled_from(KINDS), drawn=changes)
def test_no_claim_value_of_any_json_type_gives_a_5xx(
        clients: dict[str, TestClient], kind: str, drawn: dict[str, Any]) -> None:
    claims = valid_claims(kind)
    kid = drawn.pop("kid", ...)
    for name, value in drawn.items():
        if value is ...:
            claims.pop(name, None)
        else:
            claims[name] = value
    status = answer(clients, kind, signed(kind, claims, kid))
    assert status < 500, (kind, claims, kid)


def test_a_local_token_whose_exp_is_a_string_gets_401(clients: dict[str, TestClient]) -> None:
    claims = {**valid_claims("local"), "exp": str(int(time.time()) + 600)}
    response = clients["local"].get("/goals", headers={"Authorization": f"Bearer {signed('local', claims, ...)}"})
    assert response.status_code == 401 and "`exp` must be a number" in response.json()["detail"]


def test_the_valid_tokens_of_each_kind_are_accepted(clients: dict[str, TestClient]) -> None:
    """The property above could pass by refusing everything: unchanged claims get through."""
    assert {kind: answer(clients, kind, signed(kind, valid_claims(kind), ...)) for kind in KINDS} == {
        "local": 200, "provider": 200, "session": 200, "link": 200}
