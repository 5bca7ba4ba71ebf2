"""The SQLAlchemy engine for everything beside the event store: read models, idempotency keys, subscriptions."""

from __future__ import annotations

from sqlalchemy import Engine, MetaData, create_engine, event, text

from application.settings import Settings

metadata = MetaData()


def create_sql_engine(settings: Settings) -> Engine:
    engine = create_engine(
        settings.sqlalchemy_url(),
        connect_args=settings.sqlalchemy_connect_args(),
        pool_pre_ping=settings.store == "postgresql",
    )
    if settings.store == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif settings.schema:
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{settings.schema}"'))
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # WAL lets readers go on while one writer commits; the event store's recorder uses it too.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
