"""Parked events: those that used up their tries under `"on_failure": "park"`, kept for redelivery by hand (ADR 0018).

A parked event keeps its log position and CloudEvent id, so a redelivery carries the same webhook-id and `position`
as the first tries: the consumer deduplicates and orders it as it would have the first time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from application.webhooks.tables import MAX_ERROR_LENGTH, webhook_parked


@dataclass(frozen=True)
class EventRef:
    """Which event a delivery attempt was about."""

    position: int
    id: str
    type: str


class ParkedEventNotFoundError(LookupError):
    code = "parked_event_not_found"

    def __init__(self, subscription_id: str, event_id: str) -> None:
        super().__init__(f"no event {event_id} is parked on subscription {subscription_id}")
        self.message = str(self)


@dataclass(frozen=True)
class ParkedEvent:
    subscription_id: str
    position: int
    event_id: str
    event_type: str
    attempts: int
    last_error: str
    parked_at: float
    redelivery_requested_at: float | None

    @classmethod
    def of(cls, row: Any) -> ParkedEvent:
        return cls(**{name: getattr(row, name) for name in cls.__dataclass_fields__})

    @property
    def ref(self) -> EventRef:
        return EventRef(self.position, self.event_id, self.event_type)

    def public(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id, "type": self.event_type, "position": self.position,
            "attempts": self.attempts, "last_error": self.last_error, "parked_at": _iso(self.parked_at),
            "redelivery_requested_at": _iso(self.redelivery_requested_at),
        }


def _iso(moment: float | None) -> str | None:
    return None if moment is None else datetime.fromtimestamp(moment, UTC).isoformat()


class ParkingLot:
    """Parks events, lists them, and books their redeliveries."""

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.clock = clock

    def park(self, connection: Connection, subscription_id: str, event: EventRef, attempts: int, error: str) -> None:
        """Park an event, in the caller's transaction (the one that moves the subscription past it)."""
        connection.execute(insert(webhook_parked).values(
            subscription_id=subscription_id, position=event.position, event_id=event.id, event_type=event.type,
            attempts=attempts, last_error=error[:MAX_ERROR_LENGTH], parked_at=self.clock(),
            redelivery_requested_at=None,
        ))

    def list(self, subscription_id: str, requested_only: bool = False) -> list[ParkedEvent]:
        """A subscription's parked events in log order."""
        table = webhook_parked
        query = select(table).where(table.c.subscription_id == subscription_id).order_by(table.c.position)
        if requested_only:
            query = query.where(table.c.redelivery_requested_at.is_not(None))
        with self.engine.connect() as connection:
            return [ParkedEvent.of(row) for row in connection.execute(query)]

    def request_redelivery(self, subscription_id: str, event_id: str) -> ParkedEvent:
        """Ask the worker to send a parked event again on its next pass."""
        table = webhook_parked
        with self.engine.begin() as connection:
            updated = connection.execute(
                update(table)
                .where(table.c.subscription_id == subscription_id, table.c.event_id == event_id)
                .values(redelivery_requested_at=self.clock())
            ).rowcount
        if not updated:
            raise ParkedEventNotFoundError(subscription_id, event_id)
        return next(p for p in self.list(subscription_id) if p.event_id == event_id)

    def redelivered(self, parked: ParkedEvent) -> None:
        """A 2xx for a parked event: it is no longer parked."""
        table = webhook_parked
        with self.engine.begin() as connection:
            connection.execute(delete(table).where(
                table.c.subscription_id == parked.subscription_id, table.c.position == parked.position
            ))

    def redelivery_failed(self, parked: ParkedEvent, error: str) -> None:
        """One more failed try: the event stays parked with the new error until asked for again."""
        table = webhook_parked
        with self.engine.begin() as connection:
            connection.execute(
                update(table)
                .where(table.c.subscription_id == parked.subscription_id, table.c.position == parked.position)
                .values(attempts=table.c.attempts + 1, last_error=error[:MAX_ERROR_LENGTH],
                        redelivery_requested_at=None)
            )
