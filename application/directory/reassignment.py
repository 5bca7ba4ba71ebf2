"""The process manager of reporting lines: a person's open goals follow them to their new manager (ADR 0035).

It reads `person.reporting_line_changed.v1` in log order from where it last stopped (a position kept in the store)
and moves each open goal (draft or agreed) of that person to the new manager with `goal.reassigned.v1` (reason
`reporting_line_changed`, `follows` naming the directory event). Exactly once, whoever runs it and however often:
a goal already held by the new manager is left alone, a change the directory has since superseded is skipped (the
later one moves the goals), and of two servers saving the same goal version one wins and the other re-reads it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from sqlalchemy import BigInteger, Column, Connection, Engine, String, Table, insert, select, update
from sqlalchemy.exc import IntegrityError as RowExistsError

from application.directory.index import Person
from application.events.cloudevents import cloudevent_id
from application.goals import checks
from application.goals.service import Goals
from application.store.database import metadata, schema_creation
from domain.directory import DirectoryPerson
from domain.goal import Goal
from domain.values import Actor, Role, Status

NAME = "reporting_lines"
ATTEMPTS = 3

follower_positions = Table(
    "directory_follower_positions", metadata,
    Column("name", String(63), primary_key=True),
    Column("position", BigInteger, nullable=False),
)


class ReportingLineFollower:
    """Moves open goals after each change of reporting line; `catch_up` is safe to call from anywhere, any time."""

    def __init__(self, goals: Goals, person: Callable[[str], Person | None]) -> None:
        self.goals = goals
        self.person = person
        self._lock = threading.Lock()
        with schema_creation(goals.engine):
            metadata.create_all(goals.engine, tables=[follower_positions])

    def catch_up(self) -> int:
        """Follow every change of reporting line stored since the last call; the number of goals moved."""
        moved = 0
        with self._lock:
            position = _position(self.goals.engine)
            # Searched up to the head seen first, which is then stored: the next call searches only what came
            # since, not every event since the last change of reporting line (positions commit in order, ADR 0011).
            head = self.goals.recorder.max_notification_id() or 0
            while position < head and (page := self.goals.recorder.select_notifications(
                    position, 100, stop=head, topics=[DirectoryPerson.ReportingLineChanged.TOPIC],
                    inclusive_of_start=False)):
                for notification in page:
                    event = self.goals.mapper.to_domain_event(notification)
                    assert isinstance(event, DirectoryPerson.ReportingLineChanged)
                    moved += self._follow(event)
                    position = notification.id
                    _store_position(self.goals.engine, position)
            if head > position:
                _store_position(self.goals.engine, head)
        return moved

    def _follow(self, event: DirectoryPerson.ReportingLineChanged) -> int:
        person = self.person(event.person_id)
        if person is None or event.to_manager_id is None or person.manager_id != event.to_manager_id:
            return 0  # no manager to move to (HR decides), or superseded by a later change that moves them
        follows = cloudevent_id(str(event.originator_id), event.originator_version)
        actor = Actor(event.actor_id, Role(event.actor_role))
        return sum(self._move(goal_id, event.person_id, event.to_manager_id, actor, follows)
                   for goal_id in self._goals_owned_by(event.person_id))

    def _move(self, goal_id: UUID, owner_id: str, manager_id: str, actor: Actor, follows: str) -> int:
        for _ in range(ATTEMPTS):
            goal: object = self.goals.repository.get(goal_id)
            assert isinstance(goal, Goal)
            if goal.status == Status.CLOSED or goal.owner_id != owner_id or goal.manager_id == manager_id:
                return 0
            if self._cycle_locked(goal):
                return 0  # a locked cycle's goals are frozen: they stay with the manager who held them
            goal.follow_reporting_line(actor, manager_id, follows)
            try:
                self.goals.save_at(goal)  # the one Goals application saves them all
                return 1
            except IntegrityError:
                continue  # another server saved this goal first: read it again
        return 0

    def _cycle_locked(self, goal: Goal) -> bool:
        cycle = checks.find_cycle(self.goals.repository, goal.cycle.id)
        return cycle is not None and cycle.locked

    def _goals_owned_by(self, person_id: str) -> list[UUID]:
        """The goals this person was ever named the owner of (drafted for, or reassigned to)."""
        found: dict[UUID, None] = {}
        position = 0
        topics = [Goal.Drafted.TOPIC, Goal.Reassigned.TOPIC]
        while page := self.goals.recorder.select_notifications(position, 500, topics=topics,
                                                                 inclusive_of_start=False):
            for notification in page:
                event = self.goals.mapper.to_domain_event(notification)
                if getattr(event, "owner_id", None) == person_id:
                    found[UUID(str(notification.originator_id))] = None
            position = page[-1].id
        return list(found)


def _position(engine: Engine) -> int:
    with engine.connect() as connection:
        stored = connection.execute(select(follower_positions.c.position)
                                    .where(follower_positions.c.name == NAME)).scalar()
    return int(stored or 0)


def _store_position(engine: Engine, position: int) -> None:
    """Move the position forward (never back: another server may be ahead)."""
    try:
        with engine.begin() as connection:
            moved = connection.execute(update(follower_positions).where(
                follower_positions.c.name == NAME, follower_positions.c.position < position)
                .values(position=position)).rowcount
            if not moved and _missing(connection):
                connection.execute(insert(follower_positions).values(name=NAME, position=position))
    except RowExistsError:
        _store_position(engine, position)  # another server made the row in the meantime


def _missing(connection: Connection) -> bool:
    row = connection.execute(select(follower_positions.c.name).where(follower_positions.c.name == NAME)).first()
    return row is None
