"""Bearer tokens: HS256 JWTs with `sub` (person id), `role` and `exp`, signed with GOALENGINE_SECRET."""

from __future__ import annotations

import time
import unicodedata
from typing import Any

import jwt

from api.problems import Problem
from domain.values import Actor, Role

ALGORITHM = "HS256"
DEFAULT_TTL_SECONDS = 8 * 3600
MAX_TTL_SECONDS = 24 * 3600  # GOALENGINE_TOKEN_MAX_TTL by default (ADR 0020)
CLOCK_SKEW_SECONDS = 60
ROLES = frozenset(role.value for role in Role)


def issue_token(secret: str, sub: str, role: Role | str, ttl: int = DEFAULT_TTL_SECONDS) -> str:
    now = int(time.time())
    claims = {"sub": sub, "role": str(Role(role)), "iat": now, "exp": now + ttl}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def actor_from_token(secret: str, token: str, max_ttl: int = MAX_TTL_SECONDS) -> Actor:
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "role", "exp"]})
    except jwt.ExpiredSignatureError:
        raise Problem(401, "token_expired", "the bearer token has expired") from None
    except jwt.InvalidTokenError as error:
        raise Problem(401, "invalid_token", f"the bearer token is not valid: {error}") from None
    _require_bounded_lifetime(claims, max_ttl)
    sub, role = claims.get("sub"), claims.get("role")
    if not isinstance(sub, str) or not is_clean_subject(sub):
        raise Problem(401, "invalid_token", "the token's `sub` must name a person: printable, NFC-normalised, "
                      "without surrounding spaces, at most 200 characters")
    if not isinstance(role, str) or role not in ROLES:
        raise Problem(401, "invalid_token", f"the token's role must be one of {', '.join(Role)}")
    return Actor(sub, Role(role))


def is_clean_subject(sub: str) -> bool:
    """One spelling per person: `mgr-1 ` or a decomposed accent must not pass for `mgr-1` or the composed one."""
    return (0 < len(sub) <= 200 and sub == sub.strip() and sub.isprintable()
            and unicodedata.normalize("NFC", sub) == sub)


def _require_bounded_lifetime(claims: dict[str, Any], max_ttl: int) -> None:
    exp, iat = claims.get("exp"), claims.get("iat")
    now = time.time()
    issued = iat if isinstance(iat, (int, float)) and not isinstance(iat, bool) else now
    if exp - min(issued, now) > max_ttl + CLOCK_SKEW_SECONDS:
        raise Problem(401, "invalid_token", f"the token lives longer than {max_ttl} seconds "
                      "(GOALENGINE_TOKEN_MAX_TTL); ask for a shorter one")
