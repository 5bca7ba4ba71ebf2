"""SQLite connections for readers that never queue behind a writer waiting for the write lock.

The library's pool issues every connection through one fairness semaphore, and a writer holds it while it waits
for the single write lock: with a few writers queued, every reader (a command's load, the projector's read of the
log) waits behind them, though WAL lets it read while a transaction writes. Here a reader takes a connection
straight from the pool; writers keep the library's order and its one-writer lock. Profiled under the API's write
load (issue #12, ADR 0028): the readers' wait on that semaphore was most of a write request's time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from time import time

from eventsourcing.sqlite import SQLiteConnection, SQLiteConnectionPool


class ReadersFirstPool(SQLiteConnectionPool):
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


def writer_turn(recorder: object) -> AbstractContextManager[None]:
    """Take the event writers' turn for another writer of this process (the projector's read-model transactions).

    Two writers of one process contending inside SQLite wait in its busy handler, which sleeps in growing steps
    (up to 100 ms) even once the lock is free; queued on one lock, each starts as soon as the other ends. Nothing to
    take on PostgreSQL, whose writers wait on row locks.
    """
    pool = getattr(getattr(recorder, "datastore", None), "pool", None)
    return pool.writer_turn() if isinstance(pool, ReadersFirstPool) else nullcontext()
