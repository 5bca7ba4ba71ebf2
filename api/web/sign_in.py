"""Signing in and out locally: a pasted token or a one-time link opens a session (an HttpOnly, SameSite=Strict cookie).

Both are for development, demos and organisations without an identity provider (ADR 0037): when OIDC is configured
or GOALENGINE_LOCAL_TOKENS=false they are refused, and nothing signs in by GET (a link's page asks to confirm).
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.problems import Problem
from domain.values import Actor
from api.web.pages import FormDep, PageRoute, problem_of, render, see_other, spent_tokens, web_session
from api.admission import admitted
from api.identity.service import Identity
from api.web.session import (SESSION_COOKIE, SESSION_TTL, actor_signing_in, end_session, link_holder,
                             session_cookie_value)

router = APIRouter(route_class=PageRoute, include_in_schema=False)
LOGIN_CSRF_COOKIE = "goalengine_login_csrf"
ID_TOKEN_COOKIE = "goalengine_id_token"  # the provider's ID token, sent back only to /logout as its id_token_hint
LOCAL_OFF = ("signing in with a local token is off here (an identity provider is configured, or "
             "GOALENGINE_LOCAL_TOKENS=false); sign in with your organisation's account")


def safe_next(next_path: str | None) -> str:
    """Only a path on this site (never //elsewhere or a full URL): no open redirect."""
    if next_path and next_path.startswith("/") and not next_path.startswith("//") and "\\" not in next_path:
        return next_path
    return "/"


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https")


def identity(request: Request) -> Identity:
    found: Identity = request.app.state.identity
    return found


def local_sign_in(request: Request) -> bool:
    """Pasted tokens and sign-in links: only without an identity provider, and while local tokens are on."""
    settings = identity(request).settings
    return settings.local_tokens and not settings.oidc


def _login_form(request: Request, next_path: str, problem: object = None, status: int = 200,
                template: str = "login.html", **context: object) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    settings = identity(request).settings
    response = render(request, template, {"next": safe_next(next_path), "login_csrf": token, "problem": problem,
                                          "oidc": settings.oidc, "local": local_sign_in(request), **context}, status)
    _cookie(response, request, LOGIN_CSRF_COOKIE, token, 3600)
    return response


def _refused(request: Request, next_path: str, code: str, detail: str, status: int = 403) -> HTMLResponse:
    return _login_form(request, next_path, problem_of(Problem(status, code, detail)), status)


def start_session(request: Request, response: Response, actor: Actor) -> None:
    """The session cookie for this actor (the only place one is set)."""
    value = session_cookie_value(request.app.state.settings.api_secret, actor)
    _cookie(response, request, SESSION_COOKIE, value, SESSION_TTL)


def _signed_in(request: Request, token: str, next_path: str) -> RedirectResponse:
    actor = admitted(request.app.state.directory,
                     actor_signing_in(request.app.state.settings.api_secret, token, spent_tokens(request)))
    response = see_other(safe_next(next_path))
    start_session(request, response, actor)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.get("/login")
def login_page(request: Request, token: str | None = None, next: str = "/") -> Response:
    """The sign-in page: the identity provider's link, or (locally) the paste form. A token here signs nobody in."""
    if token is not None:
        return _refused(request, next, "sign_in_by_get_refused", "a token in the address signs nobody in (a link "
                        "anyone could send you would sign you in as them); paste it into the form instead", 400)
    return _login_form(request, next)


@router.get("/login/link")
def sign_in_link_page(request: Request, token: str = "", next: str = "/") -> Response:
    """A one-time sign-in link: shows whom it signs in; its button (a POST behind CSRF) does."""
    if not local_sign_in(request):
        return _refused(request, next, "local_sign_in_off", LOCAL_OFF)
    try:
        holder = link_holder(request.app.state.settings.api_secret, token)
    except Problem as error:
        return _login_form(request, next, problem_of(error), error.status)
    return _login_form(request, next, template="login_link.html", token=token, holder=holder)


@router.post("/login")
def login(
    request: Request, token: Annotated[str, Form()] = "", csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Sign in with a pasted token or a sign-in link's token."""
    if not local_sign_in(request):
        return _refused(request, next, "local_sign_in_off", LOCAL_OFF)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf_token):
        error = Problem(403, "csrf_failed", "the sign-in form has expired or did not come from this site; try again")
        return _login_form(request, next, problem_of(error), 403)
    if not token.strip():
        error = Problem(422, "invalid_request", "token: paste a token", errors=[{"field": "token",
                                                                                 "message": "paste a token"}])
        return _login_form(request, next, problem_of(error), 422)
    try:
        return _signed_in(request, token, next)
    except Problem as error:
        return _login_form(request, next, problem_of(error), error.status)


@router.post("/logout")
def logout(request: Request, _form: FormDep) -> Response:
    """Sign out: the session ends here, and at the identity provider too where it publishes an end-session endpoint."""
    end_session(web_session(request), spent_tokens(request))
    provider = identity(request).provider
    back = identity(request).settings.signed_out_url(str(request.url_for("login_page")))
    at_provider = provider.sign_out_url(back, request.cookies.get(ID_TOKEN_COOKIE)) if provider else None
    response: Response = render(request, "signing_out.html", {"at_provider": at_provider}) if at_provider \
        else see_other("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(ID_TOKEN_COOKIE, path="/logout")
    return response
