"""One webhook subscription as read from its row: where to send which events, and how far it has got (ADR 0010).

A record of its own, so that the store (subscriptions.py) and the delivery book (booking.py) both read it without
importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from application.events.cloudevents import topics_for
from application.events.filters import EventFilter


@dataclass(frozen=True)
class Subscription:
    id: str
    url: str
    types: list[str]
    filter: EventFilter
    on_failure: str
    signing_secrets: tuple[str, ...]  # the current secret first; the rotated-out one beside it during the overlap
    secret_rotated_at: float | None
    previous_secret_until: float | None
    status: str
    position: int
    failures: int
    delivered: int
    last_error: str | None
    last_attempt_at: float | None
    next_attempt_at: float
    created_by: str
    created_at: float

    @property
    def secret(self) -> str:
        return self.signing_secrets[0]

    def topics(self) -> list[str]:
        return topics_for(self.types)

    def public(self) -> dict[str, Any]:
        """Everything but the secrets, which are shown once, when made or rotated."""
        return {
            "id": self.id, "url": self.url, "types": self.types, "subjects": list(self.filter.subjects),
            "cycle": self.filter.cycle, "org_unit": self.filter.org_unit, "on_failure": self.on_failure,
            "status": self.status, "position": self.position, "delivered": self.delivered,
            "failures": self.failures, "last_error": self.last_error,
            "last_attempt_at": _iso(self.last_attempt_at),
            "next_attempt_at": _iso(self.next_attempt_at) if self.failures else None,
            "secret_rotated_at": _iso(self.secret_rotated_at),
            "previous_secret_until": _iso(self.previous_secret_until) if len(self.signing_secrets) > 1 else None,
            "created_by": self.created_by, "created_at": _iso(self.created_at),
        }


def _iso(moment: float | None) -> str | None:
    return None if moment is None else datetime.fromtimestamp(moment, UTC).isoformat()
