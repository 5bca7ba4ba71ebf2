"""Webhook delivery settings, from GOALENGINE_WEBHOOK_* environment variables (ADR 0010)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from application.store.settings import SettingsError

TRUE = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class WebhookSettings:
    allow_private: bool = False  # let targets on loopback/private networks through (tests, on-premises receivers)
    in_process: bool = False  # run the delivery worker inside the API process
    max_attempts: int = 8  # failed tries of one event before the subscription is paused
    backoff_base: float = 1.0  # seconds before the first retry; doubled on each further failure
    backoff_cap: float = 300.0
    timeout: float = 10.0  # seconds for one delivery request
    poll_interval: float = 1.0  # seconds between looks at the log when there is nothing to deliver
    lease_seconds: float = 60.0  # how long a worker owns a subscription without renewing (one worker per target)
    batch_size: int = 100  # events delivered to one subscription before the next subscription gets a turn
    secret_overlap: float = 86400.0  # seconds a rotated-out secret still signs deliveries beside the new one
    secrets_key_file: str = "var/webhook-secrets.key"  # the master key that seals signing secrets at rest

    def __post_init__(self) -> None:
        if self.lease_seconds <= self.timeout:
            # A lease shorter than one request would let a second worker deliver while the first still waits.
            raise SettingsError(
                f"GOALENGINE_WEBHOOK_LEASE_SECONDS ({self.lease_seconds}) must exceed GOALENGINE_WEBHOOK_TIMEOUT "
                f"({self.timeout})"
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WebhookSettings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for field, parse in FIELDS.items():
            name = f"GOALENGINE_WEBHOOK{'S' if field == 'in_process' else ''}_{field.upper()}"
            raw = env.get(name)
            if raw is None or raw == "":
                continue
            try:
                values[field] = parse(raw)
            except ValueError:
                raise SettingsError(f"{name}={raw!r} is not valid: {parse.__doc__}") from None
        return cls(**values)

    def backoff(self, failures: int) -> float:
        """Seconds to wait after the n-th consecutive failure: base * 2^(n-1), at most the cap."""
        return float(min(self.backoff_cap, self.backoff_base * 2 ** max(0, failures - 1)))


def _flag(raw: str) -> bool:
    """expected true or false"""
    if raw.lower() in TRUE:
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(raw)


def _positive_float(raw: str) -> float:
    """expected a positive number of seconds"""
    value = float(raw)
    if not value > 0:
        raise ValueError(raw)
    return value


def _non_negative_float(raw: str) -> float:
    """expected a number of seconds, 0 or more"""
    value = float(raw)
    if not value >= 0:
        raise ValueError(raw)
    return value


def _path(raw: str) -> str:
    """expected a file path"""
    return raw


def _positive_int(raw: str) -> int:
    """expected a positive whole number"""
    value = int(raw)
    if value <= 0:
        raise ValueError(raw)
    return value


FIELDS: dict[str, Callable[[str], Any]] = {
    "allow_private": _flag,
    "in_process": _flag,
    "max_attempts": _positive_int,
    "backoff_base": _positive_float,
    "backoff_cap": _positive_float,
    "timeout": _positive_float,
    "poll_interval": _positive_float,
    "lease_seconds": _positive_float,
    "batch_size": _positive_int,
    "secret_overlap": _non_negative_float,
    "secrets_key_file": _path,
}
