"""Checks on a verified token's claims, strict about types: a malformed claim is a 401 naming it, never a 500.

PyJWT reads `exp` through int(), so a string "9999999999" passes its check; here every time is a JSON number and
every name a string, before anything compares or subtracts them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from api.problems import Problem

MAX_TOKEN_LENGTH = 16 * 1024  # a header line's worth: longer tokens are refused before they are parsed


def invalid(detail: str) -> Problem:
    return Problem(401, "invalid_token", f"the bearer token is not valid: {detail}")


def numeric_date(claims: Mapping[str, object], name: str, required: bool = False) -> int | float | None:
    """The claim as seconds since the epoch: a finite JSON number (not a string, not a boolean)."""
    value = claims.get(name)
    if value is None and name not in claims and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            (isinstance(value, float) and not math.isfinite(value)):
        raise invalid(f"`{name}` must be a number of seconds since 1970")
    return value


def check_times(claims: Mapping[str, object], now: float, leeway: float, max_ttl: int) -> None:
    """Not expired, already valid, and living at most `max_ttl` seconds (GOALENGINE_TOKEN_MAX_TTL)."""
    exp = numeric_date(claims, "exp", required=True)
    iat, nbf = numeric_date(claims, "iat"), numeric_date(claims, "nbf")
    assert exp is not None
    if exp <= now - leeway:
        raise Problem(401, "token_expired", "the bearer token has expired")
    if nbf is not None and nbf > now + leeway:
        raise invalid("it is not valid yet (`nbf`)")
    issued = iat if iat is not None else now
    if exp - min(issued, now) > max_ttl + 60:
        raise Problem(401, "invalid_token", f"the token lives longer than {max_ttl} seconds "
                      "(GOALENGINE_TOKEN_MAX_TTL); ask for a shorter one")


def check_audience(claims: Mapping[str, object], audience: str) -> None:
    aud = claims.get("aud")
    names = [aud] if isinstance(aud, str) else aud
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise invalid("`aud` must be a string or a list of strings")
    if audience not in names:
        raise invalid(f"it is not meant for this API (`aud` must include {audience!r})")


def check_issuer(claims: Mapping[str, object], issuer: str) -> None:
    if claims.get("iss") != issuer:
        raise invalid(f"it was not issued by {issuer!r} (`iss`)")
