"""A turn held by one caller at a time across every thread and every process of one store (ADR 0054).

Some commands check the store as a whole before they save (a user name is free; a new manager does not report,
directly or not, to the person). Two of them checking at once could both pass and both save what neither would have
allowed after the other. Run as "take the turn, catch up, check, save, let go", they run one after the other.

- Within a process, a lock first: threads waiting for the turn hold no database connection.
- PostgreSQL: a session advisory lock, held on one connection from taking the turn to letting it go; the server
  lets go if the process dies. Its two keys (the turn's name, the schema) keep it apart from the projector's lease
  (a one-key lock) and from other schemas of the same database (tests give each store a schema of its own).
- SQLite: an exclusive flock on a file beside the database (`<database>.<name>.lock`), let go if the process dies:
  `goalengine serve` is one writing process on SQLite (ADR 0048), but a CLI command beside it writes the same file.

A caller waits at most `wait` seconds, then gets StoreBusyError (503: nothing was stored, retry).
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from psycopg.errors import LockNotAvailable
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from application.errors import StoreBusyError
from application.store.settings import Settings

WAIT = 30.0  # seconds; as long as SQLite's busy timeout lets a writer wait for another process
LONGEST_PAUSE = 0.05  # seconds between two looks at another process's file lock (SQLite)


class StoreTurn:
    """`with turn.held(): ...` runs the block while no other thread or process holds the same turn of the store."""

    def __init__(self, settings: Settings, engine: Engine, name: str, wait: float = WAIT) -> None:
        self.name, self.wait = name, wait
        self.on_wait: list[Callable[[], None]] = []  # called when another holder makes this caller wait
        self._local = threading.Lock()
        self._holder: int | None = None  # the thread holding the turn: a command it calls shares the turn
        self._across: _AdvisoryLock | _FileLock = (
            _AdvisoryLock(engine, name, settings.schema or "public") if settings.store == "postgresql"
            else _FileLock(f"{os.path.abspath(settings.sqlite_path())}.{name}.lock"))

    @contextmanager
    def held(self) -> Iterator[None]:
        if self._holder == threading.get_ident():
            yield
            return
        deadline = time.monotonic() + self.wait
        if not self._local.acquire(blocking=False):
            self._waiting()
            if not self._local.acquire(timeout=self.wait):
                raise self._busy()
        try:
            with self._across.held(deadline, self._waiting, self._busy):
                self._holder = threading.get_ident()
                try:
                    yield
                finally:
                    self._holder = None
        finally:
            self._local.release()

    def _waiting(self) -> None:
        for listener in self.on_wait:
            listener()

    def _busy(self) -> StoreBusyError:
        return StoreBusyError(f"another change held the store's {self.name} turn for {self.wait:g} s; nothing was "
                              "stored, retry shortly", turn=self.name)


class _AdvisoryLock:
    """PostgreSQL: a session advisory lock on a connection kept for as long as the turn is held."""

    def __init__(self, engine: Engine, name: str, schema: str) -> None:
        self.engine = engine
        self.keys = {"turn": _signed(zlib.crc32(name.encode())), "schema": _signed(zlib.crc32(schema.encode()))}

    @contextmanager
    def held(self, deadline: float, waiting: Callable[[], None], busy: Callable[[], Exception]) -> Iterator[None]:
        connection = self.engine.connect()
        try:
            self._take(connection, deadline, waiting, busy)
        except BaseException:
            connection.invalidate()  # interrupted while the lock was being granted, it may hold it: end the session
            connection.close()
            raise
        try:
            yield
        finally:
            self._let_go(connection)

    def _take(self, connection: Connection, deadline: float, waiting: Callable[[], None],
              busy: Callable[[], Exception]) -> None:
        if not connection.execute(text("SELECT pg_try_advisory_lock(:turn, :schema)"), self.keys).scalar():
            waiting()
            milliseconds = max(1, int((deadline - time.monotonic()) * 1000))
            try:  # SET LOCAL ends with this transaction; the session's lock outlives it
                connection.execute(text(f"SET LOCAL lock_timeout = {milliseconds}"))
                connection.execute(text("SELECT pg_advisory_lock(:turn, :schema)"), self.keys)
            except OperationalError as error:
                connection.rollback()
                if isinstance(error.orig, LockNotAvailable):
                    raise busy() from None
                raise
        connection.commit()

    def _let_go(self, connection: Connection) -> None:
        try:
            connection.execute(text("SELECT pg_advisory_unlock(:turn, :schema)"), self.keys)
            connection.commit()
        except SQLAlchemyError:
            # What the block did is done; a session that may still hold the lock must not go back to the pool:
            # dropping it ends the session, and the server lets go of the lock with it.
            connection.invalidate()
        finally:
            connection.close()


class _FileLock:
    """SQLite: an exclusive flock on a file beside the database, opened for each turn (closing it lets go)."""

    def __init__(self, path: str) -> None:
        self.path = path

    @contextmanager
    def held(self, deadline: float, waiting: Callable[[], None], busy: Callable[[], Exception]) -> Iterator[None]:
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _flock(descriptor, deadline, waiting, busy)
            yield
        finally:
            os.close(descriptor)  # lets go of the lock


def _flock(descriptor: int, deadline: float, waiting: Callable[[], None], busy: Callable[[], Exception]) -> None:
    """flock cannot wait with a deadline: look again after a pause that doubles, up to LONGEST_PAUSE."""
    pause = 0.0
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if not pause:
                waiting()  # once: another process holds the turn
        left = deadline - time.monotonic()
        if left <= 0:
            raise busy()
        pause = min(pause * 2 or 0.001, LONGEST_PAUSE)
        time.sleep(min(pause, left))


def _signed(crc: int) -> int:
    """A CRC-32 as the signed 32-bit key that pg_advisory_lock(int, int) takes."""
    return crc - (1 << 32) if crc >= 1 << 31 else crc
