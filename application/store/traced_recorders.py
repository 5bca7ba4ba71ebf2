"""The library's SQLite and PostgreSQL application recorders, plus two things (ADR 0018):

- the trace context of the current command is written beside its events, in the same transaction;
- once a write has committed, in-process listeners hear of it (the live streams and the webhook worker wake at once).

Selected through the library's APPLICATION_RECORDER_TOPIC (application/store/settings.py).
"""

from __future__ import annotations

import contextlib
import zlib

from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteCursor, SQLiteDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from application.store.eventsourcing_internals import PostgresInsertHook, SQLiteInsertHook, readers_first
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

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), CREATE_TRACES.format(table=TRACES_TABLE)]

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        ids = super().insert_events(stored_events, **kwargs)
        self.committed.notify()
        return ids

    def inserted(self, cursor: SQLiteCursor, stored_events: Sequence[StoredEvent]) -> None:
        rows = trace_rows(stored_events)
        if rows:
            cursor.executemany(f"INSERT INTO {TRACES_TABLE} ({COLUMNS}) VALUES (?, ?, ?, ?, ?)", rows)


class TracedPostgresRecorder(PostgresInsertHook):
    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.committed = CommitListeners()
        table = SQL("{schema}.{table}").format(schema=Identifier(datastore.schema), table=Identifier(TRACES_TABLE))
        self.sql_create_statements.append(SQL(CREATE_TRACES).format(table=table))
        self.insert_traces_statement = SQL(f"INSERT INTO {{table}} ({COLUMNS}) VALUES (%s, %s, %s, %s, %s)").format(
            table=table
        )
        self.wake_channel = wake_channel(datastore.schema or "public")

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        ids: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
        self.committed.notify()
        return ids

    def inserted(self, cursor: Cursor[DictRow], stored_events: Sequence[StoredEvent]) -> None:
        rows = trace_rows(stored_events)
        if rows:
            cursor.executemany(self.insert_traces_statement, rows)
        # Delivered at commit, from whichever process wrote: the projector leader starts on the events at once,
        # with no round trip of its own for the writer (ADR 0016, 0028).
        cursor.execute("SELECT pg_notify(%s, '')", [self.wake_channel])
