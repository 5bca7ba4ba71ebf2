"""What the people of a goal said along the way, for its page: check-ins and the notes written with readings.

A check-in (domain/check_ins.py) says how the goal is going, how sure its author is, what blocks it and what comes
next; a reading's note says what lay behind a number. Both are read from the goal's events, newest first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from domain.goal import Goal

SHOWN_UPDATES = 50  # the page shows the latest ones; the timeline and the API's history keep every one
CHECK_IN_WORDS = {"on_track": "On track", "at_risk": "At risk", "off_track": "Off track"}
CONFIDENCE_WORDS = {1: "not at all sure", 2: "not very sure", 3: "fairly sure", 4: "sure", 5: "very sure"}


@dataclass(frozen=True)
class Update:
    """One thing said about the goal: a check-in, or a reading with its note."""

    kind: str  # "check_in" or "reading"
    version: int
    at: datetime
    author: str
    status: str = ""
    confidence: str = ""
    note: str = ""
    blockers: str = ""
    next_steps: str = ""
    reading: str = ""  # "17.4 tickets/day for 3 Nov 2026"


def updates(goal: Goal, events: Sequence[Goal.Event], until: datetime | None,
            name_of: Callable[[str], str | None]) -> list[Update]:
    """The latest check-ins and noted readings up to `until` (all when None), newest first. Readings come after
    agreement, when a KPI's name and unit no longer change: the goal's own say what each reading measured."""
    units = {k.id: (k.name, k.unit) for k in goal.kpis}
    said: list[Update] = []
    for event in events:
        if until is not None and event.timestamp > until:
            break
        author = name_of(event.actor_id) or event.actor_id
        if isinstance(event, Goal.CheckedIn):
            said.append(Update("check_in", event.originator_version, event.timestamp, author,
                               CHECK_IN_WORDS.get(event.status, event.status),
                               CONFIDENCE_WORDS.get(event.confidence, str(event.confidence)), event.note,
                               event.blockers, event.next_steps))
        elif isinstance(event, Goal.KpiRecorded) and event.note:
            name, unit = units.get(event.kpi, (event.kpi, ""))
            reading = f"{name}: {_amount(event.value)}{' ' + unit if unit else ''} for {_day(event.observed_at)}"
            said.append(Update("reading", event.originator_version, event.timestamp, author, note=event.note,
                               reading=reading))
    return list(reversed(said[-SHOWN_UPDATES:]))


def _amount(value: object) -> str:
    text = format(value, "f") if not isinstance(value, str) else value
    return text.rstrip("0").rstrip(".") if "." in text else text


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"
