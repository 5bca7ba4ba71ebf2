"""Where each read model stands, read from the store: what a request process waits on (ADR 0016, ADR 0048).

The projector runs in a process of its own (`goalengine worker`), so a request cannot wait on its in-memory
progress. The positions live in the store, moved in the same transaction as the read models they describe; a
reader looks at them, and while they trail the position it needs, looks again after a short pause that grows to a
bound (a few milliseconds at first: a projector round after a write takes about that long).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from sqlalchemy import Engine, bindparam, select

from application.store.database import metadata, schema_creation
from projections.projection import ProjectionStatus
from projections.quarantine import Finding, Quarantine
from projections.tables import projection_positions

FIRST_PAUSE = 0.001  # seconds before the first look again
LONGEST_PAUSE = 0.02  # the bound the pause doubles up to: a reader notices a move within 20 ms
# Built once: a waiting reader looks several times a request, and building the statement and its cache key each
# time cost more than running it (78 against 36 µs on SQLite).
POSITION_OF = select(projection_positions.c.position).where(projection_positions.c.name == bindparam("name"))


class StoredPositions:
    """The read models' positions as the store holds them, and a bounded wait for one to reach a target."""

    def __init__(self, engine: Engine, names: Sequence[str], head: Callable[[], int],
                 pause: Callable[[float], None] = time.sleep) -> None:
        self.engine, self.names, self.head, self.pause = engine, tuple(names), head, pause
        with schema_creation(engine):  # the worker may not have created them yet; whoever comes first does
            metadata.create_all(engine, tables=[projection_positions])
            self.quarantine = Quarantine(engine)

    def positions(self) -> dict[str, int]:
        """Every read model's position (0 for one no projector has started yet)."""
        with self.engine.connect() as connection:
            rows = dict(connection.execute(select(projection_positions.c.name, projection_positions.c.position)).all())
        return {name: int(rows.get(name, 0)) for name in self.names}

    def position(self, name: str) -> int:
        with self.engine.connect() as connection:
            found = connection.execute(POSITION_OF, {"name": name}).scalar()
        return int(found or 0)

    def status(self) -> list[ProjectionStatus]:
        """Each read model's position against the head (for /ready and /metrics)."""
        head = self.head()
        return [ProjectionStatus(name, position, head) for name, position in self.positions().items()]

    def findings(self) -> list[Finding]:
        """The events the worker's projections refused as not what was signed (ADR 0050), as the store records them.

        A row the store cannot decode at all halts the worker's projections without a record here; /audit/verify
        names it."""
        return self.quarantine.findings()

    def wait_for(self, name: str, target: int, timeout: float) -> int:
        """The position of `name` once it reaches `target`, or the one it had when the timeout passed."""
        deadline = time.monotonic() + timeout
        pause = FIRST_PAUSE
        while (position := self.position(name)) < target:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return position
            self.pause(min(pause, remaining))
            pause = min(pause * 2, LONGEST_PAUSE)
        return position
