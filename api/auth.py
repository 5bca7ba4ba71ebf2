"""Bearer tokens: HS256 JWTs with `sub` (person id), `role` and `exp`, signed with GOALENGINE_SECRET."""

from __future__ import annotations

import time

import jwt

from api.problems import Problem
from domain.values import Actor, Role

ALGORITHM = "HS256"
DEFAULT_TTL_SECONDS = 8 * 3600


def issue_token(secret: str, sub: str, role: Role | str, ttl: int = DEFAULT_TTL_SECONDS) -> str:
    now = int(time.time())
    claims = {"sub": sub, "role": str(Role(role)), "iat": now, "exp": now + ttl}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def actor_from_token(secret: str, token: str) -> Actor:
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "role", "exp"]})
    except jwt.ExpiredSignatureError:
        raise Problem(401, "token_expired", "the bearer token has expired") from None
    except jwt.InvalidTokenError as error:
        raise Problem(401, "invalid_token", f"the bearer token is not valid: {error}") from None
    sub, role = claims.get("sub"), claims.get("role")
    if not isinstance(sub, str) or not sub.strip():
        raise Problem(401, "invalid_token", "the token's `sub` must name a person")
    if role not in {r.value for r in Role}:
        raise Problem(401, "invalid_token", f"the token's role {role!r} is not one of {', '.join(Role)}")
    return Actor(sub, Role(role))
