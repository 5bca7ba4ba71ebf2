"""The SQLAlchemy engine for everything beside the event store: read models, idempotency keys, subscriptions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event, text

from application.store.settings import Settings, create_private_file

metadata = MetaData()


def create_sql_engine(settings: Settings) -> Engine:
    if settings.store == "sqlite":
        # Private before any engine opens it: SQLite gives its -wal and -shm files the main file's mode (issue 23).
        create_private_file(Path(settings.sqlite_path()))
    engine = create_engine(
        settings.sqlalchemy_url(),
        connect_args=settings.sqlalchemy_connect_args(),
        pool_pre_ping=settings.store == "postgresql",
    )
    if settings.store == "sqlite":
        event.listen(engine, "connect", sqlite_pragmas(settings.bounds.sqlite_page_cache_kib))
    elif settings.schema:
        with schema_creation(engine), engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{settings.schema}"'))
    return engine


# Any fixed number: the PostgreSQL advisory lock under which a process creates tables, types and functions.
SCHEMA_CREATION_LOCK = 0x60A1E5C4E3A


@contextmanager
def schema_creation(engine: Engine) -> Iterator[None]:
    """Processes starting at once (`serve --workers N`, a CLI beside a server) create the schema one at a time:
    PostgreSQL refuses two concurrent CREATE OR REPLACE FUNCTION of one function ("tuple concurrently updated")
    and two concurrent CREATE TABLE IF NOT EXISTS of one table collide. SQLite serialises DDL itself."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SCHEMA_CREATION_LOCK})
        connection.commit()  # the lock belongs to the session, not to this transaction
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SCHEMA_CREATION_LOCK})
            connection.commit()


def page_cache_pragma(kib: int) -> str:
    """The pages a SQLite connection keeps, bounded (ADR 0045, 0053). In WAL mode a commit by any other connection
    empties them at this one's next read anyway, so under writes a larger cache saves little."""
    return f"PRAGMA cache_size=-{int(kib)}"  # negative: KiB rather than pages


def sqlite_pragmas(page_cache_kib: int) -> Callable[[Any, Any], None]:
    """What every connection of the engine runs as it opens."""

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # WAL lets readers go on while one writer commits; the event store's recorder uses it too.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Deleted or overwritten content is zeroed, not left in free pages: an erasure leaves no residue (issue 23).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute(page_cache_pragma(page_cache_kib))
        cursor.close()

    return on_connect
