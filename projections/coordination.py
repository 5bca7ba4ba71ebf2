"""How projectors of one store agree on a leader and wake each other (ADR 0016).

PostgreSQL: the leader holds a session advisory lock on a connection of its own (released by the server when the
process dies), and the processes talk over LISTEN/NOTIFY: `wake` asks the leader to catch up now, `projected` tells
followers the read models moved. SQLite serves one process: the leader holds an exclusive flock on a file beside
the database (released when the process dies); wake-ups stay in the process.
"""

from __future__ import annotations

import fcntl
import os
import threading
import zlib
from typing import Any, Protocol

import psycopg
from sqlalchemy import Engine, text

from application.store.settings import Settings
from application.store.traced_recorders import wake_channel


class Coordination(Protocol):
    def try_lead(self) -> bool:
        """Take the leader's lease if it is free; True while this projector holds it."""

    def wait(self, timeout: float) -> None:
        """Block until woken (by this or another process) or until the timeout passes."""

    def wake(self) -> None:
        """Ask the leader to catch up now; callable from any thread."""

    def hears_commits(self) -> bool:
        """Whether every commit of new events wakes the leader by itself (then writers need not wake it)."""

    def announce(self) -> None:
        """Tell the other processes' projectors that the read models moved (leader only)."""

    def close(self) -> None:
        """Give up the lease and the connection."""


class LocalCoordination:
    """SQLite: a file lock elects the leader among processes on this machine; wake-ups are an in-process event."""

    def __init__(self, lock_path: str) -> None:
        self._path = lock_path
        self._file: Any = None
        self._woken = threading.Event()

    def try_lead(self) -> bool:
        if self._file is not None:
            return True
        handle = open(self._path, "a+")  # noqa: SIM115 (held open for as long as this process leads)
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    def wait(self, timeout: float) -> None:
        self._woken.wait(timeout)
        self._woken.clear()

    def wake(self) -> None:
        self._woken.set()

    def hears_commits(self) -> bool:
        return False  # another process's commits are seen at the next poll

    def announce(self) -> None:
        """Followers of another process see the positions at their next poll."""

    def close(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        self._woken.set()


class PostgresCoordination:
    """PostgreSQL: an advisory lock per schema elects the leader; NOTIFY carries wake-ups across processes."""

    def __init__(self, engine: Engine, schema: str) -> None:
        self._engine = engine
        tag = zlib.crc32(schema.encode())
        self._lock_key = tag - (1 << 31)  # a signed 32-bit key of its own per schema (tests share one database)
        self.wake_channel = wake_channel(schema)
        self.projected_channel = f"goalengine_projected_{tag:08x}"
        self._leading = False
        self._connection: Any = None  # opened by the projector's thread, which alone uses it

    def try_lead(self) -> bool:
        if self._connection is None or self._connection.closed:
            self._leading = False  # the session that held the lease is gone, and the lease with it
        if not self._leading:
            row = self._session().execute("SELECT pg_try_advisory_lock(%s)", [self._lock_key]).fetchone()
            self._leading = bool(row[0])
        return self._leading

    def wait(self, timeout: float) -> None:
        session = self._session()
        try:
            for notice in session.notifies(timeout=timeout):
                if notice.pid != session.info.backend_pid:  # the leader's own announcement is no news to it
                    return
        except psycopg.OperationalError:
            self.close()  # the session (and the lease with it) is gone: the next round opens another
            raise

    def wake(self) -> None:
        with self._engine.connect() as connection:
            connection.execute(text("SELECT pg_notify(:channel, '')"), {"channel": self.wake_channel})
            connection.commit()

    def hears_commits(self) -> bool:
        return True  # the event recorder notifies the wake channel in every write transaction

    def announce(self) -> None:
        self._session().execute("SELECT pg_notify(%s, '')", [self.projected_channel])

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()  # ends the session: the lease and the LISTENs go with it
        self._connection, self._leading = None, False

    def _session(self) -> Any:
        if self._connection is None or self._connection.closed:
            self._leading = False  # a new session holds no lease until it takes it again
            raw = self._engine.raw_connection()
            connection = raw.driver_connection
            assert connection is not None
            raw.detach()  # this connection holds the lease and listens; it never goes back to the pool
            connection.autocommit = True
            for channel in (self.wake_channel, self.projected_channel):
                connection.execute(f'LISTEN "{channel}"')
            self._connection = connection
        return self._connection


def coordination_for(settings: Settings, engine: Engine) -> Coordination:
    if settings.store == "postgresql":
        return PostgresCoordination(engine, settings.schema or "public")
    return LocalCoordination(os.path.abspath(settings.sqlite_path()) + ".projector.lock")
