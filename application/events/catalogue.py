"""Every aggregate whose events the log holds, and so every event class the log's readers must know (ADR 0022).

Goals, cycles, objectives, reviews and the rest share one store and one log: one trail, one signature chain per
aggregate, one Merkle tree, one feed. Readers that only understand goal events (the goal projections, the history)
ask `is_goal_topic`; readers of the whole log (the feed, the webhooks, the relay, the verifier) take every event.
A new aggregate is added to AGGREGATES, and its events follow.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, cast
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.cycle import Cycle
from domain.directory import DirectoryPerson
from domain.directory_group import DirectoryGroup
from domain.goal import Goal
from domain.goal_warnings import GoalWarnings
from domain.objective import Objective
from domain.person import Person
from domain.review import Review

GOAL_AGGREGATE = "Goal"
TOPIC_PREFIX = "goalengine:"


class RecordedEvent(Protocol):
    """What every event in the log carries: which aggregate, which version of it, when, who and in which role."""

    TOPIC: str

    @property
    def originator_id(self) -> UUID: ...

    @property
    def originator_version(self) -> int: ...

    @property
    def timestamp(self) -> datetime: ...

    @property
    def actor_id(self) -> str: ...

    @property
    def actor_role(self) -> str: ...


def events_of(aggregate: type[Aggregate]) -> tuple[type[RecordedEvent], ...]:
    """The concrete events nested in an aggregate class (its base `Event` class is not one)."""
    return tuple(
        cast("type[RecordedEvent]", value) for value in vars(aggregate).values()
        if isinstance(value, type) and issubclass(value, Aggregate.Event)
        and not getattr(value, "TOPIC", ".Event").endswith(".Event")
    )


def aggregate_name(topic: str) -> str:
    """'goalengine:Cycle.Opened' -> 'Cycle'."""
    return topic.removeprefix(TOPIC_PREFIX).rsplit(".", 1)[0]


def is_goal_topic(topic: str) -> bool:
    return aggregate_name(topic) == GOAL_AGGREGATE


AGGREGATES: tuple[type[Aggregate], ...] = (Goal, Cycle, Objective, Review, GoalWarnings, Person,
                                            DirectoryPerson, DirectoryGroup)
EVENT_CLASSES: tuple[type[RecordedEvent], ...] = tuple(cls for agg in AGGREGATES for cls in events_of(agg))
