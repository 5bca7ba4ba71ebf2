"""Snapshots under the proof: a snapshot is used only if its signature, chained to the event it stands at, holds.

Otherwise it is ignored with a warning and the goal is replayed from its events, so a changed snapshot can never
be served: the state served is always one the signed events produce.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    AggregateRecorder, ApplicationRecorder, EventStore, Mapper, MapperDeserialisationError, StoredEvent,
)

from application.audit.keys import Keyring
from application.audit.leaf import SNAPSHOT_DOMAIN, message, unseal

log = logging.getLogger("goalengine.audit")


def snapshot_problem(keyring: Keyring, snapshot: StoredEvent, events: ApplicationRecorder) -> str | None:
    """Why a stored snapshot cannot be trusted, or None when its signature and chain position hold."""
    sealed = unseal(snapshot.state)
    if sealed is None:
        return "it carries no signature"
    version = snapshot.originator_version
    at = events.select_events(snapshot.originator_id, gt=version - 1, lte=version, limit=1)
    event = unseal(at[0].state) if at else None
    if event is None:
        return f"the event it stands at (version {version}) is missing or unsigned"
    signed = message(SNAPSHOT_DOMAIN, snapshot.originator_id, version, snapshot.topic, event.field, sealed.unsigned)
    if not keyring.verify(sealed.key_id, sealed.signature, signed):
        return f"its signature does not hold for its content at the chain position of version {version}"
    return None


class CheckedSnapshotStore(EventStore[UUID]):
    """The snapshot store of Goals: hands out only snapshots that check out against the signed events."""

    def __init__(
        self, mapper: Mapper[UUID], recorder: AggregateRecorder, events: ApplicationRecorder, keyring: Keyring
    ) -> None:
        super().__init__(mapper=mapper, recorder=recorder)
        self.events = events
        self.keyring = keyring

    def get(
        self,
        originator_id: UUID,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Iterator[DomainEventProtocol[UUID]]:
        rows = self.recorder.select_events(originator_id, gt=gt, lte=lte, desc=desc, limit=limit)
        for row in rows:
            problem = snapshot_problem(self.keyring, row, self.events)
            if problem is not None:
                log.warning("snapshot of goal %s at version %s ignored (%s): replaying its events",
                            row.originator_id, row.originator_version, problem)
                continue
            try:
                snapshot = self.mapper.to_domain_event(row)
            except MapperDeserialisationError as error:
                # Sealed under a person's data key that has since been erased (ADR 0026): replay instead.
                log.warning("snapshot of goal %s at version %s ignored (%s): replaying its events",
                            row.originator_id, row.originator_version, error.__cause__ or error)
                continue
            yield snapshot
