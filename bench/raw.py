"""The database alone: one transaction per command, inserting the same rows into a table of the same shape."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from bench.stores import POSTGRESQL, Database, postgres_connect

Command = Sequence[StoredEvent]

SQLITE_TABLE = """CREATE TABLE raw_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, originator_id TEXT NOT NULL, originator_version INTEGER NOT NULL,
    topic TEXT NOT NULL, state BLOB NOT NULL, UNIQUE (originator_id, originator_version))"""
POSTGRES_TABLE = """CREATE TABLE raw_events (
    id BIGSERIAL PRIMARY KEY, originator_id UUID NOT NULL, originator_version INTEGER NOT NULL,
    topic TEXT NOT NULL, state BYTEA NOT NULL, UNIQUE (originator_id, originator_version))"""
INSERT = "INSERT INTO raw_events (originator_id, originator_version, topic, state) VALUES ({0}, {0}, {0}, {0})"


def grouped_by_command(events: Sequence[StoredEvent], reading_count: int) -> list[list[StoredEvent]]:
    """Stored events in the groups each command wrote: 1 (draft), 1 (sign), 2 (sign and agree), then 1 per reading."""
    sizes = [1, 1, 2] + [1] * reading_count
    commands: list[list[StoredEvent]] = []
    position = 0
    while position < len(events):
        for size in sizes:
            commands.append(list(events[position : position + size]))
            position += size
    return commands


def insert_commands(database: Database, commands: Sequence[Command]) -> float:
    """Seconds to commit one transaction per command, like a writer that does nothing but INSERT."""
    if database.store == POSTGRESQL:
        return _insert_postgres(database.schema, commands)
    return _insert_sqlite(database.sqlite_path, commands)


def _insert_sqlite(path: str, commands: Sequence[Command]) -> float:
    # The library's SQLite recorder uses WAL with SQLite's default synchronous setting: so does this writer.
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(SQLITE_TABLE)
    statement = INSERT.format("?")
    started = time.perf_counter()
    for command in commands:
        connection.execute("BEGIN")
        connection.executemany(statement, [_row(e, str) for e in command])
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def _insert_postgres(schema: str, commands: Sequence[Command]) -> float:
    with postgres_connect(autocommit=False) as connection:
        connection.execute(f'SET search_path TO "{schema}"')
        connection.execute(POSTGRES_TABLE)
        connection.commit()
        statement = INSERT.format("%s")
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for command in commands:
                cursor.executemany(statement, [_row(e, UUID) for e in command])
                connection.commit()
        return time.perf_counter() - started


def _row(stored: StoredEvent, as_id: type) -> tuple[object, int, str, bytes]:
    return as_id(str(stored.originator_id)), stored.originator_version, stored.topic, stored.state
