"""Fresh, throw-away databases on one store (SQLite files in a temp dir, or PostgreSQL schemas) for each measurement."""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from uuid import uuid4

import psycopg
from sqlalchemy.engine import make_url

from application.audit.keys import PRIVATE_FILE, generate_pair
from application.store.settings import Settings, key_fields_from_env

POSTGRES_URL = os.environ.get("GOALENGINE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
AUDIT_KEY = b"bench-audit-key"


def _bench_signing_key() -> None:
    """Every store a benchmark opens signs its events (ADR 0013): a throw-away key pair, named in the environment
    so that the servers and children a benchmark starts sign with it too."""
    if os.environ.get("GOALENGINE_AUDIT_SIGNING_KEY_FILE"):
        return
    directory = Path(tempfile.mkdtemp(prefix="goalengine-bench-keys-"))
    atexit.register(shutil.rmtree, directory, True)
    generate_pair(directory)
    os.environ["GOALENGINE_AUDIT_SIGNING_KEY_FILE"] = str(directory / PRIVATE_FILE)


def _bench_data_master_key() -> None:
    """Personal text is sealed in every benchmark as in production (ADR 0026): a throw-away data master key."""
    if os.environ.get("GOALENGINE_DATA_MASTER_KEY_FILE"):
        return
    directory = Path(tempfile.mkdtemp(prefix="goalengine-bench-data-key-"))
    atexit.register(shutil.rmtree, directory, True)
    (directory / "data-master.key").write_text(secrets.token_hex(32) + "\n")
    os.environ["GOALENGINE_DATA_MASTER_KEY_FILE"] = str(directory / "data-master.key")


_bench_signing_key()
_bench_data_master_key()
SQLITE, POSTGRESQL = "sqlite", "postgresql"


def postgres_connect(autocommit: bool = True) -> psycopg.Connection:
    url = make_url(POSTGRES_URL)
    return psycopg.connect(
        host=url.host, port=url.port or 5432, user=url.username, password=url.password or "",
        dbname=url.database, autocommit=autocommit, connect_timeout=3,
    )


def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be benchmarked, or None when it can."""
    try:
        with postgres_connect() as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        return f"PostgreSQL at {make_url(POSTGRES_URL).host} is unreachable: {error}".strip()
    return None


@dataclass(frozen=True)
class Database:
    """One empty database: its URL for goalengine, and what the bare library and raw drivers need to reach it."""

    store: str
    url: str
    sqlite_path: str = ""
    schema: str = ""

    def settings(self) -> Settings:
        return Settings(database_url=self.url, audit_key=AUDIT_KEY, **key_fields_from_env(os.environ))

    def library_env(self) -> dict[str, str]:
        """The library's own recorder on this database, with the library's defaults (no cache, no snapshots)."""
        env = self.settings().eventsourcing_env()
        for goalengine_choice in ("IS_SNAPSHOTTING_ENABLED", "AGGREGATE_CACHE_MAXSIZE"):
            env.pop(goalengine_choice)
        return env


@dataclass
class Databases:
    """Hands out fresh databases on one store and removes them all at the end."""

    store: str
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="goalengine-bench-")))
    _schemas: list[str] = field(default_factory=list)

    def fresh(self, label: str) -> Database:
        name = f"{label}_{uuid4().hex[:10]}"
        if self.store == SQLITE:
            path = self.root / f"{name}.db"
            return Database(SQLITE, f"sqlite:///{path}", sqlite_path=str(path))
        schema = f"bench_{name}"
        with postgres_connect() as connection:
            connection.execute(f'CREATE SCHEMA "{schema}"')
        self._schemas.append(schema)
        separator = "&" if "?" in POSTGRES_URL else "?"
        return Database(POSTGRESQL, f"{POSTGRES_URL}{separator}schema={schema}", schema=schema)

    def drop(self, database: Database) -> None:
        if database.store == SQLITE:
            for suffix in ("", "-wal", "-shm"):
                Path(database.sqlite_path + suffix).unlink(missing_ok=True)
            return
        with postgres_connect() as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{database.schema}" CASCADE')
        self._schemas.remove(database.schema)

    def close(self) -> None:
        if self._schemas:
            with postgres_connect() as connection:
                for schema in self._schemas:
                    connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            self._schemas.clear()
        shutil.rmtree(self.root, ignore_errors=True)
