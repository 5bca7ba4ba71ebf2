"""The manager's team on her home page: each person's goals under their name and title, the person whose goal needs
attention most first, and within a person the goal that needs it most first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from api.web.views import pace_rank, shown_pace
from application.directory.index import Person

PersonLookup = Callable[[str], Person | None]  # the directory's `person`: None for someone it does not hold


@dataclass(frozen=True)
class TeamMember:
    """One person of the team as the home page groups them: how people know them, and their goals of the cycle."""

    id: str
    name: str
    title: str  # the directory's job title; empty in open mode or when the directory has none
    goals: list[dict[str, Any]]


def by_person(goals: list[dict[str, Any]], person_of: PersonLookup) -> list[TeamMember]:
    """The goals grouped by owner: people ordered by their most urgent goal (then by name), goals by urgency."""
    urgent_first = sorted(goals, key=urgency)  # stable: goals of equal urgency keep the review's order
    grouped: dict[str, list[dict[str, Any]]] = {}
    for goal in urgent_first:
        grouped.setdefault(goal["owner_id"], []).append(goal)
    members = [member(owner, owned, person_of) for owner, owned in grouped.items()]
    return sorted(members, key=lambda m: (urgency(m.goals[0]), m.name.casefold(), m.id))


def urgency(goal: dict[str, Any]) -> int:
    """Overdue before behind before at risk ... before on track, as shown on the page."""
    return pace_rank(shown_pace(goal))


def member(owner_id: str, goals: list[dict[str, Any]], person_of: PersonLookup) -> TeamMember:
    person = person_of(owner_id)  # None in open mode (ADR 0035): the id is the name, no title
    name = goals[0].get("owner_display_name") or (person.display_name if person else owner_id)
    return TeamMember(owner_id, name, person.details.title if person else "", goals)
