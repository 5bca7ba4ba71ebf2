"""The organisation's OpenID provider: its discovery document, its keys, and Authlib's client for the code flow.

Discovery runs on first use, not at start, so that goalengine serves (local tokens, health) while the provider is
down; a failed discovery is tried again on the next sign-in. Authlib does the OAuth and the ID-token checks (PKCE
S256, state, nonce, signature, `iss`, `aud`, `exp`); this module only feeds it the discovered metadata and keys.
"""

from __future__ import annotations

import threading
import warnings
from typing import Any

import httpx
from authlib.integrations.base_client.sync_app import BaseApp, OAuth2Mixin
from authlib.integrations.base_client.sync_openid import OpenIDMixin

from api.identity.config import IdentitySettings
from api.identity.issuer_keys import ALGORITHMS, IssuerKeys

with warnings.catch_warnings():  # Authlib 1.9 would rather have the httpx2 fork; httpx is what goalengine runs on
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client

TIMEOUT = httpx.Timeout(10.0)
MAX_DOCUMENT_BYTES = 512 * 1024
# What of the discovery document Authlib's client is given (and nothing it could mistake for one of its options).
CLIENT_METADATA = frozenset({"issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint",
                             "end_session_endpoint", "id_token_signing_alg_values_supported",
                             "code_challenge_methods_supported", "token_endpoint_auth_methods_supported"})


class ProviderUnavailableError(Exception):
    """The provider did not answer, or answered with something that is not a discovery document or a JWKS."""


class _NoFramework:
    """Authlib's hook for storing refreshed tokens: goalengine keeps none (the session is its own)."""

    def update_token(self, *_args: object, **_kwargs: object) -> None:
        return None


class OidcClient(OAuth2Mixin, OpenIDMixin, BaseApp):  # type: ignore[misc]
    """Authlib's relying party without a web framework: the flow's state lives in goalengine's own signed cookie."""

    client_cls = OAuth2Client

    def __init__(self, keys: IssuerKeys, **kwargs: Any) -> None:
        super().__init__(_NoFramework(), **kwargs)
        self.issuer_keys = keys

    def fetch_jwk_set(self, force: bool = False) -> dict[str, Any]:
        return self.issuer_keys.jwks(force=force)  # one cache, one refetch limit, for ID tokens and API tokens


class Provider:
    """One issuer: discovered once, its keys cached (api.identity.issuer_keys)."""

    def __init__(self, settings: IdentitySettings, transport: httpx.BaseTransport | None = None) -> None:
        assert settings.issuer is not None
        self.settings, self.issuer, self.transport = settings, settings.issuer, transport
        self._metadata: dict[str, Any] | None = None
        self._lock = threading.Lock()
        self.keys = IssuerKeys(self._fetch_jwks)

    def metadata(self) -> dict[str, Any]:
        with self._lock:
            if self._metadata is None:
                document = self._get_json(self.issuer.rstrip("/") + "/.well-known/openid-configuration")
                if document.get("issuer") != self.issuer:
                    raise ProviderUnavailableError(f"the discovery document names issuer {document.get('issuer')!r}"
                                                   f", not {self.issuer!r} (GOALENGINE_OIDC_ISSUER)")
                for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                    if not isinstance(document.get(name), str):
                        raise ProviderUnavailableError(f"the discovery document has no {name}")
                self._metadata = document
            return self._metadata

    def client(self) -> OidcClient:
        """A client of the code flow with PKCE (S256); Authlib adds `state` and, for `openid`, a `nonce`."""
        metadata = {key: value for key, value in self.metadata().items() if key in CLIENT_METADATA}
        algorithms = [alg for alg in metadata.get("id_token_signing_alg_values_supported", ["RS256"])
                      if alg in ALGORITHMS] or ["RS256"]
        return OidcClient(
            self.keys, client_id=self.settings.client_id, client_secret=self.settings.client_secret,
            client_kwargs={"scope": self.settings.scope, "code_challenge_method": "S256", "timeout": TIMEOUT,
                           "token_endpoint_auth_method": "client_secret_basic" if self.settings.client_secret
                           else "none", **({"transport": self.transport} if self.transport else {})},
            **{**metadata, "id_token_signing_alg_values_supported": algorithms})

    def sign_out_url(self, post_logout_redirect_uri: str, id_token_hint: str | None) -> str | None:
        """Where the browser ends its session at the provider (RP-initiated logout), if the provider publishes it."""
        try:
            endpoint = self.metadata().get("end_session_endpoint")
        except ProviderUnavailableError:
            return None
        if not isinstance(endpoint, str):
            return None
        logout = self.client().create_logout_url(post_logout_redirect_uri, id_token_hint=id_token_hint,
                                                  client_id=self.settings.client_id)
        return str(logout["url"])

    def _fetch_jwks(self) -> dict[str, Any]:
        return self._get_json(self.metadata()["jwks_uri"])

    def _get_json(self, url: str) -> dict[str, Any]:
        try:
            with httpx.Client(timeout=TIMEOUT, transport=self.transport) as http:
                answer = http.get(url, headers={"Accept": "application/json"})
            answer.raise_for_status()
            if len(answer.content) > MAX_DOCUMENT_BYTES:
                raise ValueError("too large")
            document = answer.json()
        except (httpx.HTTPError, ValueError) as error:
            raise ProviderUnavailableError(f"the identity provider at {url} did not answer usably: {error}") from None
        if not isinstance(document, dict):
            raise ProviderUnavailableError(f"the identity provider at {url} answered no JSON object")
        return document
