"""The background worker's heartbeat in the store: how request processes know it runs (ADR 0048).

`goalengine worker` writes its row every second; `GET /ready` of any request process, on any host, reads it. The
row is removed when the worker stops cleanly, so a stopped worker shows at once; a killed one shows when its row
grows older than the bound.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Column, Engine, Float, Integer, String, Table, delete, insert, select, update

from application.store.database import metadata, schema_creation

worker_heartbeats = Table(
    "worker_heartbeats",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("pid", Integer, nullable=False),
    Column("host", String(255), nullable=False),
    Column("started_at", Float, nullable=False),  # unix seconds
    Column("beat_at", Float, nullable=False),
)


@dataclass(frozen=True)
class Heartbeat:
    name: str
    pid: int
    host: str
    started_at: float
    beat_at: float


class Heartbeats:
    """Read and write the heartbeat rows (one per named worker)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        with schema_creation(engine):
            metadata.create_all(engine, tables=[worker_heartbeats])

    def beat(self, beat: Heartbeat) -> None:
        """Record that the worker lives (taking the row over from a worker of the same name that died)."""
        values = {"pid": beat.pid, "host": beat.host, "started_at": beat.started_at, "beat_at": beat.beat_at}
        with self.engine.begin() as connection:
            named = worker_heartbeats.c.name == beat.name
            if connection.execute(update(worker_heartbeats).where(named).values(**values)).rowcount == 0:
                connection.execute(insert(worker_heartbeats).values(name=beat.name, **values))

    def latest(self, name: str) -> Heartbeat | None:
        with self.engine.connect() as connection:
            row = connection.execute(select(worker_heartbeats).where(worker_heartbeats.c.name == name)).first()
        return None if row is None else Heartbeat(row.name, row.pid, row.host, row.started_at, row.beat_at)

    def stopped(self, name: str, pid: int) -> None:
        """The worker stopped cleanly: its row goes (unless another process has taken the name over)."""
        with self.engine.begin() as connection:
            connection.execute(delete(worker_heartbeats).where(worker_heartbeats.c.name == name,
                                                               worker_heartbeats.c.pid == pid))
