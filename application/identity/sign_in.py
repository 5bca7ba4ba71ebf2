"""Who an identity provider's claims name: one rule for the browser's sign-in and for the API's provider tokens.

The person is found in the directory by one configured claim (`email`, or `sub` matched to a SCIM externalId);
their role is the directory's, never a claim's. A person the directory does not know, or has deactivated, is refused.
"""

from __future__ import annotations

from collections.abc import Mapping

from application.errors import ApplicationError
from application.identity.people import PersonFinder, PersonRecord
from domain.values import Actor, Role

PERSON_CLAIMS = ("email", "sub")
# One role acts at a time; a person holding several acts in the widest one (HR decides, then managing a team).
ROLE_PRECEDENCE = (Role.HR, Role.MANAGER, Role.AUDITOR, Role.EMPLOYEE)
MAX_CLAIM_LENGTH = 320  # the longest e-mail address RFC 3696 allows


class UnknownPersonError(ApplicationError):
    code = "unknown_person"


class PersonDeactivatedError(ApplicationError):
    code = "person_deactivated"


def person_named_by(people: PersonFinder, claim: str, claims: Mapping[str, object]) -> PersonRecord:
    """The active person the claim names; UnknownPersonError or PersonDeactivatedError otherwise."""
    value = claims.get(claim)
    if not isinstance(value, str) or not 0 < len(value) <= MAX_CLAIM_LENGTH or value != value.strip():
        raise UnknownPersonError(f"the identity provider sent no usable `{claim}` claim to find you by")
    if claim == "email" and claims.get("email_verified", True) is not True:
        raise UnknownPersonError("the identity provider has not verified this e-mail address")
    person = people.find_by_email(value) if claim == "email" else people.find_by_external_id(value)
    if person is None:
        raise UnknownPersonError(f"no person in the directory has {claim} {value!r}", claim=claim)
    if not person.active:
        raise PersonDeactivatedError(f"{person.display_name} ({person.id}) is deactivated in the directory",
                                     person_id=person.id)
    return person


def acting_role(roles: frozenset[Role]) -> Role:
    """The role a person acts in: the first of ROLE_PRECEDENCE they hold (an employee if the directory grants none)."""
    return next((role for role in ROLE_PRECEDENCE if role in roles), Role.EMPLOYEE)


def actor_named_by(people: PersonFinder, claim: str, claims: Mapping[str, object]) -> Actor:
    """The actor for a provider's claims: the person the claim names, in the role the directory grants."""
    person = person_named_by(people, claim, claims)
    return Actor(person.id, acting_role(people.roles_of(person.id)))


def may_keep_session(people: PersonFinder, person_id: str) -> bool:
    """In directory mode a session ends once its person is deactivated or gone; open mode has nobody to ask."""
    if not people.in_directory_mode():
        return True
    person = people.person(person_id)
    return person is not None and person.active
