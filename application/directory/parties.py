"""Reporting lines drive goals: a new goal's manager is the owner's manager in the directory (ADR 0035).

In directory mode only the owner, the owner's manager or HR may draft; a named manager must be the owner's; an
owner who is not an active person is refused. Without a directory (open mode) the draft names its manager.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from application.directory.errors import NotReportingManagerError, UnknownPersonError
from application.directory.index import Person
from application.goals.parties import TypedParties
from domain.errors import PermissionDeniedError
from domain import rules
from domain.values import Actor

class People(Protocol):
    """What the parties ask of the directory (application/directory/service.py)."""

    def in_directory_mode(self) -> bool: ...

    def person(self, person_id: str) -> Person | None: ...

    def display_names(self) -> Callable[[str], str | None]: ...


class DirectoryParties:
    """Asks the directory who manages the owner today."""

    def __init__(self, directory: People) -> None:
        self.directory = directory
        self.typed = TypedParties()

    def require_person(self, person_id: str) -> None:
        if not self.directory.in_directory_mode():
            return
        person = self.directory.person(person_id)
        if person is None or not person.active:
            raise UnknownPersonError(f"{person_id!r} names no active person of the directory", person_id=person_id)

    def display_name_of(self, person_id: str) -> str | None:
        person = self.directory.person(person_id)
        return None if person is None else person.display_name

    def display_names(self) -> Callable[[str], str | None]:
        return self.directory.display_names()

    def reviewer_of(self, employee_id: str) -> str | None:
        person = self.directory.person(employee_id)
        return None if person is None else person.manager_id

    def manager_for_draft(self, actor: Actor, owner_id: str, manager_id: str | None) -> str:
        if not self.directory.in_directory_mode():
            return self.typed.manager_for_draft(actor, owner_id, manager_id)
        self.require_person(owner_id)
        owner = self.directory.person(owner_id)
        assert owner is not None
        reporting = owner.manager_id
        if not rules.may_draft(actor, owner_id, reporting or ""):
            raise PermissionDeniedError(f"{actor.role} {actor.id!r} may not draft a goal for {owner_id!r}: only "
                                        "they, their manager in the directory or HR may", actor_id=actor.id)
        if reporting is None or (manager_id is not None and manager_id != reporting):
            raise NotReportingManagerError(
                f"{owner_id!r} reports to {reporting!r} in the directory, not to {manager_id!r}",
                owner_id=owner_id, manager_id=manager_id, reporting_manager_id=reporting)
        return reporting
