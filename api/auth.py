"""Bearer tokens: HS256 JWTs with `sub` (person id), `role` and `exp`, signed with GOALENGINE_SECRET."""

from __future__ import annotations

import time
import unicodedata

import jwt

from api.identity.claims import check_times
from api.problems import Problem
from domain.values import Actor, Role

ALGORITHM = "HS256"
DEFAULT_TTL_SECONDS = 8 * 3600
MAX_TTL_SECONDS = 24 * 3600  # GOALENGINE_TOKEN_MAX_TTL by default (ADR 0020)
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
    except (jwt.PyJWTError, ValueError, TypeError, RecursionError) as error:
        raise Problem(401, "invalid_token", f"the bearer token is not valid: {error}") from None
    check_times(claims, time.time(), 0, max_ttl)  # PyJWT reads `exp` through int(): "9999999999" would pass
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

