"""Configuration from the environment: one URL selects the store for events and read models alike."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
from typing import Any

from sqlalchemy.engine import URL, make_url

from application.store.bounds import Bounds, bounds_from_env
from application.store.errors import SettingsError as SettingsError  # (importers name it from here)

DEFAULT_DATABASE_URL = "sqlite:///var/goalengine.db"
DEFAULT_KEY_FILE = "var/audit.key"
DEFAULT_SECRET_FILE = "var/secret"
DEFAULT_AUDIT_ORIGIN = "goalengine/audit-log"
TRACED_RECORDERS = {
    "sqlite": "application.store.traced_recorders:TracedSQLiteRecorder",
    "postgresql": "application.store.traced_recorders:TracedPostgresRecorder",
}


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    audit_key: bytes = b""
    api_secret: str = ""
    snapshot_interval: int = 100
    aggregate_cache_size: int = 1000
    timezone: str = "UTC"  # the organisation's time zone: its business date is "today" for every goal rule
    # The audit keys (ADR 0013): PEM bytes. Only `from_env` reads the files the environment names: Settings made
    # in code hold what they are given (no signing key: a read-only store).
    audit_signing_key: bytes | None = None
    audit_public_keys: tuple[bytes, ...] = ()
    audit_origin: str = DEFAULT_AUDIT_ORIGIN
    read_wait_s: float = 2.0  # how long a read waits for the read models to reach its position (ADR 0016)
    # The master key that wraps every person's data key (ADR 0026): 32 bytes, or None (personal text refused).
    data_master_key: bytes | None = None
    retention_years: int | None = None
    bounds: Bounds = field(default_factory=Bounds)
    verify_reads: bool = True  # every event loaded to answer is checked against its signature chain (ADR 0038)
    # False only for a process that reads no sealed field (the fairness report, ADR 0041): it opens a store holding
    # sealed text without the master key, which every other process refuses to do (issue 29, ADR 0043).
    reads_sealed_text: bool = True
    # Where the latest signed checkpoint is kept outside the database (ADR 0039); None: nowhere. Read from the
    # environment by from_env only (the composition root), like the witness keys below.
    audit_state_dir: str | None = None
    # The public keys (PEM) of the witnesses whose cosignatures the server takes (ADR 0040).
    audit_witness_keys: tuple[bytes, ...] = ()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, create: bool = False) -> Settings:
        """The settings the environment names (the composition root, api/bootstrap.py, asks for them; given no
        mapping, the process's environment); only `create=True` (serve, demo) writes a missing key file, 0600 in a
        0700 folder."""
        env = os.environ if environ is None else environ
        url = env.get("GOALENGINE_DATABASE_URL") or DEFAULT_DATABASE_URL
        # The HMAC key of the chain before ADR 0013: only read (for `audit migrate`), never created any more.
        key = env.get("GOALENGINE_AUDIT_KEY") or _existing_key(env.get("GOALENGINE_AUDIT_KEY_FILE", DEFAULT_KEY_FILE))
        secret = env.get("GOALENGINE_SECRET") or _key_from_file(env.get("GOALENGINE_SECRET_FILE", DEFAULT_SECRET_FILE),
                                                                create)
        zone = env.get("GOALENGINE_TIMEZONE") or "UTC"
        BusinessCalendar(zone)  # refuses an unknown zone at start, with a clear message
        settings = cls(
            database_url=url, audit_key=key.encode(), api_secret=secret, timezone=zone,
            read_wait_s=_seconds(env, "GOALENGINE_READ_WAIT_S", 2.0), **key_fields_from_env(env),
            audit_state_dir=audit_state_dir_from_env(env), audit_witness_keys=witness_keys_from_env(env),
            bounds=bounds_from_env(env),
        )
        settings.url  # noqa: B018 (validates the URL early, with a clear message)
        return settings

    def require_store(self) -> None:
        """SettingsError unless the store exists (a command other than serve or demo must not create one)."""
        if self.store == "sqlite" and not Path(self.sqlite_path()).is_file():
            raise SettingsError(f"GOALENGINE_DATABASE_URL: there is no store at {self.sqlite_path()!r}; point "
                                "GOALENGINE_DATABASE_URL at one, or create it with `goalengine serve` or "
                                "`goalengine demo`")

    def require_secret(self) -> None:
        if not self.api_secret:
            raise SettingsError("GOALENGINE_SECRET is not set and GOALENGINE_SECRET_FILE (var/secret) does not exist; "
                                "set it, or start `goalengine serve` once to create it")

    @property
    def url(self) -> URL:
        try:
            url = make_url(self.database_url)
        except Exception as error:
            raise SettingsError(
                f"GOALENGINE_DATABASE_URL {self.database_url!r} is not a database URL: {error}"
            ) from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise SettingsError(
                f"GOALENGINE_DATABASE_URL {self.database_url!r}: only sqlite:/// and postgresql+psycopg:// "
                "are supported"
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
        env["APPLICATION_RECORDER_TOPIC"] = TRACED_RECORDERS[self.store]  # trace context and commit signal (ADR 0018)
        if self.store == "sqlite":
            path = self.sqlite_path()
            create_private_file(Path(path))
            return {**env, "PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path,
                    "SQLITE_LOCK_TIMEOUT": "30"}
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
            # Inserts take the table lock, so positions commit in order: the projectors and every search that
            # remembers the head it reached rely on it (ADR 0011, ADR 0055). The library's stored-function insert
            # takes none; pinned off here, under the application's name too, whatever the process environment says.
            "POSTGRES_ENABLE_DB_FUNCTIONS": "n",
            "GOALENGINE_POSTGRES_ENABLE_DB_FUNCTIONS": "n",
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


def _key_from_file(path: str, create: bool) -> str:
    """A key kept beside the data (the audit key, the token secret); created on first use by serve and demo."""
    key_file = Path(path)
    if key_file.exists():
        return key_file.read_text().strip()
    if not create:
        return ""
    key = secrets.token_hex(32)
    create_private_file(key_file, (key + "\n").encode())
    return key


class BusinessCalendar:
    """The organisation's business date: "today" in its time zone, not in UTC."""

    def __init__(self, zone: str) -> None:
        try:
            self.zone = ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(f"GOALENGINE_TIMEZONE {zone!r} is not a known time zone (e.g. Europe/Berlin)") from None

    def today(self) -> date:
        return datetime.now(self.zone).date()

    def date_of(self, moment: datetime) -> date:
        """The business date of a moment ("today" as of then); a moment without a zone is read as UTC."""
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(self.zone).date()


def _existing_key(path: str) -> str:
    key_file = Path(path)
    return key_file.read_text().strip() if key_file.exists() else ""


def _read_named_file(env: Mapping[str, str], variable: str) -> bytes | None:
    path = env.get(variable)
    if not path:
        return None
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise SettingsError(f"{variable}: cannot read {path}: {error.strerror}") from None


def key_fields_from_env(env: Mapping[str, str]) -> dict[str, Any]:
    """The fields the environment's key files and policies fill: the audit keys and origin, the data master key and
    the retention period (for commands that build their Settings from parts, application/audit/store_check.py)."""
    return {
        "audit_signing_key": _signing_key_from_env(env), "audit_public_keys": _public_keys_from_env(env),
        "audit_origin": env.get("GOALENGINE_AUDIT_ORIGIN") or DEFAULT_AUDIT_ORIGIN,
        "data_master_key": data_master_key_from_env(env), "retention_years": retention_years_from_env(env),
    }


def witness_keys_from_env(env: Mapping[str, str]) -> tuple[bytes, ...]:
    """GOALENGINE_AUDIT_WITNESS_KEYS: PEM files joined by `:` (ADR 0040)."""
    files = [path for path in (env.get("GOALENGINE_AUDIT_WITNESS_KEYS") or "").split(os.pathsep) if path]
    keys = []
    for path in files:
        try:
            keys.append(Path(path).read_bytes())
        except OSError as error:
            raise SettingsError(f"GOALENGINE_AUDIT_WITNESS_KEYS: cannot read {path}: {error.strerror}") from None
    return tuple(keys)


def audit_state_dir_from_env(env: Mapping[str, str]) -> str | None:
    """GOALENGINE_AUDIT_STATE_DIR, else `audit-state/` beside the signing key (ADR 0039)."""
    if env.get("GOALENGINE_AUDIT_STATE_DIR"):
        return env["GOALENGINE_AUDIT_STATE_DIR"]
    key_file = env.get("GOALENGINE_AUDIT_SIGNING_KEY_FILE")
    return str(Path(key_file).resolve().parent / "audit-state") if key_file else None


def _signing_key_from_env(env: Mapping[str, str]) -> bytes | None:
    return _read_named_file(env, "GOALENGINE_AUDIT_SIGNING_KEY_FILE")


def data_master_key_from_env(env: Mapping[str, str]) -> bytes | None:
    path = env.get("GOALENGINE_DATA_MASTER_KEY_FILE")
    if not path:
        return None
    text = (_read_named_file(env, "GOALENGINE_DATA_MASTER_KEY_FILE") or b"").strip()
    try:
        key = bytes.fromhex(text.decode())
    except (ValueError, UnicodeDecodeError):
        key = b""
    if len(key) != 32:
        raise SettingsError(f"GOALENGINE_DATA_MASTER_KEY_FILE {path!r} must hold 64 hex digits")
    return key


def retention_years_from_env(env: Mapping[str, str]) -> int | None:
    """GOALENGINE_RETENTION_YEARS: years after a cycle is locked until its people's personal text is erased."""
    text = env.get("GOALENGINE_RETENTION_YEARS")
    if not text:
        return None
    if not text.isdigit() or not 0 < int(text) <= 100:
        raise SettingsError(f"GOALENGINE_RETENTION_YEARS must be a whole number of years from 1 to 100, not {text!r}")
    return int(text)


def _public_keys_from_env(env: Mapping[str, str]) -> tuple[bytes, ...]:
    """GOALENGINE_AUDIT_PUBLIC_KEY_FILE: one file, or several separated by the path separator (a keyring)."""
    paths = [p for p in env.get("GOALENGINE_AUDIT_PUBLIC_KEY_FILE", "").split(os.pathsep) if p]
    return tuple(_read_named_file({"GOALENGINE_AUDIT_PUBLIC_KEY_FILE": p}, "GOALENGINE_AUDIT_PUBLIC_KEY_FILE") or b""
                 for p in paths)


def create_private_file(path: Path, content: bytes = b"") -> None:
    """Create the file readable by its owner only (0600), in a folder only the owner may enter (0700) if new."""
    if path.exists():
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return  # another process made it first
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
