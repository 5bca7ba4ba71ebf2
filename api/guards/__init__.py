"""Abuse controls in front of the routes (ADR 0020): control characters, per-caller rates, body size and time."""

from __future__ import annotations

from fastapi import FastAPI

from api.guards.body import BodyLimit
from api.guards.config import GuardSettings
from api.guards.rate import RateLimits
from api.guards.text import ControlCharacters


def install_guards(app: FastAPI, guards: GuardSettings) -> None:
    """Innermost first: the body is read (and capped) last, after the cheap refusals."""
    app.state.guards = guards
    app.add_middleware(BodyLimit, max_bytes=guards.max_body_bytes, timeout=guards.body_timeout)
    app.add_middleware(RateLimits, secret=lambda: app.state.settings.api_secret,
                       writes_per_minute=guards.writes_per_minute, streams_per_caller=guards.streams_per_caller,
                       identity=lambda: getattr(app.state, "identity", None))
    app.add_middleware(ControlCharacters)
