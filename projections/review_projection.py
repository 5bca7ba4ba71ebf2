"""The review read model: each goal's review state (projections/review_state.py) stored as canonical JSON."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select

from application.serialization import EventRecord
from projections.review.state import State, fold
from projections.tables import goal_reviews


class ReviewProjection:
    name = "reviews"
    tables = (goal_reviews,)

    def apply(self, connection: Connection, batch: Sequence[EventRecord]) -> None:
        self.staged(connection, batch)(connection)

    def staged(self, reading: Connection, batch: Sequence[EventRecord]) -> Callable[[Connection], None]:
        """The batch folded into the states as read now; the write it returns stores them (the runner calls it
        under its lock, once it has checked nothing moved meanwhile: the folding is done before the lock)."""
        records: dict[str, list[EventRecord]] = defaultdict(list)
        for record in batch:
            if record.of_goal:  # the log's other aggregates are not goals
                records[record.goal_id].append(record)
        earlier = _stored_states(reading, [g for g, rs in records.items() if rs[0].type != "Drafted"])
        rows = []
        for goal_id, goal_records in records.items():
            state = fold(goal_records, earlier.get(goal_id), keep_input=False)  # freshly parsed: no copy needed
            assert state is not None
            rows.append(_row(state))

        def write(connection: Connection) -> None:
            if not records:
                return  # the batch held only other aggregates' events
            connection.execute(delete(goal_reviews).where(goal_reviews.c.goal_id.in_(list(records))))
            connection.execute(insert(goal_reviews), rows)

        return write


def load_states(engine: Engine, owner_id: str, cycle_id: str, manager_id: str | None = None) -> list[State]:
    """The stored review states of one employee's goals in one cycle (only one manager's, if named)."""
    query = select(goal_reviews.c.state).where(*_owned(owner_id, cycle_id, manager_id))
    with engine.connect() as connection:
        return [json.loads(text) for text in connection.execute(query).scalars()]


def load_goal_ids(engine: Engine, owner_id: str, cycle_id: str, manager_id: str | None = None) -> list[str]:
    query = select(goal_reviews.c.goal_id).where(*_owned(owner_id, cycle_id, manager_id))
    with engine.connect() as connection:
        return list(connection.execute(query).scalars())


def _owned(owner_id: str, cycle_id: str, manager_id: str | None) -> list[Any]:
    conditions = [goal_reviews.c.owner_id == owner_id, goal_reviews.c.cycle_id == cycle_id]
    if manager_id is not None:
        conditions.append(goal_reviews.c.manager_id == manager_id)
    return conditions


def dump_state(state: State) -> str:
    """Canonical JSON: a rebuilt read model is byte-for-byte the live one."""
    return json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _stored_states(connection: Connection, goal_ids: list[str]) -> dict[str, State]:
    if not goal_ids:
        return {}
    query = select(goal_reviews.c.goal_id, goal_reviews.c.state).where(goal_reviews.c.goal_id.in_(goal_ids))
    return {goal_id: json.loads(text) for goal_id, text in connection.execute(query)}


def _row(state: State) -> dict[str, Any]:
    return {
        "goal_id": state["goal_id"],
        "owner_id": state["owner_id"],
        "manager_id": state["manager_id"],
        "cycle_id": state["cycle"]["id"],
        "version": state["version"],
        "state": dump_state(state),
    }
