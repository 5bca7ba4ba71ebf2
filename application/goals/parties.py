"""Who a new goal's manager is: as typed ("open mode"), or the owner's manager in the directory (ADR 0035).

The Goals application asks its `parties` on every draft; the directory puts itself in charge once it holds people.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

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
        """`display_name_of` for many people of one answer, from one look at the directory."""
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
