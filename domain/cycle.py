"""The review cycle as an aggregate: HR opens it, starts it, starts its review, releases its ratings and locks it.

A cycle moves forward only (planning, active, review, released, locked; ADR 0046). Goals name their cycle by its id
and take their period from it; once it is locked every goal in it is frozen (the application checks that on every
goal command).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain import validation
from domain import rules
from domain.errors import (
    CycleInPlanningError, CycleInReviewError, CycleLockedError, CycleStateError, InvalidGoalInputError,
    NotReleasedError, PermissionDeniedError,
)
from domain.values import Actor, Cycle as Period

NAMESPACE = uuid5(NAMESPACE_URL, "https://goalengine.example/aggregates")


class CycleStatus(StrEnum):
    PLANNING = "planning"
    ACTIVE = "active"
    REVIEW = "review"
    RELEASED = "released"
    LOCKED = "locked"


# The state each transition comes from; locking is allowed from any earlier state (HR may close a cycle early).
TRANSITIONS_FROM: dict[CycleStatus, tuple[CycleStatus, ...]] = {
    CycleStatus.ACTIVE: (CycleStatus.PLANNING,),
    CycleStatus.REVIEW: (CycleStatus.ACTIVE,),
    CycleStatus.RELEASED: (CycleStatus.REVIEW,),
    CycleStatus.LOCKED: (CycleStatus.PLANNING, CycleStatus.ACTIVE, CycleStatus.REVIEW, CycleStatus.RELEASED),
}
# Ratings an employee may see: released, or final because the cycle is locked (a cycle locked before releases
# existed, or closed early, keeps showing what it showed; ADR 0046).
RATINGS_VISIBLE = (CycleStatus.RELEASED, CycleStatus.LOCKED)


def cycle_uuid(cycle_id: str) -> UUID:
    """The aggregate id of the cycle with this natural id (deterministic: one cycle per id)."""
    return uuid5(NAMESPACE, f"cycle:{cycle_id}")


class Cycle(Aggregate):
    """A review cycle: a named period whose goals are agreed, tracked, reviewed and finally frozen."""

    TOPIC = "goalengine:Cycle"

    class Event(Aggregate.Event):
        TOPIC = "goalengine:Cycle.Event"
        actor_id: str
        actor_role: str

    class Opened(Aggregate.Created, Event):
        TOPIC = "goalengine:Cycle.Opened"
        cycle: str  # the cycle's own id ("2026-H1"); named so the feed's cycle filter finds it (ADR 0022)
        name: str
        start: date
        end: date

    class Activated(Event):
        TOPIC = "goalengine:Cycle.Activated"
        cycle: str

        def apply(self, cycle: Cycle) -> None:
            cycle.status = CycleStatus.ACTIVE

    class ReviewStarted(Event):
        TOPIC = "goalengine:Cycle.ReviewStarted"
        cycle: str

        def apply(self, cycle: Cycle) -> None:
            cycle.status = CycleStatus.REVIEW

    class Released(Event):
        """HR released the cycle's ratings: employees see their band and may acknowledge or dispute it."""

        TOPIC = "goalengine:Cycle.Released"
        cycle: str

        def apply(self, cycle: Cycle) -> None:
            cycle.status = CycleStatus.RELEASED

    class Locked(Event):
        TOPIC = "goalengine:Cycle.Locked"
        cycle: str

        def apply(self, cycle: Cycle) -> None:
            cycle.status = CycleStatus.LOCKED

    def __init__(self, cycle: str, name: str, start: date, end: date) -> None:
        self.cycle_id = cycle
        self.name = name
        self.start = start
        self.end = end
        self.status = CycleStatus.PLANNING

    @classmethod
    def open(cls, *, actor: Actor, cycle_id: str, name: str, start: date, end: date) -> Cycle:
        """HR opens a cycle in planning."""
        _require_hr(actor, "open")
        validation.require_text("id", cycle_id, max_length=100)
        validation.require_text("name", name, max_length=200)
        if start >= end:
            raise InvalidGoalInputError("end", f"must come after start {start}, not {end}")
        return cls._create(cls.Opened, id=cycle_uuid(cycle_id), cycle=cycle_id, name=name, start=start, end=end,
                           actor_id=actor.id, actor_role=str(actor.role))

    @property
    def period(self) -> Period:
        return Period(self.cycle_id, self.start, self.end)

    @property
    def locked(self) -> bool:
        return self.status is CycleStatus.LOCKED

    def activate(self, actor: Actor) -> None:
        """HR starts the cycle: goals are agreed and tracked."""
        self._move(CycleStatus.ACTIVE, self.Activated, actor)

    def start_review(self, actor: Actor) -> None:
        """HR starts the review period: ratings are prepared (goals may still take late readings)."""
        self._move(CycleStatus.REVIEW, self.ReviewStarted, actor)

    def release(self, actor: Actor) -> None:
        """HR releases the ratings of a cycle in review: each employee sees their band and answers it."""
        self._move(CycleStatus.RELEASED, self.Released, actor)

    @property
    def ratings_released(self) -> bool:
        return self.status in RATINGS_VISIBLE

    def require_released(self) -> None:
        """Employees answer a rating only once HR has released it."""
        if not self.ratings_released:
            raise NotReleasedError(f"the ratings of cycle {self.cycle_id!r} are not released yet ({self.status}); "
                                   "HR releases them after the review", cycle=self.cycle_id, status=str(self.status))

    def lock(self, actor: Actor) -> None:
        """HR locks the cycle: every goal in it is frozen from now on."""
        self._move(CycleStatus.LOCKED, self.Locked, actor)

    def require_unlocked(self) -> None:
        if self.locked:
            raise CycleLockedError(f"cycle {self.cycle_id!r} is locked: its goals take no further command",
                                   cycle=self.cycle_id)

    def require_open_to_reviews(self) -> None:
        """A locked cycle's reviews are final: no self-assessment, decision, acknowledgement, dispute or resolution."""
        if self.locked:
            raise CycleLockedError(f"cycle {self.cycle_id!r} is locked: its reviews take no further step",
                                   cycle=self.cycle_id)

    def require_open_to_decisions(self) -> None:
        """A band is decided once the cycle has started (active or in review), never while it is planned."""
        self.require_open_to_reviews()
        if self.status is CycleStatus.PLANNING:
            raise CycleInPlanningError(f"cycle {self.cycle_id!r} is still in planning: no band is decided before "
                                       "HR starts it", cycle=self.cycle_id, status=str(self.status))

    def require_terms_still_open(self) -> None:
        """Once the cycle is in review (or its ratings are released) its goals' terms are what is rated: no
        recalibration changes them."""
        self.require_unlocked()
        if self.status in (CycleStatus.REVIEW, CycleStatus.RELEASED):  # released ratings were rated on these terms
            stage = "in review" if self.status is CycleStatus.REVIEW else "released"
            raise CycleInReviewError(f"cycle {self.cycle_id!r} is {stage}: its goals' terms no longer change",
                                     cycle=self.cycle_id, status=str(self.status))

    def _move(self, to: CycleStatus, event: type[Cycle.Event], actor: Actor) -> None:
        _require_hr(actor, f"move to {to}")
        self.require_unlocked()
        if self.status not in TRANSITIONS_FROM[to]:
            raise CycleStateError(f"cycle {self.cycle_id!r} is {self.status}; it cannot move to {to}",
                                  cycle=self.cycle_id, status=str(self.status))
        self.trigger_event(event, cycle=self.cycle_id, actor_id=actor.id, actor_role=str(actor.role))


def _require_hr(actor: Actor, doing: str) -> None:
    if not rules.moves_cycles(actor):
        raise PermissionDeniedError(f"only HR may {doing} a review cycle, not {actor.role} {actor.id!r}",
                                    actor_id=actor.id)
