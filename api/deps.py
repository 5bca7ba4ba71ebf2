"""FastAPI dependencies shared by the routes: the application, the caller, role checks."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth import actor_from_token
from api.problems import Problem
from application.goals import Goals
from application.settings import Settings
from domain.values import Actor, Role

bearer = HTTPBearer(auto_error=False, description="A JWT from `goalengine token --sub ID --role ROLE`.")


def get_goals(request: Request) -> Goals:
    goals: Goals = request.app.state.goals
    return goals


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_actor(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Actor:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Problem(401, "missing_token", "send `Authorization: Bearer <token>`")
    return actor_from_token(get_settings(request).api_secret, credentials.credentials)


GoalsDep = Annotated[Goals, Depends(get_goals)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ActorDep = Annotated[Actor, Depends(get_actor)]


def require_roles(*roles: Role) -> Callable[[Actor], Actor]:
    """A dependency that lets only the given roles through (403 for the others)."""
    allowed = ", ".join(roles)

    def check(actor: ActorDep) -> Actor:
        if actor.role not in roles:
            raise Problem(403, "role_not_allowed", f"role {actor.role} may not do this; allowed: {allowed}")
        return actor

    return check


ETAG = re.compile(r'(?:W/)?"?([0-9]{1,18})"?', re.ASCII)


def expected_version(
    if_match: Annotated[
        str | None,
        Header(alias="If-Match", max_length=100, description='The version you read, as its ETag ("3"); 412 if stale.'),
    ] = None,
) -> int | None:
    """The goal version the caller read, from `If-Match` (None: no precondition; `*` matches any version)."""
    if if_match is None or if_match.strip() == "*":
        return None
    match = ETAG.fullmatch(if_match.strip())
    if match is None:
        raise Problem(422, "invalid_if_match", f'If-Match {if_match!r} must be a goal version ETag such as "3"',
                      errors=[{"field": "header.If-Match", "message": 'must be an ETag such as "3"'}])
    return int(match.group(1))


def idempotency_key(
    key: Annotated[
        str | None,
        Header(alias="Idempotency-Key", pattern=r"^[!-~]{1,200}$",
               description="Any unique string (e.g. a UUID): a retry with the same key and request replays the "
               "first response; the same key with another request is refused (422 idempotency_key_reused)."),
    ] = None,
) -> str | None:
    return key


ExpectedVersionDep = Annotated[int | None, Depends(expected_version)]
IdempotencyKeyDep = Annotated[str | None, Depends(idempotency_key)]
