"""The relay loop, broker-agnostic: read events after the stored position, hand a batch to a Relay, and store the
new position only once the broker has acknowledged every event of the batch (ADR 0019).

A crash between the acknowledgement and the stored position sends that batch again on restart; the broker drops
the copies by event id (NATS JetStream: Nats-Msg-Id within the stream's duplicate window).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from itertools import islice
from typing import Any, Protocol

from sqlalchemy import BigInteger, Column, Engine, String, Table, insert, select, update

from application.events.cloudevents import to_cloudevents
from application.store.database import metadata
from application.goals.service import Goals
from application.events.live import LiveEvents

log = logging.getLogger("goalengine.relay")

relay_positions = Table(
    "relay_positions",
    metadata,
    Column("name", String(200), primary_key=True),  # e.g. nats:GOALS
    Column("position", BigInteger, nullable=False),  # the last log position the broker acknowledged
)


class Relay(Protocol):
    """A broker connection that publishes CloudEvents and returns only when the broker has them all."""

    name: str

    async def connect(self) -> None: ...

    async def publish(self, cloudevents: Sequence[dict[str, Any]]) -> None: ...

    async def close(self) -> None: ...


class RelayPositions:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        metadata.create_all(engine, tables=[relay_positions])

    def get(self, name: str) -> int:
        with self.engine.connect() as connection:
            position = connection.execute(
                select(relay_positions.c.position).where(relay_positions.c.name == name)
            ).scalar_one_or_none()
        return int(position or 0)

    def store(self, name: str, position: int) -> None:
        with self.engine.begin() as connection:
            moved = connection.execute(
                update(relay_positions).where(relay_positions.c.name == name).values(position=position)
            ).rowcount
            if not moved:  # the first batch of this relay (one relay per name: a second would be a mistake)
                connection.execute(insert(relay_positions).values(name=name, position=position))


class RelayRunner:
    """Relays the log from the stored position on, in batches, and then follows it as events arrive."""

    def __init__(self, goals: Goals, relay: Relay, batch_size: int = 500, fallback_interval: float = 1.0) -> None:
        self.goals = goals
        self.relay = relay
        self.batch_size = batch_size
        self.positions = RelayPositions(goals.engine)
        self.live = LiveEvents(goals, fallback_interval)
        self.stopping = asyncio.Event()

    async def run(self, once: bool = False) -> int:
        """Relay until stopped (or, with `once`, until the head as it was when called); the events relayed."""
        await self.relay.connect()
        self.live.start()
        try:
            return await self._loop(once)
        finally:
            self.live.stop()
            await self.relay.close()

    def stop(self) -> None:
        self.stopping.set()

    async def _loop(self, once: bool) -> int:
        relayed, target = 0, await asyncio.to_thread(self.goals.head_position)
        while not self.stopping.is_set():
            seen = self.live.signal.generation
            try:
                count = await self.relay_batch()
            except Exception:
                if once:
                    raise
                log.exception("relay %s: the batch failed; it is sent again from the stored position", self.relay.name)
                await self._rest(seen)
                continue
            relayed += count
            if once and (count == 0 or self.positions.get(self.relay.name) >= target):
                break
            if count == 0:
                await self._rest(seen)
        return relayed

    async def _rest(self, seen: int) -> None:
        """Until new events arrive, the fallback interval ends, or the relay is stopped."""
        stop = asyncio.ensure_future(self.stopping.wait())
        try:
            await self.live.signal.wait_async(seen, self.live.fallback_interval, until=stop)
        finally:
            stop.cancel()

    async def relay_batch(self) -> int:
        """One batch after the stored position; its position is stored after the broker acknowledged it all."""
        position = self.positions.get(self.relay.name)
        batch = await asyncio.to_thread(self._read, position)
        if not batch:
            return 0
        await self.relay.publish(batch)
        await asyncio.to_thread(self.positions.store, self.relay.name, int(batch[-1]["position"]))
        return len(batch)

    def _read(self, position: int) -> list[dict[str, Any]]:
        head = self.goals.head_position()  # read first: every event up to it is committed (ADR 0009)
        logged = self.goals.log_events(position, until=head, page_size=self.batch_size)
        return to_cloudevents(self.goals, list(islice(logged, self.batch_size)))
