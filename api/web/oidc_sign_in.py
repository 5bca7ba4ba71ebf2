"""Signing in with the organisation's identity provider: the OpenID Connect code flow with PKCE, state and nonce.

GET /auth/login sends the browser to the provider; /auth/callback takes the code back, has Authlib exchange it and
check the ID token (signature by the provider's keys, `iss`, `aud`, `exp`, `nonce`), and opens a session for the
person the configured claim names in the directory, in the directory's role. The flow's state, nonce and PKCE
verifier wait in a short-lived cookie signed with the server's secret (SameSite=Lax: the provider's redirect back is
a cross-site navigation, which a Strict cookie would not survive).
"""

from __future__ import annotations

import hmac
import time
from typing import Any

import httpx
import jwt
from authlib.common.errors import AuthlibBaseError
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from joserfc.errors import JoseError

from api.auth import ALGORITHM
from api.identity.provider import Provider, ProviderUnavailableError
from api.problems import Problem
from api.web.pages import PageRoute, render
from api.web.sign_in import ID_TOKEN_COOKIE, safe_next, identity, start_session
from application.identity.sign_in import PersonDeactivatedError, UnknownPersonError, actor_named_by

router = APIRouter(route_class=PageRoute, include_in_schema=False)
FLOW_COOKIE = "goalengine_oidc_flow"
FLOW_AUDIENCE = "goalengine:oidc-flow"
FLOW_TTL = 10 * 60
# What a misbehaving provider or a forged callback can make Authlib, joserfc or httpx raise: a refusal, not a 500.
PROVIDER_ERRORS = (AuthlibBaseError, JoseError, httpx.HTTPError, ValueError, TypeError, KeyError, RuntimeError)


def _provider(request: Request) -> Provider:
    provider = identity(request).provider
    if provider is None:
        raise Problem(404, "oidc_not_configured", "no identity provider is configured here "
                      "(GOALENGINE_OIDC_ISSUER); sign in with a local token at /login")
    return provider


def _unavailable(error: ProviderUnavailableError) -> Problem:
    return Problem(503, "identity_provider_unavailable", f"{error}; try again later")


@router.get("/auth/login")
def oidc_login(request: Request, next: str = "/") -> Response:
    """Sign in with the organisation's identity provider."""
    provider = _provider(request)
    redirect_uri = identity(request).settings.callback_url(str(request.url_for("oidc_callback")))
    try:
        asked = provider.client().create_authorization_url(redirect_uri)
    except ProviderUnavailableError as error:
        raise _unavailable(error) from None
    flow = {"aud": FLOW_AUDIENCE, "exp": int(time.time()) + FLOW_TTL, "state": asked["state"],
            "nonce": asked["nonce"], "verifier": asked["code_verifier"], "next": safe_next(next),
            "redirect_uri": redirect_uri}
    response = RedirectResponse(asked["url"], status_code=303)
    response.set_cookie(FLOW_COOKIE, jwt.encode(flow, request.app.state.settings.api_secret, algorithm=ALGORITHM),
                        max_age=FLOW_TTL, httponly=True, samesite="lax", path="/auth/callback",
                        secure=request.url.scheme == "https")
    return response


def _flow(request: Request, state: str) -> dict[str, Any]:
    try:
        flow = jwt.decode(request.cookies.get(FLOW_COOKIE, ""), request.app.state.settings.api_secret,
                          algorithms=[ALGORITHM], audience=FLOW_AUDIENCE)
    except (jwt.PyJWTError, ValueError, TypeError):
        raise Problem(400, "sign_in_expired", "this sign-in was not started here, or took longer than "
                      f"{FLOW_TTL // 60} minutes; start again") from None
    if not hmac.compare_digest(str(flow.get("state")), state):
        raise Problem(400, "state_mismatch", "the identity provider answered a sign-in this browser did not start; "
                      "start again")
    return flow


@router.get("/auth/callback", response_class=HTMLResponse)
def oidc_callback(request: Request, state: str = "", code: str = "", error: str = "",
                  error_description: str = "") -> Response:
    """Where the identity provider sends the browser back: the session opens here, or a page says why not."""
    provider = _provider(request)
    flow = _flow(request, state)
    if error:
        raise Problem(401, "identity_provider_refused",
                      f"the identity provider did not sign you in: {error[:100]} {error_description[:200]}".strip())
    client = provider.client()
    try:
        token = client.fetch_access_token(flow["redirect_uri"], code=code, code_verifier=flow["verifier"])
        claims = client.parse_id_token(token, nonce=flow["nonce"])
    except ProviderUnavailableError as failure:
        raise _unavailable(failure) from None
    except PROVIDER_ERRORS as failure:
        raise Problem(401, "id_token_refused", f"the identity provider's answer did not hold: {failure}"[:300]) \
            from None
    if claims is None:
        raise Problem(401, "id_token_refused", "the identity provider sent no ID token")
    try:
        actor = actor_named_by(identity(request).people, identity(request).settings.person_claim, dict(claims))
    except (UnknownPersonError, PersonDeactivatedError) as refusal:
        raise Problem(403, refusal.code, f"{refusal.message}. You are signed in at your identity provider, but "
                      "goalengine has no active person for you: ask HR to add or reactivate you.") from None
    response = render(request, "signed_in.html", {"actor": actor, "next": flow["next"]})
    start_session(request, response, actor)
    if isinstance(token.get("id_token"), str) and len(token["id_token"]) < 3000:
        response.set_cookie(ID_TOKEN_COOKIE, token["id_token"], max_age=8 * 3600, httponly=True, samesite="strict",
                            path="/logout", secure=request.url.scheme == "https")
    response.delete_cookie(FLOW_COOKIE, path="/auth/callback")
    return response
