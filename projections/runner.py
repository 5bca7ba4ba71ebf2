"""The projection runner: feeds each read model the goal events in log order, exactly once (see ADR 0005).

Every batch of events is read first, then applied in one transaction that locks the projection's position row,
checks the position is still the one the batch starts after, applies the events to the read model and moves the
position to the batch's last event. A crash rolls the whole batch
back, so the read model and its position never disagree; a second runner waits on the lock, then sees the moved
position and never applies a batch twice. Works on SQLite and PostgreSQL alike (the library's subscribe() does not).
"""

from __future__ import annotations

import logging
import threading
import time
from functools import partial
from collections.abc import Callable, Mapping, Sequence

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from application.store.database import metadata
from application.goals.service import Goals
from application.events.serialization import EventRecord
from application.privacy.erasure import purge_freed_pages
from application.store.sqlite_pool import writer_turn
from projections.projection import Projection, ProjectionStatus, UnknownProjectionError
from projections.quarantine import CheckedPage, Finding, HaltedAt, Quarantine, checked_page
from projections.review_projection import PERSON_ERASED
from projections.tables import goal_index, goal_reviews, projection_positions

log = logging.getLogger("goalengine.projector")

__all__ = ["Projection", "ProjectionRunner", "ProjectionStatus", "UnknownProjectionError"]

DEFAULT_BATCH_SIZE = 500
# A rebuild replays the whole log at once: bigger batches mean fewer transactions and each goal's state loaded and
# written fewer times; memory stays bounded by the batch (see bench/ and ADR 0016).
REBUILD_BATCH_SIZE = 2000
HALT_RETRY = 5.0  # seconds between reads of a log halted at a row the store cannot decode (restored meanwhile?)

OnBatch = Callable[[str, int, int], None]  # (projection name, events in the batch, position reached)
OnPositions = Callable[[Mapping[str, int]], None]  # every projection's position after a batch
Write = Callable[[Connection], None]  # a projection's prepared write of a batch, run in the runner's transaction


