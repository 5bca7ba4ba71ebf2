"""Where a person's e-mail goes: an address book behind a small protocol, so the directory can stand in later.

Until the directory (issue 22, `Directory.person(id).email`) is wired in, `DomainAddresses` derives the address from
the person's id and `GOALENGINE_MAIL_DOMAIN` (`emp-1` -> `emp-1@example.org`); without that setting nobody has one.
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
