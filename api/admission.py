"""In directory mode a token speaks for an active person and at most the roles the directory grants (ADR 0034).

A token's `sub` must name an active person of the directory (401 otherwise, a deactivated one included); its
`role` may narrow what the directory grants but never widen it (403). Service tokens name no person and stay as
they were. In open mode (no directory yet) tokens are taken as they are.
"""

from __future__ import annotations

from api.problems import Problem
from application.directory.service import Directory
from domain import rules
from domain.values import Actor


def admitted(directory: Directory, actor: Actor) -> Actor:
    """The actor, once the directory confirms them; Problem 401 or 403 otherwise."""
    if rules.is_a_system(actor) or not directory.in_directory_mode():
        return actor
    granted = directory.roles_of(actor.id)
    if not granted:
        raise Problem(401, "unknown_person", f"the token's `sub` {actor.id!r} names no active person of the "
                      "directory")
    if actor.role not in granted:
        raise Problem(403, "role_not_granted", f"the directory does not grant {actor.id!r} the role {actor.role} "
                      f"(it grants {', '.join(sorted(granted))})", granted=sorted(granted))
    return actor
