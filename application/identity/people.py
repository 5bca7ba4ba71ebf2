"""The directory as sign-in sees it: a person found by a claim, and the roles that person holds.

`PersonFinder` is the part of the directory (application/directory) that sign-in needs; `OpenPeople` stands in for it
while the store has no directory ("open mode"): the claim's value is the person, and roles come from a short table
the operator gives (everyone else is an employee).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from domain import rules
from domain.values import Role


class PersonRecord(Protocol):
    """What sign-in reads of a person; the directory's Person has these and more (e-mail, manager, groups)."""

    @property
    def id(self) -> str: ...
    @property
    def display_name(self) -> str: ...
    @property
    def active(self) -> bool: ...


class PersonFinder(Protocol):
    """The directory's look-ups that sign-in needs, and whether a directory holds people at all."""

    def person(self, person_id: str) -> PersonRecord | None: ...
    def find_by_email(self, email: str) -> PersonRecord | None: ...
    def find_by_external_id(self, external_id: str) -> PersonRecord | None: ...
    def roles_of(self, person_id: str) -> frozenset[Role]: ...
    def in_directory_mode(self) -> bool: ...


@dataclass(frozen=True)
class OpenPerson:
    """A person in open mode: known only by the identifier the identity provider vouched for."""

    id: str
    email: str | None = None
    active: bool = True
    manager_id: str | None = None
    groups: tuple[str, ...] = ()

    @property
    def user_name(self) -> str:
        return self.id

    @property
    def display_name(self) -> str:
        return self.id


@dataclass(frozen=True)
class OpenPeople:
    """Open mode: every identifier names a person of that id; `roles` lists who holds more than the employee's role."""

    roles: Mapping[str, frozenset[Role]] = field(default_factory=dict)

    def person(self, person_id: str) -> OpenPerson:
        return OpenPerson(person_id, email=person_id if "@" in person_id else None)

    def find_by_email(self, email: str) -> OpenPerson:
        return OpenPerson(email, email=email)

    def find_by_external_id(self, external_id: str) -> OpenPerson:
        return self.person(external_id)

    def roles_of(self, person_id: str) -> frozenset[Role]:
        return self.roles.get(person_id, frozenset({Role.EMPLOYEE}))

    def in_directory_mode(self) -> bool:
        return False


@dataclass(frozen=True)
class ModalPeople:
    """The directory once it holds people (directory mode), open mode's stand-in until then (ADR 0035, ADR 0037)."""

    directory: PersonFinder
    open_people: OpenPeople

    def _current(self) -> PersonFinder:
        return self.directory if self.directory.in_directory_mode() else self.open_people

    def person(self, person_id: str) -> PersonRecord | None:
        return self._current().person(person_id)

    def find_by_email(self, email: str) -> PersonRecord | None:
        return self._current().find_by_email(email)

    def find_by_external_id(self, external_id: str) -> PersonRecord | None:
        return self._current().find_by_external_id(external_id)

    def roles_of(self, person_id: str) -> frozenset[Role]:
        return self._current().roles_of(person_id)

    def in_directory_mode(self) -> bool:
        return self.directory.in_directory_mode()


def parse_open_roles(text: str) -> dict[str, frozenset[Role]]:
    """`person=role[,role] ...` (GOALENGINE_OPEN_ROLES): ValueError naming the first entry that is not one."""
    roles: dict[str, frozenset[Role]] = {}
    for entry in text.split():
        person, _, names = entry.rpartition("=")
        try:
            granted = frozenset(Role(name) for name in names.split(","))
        except ValueError:
            granted = frozenset()
        if not person or not granted or not all(rules.grantable_to_a_person(role) for role in granted):
            raise ValueError(f"{entry!r} is not person=role[,role] with roles from employee, manager, hr, auditor")
        roles[person] = roles.get(person, frozenset()) | granted
    return roles
