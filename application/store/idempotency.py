"""Idempotency keys: the same key with the same payload returns the first result and stores nothing new."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta, UTC
from typing import Any

from sqlalchemy import Column, DateTime, Engine, String, Table, Text, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from application.store.database import metadata
from domain.goal import Goal
from application.errors import IdempotencyKeyInProgressError, IdempotencyKeyReusedError, InvalidIdempotencyKeyError

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
    # The goal as the command left it, for the caller's answer (never stored: a replay loads it at `version`).
    goal: Goal | None = field(default=None, compare=False, repr=False)

    def stored(self) -> dict[str, Any]:
        """What an idempotency key keeps of the result."""
        return {"goal_id": self.goal_id, "version": self.version, "reference": self.reference,
                "position": self.position}


def request_hash(command: str, payload: dict[str, Any]) -> str:
    canonical = json.dumps({"command": command, "payload": payload}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


# A key whose command has not finished after this long was left behind by a crash: the next request takes it over.
STALE_AFTER = timedelta(minutes=2)


class IdempotencyStore:
    def __init__(self, engine: Engine, stale_after: timedelta = STALE_AFTER,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 turn: Callable[[], AbstractContextManager[None]] = nullcontext) -> None:
        self.engine = engine
        self.turn = turn  # the event writers' turn on SQLite (application/store/sqlite_pool.py)
        self.stale_after = stale_after
        self.now = now

    def run(
        self, scope: str, key: str, command: str, payload: dict[str, Any], execute: Callable[[], CommandResult]
    ) -> tuple[CommandResult, bool]:
        """Run the command once per (scope, key); returns its result and whether this call replayed it."""
        fingerprint = request_hash(command, payload)
        if not 1 <= len(key) <= 200 or not key.isprintable() or key.strip() != key:
            raise InvalidIdempotencyKeyError(
                "an idempotency key must be 1 to 200 printable characters without surrounding spaces", key=key[:50]
            )
        if not self._claim(scope, key, command, fingerprint):
            replayed = self._replay(scope, key, fingerprint)
            if replayed is not None:
                return replayed, True
            if not self._claim(scope, key, command, fingerprint):  # freed meanwhile: claim it, once
                raise IdempotencyKeyInProgressError(f"the request with idempotency key {key!r} is still running",
                                                    key=key)
        try:
            result = execute()
        except BaseException:
            with self.turn(), self.engine.begin() as connection:
                connection.execute(delete(idempotency_keys).where(*_row(scope, key)))
            raise
        with self.turn(), self.engine.begin() as connection:
            connection.execute(
                update(idempotency_keys).where(*_row(scope, key)).values(result=json.dumps(result.stored()))
            )
        return result, False

    def _claim(self, scope: str, key: str, command: str, fingerprint: str) -> bool:
        try:
            with self.turn(), self.engine.begin() as connection:
                connection.execute(
                    insert(idempotency_keys).values(
                        scope=scope,
                        key=key,
                        command=command,
                        request_hash=fingerprint,
                        result=None,
                        created_at=self.now(),
                    )
                )
        except IntegrityError:
            return False
        return True

    def _replay(self, scope: str, key: str, fingerprint: str) -> CommandResult | None:
        """The first result under the key; None when the key is free again (its first request failed or was
        abandoned by a crash long enough ago)."""
        with self.engine.connect() as connection:
            row = connection.execute(select(idempotency_keys).where(*_row(scope, key))).one_or_none()
        if row is None:
            return None
        if row.request_hash != fingerprint:
            raise IdempotencyKeyReusedError(
                f"idempotency key {key!r} was first used for a different request ({row.command})", key=key
            )
        if row.result is not None:
            return CommandResult(**json.loads(row.result))
        if _aware(row.created_at) > self.now() - self.stale_after:
            raise IdempotencyKeyInProgressError(f"the request with idempotency key {key!r} is still running", key=key)
        with self.turn(), self.engine.begin() as connection:  # only the row as read: two takers cannot both free it
            connection.execute(delete(idempotency_keys).where(
                *_row(scope, key), idempotency_keys.c.result.is_(None),
                idempotency_keys.c.created_at == row.created_at,
            ))
        return None


def _row(scope: str, key: str) -> tuple[Any, Any]:
    return idempotency_keys.c.scope == scope, idempotency_keys.c.key == key


def _aware(moment: datetime) -> datetime:
    # SQLite hands timestamps back without their offset; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
