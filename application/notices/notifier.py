"""The notifier: follows the log with a tracking position, derives early warnings and has them recorded once.

Each round reads the events after its position, folds each goal event into the goal's review state (the same
reducer as the review projection, kept in a table of its own), derives the warnings that state calls for on the
business date, and hands them in log order to the ledger (application/goals/warnings.py), which records each once.
The fold, the warnings and the positions table belong to the read side (projections/): the composition root
(api/bootstrap.py) hands them in as a `ReviewStates`, so that application/ imports nothing from projections/.
Then it moves its position and the states in one transaction, if no other notifier moved it meanwhile. Once per
business date it also looks at every agreed goal: time alone makes a reading overdue or a milestone missed.

A crash after a warning was recorded but before the position moved repeats the derivation on restart; the
GoalWarnings aggregate remembers what it emitted and skips it, so nothing is emitted twice or skipped (ADR 0024).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Column, Connection, Select, String, Table, Text, delete, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from application.store.database import metadata
from application.store.sqlite_pool import writer_turn
from application.goals.warnings import WarningLedger
from application.goals.service import Goals
from application.events.log_records import log_records
from application.events.serialization import EventRecord
from domain.goal_warnings import EarlyWarning, Evidence

log = logging.getLogger("goalengine.notifier")

NAME = "notifier"
BATCH_SIZE = 200
CREATE_ATTEMPTS = 5
State = dict[str, Any]


@dataclass(frozen=True)
class ReviewStates:
    """What the notifier borrows from the read side: the review-state fold and the warnings a state calls for."""

    goal_events: frozenset[str]  # the event types the fold reads; other aggregates' events are not read
    fold: Callable[[EventRecord, State | None], State]  # one record into a state (the caller's own, changed)
    warnings_for: Callable[[State, date, int], list[tuple[EarlyWarning, Evidence]]]
    stored: Callable[[State], str]  # the state as kept, without its personal text (ADR 0026)
    positions: Table  # the tracking positions, beside the read models'

notifier_states = Table(
    "notifier_goal_states",
    metadata,
    Column("goal_id", String(36), primary_key=True),
    Column("state", Text, nullable=False),
)


class Notifier:
    def __init__(self, goals: Goals, states: ReviewStates, today: Callable[[], date] | None = None,
                 batch_size: int = BATCH_SIZE) -> None:
        self.goals = goals
        self.states = states
        self.today = today or goals.today
        self.ledger = WarningLedger(goals)
        self.batch_size = batch_size
        self.swept_on: date | None = None
        self._seen = -1  # the head as of the last round that found nothing new: a round below it costs one query
        self.zone = ZoneInfo(goals.settings.timezone)
        self._create_tables()
        self._ensure_position_row()

    def step(self, max_batches: int | None = None) -> int:
        """Catch up with the log, then (once per business date) look at every agreed goal; warnings emitted.

        With `max_batches` (the projector's duty: its rounds must stay short) it may stop before the head; the
        look at every goal then waits until a later step has caught up.
        """
        today = self.today()
        head = self.goals.head_position()
        if head <= self._seen and self.swept_on == today:
            return 0
        emitted, batches = 0, 0
        while (batch := self._next_batch()) is not None:
            emitted += self._apply(*batch, today)
            batches += 1
            if max_batches is not None and batches >= max_batches and len(batch[1]) == self.batch_size:
                return emitted  # more may follow: the next step goes on
        self._seen = head
        if self.swept_on != today:
            emitted += self._sweep(today)
            self.swept_on = today
        return emitted

    def position(self) -> int:
        with self.goals.engine.connect() as connection:
            return int(connection.execute(self._position_query()).scalar_one())

    def _next_batch(self) -> tuple[int, list[EventRecord]] | None:
        position = self.position()
        head = self.goals.head_position()
        if position >= head:
            return None
        records = list(islice(log_records(self.goals, position, head, self.batch_size), self.batch_size))
        return (position, records) if records else None

    def _apply(self, position: int, batch: Sequence[EventRecord], today: date) -> int:
        goal_records = [r for r in batch if r.type in self.states.goal_events]
        states = self._states({r.goal_id for r in goal_records if r.type != "Drafted"})
        emitted = 0
        for record in goal_records:
            state = self.states.fold(record, states.get(record.goal_id))
            assert record.position is not None
            states[record.goal_id] = state
            # An event is judged on its own business date: replaying the log later derives the same warnings.
            emitted += self._record(state, min(today, self._business_date(record)), record.position)
        last = batch[-1].position
        assert last is not None
        self._commit(position, last, {g: states[g] for g in {r.goal_id for r in goal_records}})
        return emitted

    def _business_date(self, record: EventRecord) -> date:
        return datetime.fromisoformat(record.timestamp).astimezone(self.zone).date()

    def _sweep(self, today: date) -> int:
        position = self.position()
        with self.goals.engine.connect() as connection:
            texts = list(connection.execute(select(notifier_states.c.state).order_by(notifier_states.c.goal_id)))
        return sum(self._record(json.loads(text), today, position) for (text,) in texts)

    def _record(self, state: State, today: date, position: int) -> int:
        recorded = 0
        for warning, evidence in self.states.warnings_for(state, today, position):
            if self.ledger.record(state["goal_id"], warning, evidence, today=today) is not None:
                recorded += 1
        return recorded

    def _states(self, goal_ids: set[str]) -> dict[str, State]:
        if not goal_ids:
            return {}
        query = select(notifier_states).where(notifier_states.c.goal_id.in_(sorted(goal_ids)))
        with self.goals.engine.connect() as connection:
            return {row.goal_id: json.loads(row.state) for row in connection.execute(query)}

    def _commit(self, expected: int, reached: int, states: dict[str, State]) -> None:
        """Move the position and the states together, unless another notifier moved the position meanwhile. On
        SQLite it takes the process's writer turn: the projector writes beside it, from another thread."""
        with writer_turn(self.goals.recorder), self.goals.engine.begin() as connection:
            if self._lock(connection) != expected:
                log.info("another notifier moved past %s; this round's states are dropped", expected)
                return
            if states:
                connection.execute(delete(notifier_states).where(notifier_states.c.goal_id.in_(list(states))))
                connection.execute(insert(notifier_states), [
                    {"goal_id": goal_id, "state": self.states.stored(state)} for goal_id, state in states.items()])
            positions = self.states.positions
            connection.execute(update(positions).where(positions.c.name == NAME).values(position=reached))

    def _create_tables(self) -> None:
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            try:
                metadata.create_all(self.goals.engine, tables=[self.states.positions, notifier_states])
                return
            except (IntegrityError, OperationalError, ProgrammingError):
                # Another notifier created one at the same moment (PostgreSQL refuses the second CREATE TABLE with
                # a unique violation, SQLite with "already exists"): the next look finds it there.
                if attempt == CREATE_ATTEMPTS:
                    raise

    def _ensure_position_row(self) -> None:
        try:
            with self.goals.engine.begin() as connection:
                if connection.execute(self._position_query()).first() is None:
                    connection.execute(insert(self.states.positions), [{"name": NAME, "position": 0}])
        except IntegrityError:
            pass  # another process added it at the same moment


    def _position_query(self) -> Select[tuple[int]]:
        positions = self.states.positions
        return select(positions.c.position).where(positions.c.name == NAME)

    def _lock(self, connection: Connection) -> int:
        # A no-op write first takes the row lock (PostgreSQL) or the write lock (SQLite) before the read.
        positions = self.states.positions
        where = positions.c.name == NAME
        connection.execute(update(positions).where(where).values(position=positions.c.position))
        return int(connection.execute(select(positions.c.position).where(where)).scalar_one())
