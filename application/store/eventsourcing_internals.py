"""Every private part of the eventsourcing library goalengine relies on, in one module, checked when it is imported.

- `Application._record`: the one step every save goes through; the audit chain brackets it (`RecordHook`).
- The aggregate cache's `cache`, `lock`, `full` and (LRU) linked-list reset: emptied after an erasure (ADR 0026).
- `SQLiteConnectionPool`'s reader bookkeeping and writer lock: readers skip the writers' queue (ADR 0028); its
  `_create_connection`: each connection's page cache is bounded (ADR 0053).
- The recorders' `_insert_events`: trace rows and the wake-up written in the events' transaction (ADR 0018).

An upgrade that changes any of them fails at import with LibraryInternalsError naming the part and the version
(application/store/internals.py); pyproject.toml pins the library exactly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from time import time
from typing import Any
from uuid import UUID

from eventsourcing.application import Application, Cache, LRUCache, ProcessingEvent
from eventsourcing.persistence import Recording, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteConnection, SQLiteConnectionPool, SQLiteCursor
from psycopg import Cursor
from psycopg.rows import DictRow

from application.store.bounds import Bounds
from application.store.database import page_cache_pragma
from application.store.internals import require_attributes

LIBRARY = "eventsourcing"
POOL_PARTS = ("_create_connection", "_get_connection", "_time_remaining", "pool_timeout", "_no_readers",
              "_num_readers", "_writer_lock", "_mutually_exclusive_read_write")


def check() -> None:
    """LibraryInternalsError unless the installed library still has every part this module uses."""
    require_attributes(LIBRARY, Application, ["_record"])
    require_attributes(LIBRARY, LRUCache(maxsize=1), ["cache", "lock", "full", "clear"])
    require_attributes(LIBRARY, Cache(), ["cache"])
    pool = SQLiteConnectionPool(db_name=":memory:")  # opens no connection until one is asked for
    require_attributes(LIBRARY, pool, POOL_PARTS)
    for recorder in (SQLiteApplicationRecorder, PostgresApplicationRecorder):
        require_attributes(LIBRARY, recorder, ["_insert_events"])


class RecordHook(Application[UUID]):
    """An application whose every save runs through `recorded` (the library's private `_record`)."""

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        return self.recorded(processing_event, super()._record)

    def recorded(self, processing_event: ProcessingEvent[UUID],
                 record: Callable[[ProcessingEvent[UUID]], list[Recording[UUID]]]) -> list[Recording[UUID]]:
        return record(processing_event)


def empty_cache(cache: Cache[Any, Any] | None) -> None:
    """Drop every cached aggregate (the LRU's linked list with its entries)."""
    if isinstance(cache, LRUCache):
        with cache.lock:
            cache.cache.clear()
            cache.clear()
            cache.full = False
    elif cache is not None:
        cache.cache.clear()


class ReadersFirstPool(SQLiteConnectionPool):
    """The library's SQLite pool, but a reader takes a connection without queuing behind writers (ADR 0028), and
    each connection it opens keeps at most `page_cache_kib` of pages (ADR 0053)."""

    page_cache_kib: int = Bounds().sqlite_page_cache_kib

    def _create_connection(self) -> SQLiteConnection:
        connection = super()._create_connection()
        with connection.cursor() as cursor:
            cursor.execute(page_cache_pragma(self.page_cache_kib))
        return connection

    def get_connection(self, timeout: float | None = None, *, is_writer: bool | None = None) -> SQLiteConnection:
        if is_writer is not False or self._mutually_exclusive_read_write:
            return super().get_connection(timeout, is_writer=is_writer)  # writers, and in-memory databases
        started = time()
        with self._no_readers:
            self._num_readers += 1
        try:
            connection = self._get_connection(timeout=self._time_remaining(
                self.pool_timeout if timeout is None else timeout, started))
        except BaseException:
            with self._no_readers:
                self._num_readers -= 1
            raise
        connection.is_writer = False
        return connection

    @contextmanager
    def writer_turn(self) -> Iterator[None]:
        """Hold this pool's one-writer lock while another connection of the process writes to the database."""
        if not self._writer_lock.acquire(timeout=self.pool_timeout):
            raise TimeoutError("timed out waiting for the event store's writer")
        try:
            yield
        finally:
            self._writer_lock.release()


def readers_first(pool: SQLiteConnectionPool) -> None:
    """Make the library's pool (built by its datastore) one whose readers skip the writers' queue."""
    pool.__class__ = ReadersFirstPool


def bound_page_cache(pool: SQLiteConnectionPool, kib: int) -> None:
    """Every connection the pool opens from now on keeps at most `kib` KiB of pages (before it opens any: the
    datastore opens none until asked)."""
    readers_first(pool)
    assert isinstance(pool, ReadersFirstPool)
    pool.page_cache_kib = kib


class SQLiteInsertHook(SQLiteApplicationRecorder):
    """The library's SQLite recorder; `inserted` runs in the events' transaction, after their rows."""

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
                       ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        self.inserted(c, stored_events)
        return ids

    def inserted(self, cursor: SQLiteCursor, stored_events: Sequence[StoredEvent]) -> None:
        """Nothing more to write, unless a subclass says so."""


class PostgresInsertHook(PostgresApplicationRecorder):
    """The library's PostgreSQL recorder; `inserted` runs in the events' transaction, after their rows."""

    def _insert_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        super()._insert_events(curs, stored_events, **kwargs)
        self.inserted(curs, stored_events)

    def inserted(self, cursor: Cursor[DictRow], stored_events: Sequence[StoredEvent]) -> None:
        """Nothing more to write, unless a subclass says so."""


check()
