"""A person as the organisation's directory knows them: who they are, whom they report to, whether they work here.

The directory is the authority on reporting lines (ADR 0033): a goal's manager is the owner's manager here, and a
change of reporting line is an event of its own, so the trail shows who managed whom on any day. The person's id
is the one tokens, goals and reviews name; their personal fields are sealed under their data key (ADR 0026).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain import rules
from domain.errors import InvalidGoalInputError, PermissionDeniedError
from domain.values import Actor

NAMESPACE = uuid5(NAMESPACE_URL, "https://goalengine.example/directory")
MAX_ID = 200
MAX_FIELD = 500
MAX_PROFILE = 50_000
# Characters that look like nothing or like another character: a person id holding one is a look-alike.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp", "Zs"})


def directory_person_uuid(person_id: str) -> UUID:
    """The aggregate id of the directory entry with this person id (one entry per id)."""
    return uuid5(NAMESPACE, f"person:{person_id}")


def is_plain_id(value: str) -> bool:
    """One spelling per person: no spaces, invisible or direction marks, and nothing NFKC would fold (fullwidth,
    decomposed accents), so two ids that look the same are the same."""
    return (0 < len(value) <= MAX_ID and unicodedata.normalize("NFKC", value) == value
            and not any(unicodedata.category(char) in HIDDEN_CATEGORIES for char in value))


def require_plain_id(field: str, value: str) -> None:
    if not is_plain_id(value):
        raise InvalidGoalInputError(field, f"{value!r} is not a plain id: at most {MAX_ID} characters, no spaces, "
                                    "no invisible or direction marks, nothing NFKC would change (a look-alike)")


@dataclass(frozen=True)
class PersonDetails:
    """What the directory says about a person, apart from their reporting line and whether they are active."""

    user_name: str
    display_name: str = ""
    given_name: str = ""
    family_name: str = ""
    email: str = ""
    title: str = ""
    org_unit: str = ""
    external_id: str = ""
    # The rest of what the identity provider sent (its SCIM attributes as JSON), kept whole and sealed: phone
    # numbers, addresses, locale... goalengine reads none of it, and gives it back as it came.
    profile: str = ""

    def require_valid_details(self) -> None:
        if not self.user_name.strip():
            raise InvalidGoalInputError("user_name", "must not be empty")
        for field in fields(self):
            value, limit = getattr(self, field.name), MAX_PROFILE if field.name == "profile" else MAX_FIELD
            if len(value) > limit or not value.isprintable():
                raise InvalidGoalInputError(field.name, f"must be printable and at most {limit} characters")

    def changes_from(self, other: PersonDetails) -> dict[str, dict[str, str]]:
        """What differs from `other`, field by field: {"title": {"from": old, "to": new}}."""
        return {field.name: {"from": getattr(other, field.name), "to": getattr(self, field.name)}
                for field in fields(self) if getattr(self, field.name) != getattr(other, field.name)}


class DirectoryPerson(Aggregate):
    """A person in the directory: their details, their manager and whether they are active."""

    TOPIC = "goalengine:DirectoryPerson"

    class Event(Aggregate.Event):
        TOPIC = "goalengine:DirectoryPerson.Event"
        actor_id: str
        actor_role: str

    class Provisioned(Aggregate.Created, Event):
        TOPIC = "goalengine:DirectoryPerson.Provisioned"
        CLOUDEVENT_TYPE = "person.provisioned.v1"
        person_id: str
        details: dict[str, str]
        manager_id: str | None
        active: bool

    class Updated(Event):
        """Some details changed: each from what to what."""

        TOPIC = "goalengine:DirectoryPerson.Updated"
        CLOUDEVENT_TYPE = "person.updated.v1"
        person_id: str
        changes: dict[str, dict[str, str]]

        def apply(self, person: DirectoryPerson) -> None:
            person.details = replace(person.details, **{name: change["to"] for name, change in self.changes.items()})

    class ReportingLineChanged(Event):
        TOPIC = "goalengine:DirectoryPerson.ReportingLineChanged"
        CLOUDEVENT_TYPE = "person.reporting_line_changed.v1"
        person_id: str
        from_manager_id: str | None
        to_manager_id: str | None
        effective_on: date

        def apply(self, person: DirectoryPerson) -> None:
            person.manager_id = self.to_manager_id

    class Deactivated(Event):
        TOPIC = "goalengine:DirectoryPerson.Deactivated"
        CLOUDEVENT_TYPE = "person.deactivated.v1"
        person_id: str
        removed: bool  # the identity provider deleted them: gone from the directory's listings, kept in the trail

        def apply(self, person: DirectoryPerson) -> None:
            person.active = False
            person.removed = person.removed or self.removed

    class Reactivated(Event):
        TOPIC = "goalengine:DirectoryPerson.Reactivated"
        CLOUDEVENT_TYPE = "person.reactivated.v1"
        person_id: str

        def apply(self, person: DirectoryPerson) -> None:
            person.active = True
            person.removed = False

    def __init__(self, person_id: str, details: dict[str, Any], manager_id: str | None, active: bool) -> None:
        self.person_id = person_id
        self.details = PersonDetails(**details)
        self.manager_id = manager_id
        self.active = active
        self.removed = False

    @classmethod
    def provision(cls, actor: Actor, person_id: str, details: PersonDetails, manager_id: str | None,
                  active: bool = True) -> DirectoryPerson:
        """The directory learns of a person (from the identity provider, an import or HR)."""
        require_administrator(actor)
        require_plain_id("id", person_id)
        details.require_valid_details()
        _require_manager(person_id, manager_id)
        return cls._create(cls.Provisioned, id=directory_person_uuid(person_id), person_id=person_id,
                           details=vars(details).copy(), manager_id=manager_id, active=active,
                           actor_id=actor.id, actor_role=str(actor.role))

    def update(self, actor: Actor, details: PersonDetails) -> None:
        """Record the details that changed (nothing, if none did)."""
        require_administrator(actor)
        details.require_valid_details()
        changes = details.changes_from(self.details)
        if changes:
            self.trigger_event(self.Updated, person_id=self.person_id, changes=changes, **by_actor(actor))

    def change_manager(self, actor: Actor, manager_id: str | None, effective_on: date) -> None:
        """The person reports to someone else (or to nobody) from `effective_on`."""
        require_administrator(actor)
        _require_manager(self.person_id, manager_id)
        if manager_id != self.manager_id:
            self.trigger_event(self.ReportingLineChanged, person_id=self.person_id, from_manager_id=self.manager_id,
                               to_manager_id=manager_id, effective_on=effective_on, **by_actor(actor))

    def deactivate(self, actor: Actor, *, removed: bool = False) -> None:
        """The person no longer works here (or, removed, was deleted from the directory); the trail keeps them."""
        require_administrator(actor)
        if self.active or (removed and not self.removed):
            self.trigger_event(self.Deactivated, person_id=self.person_id, removed=removed, **by_actor(actor))

    def reactivate(self, actor: Actor) -> None:
        require_administrator(actor)
        if not self.active:
            self.trigger_event(self.Reactivated, person_id=self.person_id, **by_actor(actor))


def require_administrator(actor: Actor) -> None:
    if not rules.administers_directory(actor):
        raise PermissionDeniedError(f"only HR or provisioning keeps the directory, not {actor.role} {actor.id!r}",
                                    actor_id=actor.id)


def _require_manager(person_id: str, manager_id: str | None) -> None:
    if manager_id is None:
        return
    require_plain_id("manager_id", manager_id)
    if manager_id == person_id:
        raise InvalidGoalInputError("manager_id", f"{person_id!r} cannot be their own manager")


def by_actor(actor: Actor) -> dict[str, str]:
    return {"actor_id": actor.id, "actor_role": str(actor.role)}
