"""The library's SQLite and PostgreSQL application recorders, plus three things:

- the trace context of the current command is written beside its events, in the same transaction (ADR 0018);
- so are the read seals of the events (ADR 0050), which the recorders also read back and write on their own;
- once a write has committed, in-process listeners hear of it (the live streams and the webhook worker wake at once).

Selected through the library's APPLICATION_RECORDER_TOPIC (application/store/settings.py).
"""

from __future__ import annotations

import contextlib
import zlib

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteCursor, SQLiteDatastore
from eventsourcing.utils import retry
from psycopg import Cursor, InterfaceError, OperationalError
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from application.store.eventsourcing_internals import PostgresInsertHook, SQLiteInsertHook, readers_first
from application.store.seal_rows import (
    SEALS_TABLE, SealedStoredEvent, SealRow, SealRows, create_statement, no_seals, seal_id, sealed_select,
    select_statement, upsert_statement,
)
from application.store.tracing import TRACES_TABLE, current_trace

COLUMNS = "originator_id, originator_version, traceparent, tracestate, correlation_id"
CREATE_TRACES = (
    "CREATE TABLE IF NOT EXISTS {table} (originator_id TEXT NOT NULL, originator_version BIGINT NOT NULL, "
    "traceparent TEXT NOT NULL, tracestate TEXT, correlation_id TEXT NOT NULL, "
    "PRIMARY KEY (originator_id, originator_version))"
)
Listener = Callable[[], None]


def wake_channel(schema: str) -> str:
    """The NOTIFY channel that wakes the projector leader of one PostgreSQL schema (projections/coordination.py)."""
    return f"goalengine_wake_{zlib.crc32(schema.encode()):08x}"


def trace_rows(stored_events: Sequence[StoredEvent]) -> list[tuple[str, int, str, str | None, str]]:
    """One row per event when a trace context is set, none otherwise (commands run outside a request)."""
    context = current_trace.get()
    if context is None:
        return []
    return [
        (str(e.originator_id), int(e.originator_version), context.traceparent, context.tracestate,
         context.correlation_id)
        for e in stored_events
    ]


class CommitListeners:
    """Callables told (with no arguments) that new events have committed; one failing does not stop the rest."""

    def __init__(self) -> None:
        self.listeners: list[Listener] = []

    def add(self, listener: Listener) -> None:
        self.listeners.append(listener)

    def remove(self, listener: Listener) -> None:
        if listener in self.listeners:
            self.listeners.remove(listener)

    def notify(self) -> None:
        for listener in list(self.listeners):
            with contextlib.suppress(Exception):  # one listener failing must not keep the others from hearing
                listener()


class TracedSQLiteRecorder(SQLiteInsertHook):
    def __init__(self, datastore: SQLiteDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        readers_first(datastore.pool)
        self.committed = CommitListeners()
        self.seal_rows: SealRows = no_seals  # the application's read seals (ADR 0050), when it makes any

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), CREATE_TRACES.format(table=TRACES_TABLE),
                create_statement(SEALS_TABLE, "BLOB")]

    def select_events(self, originator_id: UUID | str, *, gt: int | None = None, lte: int | None = None,
                      desc: bool = False, limit: int | None = None) -> Sequence[StoredEvent]:
        """The library's select_events, each event with its read seal (one query for both, ADR 0050)."""
        if self.seal_rows is no_seals:
            return super().select_events(originator_id, gt=gt, lte=lte, desc=desc, limit=limit)
        statement, params = sealed_select(self.events_table_name, SEALS_TABLE, "?", gt, lte, desc, limit)
        stored_id = originator_id.hex if isinstance(originator_id, UUID) else originator_id
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(statement, [seal_id(originator_id), stored_id, *params])
            return [SealedStoredEvent(self.convert_originator_id(row["originator_id"]), row["originator_version"],
                                      row["topic"], row["state"], row["seal"]) for row in cursor.fetchall()]

    def select_seals(self, originator_id: str, from_version: int) -> dict[int, bytes]:
        """An aggregate's stored seals from one version on (at most FETCH_LIMIT of them)."""
        with self.datastore.transaction(commit=False) as cursor:
            cursor.execute(select_statement(SEALS_TABLE, "?"), (originator_id, from_version))
            return {int(row["originator_version"]): bytes(row["seal"]) for row in cursor.fetchall()}

    def write_seals(self, rows: Sequence[SealRow]) -> None:
        """Seals of rows checked on reading, in a transaction of their own."""
        with self.datastore.transaction(commit=True) as cursor:
            cursor.executemany(upsert_statement(SEALS_TABLE, "?"), rows)

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        ids = super().insert_events(stored_events, **kwargs)
        self.committed.notify()
        return ids

    def inserted(self, cursor: SQLiteCursor, stored_events: Sequence[StoredEvent]) -> None:
        rows = trace_rows(stored_events)
        if rows:
            cursor.executemany(f"INSERT INTO {TRACES_TABLE} ({COLUMNS}) VALUES (?, ?, ?, ?, ?)", rows)
        seals = self.seal_rows(stored_events)
        if seals:
            cursor.executemany(upsert_statement(SEALS_TABLE, "?"), seals)


