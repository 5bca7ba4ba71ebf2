"""Aggregates the projections stop at: a stored event that is not what was signed halts that aggregate only (ADR 0050).

The runner reads the log through `checked_page`: an event whose signature (or read seal) does not hold is recorded
here once, as a named finding in the transaction that moves the positions past it, and neither it nor any later
event of its aggregate reaches a read model, which keeps the last state its verified events produce. Every other
aggregate goes on. A row the store cannot decode at all names no aggregate: the runner halts there instead (see
`HaltedAt`) and says so, without a traceback per round.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import BigInteger, Column, Connection, Engine, Integer, String, Table, insert, select

from application.audit.read_check import TamperedEventError, UnreadableRowError, readable_page
from application.events.log_records import record_of
from application.events.serialization import EventRecord
from application.goals.service import Goals
from application.store.database import metadata

log = logging.getLogger("goalengine.projector")

projection_quarantine = Table(
    "projection_quarantine",
    metadata,
    Column("aggregate_id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("kind", String(40), nullable=False),
)


@dataclass(frozen=True)
class Finding:
    """A stored event the projections refused: the aggregate, version and log position, and the kind of tampering."""

    goal_id: str | None
    version: int | None
    position: int
    kind: str


@dataclass(frozen=True)
class CheckedPage:
    """What one read of the log gives the runner: the records to apply, the last position read, new findings."""

    records: list[EventRecord]
    last: int
    findings: list[Finding]


class HaltedAt(Exception):  # noqa: N818 (a state the runner reports, not a failure of its own)
    """The log holds a row the store cannot decode after this position: projecting stops there."""

    def __init__(self, error: UnreadableRowError) -> None:
        super().__init__(error.message)
        self.finding = Finding(None, None, error.after + 1, "undecodable")


class Quarantine:
    """The quarantined aggregates of one store, remembered in memory once read."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        metadata.create_all(engine, tables=[projection_quarantine])
        self._known: dict[str, int] | None = None

    def findings(self) -> list[Finding]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(projection_quarantine).order_by(projection_quarantine.c.position))
            return [Finding(row.aggregate_id, row.version, row.position, row.kind) for row in rows]

    def stops(self) -> dict[str, int]:
        """Each quarantined aggregate and the version its read models stop before (a rebuild applies those before)."""
        if self._known is None:
            self._known = {f.goal_id: int(f.version or 1) for f in self.findings() if f.goal_id is not None}
        return self._known

    def record(self, connection: Connection, findings: Sequence[Finding]) -> None:
        """In the transaction that moves the positions past them: recorded once, like the batch itself."""
        known = set(connection.execute(select(projection_quarantine.c.aggregate_id)).scalars())
        new = [{"aggregate_id": f.goal_id, "version": f.version, "position": f.position, "kind": f.kind}
               for f in findings if f.goal_id not in known]
        if new:
            connection.execute(insert(projection_quarantine), new)

    def recorded(self, findings: Sequence[Finding]) -> None:
        """After the commit: said once, in the log."""
        for finding in findings:
            self.stops().setdefault(str(finding.goal_id), int(finding.version or 1))
            log.warning("event %s:%s at log position %s is not what was signed (%s): its goal's read models stop "
                        "at the version before; goalengine verify names it", finding.goal_id, finding.version,
                        finding.position, finding.kind)


def checked_page(goals: Goals, quarantine: Quarantine, after: int, until: int, size: int) -> CheckedPage:
    """Up to `size` events after a position as records, without the quarantined aggregates' events."""
    try:
        page = readable_page(goals.recorder, after, size, stop=until, inclusive_of_start=False)
    except UnreadableRowError as error:
        raise HaltedAt(error) from None
    stops = dict(quarantine.stops())
    records: list[EventRecord] = []
    findings: list[Finding] = []
    for notification in page:
        goal_id, version = str(notification.originator_id), notification.originator_version
        if version >= stops.get(goal_id, version + 1):
            continue
        try:
            records.append(record_of(goals, notification))
        except TamperedEventError as error:
            findings.append(Finding(goal_id, version, notification.id, error.kind))
            stops[goal_id] = version
    return CheckedPage(records, page[-1].id if page else after, findings)
