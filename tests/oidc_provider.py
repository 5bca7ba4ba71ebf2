"""A small OpenID provider for the test suite, served on loopback by a real uvicorn (tests/live_server.py).

Why not the `oidc-provider-mock` package (checked with pip, 0.3.4): its access tokens are opaque strings (no JWT, no
`aud`), it registers no PKCE check (a wrong `code_verifier` would pass), it signs with one RS256 key it never rotates,
and it serves Werkzeug's debugger. This one is built on the same libraries goalengine uses (PyJWT and cryptography for
the keys and signatures, Authlib's S256 code challenge) and is strict where a real provider is:
- the authorization endpoint needs `response_type=code`, a known redirect URI, `state`, `nonce` and an S256
  `code_challenge`; the token endpoint needs the client's secret, the same redirect URI and the matching verifier;
  a code works once;
- ID tokens carry `iss`, `aud` (the client id), `exp`, `iat`, `nonce` and the person's claims; access tokens are
  JWTs with `aud` = the API's audience;
- it publishes `end_session_endpoint` and records each end-session request;
- the test controls its people, rotates its key, and mints access tokens with any key, audience or lifetime.
"""

from __future__ import annotations

import base64
import html
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

import jwt
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from fastapi import FastAPI, Form, Header, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from tests.live_server import live_server

@dataclass
class SigningKey:
    kid: str
    alg: str
    private: Any

    @classmethod
    def generate(cls, alg: str = "RS256") -> SigningKey:
        private: Any
        if alg == "RS256":
            private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        elif alg == "ES256":
            private = ec.generate_private_key(ec.SECP256R1())
        else:
            private = ed25519.Ed25519PrivateKey.generate()
        return cls(f"{alg.lower()}-{secrets.token_hex(4)}", alg, private)

    def jwk(self) -> dict[str, Any]:
        algorithm = jwt.get_algorithm_by_name(self.alg)
        public = algorithm.to_jwk(self.private.public_key(), as_dict=True)  # type: ignore[attr-defined]
        return {**public, "kid": self.kid, "use": "sig", "alg": self.alg}

    def sign(self, claims: dict[str, Any], kid: str | None = None) -> str:
        return jwt.encode(claims, self.private, algorithm=self.alg, headers={"kid": kid or self.kid})


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    sub: str
    nonce: str
    challenge: str


