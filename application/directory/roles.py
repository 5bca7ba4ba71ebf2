"""Which directory groups grant which roles: HR and auditors by the Group's displayName (ADR 0034)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from domain.values import Role

DEFAULT_HR_GROUP = "hr"
DEFAULT_AUDITOR_GROUP = "auditors"


@dataclass(frozen=True)
class RoleGroups:
    """The displayName of the group whose members are HR, and of the one whose members are auditors."""

    hr: str = DEFAULT_HR_GROUP
    auditors: str = DEFAULT_AUDITOR_GROUP

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RoleGroups:
        env = os.environ if environ is None else environ
        return cls(hr=env.get("GOALENGINE_HR_GROUP") or DEFAULT_HR_GROUP,
                   auditors=env.get("GOALENGINE_AUDITOR_GROUP") or DEFAULT_AUDITOR_GROUP)

    def granted_by(self, group_names: frozenset[str]) -> frozenset[Role]:
        """The roles membership of these groups grants (names compare without case, as SCIM's displayName)."""
        folded = {name.casefold() for name in group_names}
        granted = {Role.HR: self.hr, Role.AUDITOR: self.auditors}
        return frozenset(role for role, name in granted.items() if name.casefold() in folded)
