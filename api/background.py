"""Background work, and what request processes know of it (ADR 0048).

`goalengine worker` runs the projector (with the notifier of early warnings and the daily digest as its leader's
duties) and webhook delivery, and beats its heartbeat into the store. `goalengine serve` starts one such process;
its request processes run none of this. An app built in-process (tests, embedding) may run the same work in
threads of its own. What is built here comes from the composition root (api/bootstrap.py).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from application.events.live import LiveEvents
from application.goals.service import Goals
from application.store.heartbeats import Heartbeat, Heartbeats
from application.webhooks.config import WebhookSettings
from application.webhooks.delivery import WebhookDelivery, WebhookThread
from application.webhooks.subscriptions import SubscriptionStore
from projections.projector import Projector

WORKER = "background"  # the heartbeat's name: one background worker per store
BEAT_SECONDS = 1.0
STALE_AFTER = 5.0  # seconds without a beat after which /ready says the worker is down

WorkerState = Literal["in_process", "running", "down"]


class HeartbeatThread:
    """Beats the worker's row every second in a thread; removes it on a clean stop."""

    def __init__(self, heartbeats: Heartbeats, clock: Callable[[], float] = time.time) -> None:
        self.heartbeats, self.clock = heartbeats, clock
        self.beat = Heartbeat(WORKER, os.getpid(), socket.gethostname()[:255], clock(), clock())
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="goalengine-heartbeat", daemon=True)

    def start(self) -> HeartbeatThread:
        self.heartbeats.beat(self.beat)  # the first beat before start() returns: ready as soon as it runs
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(5)
        self.heartbeats.stopped(WORKER, self.beat.pid)

    def _run(self) -> None:
        while not self._stopping.wait(BEAT_SECONDS):
            try:
                self.heartbeats.beat(Heartbeat(WORKER, self.beat.pid, self.beat.host, self.beat.started_at,
                                               self.clock()))
            except Exception:  # the store away for a moment: the next beat tries again, /ready meanwhile says why
                continue


@dataclass
class Background:
    """The projector, webhook delivery (when `webhooks` is given) and the heartbeat (when given), started and
    stopped together."""

    goals: Goals
    projector: Projector
    live_events: LiveEvents
    subscriptions: SubscriptionStore
    webhooks: WebhookSettings | None = None
    heartbeats: Heartbeats | None = None
    stops: list[Callable[[], None]] = field(default_factory=list)

    def start(self) -> None:
        self.projector.start()
        self.stops.append(self.projector.stop)
        if self.webhooks is not None:
            self.live_events.start()
            delivery = WebhookDelivery(self.goals, self.webhooks, signal=self.live_events.signal,
                                       store=self.subscriptions)
            self.stops.append(WebhookThread(delivery).start().stop)
        if self.heartbeats is not None:
            self.stops.append(HeartbeatThread(self.heartbeats).start().stop)

    def stop(self) -> None:
        while self.stops:
            self.stops.pop()()


@dataclass(frozen=True)
class WorkerStatus:
    state: WorkerState
    pid: int | None = None
    host: str | None = None
    seen_seconds_ago: float | None = None


class WorkerWatch:
    """What a request process reports of the background work: in its own threads, or the worker's heartbeat."""

    def __init__(self, heartbeats: Heartbeats | None, clock: Callable[[], float] = time.time) -> None:
        self.heartbeats, self.clock = heartbeats, clock

    def status(self) -> WorkerStatus:
        if self.heartbeats is None:
            return WorkerStatus("in_process", os.getpid(), socket.gethostname())
        beat = self.heartbeats.latest(WORKER)
        if beat is None:
            return WorkerStatus("down")
        age = max(self.clock() - beat.beat_at, 0.0)
        return WorkerStatus("running" if age <= STALE_AFTER else "down", beat.pid, beat.host, round(age, 3))
