"""Sign-in settings (ADR 0037), read from GOALENGINE_OIDC_* and GOALENGINE_LOCAL_TOKENS by the composition root."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from application.identity.people import parse_open_roles
from application.identity.sign_in import PERSON_CLAIMS
from application.store.settings import SettingsError
from domain.values import Role

OFF = ("0", "false", "no", "off")
CALLBACK_PATH = "/auth/callback"


@dataclass(frozen=True)
class IdentitySettings:
    issuer: str | None = None  # GOALENGINE_OIDC_ISSUER: None signs in by local tokens only
    client_id: str | None = None
    client_secret: str | None = None  # read from GOALENGINE_OIDC_CLIENT_SECRET_FILE; None: a public client (PKCE)
    person_claim: str = "email"  # GOALENGINE_OIDC_PERSON_CLAIM: email, or sub (a SCIM externalId)
    audience: str | None = None  # GOALENGINE_OIDC_AUDIENCE: provider access tokens need it as `aud`
    local_tokens: bool = True  # GOALENGINE_LOCAL_TOKENS=false refuses HS256 tokens, sign-in links and the paste form
    open_roles: Mapping[str, frozenset[Role]] = field(default_factory=dict)  # GOALENGINE_OPEN_ROLES, open mode only
    scope: str = "openid email profile"
    # GOALENGINE_OIDC_REDIRECT_URI: the callback as registered at the provider, when this server's own idea of its
    # address is not what browsers use (behind a proxy that does not forward the scheme and host)
    redirect_uri: str | None = None

    def callback_url(self, own: str) -> str:
        """Where the provider sends the browser back: the configured URI, else this server's own address for it."""
        return self.redirect_uri or own

    def signed_out_url(self, own: str) -> str:
        """Where the provider sends the browser after signing out: the sign-in page, beside the callback."""
        return self.redirect_uri.removesuffix(CALLBACK_PATH) + "/login" if self.redirect_uri else own

    @property
    def oidc(self) -> bool:
        """Whether browsers sign in through the identity provider."""
        return self.issuer is not None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> IdentitySettings:
        issuer = (env.get("GOALENGINE_OIDC_ISSUER") or "").strip() or None  # exactly as the provider spells it
        client_id = (env.get("GOALENGINE_OIDC_CLIENT_ID") or "").strip() or None
        claim = (env.get("GOALENGINE_OIDC_PERSON_CLAIM") or "email").strip()
        if issuer is not None:
            _require_secure(issuer)
            if client_id is None:
                raise SettingsError("GOALENGINE_OIDC_CLIENT_ID must be set with GOALENGINE_OIDC_ISSUER")
        if claim not in PERSON_CLAIMS:
            raise SettingsError(f"GOALENGINE_OIDC_PERSON_CLAIM must be one of {', '.join(PERSON_CLAIMS)}, not "
                                f"{claim!r}")
        try:
            open_roles = parse_open_roles(env.get("GOALENGINE_OPEN_ROLES") or "")
        except ValueError as error:
            raise SettingsError(f"GOALENGINE_OPEN_ROLES: {error}") from None
        redirect_uri = (env.get("GOALENGINE_OIDC_REDIRECT_URI") or "").strip() or None
        if redirect_uri is not None:
            _require_secure(redirect_uri, "GOALENGINE_OIDC_REDIRECT_URI")
            if not redirect_uri.endswith(CALLBACK_PATH):
                raise SettingsError(f"GOALENGINE_OIDC_REDIRECT_URI must end with {CALLBACK_PATH}")
        return cls(issuer=issuer, client_id=client_id, client_secret=_secret(env), person_claim=claim,
                   redirect_uri=redirect_uri,
                   audience=(env.get("GOALENGINE_OIDC_AUDIENCE") or "").strip() or None,
                   local_tokens=(env.get("GOALENGINE_LOCAL_TOKENS") or "true").strip().lower() not in OFF,
                   open_roles=open_roles)


def _secret(env: Mapping[str, str]) -> str | None:
    path = env.get("GOALENGINE_OIDC_CLIENT_SECRET_FILE")
    if not path:
        return None
    try:
        return Path(path).read_text().strip() or None
    except OSError as error:
        raise SettingsError(f"GOALENGINE_OIDC_CLIENT_SECRET_FILE: cannot read {path}: {error.strerror}") from None


def _require_secure(url: str, variable: str = "GOALENGINE_OIDC_ISSUER") -> None:
    """https, or http on a loopback address (development and the test suite's provider)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and _loopback(parts.hostname):
        return
    raise SettingsError(f"{variable} {url!r} must be an https:// URL (http:// only on loopback)")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
