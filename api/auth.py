"""Bearer tokens: HS256 JWTs with `sub` (person id), `role` and `exp`, signed with GOALENGINE_SECRET."""

from __future__ import annotations

import threading
import time
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass

import jwt

from api.identity.claims import check_times
from api.problems import Problem
from application.store.bounds import Bounds
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
    return verified_token(secret, token, max_ttl).actor


@dataclass(frozen=True)
class VerifiedToken:
    actor: Actor
    claims: dict[str, object]


def verified_token(secret: str, token: str, max_ttl: int) -> VerifiedToken:
    """The actor a local token names and its claims, once its signature, claims and times hold; else a 401."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["sub", "role", "exp"]})
    except jwt.ExpiredSignatureError:
        raise Problem(401, "token_expired", "the bearer token has expired") from None
    except (jwt.PyJWTError, ValueError, TypeError, RecursionError) as error:
        raise Problem(401, "invalid_token", f"the bearer token is not valid: {error}") from None
    check_times(claims, time.time(), 0, max_ttl)  # PyJWT reads `exp` through int(): "9999999999" would pass
    return VerifiedToken(actor_named(claims), claims)


def actor_named(claims: dict[str, object]) -> Actor:
    sub, role = claims.get("sub"), claims.get("role")
    if not isinstance(sub, str) or not is_clean_subject(sub):
        raise Problem(401, "invalid_token", "the token's `sub` must name a person: printable, NFC-normalised, "
                      "without surrounding spaces, at most 200 characters")
    if not isinstance(role, str) or role not in ROLES:
        raise Problem(401, "invalid_token", f"the token's role must be one of {', '.join(Role)}")
    return Actor(sub, Role(role))


class VerifiedTokens:
    """Local tokens whose signature and claims held, the latest `size` of them: a caller sends the same token with
    every request, and checking its HMAC again (the key prepared, the header and claims parsed) was about a tenth of
    a request's work on the event loop (issue 26's profile). Only what cannot change is remembered: the token's
    times are checked again at every use, so an expired token is refused as before."""

    def __init__(self, size: int = Bounds().verified_tokens) -> None:
        self.size = size
        self._known: OrderedDict[tuple[str, str], VerifiedToken] = OrderedDict()
        self._lock = threading.Lock()

    def actor(self, secret: str, token: str, max_ttl: int) -> Actor:
        """The actor the token names (checked in full the first time); else a 401."""
        remembered = self.remembered(secret, token, max_ttl)
        if remembered is not None:
            return remembered
        verified = verified_token(secret, token, max_ttl)
        with self._lock:
            self._known[(secret, token)] = verified
            while len(self._known) > self.size:
                self._known.popitem(last=False)
        return verified.actor

    def remembered(self, secret: str, token: str, max_ttl: int) -> Actor | None:
        """The actor of a token checked before whose times still hold (else a 401); None for a token not seen."""
        key = (secret, token)
        with self._lock:
            known = self._known.get(key)
            if known is None:
                return None
            self._known.move_to_end(key)
        check_times(known.claims, time.time(), 0, max_ttl)
        return known.actor

    def __len__(self) -> int:
        return len(self._known)


def is_clean_subject(sub: str) -> bool:
    """One spelling per person: `mgr-1 ` or a decomposed accent must not pass for `mgr-1` or the composed one."""
    return (0 < len(sub) <= 200 and sub == sub.strip() and sub.isprintable()
            and unicodedata.normalize("NFC", sub) == sub)