@dataclass
class OpenIdProvider:
    """The provider's state; `app()` serves it. `issuer` is set once the server's address is known."""

    client_id: str
    client_secret: str
    audience: str
    redirect_uris: set[str] = field(default_factory=set)
    issuer: str = ""
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    keys: list[SigningKey] = field(default_factory=lambda: [SigningKey.generate()])
    codes: dict[str, Grant] = field(default_factory=dict)
    ended_sessions: list[dict[str, str]] = field(default_factory=list)
    jwks_requests: int = 0
    id_token_changes: dict[str, Any] = field(default_factory=dict)  # a misbehaving provider's ID tokens (... drops)
    id_token_key: SigningKey | None = None

    @property
    def key(self) -> SigningKey:
        return self.keys[-1]

    def rotate(self, alg: str = "RS256", retire_old: bool = True) -> SigningKey:
        """A new signing key, published from now on; the old one is no longer published if `retire_old`."""
        new = SigningKey.generate(alg)
        self.keys = [new] if retire_old else [*self.keys, new]
        return new

    def access_token(self, sub: str, *, aud: object = None, ttl: int = 600, key: SigningKey | None = None,
                     **claims: Any) -> str:
        """An access token for the API, as the provider would issue it (each part overridable)."""
        now = int(time.time())
        body = {"iss": self.issuer, "sub": sub, "aud": self.audience if aud is None else aud, "iat": now,
                "exp": now + ttl, "scope": "openid", **self.users.get(sub, {}), **claims}
        return (key or self.key).sign(body)

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": grant.sub, "aud": grant.client_id, "iat": now, "exp": now + 300,
                  "nonce": grant.nonce, **self.users.get(grant.sub, {}), **self.id_token_changes}
        return (self.id_token_key or self.key).sign({k: v for k, v in claims.items() if v is not ...})  # ...: left out

    def app(self) -> FastAPI:
        app = FastAPI()
        app.add_api_route("/.well-known/openid-configuration", self.discovery)
        app.add_api_route("/jwks", self.jwks)
        app.add_api_route("/authorize", self.authorize_form, response_class=HTMLResponse)
        app.add_api_route("/authorize", self.authorize, methods=["POST"])
        app.add_api_route("/token", self.token, methods=["POST"])
        app.add_api_route("/end_session", self.end_session)
        return app

    def discovery(self) -> dict[str, Any]:
        return {"issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
                "end_session_endpoint": f"{self.issuer}/end_session", "response_types_supported": ["code"],
                "subject_types_supported": ["public"], "code_challenge_methods_supported": ["S256"],
                "id_token_signing_alg_values_supported": ["RS256", "ES256", "EdDSA"]}

    def jwks(self) -> dict[str, Any]:
        self.jwks_requests += 1
        return {"keys": [key.jwk() for key in self.keys]}

    def authorize_form(self, request: Request) -> str:
        """The provider's sign-in page: type a subject, press Authorize."""
        self._grant_asked(dict(request.query_params), sub="")
        fields = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                         for k, v in request.query_params.items())
        return ('<!doctype html><html lang="en"><head><title>Test provider</title>'
                '<link rel="icon" href="data:,"></head><body><main>'
                '<h1>Sign in at the test provider</h1><form method="post" action="/authorize">'
                f'{fields}<label for="sub">Subject</label> <input id="sub" name="sub">'
                '<button type="submit" id="authorize">Authorize</button></form></main></body></html>')

    async def authorize(self, request: Request) -> RedirectResponse:
        form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
        grant = self._grant_asked(form, sub=form.get("sub", ""))
        code = secrets.token_urlsafe(16)
        self.codes[code] = grant
        return RedirectResponse(f"{grant.redirect_uri}?{urlencode({'code': code, 'state': form['state']})}",
                                status_code=302)

    def token(self, grant_type: Annotated[str, Form()], code: Annotated[str, Form()],
              redirect_uri: Annotated[str, Form()], code_verifier: Annotated[str, Form()],
              authorization: Annotated[str, Header()] = "") -> JSONResponse:
        """The code once, for this client, this redirect URI and the verifier of the challenge it was asked with."""
        self._require_client(authorization)
        grant = self.codes.pop(code, None)
        if grant_type != "authorization_code" or grant is None or grant.redirect_uri != redirect_uri:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        if create_s256_code_challenge(code_verifier) != grant.challenge:
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE verifier"}, 400)
        return JSONResponse({"access_token": self.access_token(grant.sub), "token_type": "Bearer",
                             "expires_in": 600, "id_token": self.id_token(grant), "scope": "openid email"})

    def end_session(self, request: Request) -> RedirectResponse:
        asked = dict(request.query_params)
        self.ended_sessions.append(asked)
        back = asked.get("post_logout_redirect_uri", self.issuer)
        return RedirectResponse(f"{back}?{urlencode({'state': asked.get('state', '')})}", status_code=302)

    def _grant_asked(self, asked: dict[str, str], sub: str) -> Grant:
        if asked.get("client_id") != self.client_id or asked.get("redirect_uri") not in self.redirect_uris:
            raise HTTPException(400, "unknown client or redirect URI")
        if asked.get("response_type") != "code" or asked.get("code_challenge_method") != "S256":
            raise HTTPException(400, "the code flow with an S256 code challenge only")
        if not asked.get("state") or not asked.get("nonce") or not asked.get("code_challenge"):
            raise HTTPException(400, "state, nonce and code_challenge are required")
        return Grant(self.client_id, asked["redirect_uri"], sub, asked["nonce"], asked["code_challenge"])

    def _require_client(self, authorization: str) -> None:
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if authorization != f"Basic {expected}":
            raise HTTPException(401, "client authentication failed")


CLIENT_ID, CLIENT_SECRET, AUDIENCE = "goalengine-web", "provider-client-secret", "goalengine-api"


@contextmanager
def running_provider(*redirect_uris: str) -> Iterator[OpenIdProvider]:
    """The provider on a free loopback port, addressed as `localhost` (another site than 127.0.0.1 for cookies)."""
    provider = OpenIdProvider(CLIENT_ID, CLIENT_SECRET, AUDIENCE, set(redirect_uris))
    with live_server(provider.app()) as (url, _server):
        provider.issuer = url.replace("127.0.0.1", "localhost")
        yield provider


def oidc_environment(provider: OpenIdProvider, secret_file: Path, **extra: str) -> dict[str, str]:
    """The GOALENGINE_OIDC_* variables that point goalengine at this provider."""
    secret_file.write_text(CLIENT_SECRET + "\n")
    return {"GOALENGINE_OIDC_ISSUER": provider.issuer, "GOALENGINE_OIDC_CLIENT_ID": CLIENT_ID,
            "GOALENGINE_OIDC_CLIENT_SECRET_FILE": str(secret_file), "GOALENGINE_OIDC_AUDIENCE": AUDIENCE, **extra}
