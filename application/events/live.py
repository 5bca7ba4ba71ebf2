"""Push, not poll: new events wake the live streams and the webhook worker at once (ADR 0018).

- In this process, the event recorder tells the signal after each commit (application/store/traced_recorders.py).
- On PostgreSQL, writes by other processes arrive by LISTEN on the channel the library NOTIFYs on each insert.
- A head watcher (one query per interval for the whole process, not one per stream) is the fallback for writes
  by other processes on SQLite, and for a LISTEN connection that was lost.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import psycopg

from application.goals.service import Goals

log = logging.getLogger("goalengine.live")


class EventSignal:
    """A generation counter that threads and asyncio tasks wait on; `notify()` bumps it and wakes them all."""

    def __init__(self) -> None:
        self.condition = threading.Condition()
        self.generation = 0
        self.loops: dict[asyncio.AbstractEventLoop, asyncio.Event] = {}

    def notify(self) -> None:
        with self.condition:
            self.generation += 1
            self.condition.notify_all()
            loops = list(self.loops)
        for loop in loops:
            try:
                loop.call_soon_threadsafe(self._wake, loop)
            except RuntimeError:  # the loop has closed
                with self.condition:
                    self.loops.pop(loop, None)

    def wait(self, seen: int, timeout: float) -> int:
        """Block until the generation passes `seen` or the timeout ends; the generation then."""
        with self.condition:
            self.condition.wait_for(lambda: self.generation > seen, timeout)
            return self.generation

    async def wait_async(self, seen: int, timeout: float, until: asyncio.Future[Any] | None = None) -> int:
        """The same for an asyncio task (or until the `until` future is done); tasks share one Event per loop."""
        loop = asyncio.get_running_loop()
        with self.condition:
            event = self.loops.setdefault(loop, asyncio.Event())
            if self.generation > seen:
                return self.generation
        waiter = asyncio.ensure_future(event.wait())
        try:
            await asyncio.wait({waiter, *([until] if until else [])}, timeout=timeout,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
        return self.generation

    def _wake(self, loop: asyncio.AbstractEventLoop) -> None:
        with self.condition:
            event = self.loops.get(loop)
            self.loops[loop] = asyncio.Event()
        if event is not None:
            event.set()


class LiveEvents:
    """The signal of one Goals application, fed by its commits, PostgreSQL LISTEN and a fallback head watcher."""

    def __init__(self, goals: Goals, fallback_interval: float = 1.0) -> None:
        self.goals = goals
        self.signal = EventSignal()
        self.fallback_interval = fallback_interval
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.lock = threading.Lock()
        self.started = False

    def start(self) -> LiveEvents:
        """Start listening (once; later calls do nothing): the first stream or worker that needs it starts it."""
        with self.lock:
            if self.started or self.stopping.is_set():
                return self
            self.started = True
        committed = getattr(self.goals.recorder, "committed", None)
        if committed is not None:
            committed.add(self.signal.notify)
        self._spawn("head-watcher", self._watch_head)
        if self.goals.settings.store == "postgresql":
            self._spawn("pg-listener", self._listen)
        return self

    def stop(self) -> None:
        self.stopping.set()
        committed = getattr(self.goals.recorder, "committed", None)
        if committed is not None:
            committed.remove(self.signal.notify)  # removing a listener never added is a no-op
        for thread in self.threads:
            thread.join(5)

    def _spawn(self, name: str, target: Any) -> None:
        thread = threading.Thread(target=target, name=f"live-{name}", daemon=True)
        thread.start()
        self.threads.append(thread)

    def _watch_head(self) -> None:
        last = None
        while not self.stopping.wait(self.fallback_interval):
            try:
                head = self.goals.head_position()
            except Exception:
                continue
            if last is not None and head != last:
                self.signal.notify()
            last = head

    def _listen(self) -> None:
        channel = str(getattr(self.goals.recorder, "channel_name", "goalengine_events"))
        while not self.stopping.is_set():
            try:
                with psycopg.connect(self._conninfo(), autocommit=True, connect_timeout=5) as connection:
                    connection.execute(psycopg.sql.SQL("LISTEN {}").format(psycopg.sql.Identifier(channel)))
                    while not self.stopping.is_set():
                        for _notice in connection.notifies(timeout=0.5):
                            self.signal.notify()
            except psycopg.Error as error:
                log.warning("LISTEN %s lost (%s); the head watcher covers until it is back", channel, error)
                self.stopping.wait(1.0)

    def _conninfo(self) -> str:
        url = self.goals.settings.url
        return psycopg.conninfo.make_conninfo(
            host=url.host or "127.0.0.1", port=url.port or 5432, user=url.username or "postgres",
            password=url.password or "", dbname=url.database or "postgres",
        )
