"""How projectors of one store agree on a leader and wake each other (ADR 0016).

PostgreSQL: the leader holds a session advisory lock on a connection of its own (released by the server when the
process dies), and the processes talk over LISTEN/NOTIFY: `wake` asks the leader to catch up now, `projected` tells
followers the read models moved. SQLite serves one process: the leader holds an exclusive flock on a file beside
the database (released when the process dies), and wake-ups travel as datagrams to a socket the leader binds in
Linux's abstract namespace (named after the database; gone with the process): the request process wakes the
worker's projector as PostgreSQL's NOTIFY would (ADR 0048).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import select
import socket
import threading
import zlib
from collections.abc import Callable
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
    """SQLite: a file lock elects the leader among processes on this machine; the leader listens for wake-ups on a
    datagram socket of its own, which any process (its own included) can send to."""

    def __init__(self, lock_path: str) -> None:
        self._path = lock_path
        self._file: Any = None
        self._woken = threading.Event()  # a follower's wait, and the stop of a projector that never led
        digest = hashlib.sha256(os.path.abspath(lock_path).encode()).hexdigest()[:32]
        self._address = f"\0goalengine-projector-{digest}"
        self._inbox: socket.socket | None = None
        self._outbox = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._outbox.setblocking(False)

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
        self._inbox = self._listen()
        return True

    def wait(self, timeout: float) -> None:
        inbox = self._inbox
        if inbox is None:
            self._woken.wait(timeout)
            self._woken.clear()
            return
        if select.select([inbox], [], [], timeout)[0]:
            while True:  # several wake-ups in a row are one round
                try:
                    inbox.recv(1)
                except OSError:
                    return

    def wake(self) -> None:
        self._woken.set()
        with contextlib.suppress(OSError):  # no leader listening (or its queue is full: it is woken already)
            self._outbox.sendto(b"w", self._address)

    def hears_commits(self) -> bool:
        return False  # writers wake the leader themselves

    def announce(self) -> None:
        """Readers look at the positions in the store."""

    def close(self) -> None:
        self.wake()  # a projector thread waiting on the socket returns before it is closed
        if self._inbox is not None:
            self._inbox.close()
            self._inbox = None
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        self._woken.set()

    def _listen(self) -> socket.socket | None:
        inbox = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            inbox.bind(self._address)
        except OSError:  # a leader that just died may hold the name for a moment: the leader then polls
            inbox.close()
            return None
        inbox.setblocking(False)
        return inbox


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


def commit_waker(coordination: Coordination) -> Callable[[], None]:
    """What a process calls after committing events, to wake the leader wherever it runs: nothing on PostgreSQL,
    where every commit notifies it by itself."""
    return _nothing if coordination.hears_commits() else coordination.wake


def _nothing() -> None:
    """Commits wake the leader by themselves."""
