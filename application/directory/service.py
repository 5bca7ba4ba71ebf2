"""Directory: the application service of people, reporting lines and groups (ADR 0033).

People and groups live in the Goals application's store and log (one trail, ADR 0022); this service saves them
through it, and answers from the index folded from the same log. Sign-in (OpenID Connect or tokens) asks it who a
person is and which roles the directory grants them.

A command that checks the directory as a whole (a free user name, an existing manager and no reporting loop, group
members that exist) takes the directory's turn across threads and processes, catches the index up under it, checks,
and saves before letting go (ADR 0054): of two racing commands the second sees the first, as if they ran in turn.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from uuid import uuid4

from application.directory.errors import (
    DirectoryVersionMismatchError, PersonExistsError, ReportingLoopError, UnknownGroupError, UnknownPersonError,
    UserNameTakenError,
)
from application.directory.parties import DirectoryParties
from application.directory.reassignment import ReportingLineFollower
from application.directory.index import DirectoryIndex, DirectoryState, Group, Person
from application.directory.roles import RoleGroups
from application.goals.service import Goals
from application.store.store_turn import StoreTurn
from domain.directory import DirectoryPerson, PersonDetails, directory_person_uuid
from domain.directory_group import DirectoryGroup, directory_group_uuid
from domain.values import Actor, Role

__all__ = ["Directory", "Group", "Person"]


class Directory:
    """Who works here, whom they report to, which groups they are in, and so which roles they hold."""

    def __init__(self, goals: Goals, role_groups: RoleGroups | None = None) -> None:
        self.goals = goals
        self.role_groups = role_groups or RoleGroups()  # the server's come from the root (api/bootstrap.py)
        self.index = DirectoryIndex(
            lambda after, head, limit, topics: goals.recorder.select_notifications(
                after, limit, stop=head, topics=topics, inclusive_of_start=False),
            goals.mapper.to_domain_event, goals.data_keys.refresh_if_stale,
            lambda: goals.recorder.max_notification_id() or 0)
        goals.data_keys.on_erasure.append(self.index.forget)
        self.turn = StoreTurn(goals.settings, goals.engine, "directory")
        goals.parties = DirectoryParties(self)  # reporting lines drive goals once the directory holds people
        self.follower = ReportingLineFollower(goals, self.person)
        if goals.audit_keys.signer is not None and goals.settings.data_master_key is not None:  # else read-only
            self.follower.catch_up()  # a change of reporting line stored before a crash or restart is followed now

    # --- queries -------------------------------------------------------------------------------------------

    def person(self, person_id: str) -> Person | None:
        state = self.index.current()
        person = state.people.get(person_id)
        return None if person is None else _with_groups(state, person)

    def find_by_email(self, email: str) -> Person | None:
        """The person with this e-mail (compared without case), active ones first."""
        return self._find(lambda person: bool(person.email) and person.email.casefold() == email.casefold())

    def find_by_user_name(self, user_name: str) -> Person | None:
        return self._find(lambda person: person.user_name.casefold() == user_name.casefold())

    def find_by_external_id(self, external_id: str) -> Person | None:
        return self._find(lambda person: bool(person.external_id) and person.external_id == external_id)

    def people(self) -> list[Person]:
        """Everyone, active or not, in the order they were provisioned."""
        state = self.index.current()
        return [_with_groups(state, person) for person in state.people.values()]

    def groups(self) -> list[Group]:
        return list(self.index.current().groups.values())

    def group(self, group_id: str) -> Group | None:
        return self.index.current().groups.get(group_id)

    def direct_reports(self, manager_id: str) -> list[Person]:
        """The active people who report to this manager today."""
        return [p for p in self.index.current().people.values() if p.active and p.manager_id == manager_id]

    def roles_of(self, person_id: str) -> frozenset[Role]:
        """What the directory grants: employee if active, manager with direct reports, HR and auditor by group."""
        person = self.person(person_id)
        if person is None or not person.active:
            return frozenset()
        roles = {Role.EMPLOYEE} | self.role_groups.granted_by(person.groups)
        if self.direct_reports(person_id):
            roles.add(Role.MANAGER)
        return frozenset(roles)

    def people_now(self) -> Mapping[str, Person]:
        """Every person of the directory as it stands now, by id (one reading of the log; not to be changed)."""
        return self.index.current().people

    def in_directory_mode(self) -> bool:
        """Once anyone has been provisioned, the directory is the authority on people (ADR 0035)."""
        return bool(self.index.current().people)

    def manager_of(self, person_id: str) -> str | None:
        person = self.person(person_id)
        return None if person is None else person.manager_id

    # --- commands on people --------------------------------------------------------------------------------

    def provision(self, actor: Actor, details: PersonDetails, *, person_id: str | None = None,
                  manager_id: str | None = None, active: bool = True) -> Person:
        """Add a person (their id is given on import, made here for SCIM); the user name must be free."""
        person_id = str(uuid4()) if person_id is None else person_id
        with self.turn.held():
            state = self.index.current()
            if person_id in state.people:
                raise PersonExistsError(f"there is already a person {person_id!r}", person_id=person_id)
            self._require_free_user_name(state, details.user_name, person_id)
            self._require_manager(state, person_id, manager_id)
            person = DirectoryPerson.provision(actor, person_id, details, manager_id, active)
            self.goals.save_or_refuse(f"person {person_id!r}", person)
        return self._required(person_id)

    def replace_person(self, actor: Actor, person_id: str, details: PersonDetails, *, manager_id: str | None,
                       active: bool, expected_version: int | None = None, effective_on: date | None = None) -> Person:
        """The person becomes exactly this (SCIM PUT, an import row): one event per kind of change."""
        def change(person: DirectoryPerson) -> None:
            person.update(actor, details)
            person.change_manager(actor, manager_id, effective_on or self.goals.today())
            if active:
                person.reactivate(actor)
            else:
                person.deactivate(actor)

        with self.turn.held():
            state = self.index.current()
            self._require_free_user_name(state, details.user_name, person_id)
            self._require_manager(state, person_id, manager_id)
            replaced = self._change(person_id, change, expected_version)
        self.follower.catch_up()  # the person's open goals follow them to their new manager
        return replaced

    def deactivate(self, actor: Actor, person_id: str, expected_version: int | None = None, *,
                   removed: bool = False) -> Person:
        """The person left (removed: the identity provider deleted them, SCIM DELETE): their tokens stop working;
        the trail keeps them."""
        return self._change(person_id, lambda person: person.deactivate(actor, removed=removed), expected_version)

    # --- commands on groups --------------------------------------------------------------------------------

    def create_group(self, actor: Actor, display_name: str, members: set[str], *, group_id: str | None = None,
                     external_id: str = "") -> Group:
        group_id = str(uuid4()) if group_id is None else group_id
        with self.turn.held():
            self._require_members(members, group_id)
            group = DirectoryGroup.create(actor, group_id, display_name, external_id)
            group.set_members(actor, members)
            self.goals.save_or_refuse(f"group {group_id!r}", group)
        return self._required_group(group_id)

    def replace_group(self, actor: Actor, group_id: str, display_name: str, members: set[str],
                      expected_version: int | None = None, *, external_id: str = "") -> Group:
        with self.turn.held():
            self._require_members(members, group_id)
            group = self._loaded_group(group_id, expected_version)
            group.update(actor, display_name, external_id)
            group.set_members(actor, members)
            self.goals.save_or_refuse(f"group {group_id!r}", group)
        return self._required_group(group_id)

    def delete_group(self, actor: Actor, group_id: str, expected_version: int | None = None) -> None:
        group = self._loaded_group(group_id, expected_version)
        group.delete(actor)
        self.goals.save_or_refuse(f"group {group_id!r}", group)

    # --- helpers -------------------------------------------------------------------------------------------

    def _find(self, matches: Callable[[Person], bool]) -> Person | None:
        state = self.index.current()
        found = sorted((p for p in state.people.values() if matches(p)), key=lambda p: not p.active)
        return _with_groups(state, found[0]) if found else None

    def _change(self, person_id: str, act: Callable[[DirectoryPerson], None],
                expected_version: int | None) -> Person:
        self._required(person_id)
        person: object = self.goals.repository.get(directory_person_uuid(person_id))
        assert isinstance(person, DirectoryPerson)
        _require_version(f"person {person_id!r}", person.version, expected_version)
        act(person)
        self.goals.save_or_refuse(f"person {person_id!r}", person)
        return self._required(person_id)

    def _loaded_group(self, group_id: str, expected_version: int | None) -> DirectoryGroup:
        self._required_group(group_id)
        group: object = self.goals.repository.get(directory_group_uuid(group_id))
        assert isinstance(group, DirectoryGroup)
        _require_version(f"group {group_id!r}", group.version, expected_version)
        return group

    def _required(self, person_id: str) -> Person:
        person = self.person(person_id)
        if person is None:
            raise UnknownPersonError(f"no person {person_id!r} in the directory", person_id=person_id)
        return person

    def _required_group(self, group_id: str) -> Group:
        group = self.group(group_id)
        if group is None:
            raise UnknownGroupError(f"no group {group_id!r} in the directory", group_id=group_id)
        return group

    def _require_members(self, members: set[str], group_id: str) -> None:
        """Each member is a person or another group (SCIM nests groups; roles come from direct members only)."""
        state = self.index.current()
        for member in sorted(members):
            if member == group_id or (member not in state.people and member not in state.groups):
                raise UnknownPersonError(f"members: no person or other group {member!r} in the directory",
                                         person_id=member)

    @staticmethod
    def _require_free_user_name(state: DirectoryState, user_name: str, person_id: str) -> None:
        taken = [p.id for p in state.people.values()
                 if p.id != person_id and not p.removed and p.user_name.casefold() == user_name.casefold()]
        if taken:
            raise UserNameTakenError(f"userName {user_name!r} is taken by another person", user_name=user_name)

    @staticmethod
    def _require_manager(state: DirectoryState, person_id: str, manager_id: str | None) -> None:
        """The manager exists, and the person is not above them (no reporting loop)."""
        seen = {person_id}
        current = manager_id
        while current is not None:
            if current not in state.people:
                raise UnknownPersonError(f"manager: no person {current!r} in the directory", person_id=current)
            if current in seen:
                raise ReportingLoopError(f"{manager_id!r} reports to {person_id!r}: a reporting loop",
                                         person_id=person_id, manager_id=manager_id)
            seen.add(current)
            current = state.people[current].manager_id


def _require_version(what: str, actual: int, expected: int | None) -> None:
    if expected is not None and expected != actual:
        raise DirectoryVersionMismatchError(f"{what} is at version {actual}, not {expected}",
                                            expected=expected, actual=actual)


def _with_groups(state: DirectoryState, person: Person) -> Person:
    return replace(person, groups=frozenset(g.display_name for g in state.groups.values() if person.id in g.members))
