"""The delivery side of the subscriptions table: which are due, who holds each, and what each attempt did (ADR 0010).

Only the lease holder books, and only from the position it read, so a worker whose subscription was rewound,
deleted or taken over meanwhile changes nothing and stops.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, or_, select, update

from application.webhooks.config import WebhookSettings
from application.webhooks.parking import EventRef, ParkingLot
from application.webhooks.subscription import Subscription
from application.webhooks.tables import ACTIVE, MAX_ERROR_LENGTH, PARK, PAUSED, webhook_subscriptions


class DeliveryBook:
    """Leases subscriptions to workers and books each attempt; parks what used up its tries under the park policy."""

    def __init__(self, engine: Engine, settings: WebhookSettings, clock: Any = time.time) -> None:
        self.engine = engine
        self.settings = settings
        self.clock = clock
        self.parking = ParkingLot(engine, clock)

    def subscription(self, row: Any) -> Subscription:
        raise NotImplementedError

    def due(self) -> list[Subscription]:
        """Active subscriptions whose next attempt is due, in the order they were made."""
        table = webhook_subscriptions
        query = (
            select(table)
            .where(table.c.status == ACTIVE, table.c.next_attempt_at <= self.clock())
            .order_by(table.c.created_at, table.c.id)
        )
        with self.engine.connect() as connection:
            return [self.subscription(row) for row in connection.execute(query)]

    def claim(self, subscription_id: str, owner: str) -> bool:
        """Take (or renew) the lease on a subscription; False while another worker holds it."""
        table, now = webhook_subscriptions, self.clock()
        with self.engine.begin() as connection:
            claimed = connection.execute(
                update(table)
                .where(table.c.id == subscription_id)
                .where(or_(table.c.lease_owner == owner, table.c.lease_owner.is_(None), table.c.lease_until < now))
                .values(lease_owner=owner, lease_until=now + self.settings.lease_seconds)
            ).rowcount
        return bool(claimed)

    def release(self, subscription_id: str, owner: str) -> None:
        table = webhook_subscriptions
        with self.engine.begin() as connection:
            connection.execute(
                update(table)
                .where(table.c.id == subscription_id, table.c.lease_owner == owner)
                .values(lease_owner=None, lease_until=0.0)
            )

    def delivered(self, subscription: Subscription, owner: str, position: int) -> bool:
        """Book a 2xx: the position moves on in the same transaction; False if the subscription changed hands."""
        return self._book(subscription, owner, position=position, failures=0, last_error=None,
                          last_attempt_at=self.clock(), next_attempt_at=0.0,
                          delivered=webhook_subscriptions.c.delivered + 1)

    def passed_over(self, subscription: Subscription, owner: str, position: int) -> bool:
        """Move past log positions that hold no event the subscription wants."""
        return self._book(subscription, owner, position=position)

    def failed(self, subscription: Subscription, owner: str, error: str, event: EventRef | None = None) -> bool:
        """Book a failed try: retry after a backoff; after too many, pause, or park the event and go on."""
        failures, now = subscription.failures + 1, self.clock()
        if failures >= self.settings.max_attempts and subscription.on_failure == PARK and event is not None:
            return self._park(subscription, owner, error, event, failures)
        paused = failures >= self.settings.max_attempts
        return self._book(
            subscription, owner, failures=failures, last_error=error[:MAX_ERROR_LENGTH], last_attempt_at=now,
            status=PAUSED if paused else ACTIVE, next_attempt_at=now + self.settings.backoff(failures),
        )

    def _park(self, subscription: Subscription, owner: str, error: str, event: EventRef, failures: int) -> bool:
        table = webhook_subscriptions
        with self.engine.begin() as connection:
            moved = connection.execute(
                self._guarded(table, subscription, owner).values(
                    position=event.position, failures=0, last_error=error[:MAX_ERROR_LENGTH],
                    last_attempt_at=self.clock(), next_attempt_at=0.0,
                )
            ).rowcount
            if moved:
                self.parking.park(connection, subscription.id, event, failures, error)
        return bool(moved)

    def _book(self, subscription: Subscription, owner: str, **values: Any) -> bool:
        table = webhook_subscriptions
        with self.engine.begin() as connection:
            booked = connection.execute(self._guarded(table, subscription, owner).values(**values)).rowcount
        return bool(booked)

    @staticmethod
    def _guarded(table: Any, subscription: Subscription, owner: str) -> Any:
        return (
            update(table)
            .where(table.c.id == subscription.id, table.c.lease_owner == owner)
            .where(table.c.position == subscription.position)
        )
