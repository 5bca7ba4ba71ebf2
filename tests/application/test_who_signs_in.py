"""Who an identity provider's claims name (application/identity): the directory finds the person by one claim, refuses
the unknown and the deactivated, and grants the role; open mode stands in until there is a directory."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from application.identity.people import OpenPeople, PersonFinder, parse_open_roles
from application.identity.sign_in import (ROLE_PRECEDENCE, PersonDeactivatedError, UnknownPersonError, acting_role,
                                          actor_named_by)
from domain.values import Actor, Role


@dataclass(frozen=True)
class Member:
    id: str
    display_name: str
    active: bool = True


class TwoPeople:
    """A directory of two: Dana (active, HR and a manager) and Gus (deactivated); sub matches their externalId."""

    people = {"p-1": Member("p-1", "Dana"), "p-2": Member("p-2", "Gus", active=False)}
    emails = {"dana@example.com": "p-1", "gus@example.com": "p-2"}
    external = {"ext-dana": "p-1", "ext-gus": "p-2"}

    def person(self, person_id: str) -> Member | None:
        return self.people.get(person_id)

    def find_by_email(self, email: str) -> Member | None:
        return self.people.get(self.emails.get(email, ""))

    def find_by_external_id(self, external_id: str) -> Member | None:
        return self.people.get(self.external.get(external_id, ""))

    def roles_of(self, person_id: str) -> frozenset[Role]:
        return frozenset({Role.MANAGER, Role.HR}) if person_id == "p-1" else frozenset()

    def in_directory_mode(self) -> bool:
        return True


def test_the_claim_finds_the_person_and_the_directory_gives_the_role() -> None:
    directory: PersonFinder = TwoPeople()
    assert actor_named_by(directory, "email", {"email": "dana@example.com", "role": "employee"}) == \
        Actor("p-1", Role.HR)
    assert actor_named_by(directory, "sub", {"sub": "ext-dana", "email": "nobody@example.com"}) == \
        Actor("p-1", Role.HR)


@pytest.mark.parametrize("claim, claims, error", [
    ("email", {"email": "stranger@example.com"}, UnknownPersonError),
    ("email", {"email": "dana@example.com", "email_verified": False}, UnknownPersonError),
    ("email", {"email": "dana@example.com", "email_verified": "true"}, UnknownPersonError),
    ("email", {"sub": "ext-dana"}, UnknownPersonError),
    ("email", {"email": ["dana@example.com"]}, UnknownPersonError),
    ("email", {"email": " dana@example.com"}, UnknownPersonError),
    ("sub", {"sub": "ext-gus"}, PersonDeactivatedError),
    ("email", {"email": "gus@example.com"}, PersonDeactivatedError),
])
def test_the_unknown_the_unverified_and_the_deactivated_are_refused(
        claim: str, claims: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        actor_named_by(TwoPeople(), claim, claims)


@given(st.frozensets(st.sampled_from([Role.EMPLOYEE, Role.MANAGER, Role.HR, Role.AUDITOR])))
def test_a_person_acts_in_the_widest_role_the_directory_grants(roles: frozenset[Role]) -> None:
    role = acting_role(roles)
    assert role in roles or (not roles and role is Role.EMPLOYEE)
    assert all(ROLE_PRECEDENCE.index(role) <= ROLE_PRECEDENCE.index(other) for other in roles)


def test_open_mode_takes_the_claim_as_the_person_and_employee_as_the_role() -> None:
    open_mode = OpenPeople(parse_open_roles("ana@example.com=manager iris@example.com=hr,manager"))
    assert not open_mode.in_directory_mode()
    assert actor_named_by(open_mode, "email", {"email": "dev@example.com", "role": "hr"}) == \
        Actor("dev@example.com", Role.EMPLOYEE)
    assert actor_named_by(open_mode, "email", {"email": "iris@example.com"}) == Actor("iris@example.com", Role.HR)
    assert actor_named_by(open_mode, "sub", {"sub": "mgr-ana"}) == Actor("mgr-ana", Role.EMPLOYEE)


@pytest.mark.parametrize("text", ["ana", "ana=", "=hr", "ana=boss", "ana=service", "ana=hr,"])
def test_open_roles_that_are_not_person_equals_roles_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="person=role"):
        parse_open_roles(text)
