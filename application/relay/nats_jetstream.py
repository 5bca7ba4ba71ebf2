"""The NATS JetStream relay: each event a structured-mode CloudEvent (the CloudEvents NATS binding) on subject
`<prefix>.<event type>`, with its id as Nats-Msg-Id so the stream drops the copies a restart sends (ADR 0019)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

import nats
from nats.js.api import StreamConfig
from nats.js.errors import NotFoundError

STRUCTURED = "application/cloudevents+json; charset=utf-8"
DUPLICATE_WINDOW = 2 * 60 * 60.0  # seconds: longer than any restart we plan for (ADR 0019)


class NatsJetStreamRelay:
    def __init__(
        self, url: str, stream: str = "GOALS", subject_prefix: str = "goals",
        duplicate_window: float = DUPLICATE_WINDOW, ack_timeout: float = 10.0,
    ) -> None:
        self.url = url
        self.stream = stream
        self.subject_prefix = subject_prefix
        self.duplicate_window = duplicate_window
        self.ack_timeout = ack_timeout
        self.name = f"nats:{stream}"
        self.connection: Any = None
        self.jetstream: Any = None

    async def connect(self) -> None:
        """Connect, and create the stream if it is missing (subjects `<prefix>.>`, the duplicate window)."""
        self.connection = await nats.connect(self.url, connect_timeout=5, max_reconnect_attempts=-1)
        self.jetstream = self.connection.jetstream(timeout=self.ack_timeout)
        try:
            await self.jetstream.stream_info(self.stream)
        except NotFoundError:
            await self.jetstream.add_stream(StreamConfig(
                name=self.stream, subjects=[f"{self.subject_prefix}.>"], duplicate_window=self.duplicate_window,
            ))

    def subject(self, cloudevent: dict[str, Any]) -> str:
        return f"{self.subject_prefix}.{cloudevent['type']}"

    async def publish(self, cloudevents: Sequence[dict[str, Any]]) -> None:
        """Publish in order (one connection keeps it) without waiting between messages; return once all are acked."""
        pending = []
        for cloudevent in cloudevents:
            headers = {"Nats-Msg-Id": cloudevent["id"], "content-type": STRUCTURED}
            payload = json.dumps(cloudevent, separators=(",", ":")).encode()
            pending.append(await self.jetstream.publish_async(
                self.subject(cloudevent), payload, headers=headers, stream=self.stream, wait_stall=self.ack_timeout,
            ))
        await asyncio.wait_for(asyncio.gather(*pending), self.ack_timeout)  # raises if any was refused

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.drain()
            self.connection = None
