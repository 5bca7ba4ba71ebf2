"""Shared fixtures: the same suites run on the embedded SQLite store and on PostgreSQL.

PostgreSQL tests use a fresh schema each; in CI (CI=true) an unreachable PostgreSQL fails the run.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from sqlalchemy.engine import make_url

from application.audit.keys import PRIVATE_FILE, PUBLIC_FILE, Signer, generate_pair, load_signer
from application.goals.service import Goals
from application.store.settings import Settings
from tests.scenarios import ensure_cycles

POSTGRES_URL = os.environ.get("GOALENGINE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
AUDIT_KEY = b"test-audit-key"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


# One audit signing key pair for the whole session (ADR 0013), named in the environment so that every Settings
# built in a test, and every process a test starts, signs with it. A second import of this module (as `conftest`
# and as `tests.conftest`) or a child process finds the pair through GOALENGINE_TEST_KEY_DIR and reuses it.
def _session_keys() -> tuple[str, Signer]:
    existing = os.environ.get("GOALENGINE_TEST_KEY_DIR")
    if existing and Path(existing, PRIVATE_FILE).exists():
        return existing, load_signer(Path(existing, PRIVATE_FILE).read_bytes())
    directory = tempfile.mkdtemp(prefix="goalengine-keys-")
    atexit.register(shutil.rmtree, directory, True)
    os.environ["GOALENGINE_TEST_KEY_DIR"] = directory
    return directory, generate_pair(Path(directory))


KEY_DIR, SIGNER = _session_keys()
SIGNING_KEY_FILE = os.path.join(KEY_DIR, PRIVATE_FILE)
PUBLIC_KEY_FILE = os.path.join(KEY_DIR, PUBLIC_FILE)
os.environ["GOALENGINE_AUDIT_SIGNING_KEY_FILE"] = SIGNING_KEY_FILE
os.environ.pop("GOALENGINE_AUDIT_PUBLIC_KEY_FILE", None)
# The data master key (ADR 0026), beside the signing keys: every test's personal text is sealed as in production.
DATA_MASTER_KEY_FILE = os.path.join(KEY_DIR, "data-master.key")
if not Path(DATA_MASTER_KEY_FILE).exists():
    Path(DATA_MASTER_KEY_FILE).write_text("5e" * 32 + "\n")
os.environ["GOALENGINE_DATA_MASTER_KEY_FILE"] = DATA_MASTER_KEY_FILE

# Settings made in code read no environment (only the composition root's `Settings.from_env` does): a test's own
# Settings sign and seal with the session's keys through `store_settings`, as its child processes do through the
# variables above.
SESSION_KEYS = {"audit_signing_key": Path(SIGNING_KEY_FILE).read_bytes(),
                "data_master_key": bytes.fromhex(Path(DATA_MASTER_KEY_FILE).read_text().strip())}


def store_settings(**fields: Any) -> Settings:
    """Settings with the session's signing and data master keys, and whatever else is given."""
    return Settings(**{**SESSION_KEYS, **fields})


# Servers in tests run no notifier of early warnings in the background: its warnings (stamped with the real date)
# would land in the logs of tests that count events. The notifier's own tests run it explicitly (ADR 0024).
os.environ["GOALENGINE_NOTICES_IN_PROCESS"] = "false"


def _postgres_problem() -> str | None:
    url = make_url(POSTGRES_URL)
    try:
        with psycopg.connect(
            host=url.host, port=url.port or 5432, user=url.username, password=url.password or "",
            dbname=url.database, connect_timeout=3,
        ):
            return None
    except psycopg.Error as error:
        return f"PostgreSQL at {url.host}:{url.port} is unreachable: {error}"


_PROBLEM: list[str | None] = []


def require_postgres() -> None:
    if not _PROBLEM:
        _PROBLEM.append(_postgres_problem())
    problem = _PROBLEM[0]
    if problem is None:
        return
    if IN_CI:
        pytest.fail(f"{problem} (CI=true: PostgreSQL tests must run)")
    pytest.skip(f"{problem}; set GOALENGINE_TEST_POSTGRES_URL to run the PostgreSQL suite")


def drop_schema(schema: str) -> None:
    url = make_url(POSTGRES_URL)
    with psycopg.connect(
        host=url.host, port=url.port or 5432, user=url.username, password=url.password or "",
        dbname=url.database, autocommit=True,
    ) as connection:
        connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def postgres_url_with_schema(schema: str) -> str:
    separator = "&" if "?" in POSTGRES_URL else "?"
    return f"{POSTGRES_URL}{separator}schema={schema}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh, empty store: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('store')}/goals.db"
        return
    require_postgres()
    schema = f"t_{uuid4().hex[:16]}"
    yield postgres_url_with_schema(schema)
    drop_schema(schema)


@pytest.fixture
def settings(store_url: str) -> Settings:
    return store_settings(database_url=store_url, audit_key=AUDIT_KEY)


class Clock:
    """The business date the application sees; tests move it forward by hand."""

    def __init__(self, today: date) -> None:
        self.current = today

    def __call__(self) -> date:
        return self.current


@pytest.fixture
def clock() -> Clock:
    return Clock(date(2026, 1, 15))


@pytest.fixture
def goals(settings: Settings, clock: Clock) -> Iterator[Goals]:
    """The application over a fresh store in which HR has opened the test cycles (tests.scenarios.ensure_cycles)."""
    app = Goals(settings, today=clock)
    ensure_cycles(app)
    yield app
    app.close()


@pytest.fixture
def bare_goals(settings: Settings, clock: Clock) -> Iterator[Goals]:
    """The application over a store with nothing in it, not even the test cycles (`goals` opens those)."""
    app = Goals(settings, today=clock)
    yield app
    app.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first (the bench's runs, then the end-to-end ones): `make test` hands each file whole to one
    worker (--dist loadfile), so started last they would leave one worker running alone at the end."""
    here = Path(__file__).parent
    longest_first = (here / "bench", here / "e2e")
    items.sort(key=lambda item: next((rank for rank, folder in enumerate(longest_first) if folder in item.path.parents),
                                     len(longest_first)))
