"""Web sign-in: one-time sign-in links, the session cookie and the CSRF token of every form.

All three are derived from the API's own secret and identities (sub, role). Sign-in links and sessions are JWTs
with an audience of their own, so neither is ever accepted as an API bearer token (PyJWT refuses a token with an
audience when none is expected) and an API token is never mistaken for a session cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, UTC

import jwt

from api.auth import ALGORITHM, actor_from_token
from api.problems import Problem
from application.sign_ins import SpentTokens
from domain.values import Actor, Role

SESSION_COOKIE = "goalengine_session"
SIGN_IN_AUDIENCE = "goalengine:sign-in-link"
SESSION_AUDIENCE = "goalengine:web-session"
SIGN_IN_LINK_TTL = 10 * 60
SIGN_IN_LINK_PATH = "/login/link"  # shows whom the link signs in; only its form's POST does (no sign-in by GET)
SESSION_TTL = 8 * 3600


class SignInRequired(Exception):  # noqa: N818 (a control-flow signal: the page redirects to /login)
    """No valid session: the page sends the browser to /login."""

    def __init__(self, next_path: str = "/") -> None:
        super().__init__(next_path)
        self.next_path = next_path


@dataclass(frozen=True)
class WebSession:
    actor: Actor
    session_id: str
    expires_at: datetime
    csrf_token: str


def _claims(sub: str, role: Role | str, audience: str, ttl: int) -> dict[str, object]:
    now = int(time.time())
    return {"sub": sub, "role": str(Role(role)), "aud": audience, "jti": uuid.uuid4().hex, "iat": now,
            "exp": now + ttl}


def sign_in_link(secret: str, sub: str, role: Role | str, base_url: str, ttl: int = SIGN_IN_LINK_TTL) -> str:
    """A link to a page that signs its holder in once, within `ttl` seconds, when they press its button (a POST)."""
    token = jwt.encode(_claims(sub, role, SIGN_IN_AUDIENCE, ttl), secret, algorithm=ALGORITHM)
    return f"{base_url.rstrip('/')}{SIGN_IN_LINK_PATH}?token={token}"


def session_cookie_value(secret: str, actor: Actor, ttl: int = SESSION_TTL) -> str:
    return jwt.encode(_claims(actor.id, actor.role, SESSION_AUDIENCE, ttl), secret, algorithm=ALGORITHM)


def csrf_for(secret: str, session_id: str) -> str:
    """The form token of one session: only pages served to that session carry it."""
    return hmac.new(secret.encode(), f"csrf:{session_id}".encode(), hashlib.sha256).hexdigest()


def check_csrf(session: WebSession, sent: str | None) -> None:
    if not sent or not hmac.compare_digest(session.csrf_token, sent):
        raise Problem(403, "csrf_failed", "the form's CSRF token is missing or not this session's; reload the page")


def _decode(secret: str, token: str, audience: str) -> dict[str, object]:
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], audience=audience,
                            options={"require": ["sub", "role", "exp", "jti", "aud"]})
    except (ValueError, TypeError, RecursionError) as error:  # a payload PyJWT cannot read at all
        raise jwt.InvalidTokenError(str(error)) from None
    exp, jti = claims.get("exp"), claims.get("jti")
    if not isinstance(jti, str) or len(jti) > 64 or isinstance(exp, bool) or not isinstance(exp, int) \
            or exp > time.time() + 366 * 86400:  # a time a datetime holds, within the year these tokens last
        raise jwt.InvalidTokenError("jti or exp")
    return claims


def _actor(claims: dict[str, object]) -> Actor:
    sub, role = claims.get("sub"), claims.get("role")
    if not isinstance(sub, str) or not sub.strip() or not isinstance(role, str) or role not in {r.value for r in Role}:
        raise jwt.InvalidTokenError("sub or role")
    return Actor(sub, Role(str(role)))


def read_session(secret: str, cookie: str | None, spent: SpentTokens) -> WebSession | None:
    """The session the cookie stands for, or None if it is missing, forged, expired or signed out."""
    if not cookie:
        return None
    try:
        claims = _decode(secret, cookie, SESSION_AUDIENCE)
        actor = _actor(claims)
    except jwt.InvalidTokenError:
        return None
    session_id = str(claims["jti"])
    if spent.is_spent(session_id):
        return None
    expires = datetime.fromtimestamp(int(str(claims["exp"])), UTC)
    return WebSession(actor, session_id, expires, csrf_for(secret, session_id))


def end_session(session: WebSession, spent: SpentTokens) -> None:
    spent.spend(session.session_id, "session", session.expires_at)


def link_holder(secret: str, token: str) -> Actor:
    """Whom a one-time sign-in link names (nothing is spent: its page only asks to confirm)."""
    try:
        return _actor(_decode(secret, token.strip(), SIGN_IN_AUDIENCE))
    except jwt.ExpiredSignatureError:
        raise Problem(401, "token_expired", "the sign-in link has expired; ask for a new one") from None
    except jwt.InvalidTokenError:
        raise Problem(401, "invalid_token", "this is not a sign-in link of this server") from None


def actor_signing_in(secret: str, token: str, spent: SpentTokens) -> Actor:
    """Who a pasted or linked token names: a one-time sign-in link (spent now) or an ordinary API token."""
    token = token.strip()
    try:
        claims = _decode(secret, token, SIGN_IN_AUDIENCE)
    except jwt.ExpiredSignatureError:
        raise Problem(401, "token_expired", "the sign-in link has expired; ask for a new one") from None
    except jwt.InvalidTokenError:
        return actor_from_token(secret, token)  # an API token: its own errors name what is wrong
    try:
        actor = _actor(claims)
    except jwt.InvalidTokenError:
        raise Problem(401, "invalid_token", "the sign-in link does not name a person and a role") from None
    expires = datetime.fromtimestamp(int(str(claims["exp"])), UTC)
    if not spent.spend(str(claims["jti"]), "sign_in_link", expires):
        raise Problem(401, "sign_in_link_used", "this sign-in link was used already; each link works once")
    return actor
