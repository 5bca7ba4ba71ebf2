"""A person as the log knows them for privacy: the notices that their personal text was erased (ADR 0026).

The log keeps no personal data about a person here, only who erased what, when and why: the erasure notice must
outlive the data keys it records the deletion of, so that the feed and webhooks can tell subscribers to erase their
copies too.
"""

from __future__ import annotations

from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain import rules, validation
from domain.errors import PermissionDeniedError
from domain.values import Actor

NAMESPACE = uuid5(NAMESPACE_URL, "https://goalengine.example/person")


def person_id_of(person: str) -> UUID:
    """The Person aggregate's id: one per person, found again from their id."""
    return uuid5(NAMESPACE, f"person:{person}")


class Person(Aggregate):
    """The erasures of one person's personal text."""

    TOPIC = "goalengine:Person"

    class Event(Aggregate.Event):
        TOPIC = "goalengine:Person.Event"
        actor_id: str
        actor_role: str

    class Identified(Aggregate.Created, Event):
        """The log first speaks of this person (with their first erasure); holds only their id, a pseudonym."""

        TOPIC = "goalengine:Person.Identified"
        person_id: str

    class Erased(Event):
        """Their data keys were deleted: every personal field sealed under them now reads as erased."""

        TOPIC = "goalengine:Person.Erased"
        person_id: str
        reason: str
        keys: list[str]  # the ids of the data keys deleted (random; no personal data)
        due_on: date | None  # when retention made it due, for an erasure by the retention policy

        def apply(self, person: Person) -> None:
            person.erasures += 1

    def __init__(self, person_id: str, actor_id: str) -> None:
        self.person_id = person_id
        self.erasures = 0

    @classmethod
    def identify(cls, person_id: str, actor: Actor) -> Person:
        validation.require_text("person_id", person_id, max_length=200)
        return cls._create(cls.Identified, id=person_id_of(person_id), person_id=person_id, actor_id=actor.id,
                           actor_role=str(actor.role))

    def erase(self, actor: Actor, reason: str, keys: list[str], due_on: date | None = None) -> None:
        """Record that HR erased this person's personal text, and why (no personal data in the reason)."""
        if not rules.may_erase(actor):
            raise PermissionDeniedError(f"only HR erases a person's data, not {actor.role} {actor.id!r}",
                                        actor_id=actor.id)
        validation.require_text("reason", reason)
        self.trigger_event(self.Erased, person_id=self.person_id, reason=reason, keys=list(keys), due_on=due_on,
                           actor_id=actor.id, actor_role=str(actor.role))
