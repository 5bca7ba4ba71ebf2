"""Which fields of an event to seal, under whose key: the mapper's side of ADR 0026, amended by ADR 0051.

A text is sealed under its author's key (the event's actor), so erasing a person shreds what they wrote, on
whichever goal and whoever held it then; what the directory says about a person under that person's key. Snapshots
hold everyone's text of one aggregate and are sealed whole under the aggregate's person (dropped on any erasure).
Text stored before ADR 0051 stays sealed under the goal's owner at drafting: the key id in each sealed value names
the key, and the key's row its person, so both read alike.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol, Snapshot
from eventsourcing.persistence import StoredEvent, Transcoder
from eventsourcing.utils import get_topic

from application.errors import ApplicationError
from application.store.bounds import Bounds
from application.privacy.keys import DataKeys
from application.privacy.registry import SEALED_UNDER_SUBJECT, SUBJECT_FIELDS, personal_paths
from application.privacy.sealing import SealedState, SealedText, seal

FirstEvent = Callable[[UUID | str], Sequence[StoredEvent]]


class NoDataSubjectError(ApplicationError):
    """An event carries personal text, but its aggregate belongs to nobody the registry knows."""

    code = "no_data_subject"


class PersonalData:
    """Seals each registered field of an event (and a person's snapshots) under the data key of their person."""

    def __init__(self, keys: DataKeys, first_event: FirstEvent, maxsize: int = Bounds.data_subjects) -> None:
        self.keys = keys
        self._first_event = first_event
        self._subjects: OrderedDict[str, str | None] = OrderedDict()
        self._maxsize = maxsize
        self.transcoder: Transcoder | None = None  # set by the application: a snapshot is sealed as stored JSON

    def sealed(self, event: DomainEventProtocol[UUID]) -> DomainEventProtocol[UUID]:
        """The event as it is to be stored: a copy with its personal fields sealed (or the event itself)."""
        state = dict(vars(event))
        if isinstance(event, Snapshot):
            subject = self.subject_of(event.originator_id)
            if subject is None or self.transcoder is None:
                return event
            state["state"] = SealedState(seal(self.keys, subject, self.transcoder.encode(state["state"])))
        else:
            topic = get_topic(type(event))
            paths = [p for p in personal_paths(topic) if is_text(field_value(state, p))]
            if topic in SUBJECT_FIELDS:
                self._remember(str(event.originator_id), str(state[SUBJECT_FIELDS[topic]]))
            if not paths:
                return event
            sealer = self.sealer_of(event, topic)
            for path in paths:
                _set(state, path, self._sealed_value(field_value(state, path), sealer))
        copy = object.__new__(type(event))
        copy.__dict__.update(state)
        return copy

    def sealer_of(self, event: DomainEventProtocol[UUID], topic: str) -> str:
        """Whose key seals the event's text: its author's, or the aggregate's person's for directory data."""
        if topic not in SEALED_UNDER_SUBJECT:
            return author_of(event, topic)
        subject = self.subject_of(event.originator_id)
        if subject is None:
            raise NoDataSubjectError(f"{topic} carries personal text but belongs to no person "
                                     "(add its aggregate to SUBJECT_FIELDS)", topic=topic)
        return subject

    def _sealed_value(self, value: Any, subject: str) -> Any:
        """A text sealed; a list of texts (e.g. blockers) each sealed; an empty text left as it is."""
        if isinstance(value, list):
            return [self._sealed_value(item, subject) for item in value]
        if not is_text(value):
            return value
        return SealedText(seal(self.keys, subject, str(value).encode()))

    def subject_of(self, aggregate_id: UUID | str) -> str | None:
        """The person an aggregate belongs to: named by its first event (cached)."""
        key = str(aggregate_id)
        if key not in self._subjects:
            self._remember(key, self._stored_subject(aggregate_id))
        return self._subjects[key]

    def _stored_subject(self, aggregate_id: UUID | str) -> str | None:
        for first in self._first_event(aggregate_id):
            field = SUBJECT_FIELDS.get(first.topic)
            if field is not None:
                return str(json.loads(bytes(first.state))[field])
        return None

    def _remember(self, key: str, subject: str | None) -> None:
        self._subjects[key] = subject
        self._subjects.move_to_end(key)
        if len(self._subjects) > self._maxsize:
            self._subjects.popitem(last=False)


def author_of(event: object, topic: str) -> str:
    """The person who wrote the event: its actor (every event of the log names one)."""
    actor = getattr(event, "actor_id", None)
    if not isinstance(actor, str) or not actor:
        raise NoDataSubjectError(f"{topic} carries personal text but names no actor to seal it under", topic=topic)
    return actor


def is_text(value: Any) -> bool:
    """A non-empty text, or a list holding one: what a registered field must be to be sealed."""
    if isinstance(value, list):
        return any(is_text(item) for item in value)
    return isinstance(value, str) and value != ""


def field_value(state: dict[str, Any], path: str) -> Any:
    value: Any = state
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _set(state: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    target = state
    for part in parents:
        target[part] = dict(target[part])  # copied: the domain event itself keeps its plain text
        target = target[part]
    target[last] = value
