"""Signing in and out: a pasted token or a one-time link opens a session (an HttpOnly, SameSite=Strict cookie)."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.problems import Problem
from api.web.pages import FormDep, PageRoute, problem_of, render, see_other, spent_tokens, web_session
from api.admission import admitted
from api.web.session import SESSION_COOKIE, SESSION_TTL, actor_signing_in, end_session, session_cookie_value

router = APIRouter(route_class=PageRoute, include_in_schema=False)
LOGIN_CSRF_COOKIE = "goalengine_login_csrf"


def _safe_next(next_path: str | None) -> str:
    """Only a path on this site (never //elsewhere or a full URL): no open redirect."""
    if next_path and next_path.startswith("/") and not next_path.startswith("//") and "\\" not in next_path:
        return next_path
    return "/"


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https")


def _login_form(request: Request, next_path: str, problem: object = None, status: int = 200) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", {"next": next_path, "login_csrf": token, "problem": problem}, status)
    _cookie(response, request, LOGIN_CSRF_COOKIE, token, 3600)
    return response


def _signed_in(request: Request, token: str, next_path: str) -> RedirectResponse:
    actor = admitted(request.app.state.directory,
                     actor_signing_in(request.app.state.settings.api_secret, token, spent_tokens(request)))
    response = see_other(_safe_next(next_path))
    value = session_cookie_value(request.app.state.settings.api_secret, actor)
    _cookie(response, request, SESSION_COOKIE, value, SESSION_TTL)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


@router.get("/login")
def login_page(request: Request, token: str | None = None, next: str = "/") -> Response:
    """The sign-in page; with `token` (a one-time sign-in link) it signs in at once."""
    if token is None:
        return _login_form(request, next)
    try:
        return _signed_in(request, token, next)
    except Problem as error:
        return _login_form(request, next, problem_of(error), error.status)


@router.post("/login")
def login(
    request: Request, token: Annotated[str, Form()] = "", csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Sign in with a pasted token."""
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
    """Sign out: the session ends here and its cookie is cleared."""
    end_session(web_session(request), spent_tokens(request))
    response = see_other("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
