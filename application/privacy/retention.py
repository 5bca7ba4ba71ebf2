"""Retention (ADR 0026): a person's personal text is erased once every cycle they have goals in has been locked
for GOALENGINE_RETENTION_YEARS years.

The data keys are per person, so retention erases a person whole, and only once their last cycle is due: a person
still working keeps their text. The dry run and the real run call the same `due_erasures`, so the list the dry run
shows is exactly what the real run erases (at the same date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from application.goals import Goals
from application.privacy.erasure import Erasure, erase_person
from domain.goal import Goal
from domain.values import Actor, Role

RETENTION_ACTOR = Actor("retention-policy", Role.HR)


@dataclass(frozen=True)
class DueErasure:
    """A person whose last cycle has been locked for the retention period."""

    person_id: str
    cycle_id: str  # their last cycle to be locked
    locked_on: date
    due_on: date

    def reason(self, years: int) -> str:
        return f"retention: {years} years after cycle {self.cycle_id} was locked on {self.locked_on.isoformat()}"


def cycle_locked_on(cycle: dict[str, Any]) -> date:
    """When a cycle was locked. Until cycles are aggregates with a lock of their own (issue #14), its end date:
    this is the one place to read the lock from once they are."""
    end = cycle["end"]
    return end if isinstance(end, date) else date.fromisoformat(str(end))


def years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def due_erasures(goals: Goals, today: date, years: int) -> list[DueErasure]:
    """Who retention erases today: people with a data key, all of whose cycles were locked `years` ago or more."""
    last: dict[str, tuple[date, str]] = {}
    for logged in goals.log_events(topics=[Goal.Drafted.TOPIC]):
        drafted = logged.event
        assert isinstance(drafted, Goal.Drafted)
        locked = (cycle_locked_on(drafted.cycle), str(drafted.cycle["id"]))
        last[drafted.owner_id] = max(last.get(drafted.owner_id, locked), locked)
    due = []
    for person in sorted(goals.data_keys.subjects_with_keys()):
        if person in last and years_after(last[person][0], years) <= today:
            locked_on, cycle_id = last[person]
            due.append(DueErasure(person, cycle_id, locked_on, years_after(locked_on, years)))
    return due


def run_retention(goals: Goals, today: date, years: int, *, dry_run: bool = False) -> list[DueErasure]:
    """Erase everyone due (or only list them); what was (or would be) erased."""
    due = due_erasures(goals, today, years)
    if not dry_run:
        for person in due:
            erase(goals, person, years)
    return due


def erase(goals: Goals, person: DueErasure, years: int) -> Erasure:
    return erase_person(goals, person.person_id, RETENTION_ACTOR, person.reason(years), person.due_on)
