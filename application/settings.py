"""Configuration from the environment: one URL selects the store for events and read models alike."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

DEFAULT_DATABASE_URL = "sqlite:///var/goalengine.db"
DEFAULT_KEY_FILE = "var/audit.key"
DEFAULT_SECRET_FILE = "var/secret"


class SettingsError(ValueError):
    """The configuration cannot work; the message names the variable and why."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    audit_key: bytes = b""
    api_secret: str = ""
    snapshot_interval: int = 100
    aggregate_cache_size: int = 1000
    read_wait_s: float = 2.0  # how long a read waits for the read models to reach its position (ADR 0016)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        url = env.get("GOALENGINE_DATABASE_URL") or DEFAULT_DATABASE_URL
        key = env.get("GOALENGINE_AUDIT_KEY") or _key_from_file(env.get("GOALENGINE_AUDIT_KEY_FILE", DEFAULT_KEY_FILE))
        secret = env.get("GOALENGINE_SECRET") or _key_from_file(env.get("GOALENGINE_SECRET_FILE", DEFAULT_SECRET_FILE))
        settings = cls(database_url=url, audit_key=key.encode(), api_secret=secret,
                       read_wait_s=_seconds(env, "GOALENGINE_READ_WAIT_S", 2.0))
        settings.url  # noqa: B018 (validates the URL early, with a clear message)
        return settings

    @property
    def url(self) -> URL:
        try:
            url = make_url(self.database_url)
        except Exception as error:
            raise SettingsError(f"GOALENGINE_DATABASE_URL {self.database_url!r} is not a database URL: {error}") from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise SettingsError(
                f"GOALENGINE_DATABASE_URL {self.database_url!r}: only sqlite:/// and postgresql+psycopg:// are supported"
            )
        return url

    @property
    def store(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.url.get_backend_name()

    @property
    def schema(self) -> str | None:
        schema = self.url.query.get("schema")
        return str(schema) if schema else None

    def sqlite_path(self) -> str:
        database = self.url.database or ""
        if database in ("", ":memory:"):
            raise SettingsError("GOALENGINE_DATABASE_URL: an in-memory SQLite store cannot be shared; name a file")
        return database

    def eventsourcing_env(self) -> dict[str, str]:
        """Environment for the eventsourcing library's own SQLite or PostgreSQL recorders (see ADR 0001)."""
        env = {
            "IS_SNAPSHOTTING_ENABLED": "y",
            "AGGREGATE_CACHE_MAXSIZE": str(self.aggregate_cache_size),
        }
        if self.store == "sqlite":
            path = self.sqlite_path()
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            return {**env, "PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path, "SQLITE_LOCK_TIMEOUT": "30"}
        url = self.url
        return {
            **env,
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": url.database or "postgres",
            "POSTGRES_HOST": url.host or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": url.username or "postgres",
            "POSTGRES_PASSWORD": url.password or "",
            "POSTGRES_SCHEMA": self.schema or "public",
            "POSTGRES_POOL_SIZE": "10",
            "POSTGRES_MAX_OVERFLOW": "10",
            "POSTGRES_LOCK_TIMEOUT": "10",
            "POSTGRES_CONNECT_TIMEOUT": "10",
        }

    def sqlalchemy_url(self) -> URL:
        url = self.url
        if self.store == "postgresql":
            return url.set(drivername="postgresql+psycopg", query={})
        return url

    def sqlalchemy_connect_args(self) -> dict[str, Any]:
        if self.store == "postgresql":
            args: dict[str, Any] = {"connect_timeout": 10}
            if self.schema:
                args["options"] = f"-csearch_path={self.schema}"
            return args
        return {"timeout": 30}


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise SettingsError(f"{name} {text!r} is not a number of seconds") from None
    if not 0 < value <= 60:
        raise SettingsError(f"{name} must be more than 0 and at most 60 seconds, not {text!r}")
    return value


def _key_from_file(path: str) -> str:
    """A key kept beside the data (the audit key, the token secret), created on first use."""
    key_file = Path(path)
    if key_file.exists():
        return key_file.read_text().strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key + "\n")
    key_file.chmod(0o600)
    return key
