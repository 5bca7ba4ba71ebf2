"""FastAPI dependencies shared by the routes: the application, the caller, role checks.

Each is `async def` and runs on the event loop; what must block (the directory's admission of the caller, a
provider's keys) goes to the endpoint's one worker thread (api/one_hop.py, ADR 0049).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any

import anyio.to_thread
from fastapi import Depends, Header, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.admission import admitted
from api.auth import ALGORITHM
from api.identity.service import unverified_header
from api.one_hop import before_endpoint
from api.schemas.common import ETAG, IDEMPOTENCY_KEY
from api.problems import Problem
from application.goals.service import Goals
from application.store.settings import Settings
from domain import rules
from domain.values import Actor, Role

bearer = HTTPBearer(auto_error=False, description="An access token from the identity provider (aud "
                    "GOALENGINE_OIDC_AUDIENCE), or a local JWT from `goalengine token --sub ID --role ROLE`.")


async def get_goals(request: Request) -> Goals:
    goals: Goals = request.app.state.goals
    return goals


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_settings(request: Request) -> Settings:
    return settings_of(request)


async def get_actor(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Actor:
    """The caller a bearer token names: a local token is checked here (no I/O); a provider's may need its keys
    fetched, in a worker thread. The directory admits the caller in the endpoint's thread, before the endpoint."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Problem(401, "missing_token", "send `Authorization: Bearer <token>`")
    state, token, secret = request.app.state, credentials.credentials, settings_of(request).api_secret
    read = partial(state.identity.actor_from_bearer, secret, token, state.guards.token_max_ttl)
    remembered = state.identity.checked_tokens.remembered(secret, token, state.guards.token_max_ttl)
    if remembered is not None or unverified_header(token).get("alg") == ALGORITHM:
        actor: Actor = remembered or read()
        request.state.caller = (actor.id, str(actor.role))  # for the log line, which would otherwise decode it again
    else:
        actor = await anyio.to_thread.run_sync(read)
    await before_endpoint(partial(admitted, state.directory, actor))
    return actor


GoalsDep = Annotated[Goals, Depends(get_goals)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ActorDep = Annotated[Actor, Depends(get_actor)]


def refuse_other_roles(actor: Actor, *roles: Role) -> Actor:
    """The actor if their role is one of `roles`; else 403. For pages, which call it (require_roles' is a
    coroutine, which a plain call would create and drop unchecked)."""
    if actor.role not in roles:
        raise Problem(403, "role_not_allowed", f"role {actor.role} may not do this; allowed: {', '.join(roles)}")
    return actor


def require_roles(*roles: Role) -> Callable[[Actor], Coroutine[Any, Any, Actor]]:
    """A dependency that lets only the given roles through (403 for the others)."""

    async def check(actor: ActorDep) -> Actor:
        return refuse_other_roles(actor, *roles)

    return check


# Who may call which route, by role: the one home of the API's role sets (the rules they express are domain.rules').
Reader = Annotated[Actor, Depends(require_roles(*rules.READS_GOALS))]
Writer = Annotated[Actor, Depends(require_roles(*rules.WRITES_GOALS))]
HrOnly = Annotated[Actor, Depends(require_roles(Role.HR))]
ManagerOnly = Annotated[Actor, Depends(require_roles(Role.MANAGER))]
# The reviewed person acts with their own token; a manager is reviewed too, as an employee of their manager.
Reviewed = Annotated[Actor, Depends(require_roles(*rules.HOLDS_GOALS))]
Setter = Annotated[Actor, Depends(require_roles(*rules.DRAFTS_FOR_OTHERS))]
Overseer = Annotated[Actor, Depends(require_roles(*rules.SEES_EVERY_GOAL))]
OVERSEERS = rules.SEES_EVERY_GOAL
WRITERS = rules.WRITES_GOALS


async def expected_version(
    if_match: Annotated[
        str | None,
        Header(alias="If-Match", pattern=ETAG, description='The version you read, as its ETag ("3"): 412 if stale.'),
    ] = None,
) -> int | None:
    """The goal version the caller read, from `If-Match` (None: no precondition; `*` matches any version)."""
    if if_match is None or if_match == "*":
        return None
    return int(if_match.removeprefix("W/").strip('"'))


async def idempotency_key(
    key: Annotated[
        str | None,
        Header(alias="Idempotency-Key", pattern=IDEMPOTENCY_KEY,
               description="Any unique string (e.g. a UUID): a retry with the same key and request replays the "
               "first response; the same key with another request is refused (422 idempotency_key_reused)."),
    ] = None,
) -> str | None:
    return key


# A moment: date, then hours and minutes at least; no offset means UTC. Checked as text first so that a bare
# number (which pydantic would read as a Unix time) is refused, then parsed for real dates.
# Every moment Python's calendar holds, and no other (a year 0000, a 30 February or an offset of 24 hours or more
# would be refused after the pattern, and the document would promise what the API refuses). 29 February passes in
# every year here; in a year without one the answer is 422 naming as_of.
YEAR = r"([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})"
MONTH_DAY = r"((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-9])|(0[13-9]|1[0-2])-30|(0[13578]|1[02])-31)"
CLOCK = r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.,][0-9]{1,6})?)?"
OFFSET = r"(Z|z|[+-]([01][0-9]|2[0-3]):?[0-5][0-9])"
ISO_MOMENT = f"^{YEAR}-{MONTH_DAY}[T ]{CLOCK}{OFFSET}?$"


AsOfQuery = Annotated[
    str | None,
    Query(pattern=ISO_MOMENT, max_length=40,
          description="ISO 8601 moment, e.g. 2026-03-31T17:00:00Z (UTC if no offset): as it then stood."),
]


async def as_of_query(as_of: AsOfQuery = None) -> datetime | None:
    return as_of_moment(as_of)


def as_of_moment(as_of: AsOfQuery = None) -> datetime | None:
    if as_of is None:
        return None
    try:
        moment = datetime.fromisoformat(as_of.removesuffix("z") + "Z" if as_of.endswith("z") else as_of)
    except ValueError as error:
        raise Problem(422, "invalid_request", f"query.as_of: {error}",
                      errors=[{"field": "query.as_of", "message": str(error)}]) from None
    moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # before year 1 or after 9999 in UTC: before or after anything stored, so clamp
        edge = datetime.min if moment.year == 1 else datetime.max
        return edge.replace(tzinfo=UTC)


AsOfDep = Annotated[datetime | None, Depends(as_of_query)]
ExpectedVersionDep = Annotated[int | None, Depends(expected_version)]
IdempotencyKeyDep = Annotated[str | None, Depends(idempotency_key)]
