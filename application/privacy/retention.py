"""Retention (ADR 0026): a person's personal text is erased once every cycle they held goals in, or wrote into a
goal or a review of, has been locked (by HR, ADR 0023) for GOALENGINE_RETENTION_YEARS years.

Their data key seals what they wrote, on anyone's goal (ADR 0051): a manager whose own goals are long locked but who
still writes notes on this cycle's goals is not due, and a goal reassigned to someone counts for them from then on.

The data keys are per person, so retention erases a person whole, and only once their last cycle is due: a person
still working keeps their text. The dry run and the real run call the same `due_erasures`, so the list the dry run
shows is exactly what the real run erases (at the same date).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from eventsourcing.application import AggregateNotFoundError

from application.goals.service import Goals
from application.privacy.erasure import Erasure, erase_person
from application.privacy.registry import PERSONAL_FIELDS, SEALED_UNDER_SUBJECT
from domain.cycle import Cycle, cycle_uuid
from domain.goal import Goal
from domain.review import Review
from domain.values import Actor, Role

RETENTION_ACTOR = Actor("retention-policy", Role.HR)
# The events that name who holds a goal or review, and those that carry someone's text (sealed under their key).
RETENTION_TOPICS = sorted({Goal.Drafted.TOPIC, Goal.Reassigned.TOPIC, Review.Opened.TOPIC,
                           *(topic for topic in PERSONAL_FIELDS if topic not in SEALED_UNDER_SUBJECT)})


@dataclass(frozen=True)
class DueErasure:
    """A person whose last cycle has been locked for the retention period."""

    person_id: str
    cycle_id: str  # their last cycle to be locked
    locked_on: date
    due_on: date

    def reason(self, years: int) -> str:
        return f"retention: {years} years after cycle {self.cycle_id} was locked on {self.locked_on.isoformat()}"


def cycle_locked_on(goals: Goals, cycle: dict[str, Any]) -> date | None:
    """The business date HR locked the cycle on (ADR 0023), or None while it is not locked. A goal drafted before
    cycles were aggregates names a cycle nobody opened: its end date stands in for the lock it could never get."""
    try:
        events = list(goals.events.get(cycle_uuid(str(cycle["id"]))))
    except AggregateNotFoundError:
        events = []
    if not events:
        end = cycle.get("end")
        if end is None:  # a review naming a cycle neither opened nor named by a goal: never due
            return None
        return end if isinstance(end, date) else date.fromisoformat(str(end))
    locks = [event.timestamp for event in events if isinstance(event, Cycle.Locked)]
    return locks[0].astimezone(ZoneInfo(goals.settings.timezone)).date() if locks else None


def years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def due_erasures(goals: Goals, today: date, years: int) -> list[DueErasure]:
    """Who retention erases today: people with a data key, all of whose cycles were locked `years` ago or more."""
    last, still_open = last_locked_cycles(goals)
    due = []
    for person in sorted(goals.data_keys.subjects_with_keys() - still_open):
        if person not in last:
            continue
        locked, cycle_id = last[person]
        if years_after(locked, years) <= today:
            due.append(DueErasure(person, cycle_id, locked, years_after(locked, years)))
    return due


def last_locked_cycles(goals: Goals) -> tuple[dict[str, tuple[date, str]], set[str]]:
    """Per person, the lock date and id of the last locked cycle they held a goal in or wrote into; and the people
    with such a cycle not locked yet (never due)."""
    last: dict[str, tuple[date, str]] = {}
    still_open: set[str] = set()
    locked_on: dict[str, date | None] = {}
    cycle_of: dict[str, dict[str, Any]] = {}  # goal or review id -> its cycle
    cycles: dict[str, dict[str, Any]] = {}  # cycle id -> the cycle as its goals name it
    for logged in goals.log_events(topics=RETENTION_TOPICS):
        event = logged.event
        aggregate = str(event.originator_id)
        if isinstance(event, Goal.Drafted):
            cycle_of[aggregate] = cycles.setdefault(str(event.cycle["id"]), event.cycle)
        elif isinstance(event, Review.Opened):
            cycle_of[aggregate] = cycles.get(event.cycle_id, {"id": event.cycle_id, "end": None})
        cycle = cycle_of.get(aggregate)
        if cycle is None:
            continue
        cycle_id = str(cycle["id"])
        if cycle_id not in locked_on:
            locked_on[cycle_id] = cycle_locked_on(goals, cycle)
        moment = locked_on[cycle_id]
        for person in people_in(event):
            if moment is None:
                still_open.add(person)
            else:
                last[person] = max(last.get(person, (moment, cycle_id)), (moment, cycle_id))
    return last, still_open


def people_in(event: object) -> set[str]:
    """Whose the event's goal or review is from it on, and who wrote it (their key seals its text)."""
    people = {str(getattr(event, "actor_id", ""))}
    for field in ("owner_id", "employee_id"):  # Drafted and Reassigned; Review.Opened
        people.add(str(getattr(event, field, "")))
    return people - {""}


def run_retention(goals: Goals, today: date, years: int, *, dry_run: bool = False) -> list[DueErasure]:
    """Erase everyone due (or only list them); what was (or would be) erased."""
    due = due_erasures(goals, today, years)
    if not dry_run:
        for person in due:
            erase(goals, person, years)
    return due


def erase(goals: Goals, person: DueErasure, years: int) -> Erasure:
    return erase_person(goals, person.person_id, RETENTION_ACTOR, person.reason(years), person.due_on)
