"""Limits on what one request, one connection and one caller may take (ADR 0020), from GOALENGINE_* variables."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from application.store.settings import SettingsError

MIB = 1024 * 1024
# Names a setting had before it became a guard; read when the current name is not set.
FORMER_NAMES = {"streams_per_caller": "GOALENGINE_EVENTS_MAX_STREAMS_PER_CALLER"}


@dataclass(frozen=True)
class GuardSettings:
    max_body_bytes: int = MIB  # a larger body is refused with 413 before it is read, parsed or authenticated
    header_timeout: float = 5.0  # seconds a connection may take to send a request's headers
    keep_alive_timeout: float = 75.0  # seconds a kept-alive connection may idle between requests (api/guards/server)
    body_timeout: float = 10.0  # seconds a request may take to send its whole body (408 after that)
    max_connections: int = 512  # open connections and requests at once; beyond it uvicorn answers 503
    writes_per_minute: int = 600  # POST, PATCH, PUT and DELETE per caller (burst: the same number)
    streams_per_caller: int = 4  # open /events/stream connections per caller
    token_max_ttl: int = 24 * 3600  # seconds between a token's `iat` (or now) and its `exp`, at most
    ready_max_lag: int = 10_000  # events a projection may trail the log by while /ready still says ready

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> GuardSettings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field in fields(cls):
            name = env_name(field.name)
            raw = env.get(name)
            if not raw and field.name in FORMER_NAMES:
                name = FORMER_NAMES[field.name]
                raw = env.get(name)
            if raw is None or raw == "":
                continue
            parse = PARSERS[field.type if isinstance(field.type, str) else field.type.__name__]
            try:
                values[field.name] = parse(raw)
            except ValueError:
                raise SettingsError(f"{name}={raw!r} is not valid: {parse.__doc__}") from None
        return cls(**values)


def env_name(field: str) -> str:
    return f"GOALENGINE_{field.upper()}"


def _positive_int(raw: str) -> int:
    """expected a positive whole number"""
    value = int(raw.strip(), 10)
    if value <= 0:
        raise ValueError(raw)
    return value


def _positive_float(raw: str) -> float:
    """expected a positive number of seconds"""
    value = float(raw)
    if not 0 < value < float("inf"):
        raise ValueError(raw)
    return value


PARSERS: dict[str, Callable[[str], Any]] = {"int": _positive_int, "float": _positive_float}
