"""Webhook subscriptions: where to send which events, whose they are, and how far each target has got (ADR 0010, 0018).

Each subscription belongs to the caller who made it and keeps its own position in the event log. A worker owns a
subscription while its lease runs, so two workers never deliver to one target at once, out of order
(application/webhooks/booking.py). Signing secrets are stored sealed (application/webhooks/sealing.py).
"""

from __future__ import annotations

import json
import time
from typing import Any
from uuid import uuid4

from sqlalchemy import Engine, delete, insert, select, update

from application.events.cloudevents import topics_for
from application.events.filters import EventFilter
from application.webhooks.booking import DeliveryBook
from application.webhooks.config import WebhookSettings
from application.webhooks.sealing import SecretBox
from application.webhooks.signing import new_secret
from application.webhooks.subscription import Subscription
from application.webhooks.tables import (
    ACTIVE,
    PAUSE,
    PAUSED,
    POLICIES,
    create_tables,
    webhook_parked,
    webhook_subscriptions,
)
from application.webhooks.targets import check_target

__all__ = [
    "ACTIVE", "PAUSED", "PositionBeyondHeadError", "Subscription", "SubscriptionNotFoundError", "SubscriptionStore",
]


class SubscriptionNotFoundError(LookupError):
    """No subscription with this id belongs to the caller (another caller's is not found either)."""

    code = "subscription_not_found"

    def __init__(self, subscription_id: str) -> None:
        super().__init__(f"webhook subscription {subscription_id} not found")
        self.message = str(self)


class PositionBeyondHeadError(ValueError):
    code = "position_beyond_head"

    def __init__(self, after: int, head: int) -> None:
        super().__init__(f"position {after} lies beyond the head of the log ({head})")
        self.message, self.after, self.head = str(self), after, head


class SubscriptionStore(DeliveryBook):
    """Makes, lists, reads, rewinds, re-keys and removes a caller's subscriptions; books deliveries (DeliveryBook)."""

    def __init__(
        self, engine: Engine, settings: WebhookSettings, clock: Any = time.time, box: SecretBox | None = None
    ) -> None:
        super().__init__(engine, settings, clock)
        self.box = box or SecretBox.from_file(settings.secrets_key_file)
        create_tables(engine, self.box)

    def create(
        self, url: str, types: list[str], created_by: str, after: int, event_filter: EventFilter | None = None,
        on_failure: str = PAUSE,
    ) -> Subscription:
        """A new, active subscription that delivers the events after a position; its secret is in the result."""
        check_target(url, self.settings.allow_private)
        topics_for(types)  # refuses unknown types before anything is stored
        if on_failure not in POLICIES:
            raise ValueError(f"on_failure must be one of {', '.join(POLICIES)}")
        chosen = event_filter or EventFilter()
        subscription_id, now = str(uuid4()), self.clock()
        row = {
            "id": subscription_id, "url": url, "types": json.dumps(sorted(set(types))),
            "subjects": json.dumps(sorted(set(chosen.subjects))), "cycle": chosen.cycle, "org_unit": chosen.org_unit,
            "on_failure": on_failure, "secret": self.box.seal(new_secret(), subscription_id),
            "status": ACTIVE, "position": after, "failures": 0, "delivered": 0, "last_error": None,
            "last_attempt_at": None, "next_attempt_at": 0.0, "lease_owner": None, "lease_until": 0.0,
            "created_by": created_by, "created_at": now,
        }
        with self.engine.begin() as connection:
            connection.execute(insert(webhook_subscriptions).values(**row))
        return self.get(subscription_id)

    def get(self, subscription_id: str, owner: str | None = None) -> Subscription:
        """The subscription, if it exists and (when an owner is given) belongs to that caller."""
        table = webhook_subscriptions
        query = select(table).where(table.c.id == subscription_id)
        if owner is not None:
            query = query.where(table.c.created_by == owner)
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            raise SubscriptionNotFoundError(subscription_id)
        return self.subscription(row)

    def list(self, owner: str | None = None) -> list[Subscription]:
        """The caller's subscriptions (every one when no owner is given), oldest first."""
        table = webhook_subscriptions
        query = select(table).order_by(table.c.created_at, table.c.id)
        if owner is not None:
            query = query.where(table.c.created_by == owner)
        with self.engine.connect() as connection:
            return [self.subscription(row) for row in connection.execute(query)]

    def delete(self, subscription_id: str, owner: str | None = None) -> None:
        self.get(subscription_id, owner)
        with self.engine.begin() as connection:
            connection.execute(delete(webhook_parked).where(webhook_parked.c.subscription_id == subscription_id))
            deleted = connection.execute(
                delete(webhook_subscriptions).where(webhook_subscriptions.c.id == subscription_id)
            ).rowcount
        if not deleted:
            raise SubscriptionNotFoundError(subscription_id)

    def resume(self, subscription_id: str, owner: str | None = None) -> Subscription:
        """Put a paused subscription back to work at once, from where it stopped."""
        self.get(subscription_id, owner)
        self._update(subscription_id, status=ACTIVE, failures=0, next_attempt_at=0.0)
        return self.get(subscription_id)

    def rewind(self, subscription_id: str, after: int, head: int, owner: str | None = None) -> Subscription:
        """Deliver again (or skip ahead) from a position; a worker mid-batch finds its booking refused and stops."""
        if after > head:
            raise PositionBeyondHeadError(after, head)
        self.get(subscription_id, owner)
        self._update(subscription_id, position=after, failures=0, next_attempt_at=0.0)
        return self.get(subscription_id)

    def rotate_secret(self, subscription_id: str, owner: str | None = None) -> tuple[Subscription, str]:
        """A new signing secret; the old one keeps signing beside it until the overlap ends."""
        current = self.get(subscription_id, owner)
        secret, now = new_secret(), self.clock()
        self._update(
            subscription_id, secret=self.box.seal(secret, subscription_id),
            previous_secret=self.box.seal(current.secret, subscription_id),
            previous_secret_until=now + self.settings.secret_overlap, secret_rotated_at=now,
        )
        return self.get(subscription_id), secret

    def subscription(self, row: Any) -> Subscription:
        """The row with its secrets opened; the previous secret only while its overlap runs."""
        secrets = [self.box.open(row.secret, row.id)]
        if row.previous_secret and (row.previous_secret_until or 0.0) > self.clock():
            secrets.append(self.box.open(row.previous_secret, row.id))
        return Subscription(
            id=row.id, url=row.url, types=json.loads(row.types),
            filter=EventFilter(tuple(json.loads(row.subjects or "[]")), row.cycle, row.org_unit),
            on_failure=row.on_failure or PAUSE, signing_secrets=tuple(secrets),
            secret_rotated_at=row.secret_rotated_at, previous_secret_until=row.previous_secret_until,
            status=row.status, position=row.position, failures=row.failures, delivered=row.delivered,
            last_error=row.last_error, last_attempt_at=row.last_attempt_at, next_attempt_at=row.next_attempt_at,
            created_by=row.created_by, created_at=row.created_at,
        )

    def _update(self, subscription_id: str, **values: Any) -> None:
        with self.engine.begin() as connection:
            updated = connection.execute(
                update(webhook_subscriptions).where(webhook_subscriptions.c.id == subscription_id).values(**values)
            ).rowcount
        if not updated:
            raise SubscriptionNotFoundError(subscription_id)
