"""Where a person's e-mail goes: an address book behind a small protocol, the directory's first.

The directory's e-mail comes first (`DirectoryAddresses`); for people it does not hold (open mode), `DomainAddresses`
derives the address from the person's id and `GOALENGINE_MAIL_DOMAIN` (`emp-1` -> `emp-1@example.org`); without that
setting they have none.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Protocol

DOMAIN = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$")
LOCAL_PART = re.compile(r"^[A-Za-z0-9._+-]{1,64}$")


class AddressBook(Protocol):
    def email(self, person_id: str) -> str | None:
        """The person's e-mail address, or None if they have none (they then get no mail)."""


class DomainAddresses:
    """The fallback: `<person id>@<domain>`, for ids that are valid local parts."""

    def __init__(self, domain: str | None) -> None:
        if domain is not None and not DOMAIN.match(domain):
            raise ValueError(f"GOALENGINE_MAIL_DOMAIN {domain!r} is not a domain name")
        self.domain = domain

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DomainAddresses:
        env = os.environ if environ is None else environ
        return cls(env.get("GOALENGINE_MAIL_DOMAIN") or None)

    def email(self, person_id: str) -> str | None:
        if self.domain is None or not LOCAL_PART.match(person_id):
            return None
        return f"{person_id}@{self.domain}"


class PersonWithEmail(Protocol):
    @property
    def email(self) -> str | None: ...


class People(Protocol):
    def person(self, person_id: str) -> PersonWithEmail | None: ...


class DirectoryAddresses:
    """The e-mail the directory holds for a person (ADR 0033); the fallback for anyone it does not hold."""

    def __init__(self, people: People, fallback: AddressBook) -> None:
        self.people, self.fallback = people, fallback

    def email(self, person_id: str) -> str | None:
        person = self.people.person(person_id)
        if person is None:
            return self.fallback.email(person_id)
        return person.email or None
