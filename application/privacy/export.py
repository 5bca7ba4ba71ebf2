"""Subject access (GDPR article 15): everything the store holds about a person, opened, as JSON (ADR 0026).

Read from the whole log in order: every event of the aggregates that belong to the person (their goals; later their
reviews), whoever wrote it, and every event they wrote on anyone else's; their signatures and readings are listed
again on their own, and the erasure notices about them. Text already erased reads as the erased marker.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, UTC
from functools import cache
from typing import Any

from eventsourcing.utils import resolve_topic

from application.goals.service import Goals
from application.events.log_records import log_records
from application.privacy.registry import SUBJECT_FIELDS
from application.events.serialization import EventRecord, type_name
from domain.goal import Goal
from domain.person import Person, person_id_of

SIGNED, READ, ERASED_NOTICE = type_name(Goal.AgreementSigned), type_name(Goal.KpiRecorded), type_name(Person.Erased)


@cache
def _subject_fields() -> dict[str, str]:
    """Record type of each event that names an aggregate's person -> the field naming them."""
    return {type_name(resolve_topic(topic)): field for topic, field in SUBJECT_FIELDS.items()}


def export_person(goals: Goals, person_id: str) -> dict[str, Any]:
    """The person's data: their aggregates' events, what they wrote elsewhere, signatures, readings, erasures."""
    head = goals.head_position()
    theirs, written = _events_about_and_by(goals, person_id, head)
    notices = theirs.pop(str(person_id_of(person_id)), [])
    mine = [e for events in theirs.values() for e in events]
    return {
        "person_id": person_id,
        "exported_at": datetime.now(UTC).isoformat(),
        "position": head,
        "aggregates": [{"id": aggregate, "events": events} for aggregate, events in theirs.items()],
        "written_about_others": written,
        "signatures": [e for e in [*mine, *written] if e["type"] == SIGNED and e["actor_id"] == person_id],
        "readings": [e for e in mine if e["type"] == READ],
        "erasures": [e for e in notices if e["type"] == ERASED_NOTICE],
    }


def _events_about_and_by(
    goals: Goals, person_id: str, head: int
) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """In log order: the events of each aggregate that is the person's (or their erasure notices), by anyone; and
    the events they wrote on everyone else's."""
    theirs: dict[str, list[dict[str, Any]]] = {}
    owners: dict[str, str] = {str(person_id_of(person_id)): person_id}
    written: list[dict[str, Any]] = []
    for record in log_records(goals, until=head):
        field = _subject_fields().get(record.type)
        if field is not None:
            owners[record.goal_id] = str(record.data[field])
        if owners.get(record.goal_id) == person_id:
            theirs.setdefault(record.goal_id, []).append(_entry(record))
        elif record.actor_id == person_id:
            written.append(_entry(record))
    return theirs, written


def _entry(record: EventRecord) -> dict[str, Any]:
    entry = asdict(record)
    entry["aggregate_id"] = entry.pop("goal_id")
    return entry
