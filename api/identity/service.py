"""Who a bearer token names: a local HS256 token (goalengine token) or an access token of the identity provider.

A provider token is checked against the provider's keys (RS256, ES256, EdDSA), its issuer, GOALENGINE_OIDC_AUDIENCE
and its times; the person is the one its configured claim names in the directory, in the directory's role.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import jwt

from api.auth import ALGORITHM, VerifiedTokens
from api.identity.claims import MAX_TOKEN_LENGTH, check_audience, check_issuer, check_times, invalid
from api.identity.config import IdentitySettings
from api.identity.issuer_keys import ALGORITHMS
from api.identity.provider import Provider, ProviderUnavailableError
from api.problems import Problem
from application.identity.people import ModalPeople, OpenPeople, PersonFinder
from application.identity.sign_in import PersonDeactivatedError, UnknownPersonError, actor_named_by
from domain.values import Actor

LEEWAY_SECONDS = 60
# Signature only: every claim is checked afterwards, by type first (api.identity.claims).
SIGNATURE_ONLY = {"verify_signature": True, "verify_exp": False, "verify_nbf": False, "verify_iat": False,
                  "verify_aud": False, "verify_iss": False, "verify_sub": False, "verify_jti": False}


@dataclass
class Identity:
    """Sign-in settings, the directory's look-ups and, when configured, the provider."""

    settings: IdentitySettings
    people: PersonFinder
    provider: Provider | None = None
    checked_tokens: VerifiedTokens = field(default_factory=VerifiedTokens)

    @classmethod
    def build(cls, settings: IdentitySettings, people: PersonFinder | None = None,
              directory: PersonFinder | None = None) -> Identity:
        """`people` as given (a stand-in), else the directory once it holds people and open mode until then."""
        open_people = OpenPeople(settings.open_roles)
        found = people or (ModalPeople(directory, open_people) if directory else open_people)
        return cls(settings, found,
                   Provider(settings) if settings.oidc else None)

    def actor_from_bearer(self, secret: str, token: str, max_ttl: int) -> Actor:
        """The caller a bearer token names, or a 401 naming what is wrong with it."""
        header = unverified_header(token)
        if header.get("alg") == ALGORITHM:
            if not self.settings.local_tokens:
                raise Problem(401, "local_tokens_off", "local tokens are turned off (GOALENGINE_LOCAL_TOKENS=false); "
                              "use an access token from the identity provider")
            return self.checked_tokens.actor(secret, token, max_ttl)
        return self.actor_from_provider_token(token, header, max_ttl)

    def actor_from_provider_token(self, token: str, header: dict[str, Any], max_ttl: int) -> Actor:
        claims = self.provider_claims(token, header)
        check_times(claims, time.time(), LEEWAY_SECONDS, max_ttl)
        try:
            return actor_named_by(self.people, self.settings.person_claim, claims)
        except (UnknownPersonError, PersonDeactivatedError) as error:
            raise Problem(401, error.code, error.message) from None

    def provider_claims(self, token: str, header: dict[str, Any], refetch: bool = True) -> dict[str, Any]:
        """The claims of a provider token whose signature, issuer and audience hold (times are the caller's)."""
        if self.provider is None or self.settings.audience is None:
            raise invalid("only local tokens are accepted here (GOALENGINE_OIDC_ISSUER and GOALENGINE_OIDC_AUDIENCE "
                          "are not both set)")
        alg = header.get("alg")
        if alg not in ALGORITHMS:
            raise invalid(f"its algorithm must be one of {', '.join(ALGORITHMS)}")
        try:
            key = self.provider.keys.key(header.get("kid"), refetch=refetch)
        except ProviderUnavailableError as error:
            raise Problem(503, "identity_provider_unavailable", str(error)) from None
        if key is None or key.algorithm_name != alg:
            raise invalid("it is not signed by a key the identity provider publishes")
        claims = decoded(token, key, alg)
        check_issuer(claims, self.provider.issuer)
        check_audience(claims, self.settings.audience)
        return claims


def unverified_header(token: str) -> dict[str, Any]:
    if len(token) > MAX_TOKEN_LENGTH:
        raise invalid(f"it is longer than {MAX_TOKEN_LENGTH} characters")
    try:
        header = jwt.get_unverified_header(token)
    except (jwt.PyJWTError, ValueError, TypeError, RecursionError):
        raise invalid("it is not a JWT") from None
    return header


def decoded(token: str, key: jwt.PyJWK, alg: str) -> dict[str, Any]:
    try:
        claims = jwt.decode(token, key, algorithms=[alg], options=SIGNATURE_ONLY)  # type: ignore[arg-type]
    except (jwt.PyJWTError, ValueError, TypeError, RecursionError) as error:
        raise invalid(str(error)) from None
    if not isinstance(claims, dict):
        raise invalid("its payload is not a JSON object")
    return claims