class ProjectionRunner:
    def __init__(
        self, goals: Goals, projections: Sequence[Projection], batch_size: int = DEFAULT_BATCH_SIZE,
        engine: Engine | None = None,
    ) -> None:
        self.goals = goals
        self.projections = {p.name: p for p in projections}
        self.batch_size = batch_size
        self.engine = engine or goals.engine
        # One catch-up at a time in this process: API threads reading a review queue here (and then find nothing
        # new) instead of all contending for the database's write lock at once.
        self._catching_up = threading.Lock()
        tables = [projection_positions, *(t for p in projections for t in p.tables)]
        metadata.create_all(self.engine, tables=tables)
        self.quarantine = Quarantine(self.engine)
        self.halted: Finding | None = None  # a row no aggregate can be named for stops every projection there
        self._retry_halted_at = 0.0
        self._ensure_position_rows()

    def catch_up(
        self, until: int | None = None, on_batch: OnBatch | None = None, only: Sequence[str] | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> int:
        """Apply every event up to `until` (default: the head now) to the projections; returns how many.

        Cheap when nothing is new: one read of the head and one locked read of each position.
        """
        head = self.goals.head_position() if until is None else until
        selected = [self.projection(name) for name in only] if only else list(self.projections.values())
        return sum(self._catch_up(p, head, on_batch, stop) for p in selected)

    def catch_up_together(
        self, until: int, on_positions: OnPositions | None = None, stop: Callable[[], bool] | None = None
    ) -> int:
        """Apply every event up to `until` to every projection at once: each batch is read once and applied to all
        of them in one transaction (the background projector's round: half the reads and commits of one
        catch-up per projection, so less time holding SQLite's one write lock). Returns the events read."""
        with self._catching_up:
            applied = 0
            while True:
                count, positions = self._apply_next_batch_to_all(until)
                if count == 0:
                    return applied
                applied += count
                if on_positions:
                    on_positions(positions)
                if stop and stop():
                    return applied

    def rebuild(self, name: str | None = None, on_batch: OnBatch | None = None) -> int:
        """Clear the read model(s) and their positions, then replay from the first event; returns how many."""
        selected = [self.projection(name)] if name else list(self.projections.values())
        head = self.goals.head_position()
        applied = 0
        for projection in selected:
            self.reset(projection.name)
            applied += self._catch_up(projection, head, on_batch)
        return applied

    def reset(self, name: str) -> None:
        """Empty the read model and put its position back to the start, in one transaction."""
        projection = self.projection(name)
        with self.engine.begin() as connection:
            self._lock(connection, name)
            for table in projection.tables:
                connection.execute(delete(table))
            named = projection_positions.c.name == name
            connection.execute(update(projection_positions).where(named).values(position=0))

    def status(self) -> list[ProjectionStatus]:
        head = self.goals.head_position()
        positions = self.positions()
        return [ProjectionStatus(name, positions[name], head) for name in self.projections]

    def positions(self) -> dict[str, int]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(projection_positions.c.name, projection_positions.c.position))
            return {name: position for name, position in rows if name in self.projections}

    def projection(self, name: str) -> Projection:
        if name not in self.projections:
            raise UnknownProjectionError(name, list(self.projections))
        return self.projections[name]

    def _catch_up(
        self, projection: Projection, head: int, on_batch: OnBatch | None, stop: Callable[[], bool] | None = None
    ) -> int:
        if self.positions()[projection.name] >= head:
            return 0  # nothing new: skip the lock, which on SQLite would be a write
        with self._catching_up:
            return self._catch_up_alone(projection, head, on_batch, stop)

    def _catch_up_alone(
        self, projection: Projection, head: int, on_batch: OnBatch | None, stop: Callable[[], bool] | None
    ) -> int:
        if self.positions()[projection.name] >= head:
            return 0  # another thread caught up while this one waited
        applied = 0
        while True:
            count, position = self._apply_next_batch(projection, head)
            if count == 0:
                return applied
            applied += count
            if on_batch:
                on_batch(projection.name, count, position)
            if stop and stop():
                return applied

    def _apply_next_batch(self, projection: Projection, head: int) -> tuple[int, int]:
        # The batch is read before the write lock is taken: on SQLite a transaction holding the write lock while it
        # waits for one of the event store's connections can deadlock with writers that hold those connections and
        # wait for the write lock. Under the lock, the position is checked again: another runner may have moved it.
        while True:
            position = self.positions()[projection.name]
            if position >= head:
                return 0, position
            page = self._checked_page(position, head)
            if page.last == position:
                return 0, position
            batch, last = page.records, page.last
            with writer_turn(self.goals.recorder), self.engine.begin() as connection:
                if self._lock(connection, projection.name) != position:
                    continue
                projection.apply(connection, batch)
                self.quarantine.record(connection, page.findings)
                connection.execute(
                    update(projection_positions)
                    .where(projection_positions.c.name == projection.name)
                    .values(position=last)
                )
            self.quarantine.recorded(page.findings)
            self._after_erasures(batch)
            return max(len(batch), 1), last

    def _apply_next_batch_to_all(self, head: int) -> tuple[int, dict[str, int]]:
        while True:
            positions = self.positions()
            start = min(positions.values())
            if start >= head:
                return 0, positions
            page = self._checked_page(start, head)
            if page.last == start:
                return 0, positions
            batch, last = page.records, page.last
            writes = self._staged(batch, positions)
            with writer_turn(self.goals.recorder), self.engine.begin() as connection:
                if self._lock_all(connection) != positions:
                    continue  # another runner moved a position meanwhile: read again from where they stand
                for name in self.projections:
                    if name in writes:
                        writes[name](connection)
                    named = projection_positions.c.name == name
                    connection.execute(update(projection_positions).where(named).values(
                        position=max(positions[name], last)))
                self.quarantine.record(connection, page.findings)
            self.quarantine.recorded(page.findings)
            self._after_erasures(batch)
            return max(len(batch), 1), {name: max(position, last) for name, position in positions.items()}

    def _checked_page(self, after: int, head: int) -> CheckedPage:
        """The next events as records, without those of quarantined aggregates (projections/quarantine.py)."""
        if self.halted is not None and time.monotonic() < self._retry_halted_at:
            return CheckedPage([], after, [])
        try:
            page = checked_page(self.goals, self.quarantine, after, head, self.batch_size)
        except HaltedAt as halted:
            if self.halted != halted.finding:
                log.warning("projections halt at log position %s: %s", halted.finding.position, halted)
            self.halted, self._retry_halted_at = halted.finding, time.monotonic() + HALT_RETRY
            return CheckedPage([], after, [])
        self.halted = None
        return page

    def findings(self) -> list[Finding]:
        """Events the projections refused (their aggregates stopped), and the row they halt at, if any."""
        return [*self.quarantine.findings(), *([self.halted] if self.halted else [])]

    def _after_erasures(self, batch: Sequence[EventRecord]) -> None:
        """A batch that scrubbed an erased person's text leaves no copy of it in the store's files (issue 23)."""
        if any(record.type == PERSON_ERASED for record in batch):
            purge_freed_pages(self.goals, [goal_reviews.name, goal_index.name])

    def _staged(self, batch: Sequence[EventRecord], positions: Mapping[str, int]) -> dict[str, Write]:
        """Each projection's write of the part of the batch it has not seen, prepared before any lock is taken
        (read models change only with their positions, which are checked again under the lock)."""
        writes: dict[str, Write] = {}
        with self.engine.connect() as reading:
            for name, projection in self.projections.items():
                behind = [r for r in batch if r.position is not None and r.position > positions[name]]
                if behind:
                    staged = getattr(projection, "staged", None)
                    writes[name] = staged(reading, behind) if staged else partial(projection.apply, batch=behind)
        return writes

    def _lock_all(self, connection: Connection) -> dict[str, int]:
        """Every projection's position, read under the lock of every position row (see _lock)."""
        names = projection_positions.c.name.in_(list(self.projections))
        connection.execute(update(projection_positions).where(names).values(position=projection_positions.c.position))
        rows = connection.execute(select(projection_positions.c.name, projection_positions.c.position).where(names))
        return {name: int(position) for name, position in rows}

    def _lock(self, connection: Connection, name: str) -> int:
        # A no-op write first: it takes the row lock on PostgreSQL and the write lock on SQLite before the read,
        # so two runners serialise here instead of both applying the same batch.
        where = projection_positions.c.name == name
        connection.execute(update(projection_positions).where(where).values(position=projection_positions.c.position))
        return int(connection.execute(select(projection_positions.c.position).where(where)).scalar_one())

    def _ensure_position_rows(self) -> None:
        try:
            with self.engine.begin() as connection:
                known = set(connection.execute(select(projection_positions.c.name)).scalars())
                missing = [{"name": name, "position": 0} for name in self.projections if name not in known]
                if missing:
                    connection.execute(insert(projection_positions), missing)
        except IntegrityError:
            pass  # another process added them at the same moment; theirs stand
