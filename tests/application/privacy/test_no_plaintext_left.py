"""After an erasure no plaintext of the person's text is anywhere in the database: SQLite's file after VACUUM, and
every row of every table on PostgreSQL (bytes as bytes, everything else as text)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from sqlalchemy import MetaData, select

from application.goals.service import Goals
from application.privacy.erasure import erase_person
from application.store.settings import Settings
from projections.service import build_runner
from tests.application.privacy.support import TEXTS, WRITERS, employee_with_history, other_employee_goal, texts_of
from tests.conftest import Clock
from tests.scenarios import HR


def stored_bytes(goals: Goals) -> bytes:
    """Everything the database holds, as bytes."""
    if goals.settings.store == "sqlite":
        path = goals.settings.sqlite_path()
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        with sqlite3.connect(path, isolation_level=None) as connection:
            connection.execute("VACUUM")
        files = [Path(path), Path(f"{path}-wal")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    return b"".join(_rows(goals))


def _rows(goals: Goals) -> Iterator[bytes]:
    tables = MetaData()
    tables.reflect(goals.engine, schema=goals.settings.schema)
    with goals.engine.connect() as connection:
        for table in tables.sorted_tables:
            for row in connection.execute(select(table)):
                for value in row:
                    yield bytes(value) if isinstance(value, (bytes, memoryview)) else str(value).encode()


def texts_found(goals: Goals) -> list[str]:
    raw = stored_bytes(goals)
    return [name for name, text in TEXTS.items() if text.encode() in raw]


def test_no_plaintext_of_an_erased_person_is_left_in_the_database(settings: Settings, clock: Clock) -> None:
    goals = Goals(replace(settings, snapshot_interval=3), today=clock)  # snapshots too: they hold the text
    try:
        employee_with_history(goals, clock)
        other_employee_goal(goals)
        runner = build_runner(goals)
        runner.catch_up()
        assert goals.snapshots is not None and list(goals.snapshots.recorder.select_events(
            next(goals.iter_goal_ids())))
        assert "summary" in texts_found(goals)  # the review read model shows the text until the erasure
        erase_person(goals, "emp-1", HR, "GDPR article 17 request")
        runner.catch_up()
        found = texts_found(goals)
        assert not set(found) & set(texts_of("emp-1")) and "summary" in found  # the manager wrote it: it stays
        for writer in WRITERS[1:]:
            erase_person(goals, writer, HR, "GDPR article 17 request")
        runner.catch_up()
        assert texts_found(goals) == []
        assert b"Rationale of emp-2 stays readable" not in stored_bytes(goals)  # sealed, though not erased
    finally:
        goals.close()
