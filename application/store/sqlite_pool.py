"""SQLite connections for readers that never queue behind a writer waiting for the write lock.

The library's pool issues every connection through one fairness semaphore, and a writer holds it while it waits
for the single write lock: with a few writers queued, every reader (a command's load, the projector's read of the
log) waits behind them, though WAL lets it read while a transaction writes. Here a reader takes a connection
straight from the pool; writers keep the library's order and its one-writer lock. Profiled under the API's write
load (issue #12, ADR 0028): the readers' wait on that semaphore was most of a write request's time.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

# The pool class itself touches the library's private bookkeeping, so it lives with the other such parts.
from eventsourcing.sqlite import SQLiteConnectionPool

from application.store.eventsourcing_internals import ReadersFirstPool, bound_page_cache, readers_first

__all__ = ["ReadersFirstPool", "bound_page_caches", "readers_first", "writer_turn"]


def bound_page_caches(factory: object, kib: int) -> None:
    """Each connection of the event store's SQLite pool keeps at most `kib` KiB of pages (Bounds, ADR 0053). Given
    the library's factory before it opens a connection; nothing to bound on PostgreSQL, whose pages are the server's."""
    pool = getattr(getattr(factory, "datastore", None), "pool", None)
    if isinstance(pool, SQLiteConnectionPool):
        bound_page_cache(pool, kib)


def writer_turn(recorder: object) -> AbstractContextManager[None]:
    """Take the event writers' turn for another writer of this process (the projector's read-model transactions).

    Two writers of one process contending inside SQLite wait in its busy handler, which sleeps in growing steps
    (up to 100 ms) even once the lock is free; queued on one lock, each starts as soon as the other ends. Nothing to
    take on PostgreSQL, whose writers wait on row locks.
    """
    pool = getattr(getattr(recorder, "datastore", None), "pool", None)
    return pool.writer_turn() if isinstance(pool, ReadersFirstPool) else nullcontext()
