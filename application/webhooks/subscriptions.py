"""Webhook subscriptions: where to send which events, and how far each target has got (ADR 0010).

Each subscription keeps its own position in the event log. A worker owns a subscription while its lease runs, so
two workers (the API process and `goalengine webhooks run`) never deliver to one target at once, out of order.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, UTC
from typing import Any
from uuid import uuid4

from sqlalchemy import (
    BigInteger, Column, Engine, Float, Integer, String, Table, Text, delete, insert, or_, select, update,
)

from application.cloudevents import topics_for
from application.database import metadata
from application.webhooks.config import WebhookSettings
from application.webhooks.signing import new_secret
from application.webhooks.targets import check_target

ACTIVE, PAUSED = "active", "paused"
MAX_ERROR_LENGTH = 2000

webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("url", Text, nullable=False),
    Column("types", Text, nullable=False),  # a JSON list of CloudEvents types; empty means every type
    Column("secret", String(100), nullable=False),
    Column("status", String(10), nullable=False),
    Column("position", BigInteger, nullable=False),  # the last log position delivered (or passed over)
    Column("failures", Integer, nullable=False),  # consecutive failed tries of the next event
    Column("delivered", Integer, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("last_attempt_at", Float, nullable=True),  # unix seconds
    Column("next_attempt_at", Float, nullable=False),
    Column("lease_owner", String(64), nullable=True),
    Column("lease_until", Float, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", Float, nullable=False),
)


class SubscriptionNotFoundError(LookupError):
    code = "subscription_not_found"

    def __init__(self, subscription_id: str) -> None:
        super().__init__(f"webhook subscription {subscription_id} not found")
        self.message = str(self)


@dataclass(frozen=True)
class Subscription:
    id: str
    url: str
    types: list[str]
    secret: str
    status: str
    position: int
    failures: int
    delivered: int
    last_error: str | None
    last_attempt_at: float | None
    next_attempt_at: float
    created_by: str
    created_at: float

    @classmethod
    def of(cls, row: Any) -> Subscription:
        values = {name: getattr(row, name) for name in cls.__dataclass_fields__ if name != "types"}
        return cls(types=json.loads(row.types), **values)

    def topics(self) -> list[str]:
        return topics_for(self.types)

    def public(self) -> dict[str, Any]:
        """Everything but the secret, which is shown once, when the subscription is made."""
        return {
            "id": self.id,
            "url": self.url,
            "types": self.types,
            "status": self.status,
            "position": self.position,
            "delivered": self.delivered,
            "failures": self.failures,
            "last_error": self.last_error,
            "last_attempt_at": _iso(self.last_attempt_at),
            "next_attempt_at": _iso(self.next_attempt_at) if self.failures else None,
            "created_by": self.created_by,
            "created_at": _iso(self.created_at),
        }


def _iso(moment: float | None) -> str | None:
    return None if moment is None else datetime.fromtimestamp(moment, UTC).isoformat()


class SubscriptionStore:
    """Creates, reads, pauses and resumes subscriptions, and books each delivery attempt."""

    def __init__(self, engine: Engine, settings: WebhookSettings, clock: Any = time.time) -> None:
        self.engine = engine
        self.settings = settings
        self.clock = clock
        metadata.create_all(engine, tables=[webhook_subscriptions])

    def create(self, url: str, types: list[str], created_by: str, after: int) -> Subscription:
        """A new, active subscription that delivers the events after a position; its secret is in the result."""
        check_target(url, self.settings.allow_private)
        topics_for(types)  # refuses unknown types before anything is stored
        now = self.clock()
        row = {
            "id": str(uuid4()), "url": url, "types": json.dumps(sorted(set(types))), "secret": new_secret(),
            "status": ACTIVE, "position": after, "failures": 0, "delivered": 0, "last_error": None,
            "last_attempt_at": None, "next_attempt_at": 0.0, "lease_owner": None, "lease_until": 0.0,
            "created_by": created_by, "created_at": now,
        }
        with self.engine.begin() as connection:
            connection.execute(insert(webhook_subscriptions).values(**row))
        return self.get(row["id"])

    def get(self, subscription_id: str) -> Subscription:
        with self.engine.connect() as connection:
            row = connection.execute(
                select(webhook_subscriptions).where(webhook_subscriptions.c.id == subscription_id)
            ).first()
        if row is None:
            raise SubscriptionNotFoundError(subscription_id)
        return Subscription.of(row)

    def delete(self, subscription_id: str) -> None:
        with self.engine.begin() as connection:
            deleted = connection.execute(
                delete(webhook_subscriptions).where(webhook_subscriptions.c.id == subscription_id)
            ).rowcount
        if not deleted:
            raise SubscriptionNotFoundError(subscription_id)

    def resume(self, subscription_id: str) -> Subscription:
        """Put a paused subscription back to work at once, from where it stopped."""
        self._update(subscription_id, status=ACTIVE, failures=0, next_attempt_at=0.0)
        return self.get(subscription_id)

    def due(self) -> list[Subscription]:
        """Active subscriptions whose next attempt is due, in the order they were made."""
        table = webhook_subscriptions
        query = (
            select(table)
            .where(table.c.status == ACTIVE, table.c.next_attempt_at <= self.clock())
            .order_by(table.c.created_at, table.c.id)
        )
        with self.engine.connect() as connection:
            return [Subscription.of(row) for row in connection.execute(query)]

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
        """Move past log positions that hold no event of the subscription's types."""
        return self._book(subscription, owner, position=position)

    def failed(self, subscription: Subscription, owner: str, error: str) -> bool:
        """Book a failed try: retry after a backoff, or pause after too many; the position stays."""
        failures, now = subscription.failures + 1, self.clock()
        paused = failures >= self.settings.max_attempts
        return self._book(
            subscription, owner, failures=failures, last_error=error[:MAX_ERROR_LENGTH], last_attempt_at=now,
            status=PAUSED if paused else ACTIVE, next_attempt_at=now + self.settings.backoff(failures),
        )

    def _book(self, subscription: Subscription, owner: str, **values: Any) -> bool:
        # Only the lease holder books, and only from the position it read: a stale worker changes nothing.
        table = webhook_subscriptions
        with self.engine.begin() as connection:
            booked = connection.execute(
                update(table)
                .where(table.c.id == subscription.id, table.c.lease_owner == owner)
                .where(table.c.position == subscription.position)
                .values(**values)
            ).rowcount
        return bool(booked)

    def _update(self, subscription_id: str, **values: Any) -> None:
        with self.engine.begin() as connection:
            updated = connection.execute(
                update(webhook_subscriptions).where(webhook_subscriptions.c.id == subscription_id).values(**values)
            ).rowcount
        if not updated:
            raise SubscriptionNotFoundError(subscription_id)
