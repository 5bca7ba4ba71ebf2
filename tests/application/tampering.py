"""Tamper with stored goal events behind the application's back, as someone with database access could.

SQLite keeps events in `stored_events` (goal ids as hex without dashes, the log position is the rowid);
PostgreSQL in `goalengine_events` (goal ids as uuid, the log position in `notification_id`).
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from sqlalchemy import text

from application.audit.leaf import SIG_KEY
from application.goals.service import Goals


def _table(goals: Goals) -> str:
    return "stored_events" if goals.settings.store == "sqlite" else "goalengine_events"


def _id(goals: Goals, goal_id: UUID) -> Any:
    return goal_id.hex if goals.settings.store == "sqlite" else goal_id


def _execute(goals: Goals, statement: str, **params: Any) -> Any:
    with goals.engine.begin() as connection:
        return connection.execute(text(statement.format(table=_table(goals))), params)


def stored_state(goals: Goals, goal_id: UUID, version: int) -> dict[str, Any]:
    row = _execute(goals, "SELECT state FROM {table} WHERE originator_id = :g AND originator_version = :v",
                   g=_id(goals, goal_id), v=version).one()
    return dict(json.loads(bytes(row.state)))


def stored_bytes(goals: Goals, goal_id: UUID, version: int) -> bytes:
    row = _execute(goals, "SELECT state FROM {table} WHERE originator_id = :g AND originator_version = :v",
                   g=_id(goals, goal_id), v=version).one()
    return bytes(row.state)


def write_state(goals: Goals, goal_id: UUID, version: int, state: dict[str, Any] | bytes) -> None:
    body = state if isinstance(state, bytes) else json.dumps(state, separators=(",", ":"), ensure_ascii=False).encode()
    _execute(goals, "UPDATE {table} SET state = :s WHERE originator_id = :g AND originator_version = :v",
             s=body, g=_id(goals, goal_id), v=version)


def change_value(goals: Goals, goal_id: UUID, version: int, field: str, value: Any) -> None:
    """Edit one field inside the stored state, keeping the event's original signature."""
    state = stored_state(goals, goal_id, version)
    state[field] = value
    write_state(goals, goal_id, version, state)


def delete_event(goals: Goals, goal_id: UUID, version: int) -> None:
    _execute(goals, "DELETE FROM {table} WHERE originator_id = :g AND originator_version = :v",
             g=_id(goals, goal_id), v=version)


def swap_states(goals: Goals, goal_id: UUID, first: int, second: int) -> None:
    """Exchange two events' stored data (state, signatures included), leaving versions and positions in place."""
    one, other = stored_bytes(goals, goal_id, first), stored_bytes(goals, goal_id, second)
    write_state(goals, goal_id, first, other)
    write_state(goals, goal_id, second, one)


def append_row(goals: Goals, goal_id: UUID, version: int, topic: str, state: dict[str, Any] | bytes) -> None:
    """Insert a row at the end of the log (SQLite: next rowid; PostgreSQL: next notification id)."""
    body = state if isinstance(state, bytes) else json.dumps(state, separators=(",", ":"), ensure_ascii=False).encode()
    _execute(goals, "INSERT INTO {table} (originator_id, originator_version, topic, state) VALUES (:g, :v, :t, :s)",
             g=_id(goals, goal_id), v=version, t=topic, s=body)


def forged_state(goals: Goals, goal_id: UUID, like_version: int, **changes: Any) -> dict[str, Any]:
    """A copy of a stored event's state with some fields changed and a made-up signature (of a known key id)."""
    state = {**stored_state(goals, goal_id, like_version), **changes}
    kid = str(state[SIG_KEY]).split(":")[0]
    state[SIG_KEY] = f"{kid}:{'A' * 86}=="
    return state
