"""The webhook delivery worker: at least once, in log order per subscription, signed (ADR 0010).

For each due subscription the worker posts the events after its position one by one and moves the position only
after a 2xx, in the transaction that books the attempt. A crash between the 2xx and that commit sends the event
again with the same webhook-id, which is what "at least once" means; receivers deduplicate on it.
An event that uses up its tries pauses the subscription, or under `"on_failure": "park"` is parked and delivery goes
on; parked events asked for again are sent before new ones (ADR 0018). New events wake the worker at once.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from itertools import islice
from typing import Any
from uuid import uuid4

import httpx

from application.events.cloudevents import UnknownEventTypeError, to_cloudevents
from application.goals.service import Goals
from application.events.live import EventSignal
from application.webhooks.config import WebhookSettings
from application.webhooks.parking import EventRef, ParkedEvent
from application.webhooks.signing import signed_headers
from application.webhooks.subscriptions import Subscription, SubscriptionStore
from application.webhooks.targets import (
    Resolver,
    WebhookTargetError,
    failure_for_exception,
    failure_for_status,
    pin_target,
    resolve,
)

log = logging.getLogger("goalengine.webhooks")
USER_AGENT = "goalengine-webhooks/0.1"


def default_worker_id() -> str:
    return f"{socket.gethostname()[:30]}-{os.getpid()}-{uuid4().hex[:8]}"


class WebhookDelivery:
    """Delivers due subscriptions' events; `run_once` is one pass, `run` loops until stopped."""

    def __init__(
        self,
        goals: Goals,
        settings: WebhookSettings,
        worker_id: str | None = None,
        clock: Callable[[], float] = time.time,
        resolver: Resolver = resolve,
        signal: EventSignal | None = None,
        store: SubscriptionStore | None = None,
    ) -> None:
        self.goals = goals
        self.settings = settings
        self.worker_id = worker_id or default_worker_id()
        self.clock = clock
        self.resolver = resolver
        self.store = store or SubscriptionStore(goals.engine, settings, clock)
        self.signal = signal or EventSignal()  # without a live signal it still wakes on this process's own writes
        self.committed = getattr(goals.recorder, "committed", None) if signal is None else None
        if self.committed is not None:
            self.committed.add(self.signal.notify)
        self.stopping = threading.Event()
        self.client = httpx.Client(
            timeout=settings.timeout, follow_redirects=False, trust_env=False, headers={"user-agent": USER_AGENT}
        )

    def run(self) -> None:
        """Deliver until `stop()`; when a pass delivered nothing, wait for new events (or the poll interval)."""
        log.info("webhook worker %s started", self.worker_id)
        while not self.stopping.is_set():
            seen = self.signal.generation  # read before the pass: a write during it wakes the wait below at once
            try:
                busy = self.run_once() > 0
            except Exception:  # the database may be away for a moment; the next pass tries again
                log.exception("webhook delivery pass failed")
                busy = False
            if not busy:
                self.signal.wait(seen, self.settings.poll_interval)
        log.info("webhook worker %s stopped", self.worker_id)

    def stop(self) -> None:
        self.stopping.set()
        self.signal.notify()

    def close(self) -> None:
        if self.committed is not None:
            self.committed.remove(self.signal.notify)
        self.client.close()

    def run_once(self) -> int:
        """One pass over the due subscriptions; the number of events delivered."""
        return sum(self.serve(subscription) for subscription in self.store.due() if not self.stopping.is_set())

    def serve(self, subscription: Subscription) -> int:
        """Deliver up to a batch of one subscription's events, in order, stopping at the first failure."""
        if not self.store.claim(subscription.id, self.worker_id):
            return 0  # another worker is delivering to this target
        try:
            return self._redeliver_parked(subscription) + self._deliver_batch(subscription)
        except UnknownEventTypeError as error:  # a type renamed by a version bump (ADR 0009): pause, tell why
            last_try = replace(subscription, failures=self.settings.max_attempts - 1)
            self.store.failed(last_try, self.worker_id, str(error))
            return 0
        finally:
            self.store.release(subscription.id, self.worker_id)

    def _deliver_batch(self, subscription: Subscription) -> int:
        head = self.goals.head_position()  # read first: every event up to it is committed (ADR 0009)
        batch = self.settings.batch_size
        logged = self.goals.log_events(subscription.position, until=head, topics=subscription.topics(),
                                       page_size=batch)
        wanted = list(islice(subscription.filter.select(self.goals, logged), batch))
        delivered = 0
        for cloudevent in to_cloudevents(self.goals, wanted):
            if self.stopping.is_set() or not self.store.claim(subscription.id, self.worker_id):
                return delivered
            position = int(cloudevent["position"])
            error = self._post(subscription, cloudevent)
            if error is not None:
                log.warning("webhook %s: the event at position %s failed: %s", subscription.id, position, error)
                event = EventRef(position, cloudevent["id"], cloudevent["type"])
                self.store.failed(subscription, self.worker_id, error, event)
                return delivered
            if not self.store.delivered(subscription, self.worker_id, position):
                return delivered  # deleted, rewound or taken over meanwhile
            subscription = replace(subscription, position=position, failures=0)
            delivered += 1
        if len(wanted) < batch and head > subscription.position:
            self.store.passed_over(subscription, self.worker_id, head)
        return delivered

    def _redeliver_parked(self, subscription: Subscription) -> int:
        """Send the parked events someone asked for again, once each, in log order."""
        redelivered = 0
        for parked in self.store.parking.list(subscription.id, requested_only=True):
            if self.stopping.is_set():
                break
            error = self._post_parked(subscription, parked)
            if error is None:
                self.store.parking.redelivered(parked)
                redelivered += 1
            else:
                log.warning("webhook %s: parked event %s failed again: %s", subscription.id, parked.event_id, error)
                self.store.parking.redelivery_failed(parked, error)
        return redelivered

    def _post_parked(self, subscription: Subscription, parked: ParkedEvent) -> str | None:
        logged = list(self.goals.log_events(parked.position - 1, until=parked.position, page_size=1))
        if not logged:
            return f"the event at position {parked.position} is no longer in the log"
        return self._post(subscription, to_cloudevents(self.goals, logged)[0])

    def _post(self, subscription: Subscription, cloudevent: dict[str, Any]) -> str | None:
        """Send one event; None on a 2xx, otherwise what went wrong."""
        body = json.dumps(cloudevent, separators=(",", ":"))
        try:  # checked again on every delivery, and sent to the very address checked (ADR 0020)
            target = pin_target(subscription.url, self.settings.allow_private, self.resolver)
        except WebhookTargetError as error:
            return f"{error.code}: {error.message}"
        headers = {**signed_headers(subscription.signing_secrets, cloudevent["id"], int(self.clock()), body),
                   "host": target.host_header}
        try:
            with self.client.stream("POST", target.connect_url, content=body.encode(), headers=headers,
                                    extensions=target.extensions) as response:
                status = response.status_code  # the answer's body is never read
        except httpx.HTTPError as error:
            return failure_for_exception(error)
        if 200 <= status < 300:
            return None
        return failure_for_status(status)  # never the receiver's body: it may be an internal page


class WebhookThread:
    """The delivery worker on a background thread, for running it inside the API process."""

    def __init__(self, delivery: WebhookDelivery) -> None:
        self.delivery = delivery
        self.thread = threading.Thread(target=delivery.run, name="webhook-delivery", daemon=True)

    def start(self) -> WebhookThread:
        self.thread.start()
        return self

    def stop(self, timeout: float | None = None) -> None:
        self.delivery.stop()
        self.thread.join(timeout if timeout is not None else self.delivery.settings.timeout + 5)
        self.delivery.close()
