"""FastAPI dependencies shared by the routes: the application, the caller, role checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
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
