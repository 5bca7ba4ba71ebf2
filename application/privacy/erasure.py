"""Erasing a person by crypto-shredding (ADR 0026): record why, delete their data keys, forget what was cached.

The notice goes into the log first (who, when, why; no personal data), then the keys are deleted: a failure between
the two leaves a notice and readable text, and erasing again finishes the job. Snapshots are dropped, sealed or
not, because they are derived and cheap to take again; the read models scrub the person's text when the projector
reaches the notice (projections/review_projection.py), so a rebuild and a running projector agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from eventsourcing.application import AggregateNotFoundError
from sqlalchemy import text

from application.goals.service import Goals
from application.equality.attributes import erase_attributes
from domain import rules
from domain.errors import PermissionDeniedError
from domain.person import Person, person_id_of
from domain.values import Actor

@dataclass(frozen=True)
class Erasure:
    """What one erasure did: whose keys went, and where its notice stands in the log."""

    person_id: str
    keys: list[str]
    position: int
    reason: str
    due_on: date | None = None


def erase_person(goals: Goals, person_id: str, actor: Actor, reason: str, due_on: date | None = None) -> Erasure:
    """Erase every personal text sealed under the person's data keys so far; the trail still verifies."""
    if not rules.may_erase(actor):
        raise PermissionDeniedError(f"only HR erases a person's data, not {actor.role} {actor.id!r}",
                                    actor_id=actor.id)
    person = _person(goals, person_id, actor)
    keys = goals.data_keys.keys_of(person_id)
    person.erase(actor, reason, keys, due_on)
    position = goals.save(person)[-1].notification.id
    goals.data_keys.erase(person_id)  # forgets the cached keys and the cached goals (Goals listens)
    erase_attributes(goals, person_id)  # protected characteristics too (ADR 0042): their snapshots no longer open
    drop_snapshots(goals)
    purge_freed_pages(goals, ["data_keys", _snapshots_table(goals)])
    return Erasure(person_id, keys, position, reason, due_on)


def _person(goals: Goals, person_id: str, actor: Actor) -> Person:
    try:
        person: object = goals.repository.get(person_id_of(person_id))
    except AggregateNotFoundError:
        return Person.identify(person_id, actor)
    assert isinstance(person, Person)
    return person


def purge_freed_pages(goals: Goals, tables: list[str | None]) -> None:
    """Leave no copy of what an erasure deleted or overwrote in the store's files (ADR 0026, issue 23).

    SQLite connections delete with `secure_delete` on (application/store/database.py), so freed cells are zeroed;
    the old page images still sit in the write-ahead log and, until a checkpoint, in the main file: a TRUNCATE
    checkpoint copies the new pages in and empties the log now. PostgreSQL keeps the old row versions as dead tuples
    until a vacuum: the touched tables are vacuumed now (outside a transaction, as VACUUM must be).
    """
    with goals.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if goals.settings.store == "sqlite":
            connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            return
        for table in tables:
            if table is not None:
                connection.execute(text(f"VACUUM {table}"))


def _snapshots_table(goals: Goals) -> str | None:
    if goals.snapshots is None:
        return None
    return str(goals.snapshots.recorder.events_table_name)  # type: ignore[attr-defined]


def drop_snapshots(goals: Goals) -> None:
    """Delete every stored snapshot: a person's were sealed under keys now gone, and snapshots are derived."""
    if goals.snapshots is None:
        return
    table = goals.snapshots.recorder.events_table_name  # type: ignore[attr-defined]
    with goals.engine.begin() as connection:
        connection.execute(text(f"DELETE FROM {table}"))
