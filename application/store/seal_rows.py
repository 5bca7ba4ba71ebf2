"""The table of read seals (ADR 0050), written beside the events in their transaction and read back per aggregate.

The store only keeps the rows: what a seal is, and why it can be trusted, is application/audit/read_seals.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

SEALS_TABLE = "goalengine_read_seals"
FETCH_LIMIT = 1_000  # seals read at once for one aggregate (a replay from a snapshot needs at most the interval)

SealRow = tuple[str, int, bytes]  # aggregate id (canonical UUID text), version, seal
SealRows = Callable[[Sequence[StoredEvent]], list[SealRow]]  # the seals to write with these events


def create_statement(table: str, blob: str) -> str:
    return (f"CREATE TABLE IF NOT EXISTS {table} (originator_id TEXT NOT NULL, originator_version BIGINT NOT NULL, "
            f"seal {blob} NOT NULL, PRIMARY KEY (originator_id, originator_version))")


def upsert_statement(table: str, marker: str) -> str:
    """An aggregate version's seal; a row already there (stale, or put there by someone else) is replaced."""
    return (f"INSERT INTO {table} (originator_id, originator_version, seal) VALUES ({marker}, {marker}, {marker}) "
            "ON CONFLICT (originator_id, originator_version) DO UPDATE SET seal = excluded.seal")


def select_statement(table: str, marker: str) -> str:
    return (f"SELECT originator_version, seal FROM {table} WHERE originator_id = {marker} "
            f"AND originator_version >= {marker} ORDER BY originator_version LIMIT {FETCH_LIMIT}")


@dataclass(frozen=True)
class SealedStoredEvent(StoredEvent):
    """A stored event read together with its read seal (None: it has none)."""

    seal: bytes | None = None


def sealed_select(events: str, seals: str, marker: str, gt: int | None, lte: int | None, desc: bool,
                  limit: int | None) -> tuple[str, list[Any]]:
    """The library's select of an aggregate's events (same filters and order), each row with its seal, in one query;
    the first two parameters are the aggregate's id as the seals and as the events table spell it."""
    # A scalar subquery, not a join: one index lookup per row returned, and nothing at all when none is (the
    # fast-forward of a cached aggregate, which usually finds no new event).
    statement = (f"SELECT e.originator_id, e.originator_version, e.topic, e.state, (SELECT s.seal FROM {seals} s "
                 f"WHERE s.originator_id = {marker} AND s.originator_version = e.originator_version) AS seal "
                 f"FROM {events} e WHERE e.originator_id = {marker}")
    params: list[Any] = []
    for operator, value in ((">", gt), ("<=", lte)):
        if value is not None:
            statement += f" AND e.originator_version {operator} {marker}"
            params.append(value)
    statement += " ORDER BY e.originator_version" + (" DESC" if desc else " ASC")
    if limit is not None:
        statement += f" LIMIT {marker}"
        params.append(limit)
    return statement, params


def seal_id(originator_id: UUID | str) -> str:
    """An aggregate id as the seals table spells it (canonical UUID text)."""
    return str(originator_id if isinstance(originator_id, UUID) else UUID(str(originator_id)))


def no_seals(_stored_events: Sequence[StoredEvent]) -> list[SealRow]:
    return []
