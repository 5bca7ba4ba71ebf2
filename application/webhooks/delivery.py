"""The webhook delivery worker: at least once, in log order per subscription, signed (ADR 0010).

For each due subscription the worker posts the events after its position one by one and moves the position only
after a 2xx, in the transaction that books the attempt. A crash between the 2xx and that commit sends the event
again with the same webhook-id, which is what "at least once" means; receivers deduplicate on it.
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
from uuid import uuid4

import httpx

from application.cloudevents import UnknownEventTypeError, to_cloudevent
from application.goals import Goals, LoggedEvent
from application.webhooks.config import WebhookSettings
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
    ) -> None:
        self.goals = goals
        self.settings = settings
        self.worker_id = worker_id or default_worker_id()
        self.clock = clock
        self.resolver = resolver
        self.store = SubscriptionStore(goals.engine, settings, clock)
        self.stopping = threading.Event()
        self.client = httpx.Client(
            timeout=settings.timeout, follow_redirects=False, trust_env=False, headers={"user-agent": USER_AGENT}
        )

    def run(self) -> None:
        """Deliver until `stop()`; rests for the poll interval whenever a pass delivered nothing."""
        log.info("webhook worker %s started", self.worker_id)
        while not self.stopping.is_set():
            try:
                busy = self.run_once() > 0
            except Exception:  # the database may be away for a moment; the next pass tries again
                log.exception("webhook delivery pass failed")
                busy = False
            if not busy:
                self.stopping.wait(self.settings.poll_interval)
        log.info("webhook worker %s stopped", self.worker_id)

    def stop(self) -> None:
        self.stopping.set()

    def close(self) -> None:
        self.client.close()

    def run_once(self) -> int:
        """One pass over the due subscriptions; the number of events delivered."""
        return sum(self.serve(subscription) for subscription in self.store.due() if not self.stopping.is_set())

    def serve(self, subscription: Subscription) -> int:
        """Deliver up to a batch of one subscription's events, in order, stopping at the first failure."""
        if not self.store.claim(subscription.id, self.worker_id):
            return 0  # another worker is delivering to this target
        try:
            return self._deliver_batch(subscription)
        except UnknownEventTypeError as error:  # a type renamed by a version bump (ADR 0009): pause, tell why
            last_try = replace(subscription, failures=self.settings.max_attempts - 1)
            self.store.failed(last_try, self.worker_id, str(error))
            return 0
        finally:
            self.store.release(subscription.id, self.worker_id)

    def _deliver_batch(self, subscription: Subscription) -> int:
        head = self.goals.head_position()  # read first: every event up to it is committed (ADR 0009)
        batch = self.settings.batch_size
        events = self.goals.log_events(subscription.position, until=head, topics=subscription.topics(), page_size=batch)
        delivered = 0
        for logged in islice(events, batch):
            if self.stopping.is_set() or not self.store.claim(subscription.id, self.worker_id):
                return delivered
            error = self._post(subscription, logged)
            if error is not None:
                log.warning("webhook %s: the event at position %s failed: %s", subscription.id, logged.position, error)
                self.store.failed(subscription, self.worker_id, error)
                return delivered
            if not self.store.delivered(subscription, self.worker_id, logged.position):
                return delivered  # deleted or taken over meanwhile
            subscription = replace(subscription, position=logged.position, failures=0)
            delivered += 1
        if delivered < batch and head > subscription.position:
            self.store.passed_over(subscription, self.worker_id, head)
        return delivered

    def _post(self, subscription: Subscription, logged: LoggedEvent) -> str | None:
        """Send one event; None on a 2xx, otherwise what went wrong."""
        cloudevent = to_cloudevent(logged.event, logged.position)
        body = json.dumps(cloudevent, separators=(",", ":"))
        try:  # checked again on every delivery, and sent to the very address checked (ADR 0020)
            target = pin_target(subscription.url, self.settings.allow_private, self.resolver)
        except WebhookTargetError as error:
            return f"{error.code}: {error.message}"
        headers = {**signed_headers(subscription.secret, cloudevent["id"], int(self.clock()), body),
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