class TracedPostgresRecorder(PostgresInsertHook):
    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.committed = CommitListeners()
        table = SQL("{schema}.{table}").format(schema=Identifier(datastore.schema), table=Identifier(TRACES_TABLE))
        self.sql_create_statements.append(SQL(CREATE_TRACES).format(table=table))
        self.insert_traces_statement = SQL(f"INSERT INTO {{table}} ({COLUMNS}) VALUES (%s, %s, %s, %s, %s)").format(
            table=table
        )
        seals = SQL("{schema}.{table}").format(schema=Identifier(datastore.schema), table=Identifier(SEALS_TABLE))
        self.seals_table = seals
        self.events_table = SQL("{schema}.{table}").format(schema=Identifier(datastore.schema),
                                                           table=Identifier(self.events_table_name))
        self.sql_create_statements.append(SQL(create_statement("{table}", "BYTEA")).format(table=seals))
        self.upsert_seals_statement = SQL(upsert_statement("{table}", "%s")).format(table=seals)
        self.select_seals_statement = SQL(select_statement("{table}", "%s")).format(table=seals)
        self.seal_rows: SealRows = no_seals  # the application's read seals (ADR 0050), when it makes any
        self.wake_channel = wake_channel(datastore.schema or "public")

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        ids: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
        self.committed.notify()
        return ids

    def inserted(self, cursor: Cursor[DictRow], stored_events: Sequence[StoredEvent]) -> None:
        rows = trace_rows(stored_events)
        if rows:
            cursor.executemany(self.insert_traces_statement, rows)
        seals = self.seal_rows(stored_events)
        if seals:
            cursor.executemany(self.upsert_seals_statement, seals)
        # Delivered at commit, from whichever process wrote: the projector leader starts on the events at once,
        # with no round trip of its own for the writer (ADR 0016, 0028).
        cursor.execute("SELECT pg_notify(%s, '')", [self.wake_channel])

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)  # as the library's select_events
    def select_events(self, originator_id: UUID | str, *, gt: int | None = None, lte: int | None = None,
                      desc: bool = False, limit: int | None = None) -> Sequence[StoredEvent]:
        """The library's select_events, each event with its read seal (one round trip for both, ADR 0050)."""
        if self.seal_rows is no_seals:
            unsealed: Sequence[StoredEvent] = super().select_events(originator_id, gt=gt, lte=lte, desc=desc,
                                                                    limit=limit)
            return unsealed
        statement, params = sealed_select("{events}", "{seals}", "%s", gt, lte, desc, limit)
        query = SQL(statement).format(events=self.events_table, seals=self.seals_table)
        with self.datastore.get_connection() as connection, connection.cursor() as cursor:
            cursor.execute(query, [seal_id(originator_id), originator_id, *params], prepare=True)
            return [SealedStoredEvent(row["originator_id"], row["originator_version"], row["topic"],
                                      bytes(row["state"]), None if row["seal"] is None else bytes(row["seal"]))
                    for row in cursor.fetchall()]

    def select_seals(self, originator_id: str, from_version: int) -> dict[int, bytes]:
        """An aggregate's stored seals from one version on (at most FETCH_LIMIT of them)."""
        with self.datastore.get_connection() as connection, connection.cursor() as cursor:
            cursor.execute(self.select_seals_statement, (originator_id, from_version), prepare=True)
            return {int(row["originator_version"]): bytes(row["seal"]) for row in cursor.fetchall()}

    def write_seals(self, rows: Sequence[SealRow]) -> None:
        """Seals of rows checked on reading, in a transaction of their own."""
        with self.datastore.transaction(commit=True) as cursor:
            cursor.executemany(self.upsert_seals_statement, rows)
