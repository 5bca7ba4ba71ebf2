"""Idempotency keys: the same key with the same payload returns the first result and stores nothing new."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Column, DateTime, Engine, String, Table, Text, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from application.database import metadata
from application.errors import IdempotencyKeyInProgressError, IdempotencyKeyReusedError

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("scope", String(200), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("command", String(100), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("result", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class CommandResult:
    """What a command hands back: enough to find the goal as the command left it."""

    goal_id: str
    version: int
    reference: str | None = None  # a recalibration or milestone id, where the command made one
    position: int | None = None  # the log position of the command's last event (None in keys stored before it)


def request_hash(command: str, payload: dict[str, Any]) -> str:
    canonical = json.dumps({"command": command, "payload": payload}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


class IdempotencyStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def run(
        self, scope: str, key: str, command: str, payload: dict[str, Any], execute: Callable[[], CommandResult]
    ) -> tuple[CommandResult, bool]:
        """Run the command once per (scope, key); returns its result and whether this call replayed it."""
        fingerprint = request_hash(command, payload)
        if len(key) > 200 or not key.strip():
            raise IdempotencyKeyReusedError("an idempotency key must have 1 to 200 characters", key=key[:50])
        claimed = self._claim(scope, key, command, fingerprint)
        if not claimed:
            return self._replay(scope, key, fingerprint), True
        try:
            result = execute()
        except BaseException:
            with self.engine.begin() as connection:
                connection.execute(delete(idempotency_keys).where(*_row(scope, key)))
            raise
        with self.engine.begin() as connection:
            connection.execute(
                update(idempotency_keys).where(*_row(scope, key)).values(result=json.dumps(asdict(result)))
            )
        return result, False

    def _claim(self, scope: str, key: str, command: str, fingerprint: str) -> bool:
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(idempotency_keys).values(
                        scope=scope,
                        key=key,
                        command=command,
                        request_hash=fingerprint,
                        result=None,
                        created_at=datetime.now(timezone.utc),
                    )
                )
        except IntegrityError:
            return False
        return True

    def _replay(self, scope: str, key: str, fingerprint: str) -> CommandResult:
        with self.engine.connect() as connection:
            row = connection.execute(select(idempotency_keys).where(*_row(scope, key))).one()
        if row.request_hash != fingerprint:
            raise IdempotencyKeyReusedError(
                f"idempotency key {key!r} was first used for a different request ({row.command})", key=key
            )
        if row.result is None:
            raise IdempotencyKeyInProgressError(f"the request with idempotency key {key!r} is still running", key=key)
        return CommandResult(**json.loads(row.result))


def _row(scope: str, key: str) -> tuple[Any, Any]:
    return idempotency_keys.c.scope == scope, idempotency_keys.c.key == key
