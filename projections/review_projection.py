"""The review read model: each goal's review state (projections/review_state.py) stored as canonical JSON."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from application.privacy.registry import ERASED
from application.events.serialization import EventRecord, type_name
from domain.person import Person
from projections.review.state import State, fold
from projections.tables import goal_reviews, projection_positions


PERSON_ERASED = type_name(Person.Erased)


class ReviewProjection:
    name = "reviews"
    tables = (goal_reviews,)

    def apply(self, connection: Connection, batch: Sequence[EventRecord]) -> None:
        segment: list[EventRecord] = []
        for record in batch:
            if record.type == PERSON_ERASED:  # in log order: the text folded so far is scrubbed, later text stays
                _fold(connection, segment)
                segment = []
                _scrub_person(connection, record.data["person_id"])
            elif record.of_goal:  # the log's other aggregates are not goals
                segment.append(record)
        _fold(connection, segment)

    def staged(self, reading: Connection, batch: Sequence[EventRecord]) -> Callable[[Connection], None]:
        """The batch folded into the states as read now; the write it returns stores them (the runner calls it
        under its lock, once it has checked nothing moved meanwhile). A batch with an erasure is applied whole
        under the lock: there the order of text and erasure matters."""
        if any(record.type == PERSON_ERASED for record in batch):
            return lambda connection: self.apply(connection, batch)
        return _folded(reading, [record for record in batch if record.of_goal])


def _fold(connection: Connection, batch: Sequence[EventRecord]) -> None:
    _folded(connection, batch)(connection)


def _folded(reading: Connection, batch: Sequence[EventRecord]) -> Callable[[Connection], None]:
    """The goals' states as read now with the batch folded in, and the write that stores them."""
    records: dict[str, list[EventRecord]] = defaultdict(list)
    for record in batch:
        records[record.goal_id].append(record)
    earlier = _stored_states(reading, [g for g, rs in records.items() if rs[0].type != "Drafted"])
    rows = []
    for goal_id, goal_records in records.items():
        state = fold(goal_records, earlier.get(goal_id), keep_input=False)  # freshly parsed: no copy needed
        assert state is not None
        rows.append(_row(state))

    def write(connection: Connection) -> None:
        if records:
            connection.execute(delete(goal_reviews).where(goal_reviews.c.goal_id.in_(list(records))))
            connection.execute(insert(goal_reviews), rows)

    return write


def _scrub_person(connection: Connection, person_id: str) -> None:
    """An erasure (ADR 0026, 0051): every goal the person wrote into shows the marker where their text was, and
    only theirs, as a rebuild reads it: the state names each text's author. The candidates are the states that
    mention the person at all (owner, manager or author)."""
    mentioned = json.dumps(person_id)
    query = select(goal_reviews.c.goal_id, goal_reviews.c.state).where(
        goal_reviews.c.state.contains(mentioned, autoescape=True))
    for goal_id, text in connection.execute(query).all():
        state = json.loads(text)
        erase_text(state, person_id)
        connection.execute(update(goal_reviews).where(goal_reviews.c.goal_id == goal_id)
                           .values(state=dump_state(state)))


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


def erase_text(state: State, author: str | None = None) -> None:
    """The personal text of the state (every author's, or one author's) as the erased marker: what the events read
    as once the key that sealed it is gone."""
    def by(writer: str | None) -> bool:
        return author is None or writer == author

    for reading in [*state["readings"], *state.get("corrections", [])]:
        if by(reading["recorded_by"]):
            reading["note"] = _erased(reading["note"])
    for recalibration in state["recalibrations"]:
        if by(recalibration["proposed_by"]):
            recalibration["justification"] = _erased(recalibration["justification"])
        if by(recalibration["decided_by"]):
            recalibration["note"] = _erased(recalibration["note"])
    if state["outcome"] is not None and by(state["outcome"]["closed_by"]):
        _erase_summary(state["outcome"])
    for check_in in state.get("check_ins", []):
        if by(check_in["by"]):
            for field in ("note", "blockers", "next_steps"):
                check_in[field] = _erased(check_in[field])


def _erase_summary(outcome: dict[str, Any]) -> None:
    """A closing summary erased; a carried-over goal's summary is the system's words around HR's reason
    (projections/review/state.py carried_over), so only the reason reads as the marker, as in a rebuild."""
    summary = outcome["summary"]
    if outcome.get("carried_over_to") is not None and isinstance(summary, str):
        prefix, separator, reason = summary.partition(": ")
        outcome["summary"] = f"{prefix}{separator}{_erased(reason)}" if separator else _erased(summary)
        return
    outcome["summary"] = _erased(summary)


def _erased(text: str | None) -> str | None:
    return ERASED if text else text  # an empty text was never sealed: it stays empty


def pinned_states(engine: Engine, owner_id: str, cycle_id: str) -> tuple[list[State], int]:
    """Every stored review state of one employee's goals in one cycle, and the log position they reflect.

    The position is read before and after the states; if the projector moved in between, they are read again.
    """
    while True:
        before = _position(engine)
        states = load_states(engine, owner_id, cycle_id)
        if _position(engine) == before:
            return states, before


def content_hash(document: dict[str, Any]) -> str:
    """The SHA-256 of a document's canonical JSON: what a decision pins of the justification it rests on."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def _position(engine: Engine) -> int:
    query = select(projection_positions.c.position).where(projection_positions.c.name == ReviewProjection.name)
    with engine.connect() as connection:
        return int(connection.execute(query).scalar_one_or_none() or 0)


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
