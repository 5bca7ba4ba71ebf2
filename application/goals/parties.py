"""Who a new goal's manager is: as typed ("open mode"), or the owner's manager in the directory (ADR 0035).

The Goals application asks its `parties` on every draft; the directory puts itself in charge once it holds people.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from domain.errors import InvalidGoalInputError
from domain.values import Actor


class DraftParties(Protocol):
    def manager_for_draft(self, actor: Actor, owner_id: str, manager_id: str | None) -> str:
        """The manager the new goal is to have; raises if the caller may not draft it, or named another."""
        ...

    def reviewer_of(self, employee_id: str) -> str | None:
        """The employee's manager in the directory today, who decides their review (None: no directory says)."""
        ...

    def display_name_of(self, person_id: str) -> str | None:
        """The person's name for people to read (None in open mode, or for an id that names nobody)."""
        ...

    def display_names(self) -> Callable[[str], str | None]:
        """display_name_of over one reading of the directory, for an answer that names many people."""
        ...

    def require_person(self, person_id: str) -> None:
        """Refuse an id that names no active person (in directory mode; in open mode any id goes)."""
        ...


class TypedParties:
    """Open mode: the manager is whoever the draft names (there is no directory to ask)."""

    def manager_for_draft(self, actor: Actor, owner_id: str, manager_id: str | None) -> str:
        if manager_id is None:
            raise InvalidGoalInputError("manager_id", "is required while the store has no directory (open mode)")
        return manager_id

    def reviewer_of(self, employee_id: str) -> str | None:
        return None

    def display_name_of(self, person_id: str) -> str | None:
        return None

    def display_names(self) -> Callable[[str], str | None]:
        return self.display_name_of

    def require_person(self, person_id: str) -> None:
        return None


# The fields that name a person in a read model's answer, and the field that carries their name beside them.
PERSON_FIELDS: dict[str, str] = {
    "employee_id": "employee_display_name", "owner_id": "owner_display_name", "manager_id": "manager_display_name",
    "actor_id": "actor_display_name", "by": "by_display_name", "recorded_by": "recorded_by_display_name",
    "proposed_by": "proposed_by_display_name", "decided_by": "decided_by_display_name",
    "resolved_by": "resolved_by_display_name", "closed_by": "closed_by_display_name",
    "approved_by": "approved_by_display_name",
}


def shown_name(parties: DraftParties, person_id: str) -> str:
    """The name to show for a person: the directory's; the id itself in open mode, or for an id that names nobody
    there (a service, the retention policy), so an answer always has a name to print (issue 22, item 7)."""
    return parties.display_name_of(person_id) or person_id


def with_display_names(document: Any, name_of: Callable[[str], str]) -> Any:
    """A copy of a JSON-ready answer in which every field naming a person (PERSON_FIELDS) has its name beside it;
    the ids stay as they are."""
    if isinstance(document, list):
        return [with_display_names(item, name_of) for item in document]
    if not isinstance(document, dict):
        return document
    named = {key: with_display_names(value, name_of) for key, value in document.items()}
    for field, name_field in PERSON_FIELDS.items():
        if isinstance(document.get(field), str) and document[field]:
            named[name_field] = name_of(document[field])
    return named


def name_lookup(parties: DraftParties) -> Callable[[str], str]:
    """shown_name for one answer or page: the directory read once (when first asked), each person looked up once."""
    names: dict[str, str] = {}
    reading: list[Callable[[str], str | None]] = []

    def name_of(person_id: str) -> str:
        if person_id not in names:
            if not reading:
                reading.append(parties.display_names())
            names[person_id] = reading[0](person_id) or person_id
        return names[person_id]

    return name_of
