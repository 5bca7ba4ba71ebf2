"""SQLite connections for readers that never queue behind a writer waiting for the write lock.

The library's pool issues every connection through one fairness semaphore, and a writer holds it while it waits
for the single write lock: with a few writers queued, every reader (a command's load, the projector's read of the
log) waits behind them, though WAL lets it read while a transaction writes. Here a reader takes a connection
straight from the pool; writers keep the library's order and its one-writer lock. Profiled under the API's write
load (issue #12, ADR 0028): the readers' wait on that semaphore was most of a write request's time.
"""

from __future__ import annotations

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


def readers_first(pool: SQLiteConnectionPool) -> None:
    """Make the library's pool (built by its datastore) one whose readers skip the writers' queue."""
    pool.__class__ = ReadersFirstPool
