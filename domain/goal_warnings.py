"""GoalWarnings: the early warnings of one goal, derived from its events and the calendar, each emitted once.

One aggregate per goal (its id follows from the goal's), in the same log as the goal. Its state remembers every
warning it emitted and the log position the latest was derived from, so a notifier that restarts and replays
the log, or a second one, cannot emit one twice: a warning from an earlier position, or a repeat, is a no-op,
and two writers racing on the same version lose one save to the store's optimistic concurrency. Each warning
names its evidence: the log position the notifier had read to, and the ids of the events it rests on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.values import Actor

WARNINGS_NAMESPACE = uuid5(NAMESPACE_URL, "urn:goalengine:goal-warnings")
FIRST_PACE = "on_track"  # an agreed goal starts on track: only a change from it is news
PACES = ("on_track", "at_risk", "behind", "overdue")  # as projections/review/pace.py computes them


def warnings_id(goal_id: str) -> UUID:
    return uuid5(WARNINGS_NAMESPACE, f"goal-warnings:{goal_id}")


@dataclass(frozen=True)
class Evidence:
    """What a warning was derived from: the log read up to `position`, and the events (goal id:version) it cites."""

    position: int
    event_ids: tuple[str, ...]

    def to_stored(self) -> dict[str, object]:
        return {"evidence_position": self.position, "evidence": list(self.event_ids)}


@dataclass(frozen=True)
class OverdueReading:
    kpi: str
    cadence: str
    last_observed_at: date | None  # None: no reading since agreement
    due_by: date


@dataclass(frozen=True)
class PaceChange:
    pace: str


@dataclass(frozen=True)
class MissedMilestone:
    milestone_id: str
    kpi: str
    due: date
    target: Decimal
    reading: Decimal | None


EarlyWarning = OverdueReading | PaceChange | MissedMilestone


class GoalWarnings(Aggregate):
    TOPIC = "goalengine:GoalWarnings"

    class Event(Aggregate.Event):
        TOPIC = "goalengine:GoalWarnings.Event"
        actor_id: str
        actor_role: str

    class Opened(Aggregate.Created, Event):
        TOPIC = "goalengine:GoalWarnings.Opened"
        CLOUDEVENT_TYPE = "goal.warnings_opened.v1"
        goal_id: str

    class ReadingOverdue(Event):
        TOPIC = "goalengine:GoalWarnings.ReadingOverdue"
        CLOUDEVENT_TYPE = "goal.reading_overdue.v1"
        goal_id: str
        kpi: str
        cadence: str
        last_observed_at: date | None
        due_by: date
        noticed_on: date
        evidence_position: int
        evidence: list[str]

        def apply(self, warnings: GoalWarnings) -> None:
            warnings.overdue.add((self.kpi, self.due_by.isoformat()))
            warnings.derived_from(self)

    class PaceChanged(Event):
        TOPIC = "goalengine:GoalWarnings.PaceChanged"
        CLOUDEVENT_TYPE = "goal.pace_changed.v1"
        goal_id: str
        pace_before: str
        pace: str
        noticed_on: date
        evidence_position: int
        evidence: list[str]

        def apply(self, warnings: GoalWarnings) -> None:
            warnings.pace = self.pace
            warnings.derived_from(self)

    class MilestoneMissed(Event):
        TOPIC = "goalengine:GoalWarnings.MilestoneMissed"
        CLOUDEVENT_TYPE = "goal.milestone_missed.v1"
        goal_id: str
        milestone_id: str
        kpi: str
        due: date
        target: Decimal
        reading: Decimal | None
        noticed_on: date
        evidence_position: int
        evidence: list[str]

        def apply(self, warnings: GoalWarnings) -> None:
            warnings.missed.add((self.milestone_id, str(self.target)))
            warnings.derived_from(self)

    def __init__(self, goal_id: str) -> None:
        self.goal_id = goal_id
        self.overdue: set[tuple[str, str]] = set()
        self.pace = FIRST_PACE
        self.missed: set[tuple[str, str]] = set()
        self.derived_through = 0  # the log position the latest warning was derived from

    @classmethod
    def open(cls, goal_id: str, actor: Actor) -> GoalWarnings:
        return cls._create(cls.Opened, id=warnings_id(goal_id), goal_id=goal_id, **_by(actor))

    # The business date the latest warning was judged on; a class default, because a snapshot taken before this
    # attribute existed restores without it.
    derived_on = date.min

    def derived_from(self, event: ReadingOverdue | PaceChanged | MilestoneMissed) -> None:
        self.derived_through = event.evidence_position
        self.derived_on = event.noticed_on

    def emitted(self, warning: EarlyWarning, evidence: Evidence, today: date) -> bool:
        """Whether this warning was emitted already: derived from an earlier look than the latest warning's (a
        notifier replaying the log after a crash, or one that lost a race), or the same warning (for pace: the same
        pace) again. A look is its log position, then its business date: the day's look at every goal reads from
        the position the last event's own look did, on a later date, and a notifier still folding that event on its
        own date is behind it."""
        if (evidence.position, today) < (self.derived_through, self.derived_on):
            return True
        if isinstance(warning, OverdueReading):
            return (warning.kpi, warning.due_by.isoformat()) in self.overdue
        if isinstance(warning, PaceChange):
            return warning.pace == self.pace
        return (warning.milestone_id, str(warning.target)) in self.missed

    def warn(self, warning: EarlyWarning, evidence: Evidence, actor: Actor, *, today: date) -> bool:
        """Emit the warning unless it was emitted already; True if it was emitted now."""
        if self.emitted(warning, evidence, today):
            return False
        common = {"goal_id": self.goal_id, "noticed_on": today, **evidence.to_stored(), **_by(actor)}
        if isinstance(warning, OverdueReading):
            self.trigger_event(self.ReadingOverdue, kpi=warning.kpi, cadence=warning.cadence,
                               last_observed_at=warning.last_observed_at, due_by=warning.due_by, **common)
        elif isinstance(warning, PaceChange):
            self.trigger_event(self.PaceChanged, pace_before=self.pace, pace=warning.pace, **common)
        else:
            self.trigger_event(self.MilestoneMissed, milestone_id=warning.milestone_id, kpi=warning.kpi,
                               due=warning.due, target=warning.target, reading=warning.reading, **common)
        return True


def _by(actor: Actor) -> dict[str, str]:
    return {"actor_id": actor.id, "actor_role": str(actor.role)}
