"""Abuse controls in front of the routes (ADR 0020): control characters, per-caller rates, body size and time.

They run as steps of the one request layer (api/request_layer.py, ADR 0049), cheapest refusal first: the body is
read (and capped) last.
"""

from __future__ import annotations

from fastapi import FastAPI

from api.guards.body import BodyLimit
from api.guards.config import GuardSettings
from api.guards.rate import RateLimits


def guard_steps(app: FastAPI, guards: GuardSettings) -> tuple[RateLimits, BodyLimit]:
    """The per-caller limits and the body limit of this app."""
    app.state.guards = guards
    limits = RateLimits(None, secret=lambda: app.state.settings.api_secret,  # type: ignore[arg-type]
                        writes_per_minute=guards.writes_per_minute, streams_per_caller=guards.streams_per_caller,
                        identity=lambda: getattr(app.state, "identity", None))
    return limits, BodyLimit(guards.max_body_bytes, guards.body_timeout)
