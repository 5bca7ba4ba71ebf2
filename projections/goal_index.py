"""GoalIndex: one row per goal (owner, manager, cycle, status, title, version) for filtered, paged lists."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select

from application.events.serialization import EventRecord, UnknownEventError, type_name
from domain import rules
from domain.goal import Goal
from domain.values import Actor
from projections.tables import goal_index

MAX_PAGE = 200


class InvalidCursorError(ValueError):
    def __init__(self, cursor: str) -> None:
        super().__init__(f"cursor {cursor!r} is not one this API handed out; start again without it")


class GoalIndexProjection:
    name = "goal_index"
    tables = (goal_index,)

    def apply(self, connection: Connection, batch: Sequence[EventRecord]) -> None:
        self.staged(connection, batch)(connection)

    def staged(self, reading: Connection, batch: Sequence[EventRecord]) -> Callable[[Connection], None]:
        """The batch applied to the rows as read now; the write it returns stores them (see ReviewProjection)."""
        batch = [record for record in batch if record.of_goal]  # the log's other aggregates are not goals
        rows: dict[str, dict[str, Any]] = {}
        known = _existing_rows(reading, {r.goal_id for r in batch} - _drafted_in(batch))
        for record in batch:
            if record.type == "Drafted":
                rows[record.goal_id] = _drafted_row(record)
            else:
                if record.goal_id not in rows:
                    rows[record.goal_id] = known[record.goal_id]
                _apply_change(rows[record.goal_id], record)

        def write(connection: Connection) -> None:
            if not rows:
                return  # the batch held only other aggregates' events
            connection.execute(delete(goal_index).where(goal_index.c.goal_id.in_(list(rows))))
            connection.execute(insert(goal_index), list(rows.values()))

        return write


@dataclass(frozen=True)
class GoalPage:
    items: list[dict[str, Any]]
    next_cursor: str | None


def list_goals(engine: Engine, filters: dict[str, str | None], limit: int, cursor: str | None) -> GoalPage:
    """Goals in the order they were drafted, filtered by exact column values, one page after the cursor."""
    query = select(goal_index).order_by(goal_index.c.drafted_position).limit(limit + 1)
    for column, value in filters.items():
        if value is not None:
            query = query.where(goal_index.c[column] == value)
    if cursor is not None:
        query = query.where(goal_index.c.drafted_position > decode_cursor(cursor))
    with engine.connect() as connection:
        rows = [dict(row._mapping) for row in connection.execute(query)]
    page, more = rows[:limit], len(rows) > limit
    return GoalPage(page, encode_cursor(page[-1]["drafted_position"]) if more else None)


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"g1:{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The position the cursor stands for; opaque to clients so the ordering may change later."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, position = text.split(":")
        if prefix != "g1" or not re.fullmatch("[0-9]{1,19}", position) or int(position) >= 2**63:
            raise ValueError(prefix)  # ASCII digits within the stores' integer range only
        return int(position)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidCursorError(cursor) from None


def _drafted_in(batch: Sequence[EventRecord]) -> set[str]:
    return {r.goal_id for r in batch if r.type == "Drafted"}


def _existing_rows(connection: Connection, goal_ids: set[str]) -> dict[str, dict[str, Any]]:
    if not goal_ids:
        return {}
    result = connection.execute(select(goal_index).where(goal_index.c.goal_id.in_(list(goal_ids))))
    return {row.goal_id: dict(row._mapping) for row in result}


def _drafted_row(record: EventRecord) -> dict[str, Any]:
    data = record.data
    return {
        "goal_id": record.goal_id,
        "drafted_position": record.position,
        "owner_id": data["owner_id"],
        "manager_id": data["manager_id"],
        "org_unit": data["org_unit"],
        "cycle_id": data["cycle"]["id"],
        "status": "draft",
        "title": data["title"],
        "version": record.version,
        "updated_at": record.timestamp,
    }


def _apply_change(row: dict[str, Any], record: EventRecord) -> None:
    handle = CHANGES.get(record.type)
    if handle is None:
        raise UnknownEventError(record.type)
    handle(row, record)
    row["version"] = record.version
    row["updated_at"] = record.timestamp


def _revised(row: dict[str, Any], record: EventRecord) -> None:
    for name in ("title", "org_unit"):
        if name in record.data["changes"]:
            row[name] = record.data["changes"][name]


def _reassigned(row: dict[str, Any], record: EventRecord) -> None:
    row.update(owner_id=record.data["owner_id"], manager_id=record.data["manager_id"])


def _status(status: str) -> Callable[[dict[str, Any], EventRecord], None]:
    return lambda row, _record: row.update(status=status)


def _unchanged(_row: dict[str, Any], _record: EventRecord) -> None:
    """The event changes nothing the index shows (its version and time still move)."""


UNCHANGED = (Goal.SignatureVoided, Goal.AgreementSigned, Goal.MilestoneProposed, Goal.MilestoneSet, Goal.KpiRecorded,
             Goal.RecalibrationProposed, Goal.RecalibrationRejected, Goal.Recalibrated, Goal.CheckedIn,
             Goal.CarriedIn)
# Keyed by each event class's stable name (from its stored topic): every type has a rule, any other stops the index.
CHANGES: dict[str, Callable[[dict[str, Any], EventRecord], None]] = {
    type_name(Goal.Revised): _revised,
    type_name(Goal.Agreed): _status("agreed"),
    type_name(Goal.Closed): _status("closed"),
    type_name(Goal.CarriedOver): _status("closed"),
    type_name(Goal.Reassigned): _reassigned,
    **{type_name(cls): _unchanged for cls in UNCHANGED},
}


class ListingNotAllowedError(PermissionError):
    """The caller asked for goals they may not list (403)."""


def visible_filters(viewer: Actor, owner: str | None, manager: str | None) -> dict[str, str | None]:
    """The owner/manager filters a viewer may use (domain.rules.listing_scope); missing ones are narrowed."""
    scope = rules.listing_scope(viewer, owner, manager)
    if scope is None:
        raise ListingNotAllowedError(
            f"{viewer.role} {viewer.id!r} may not list goals of owner {owner!r} and manager {manager!r}"
        )
    return {"owner_id": scope.owner_id, "manager_id": scope.manager_id}
