"""GoalIndex: one row per goal (owner, manager, cycle, status, title, version) for filtered, paged lists."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select

from application.goals import LoggedEvent
from application.serialization import UnknownEventError
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

    def apply(self, connection: Connection, batch: Sequence[LoggedEvent]) -> None:
        rows: dict[str, dict[str, Any]] = {}
        known = _existing_rows(connection, {str(e.event.originator_id) for e in batch} - _drafted_in(batch))
        for logged in batch:
            goal_id = str(logged.event.originator_id)
            if isinstance(logged.event, Goal.Drafted):
                rows[goal_id] = _drafted_row(logged)
            else:
                if goal_id not in rows:
                    rows[goal_id] = known[goal_id]
                _apply_change(rows[goal_id], logged)
        connection.execute(delete(goal_index).where(goal_index.c.goal_id.in_(list(rows))))
        connection.execute(insert(goal_index), list(rows.values()))


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


def _drafted_in(batch: Sequence[LoggedEvent]) -> set[str]:
    return {str(e.event.originator_id) for e in batch if isinstance(e.event, Goal.Drafted)}


def _existing_rows(connection: Connection, goal_ids: set[str]) -> dict[str, dict[str, Any]]:
    if not goal_ids:
        return {}
    result = connection.execute(select(goal_index).where(goal_index.c.goal_id.in_(list(goal_ids))))
    return {row.goal_id: dict(row._mapping) for row in result}


def _drafted_row(logged: LoggedEvent) -> dict[str, Any]:
    event: Any = logged.event
    return {
        "goal_id": str(event.originator_id),
        "drafted_position": logged.position,
        "owner_id": event.owner_id,
        "manager_id": event.manager_id,
        "org_unit": event.org_unit,
        "cycle_id": event.cycle["id"],
        "status": "draft",
        "title": event.title,
        "version": event.originator_version,
        "updated_at": event.timestamp.isoformat(),
    }


def _apply_change(row: dict[str, Any], logged: LoggedEvent) -> None:
    event = logged.event
    handle = CHANGES.get(type(event))
    if handle is None:
        raise UnknownEventError(event)
    handle(row, event)
    row["version"] = event.originator_version
    row["updated_at"] = event.timestamp.isoformat()


def _revised(row: dict[str, Any], event: Any) -> None:
    for name in ("title", "org_unit"):
        if name in event.changes:
            row[name] = event.changes[name]


def _status(status: str) -> Callable[[dict[str, Any], Any], None]:
    return lambda row, _event: row.update(status=status)


def _unchanged(_row: dict[str, Any], _event: Any) -> None:
    """The event changes nothing the index shows (its version and time still move)."""


CHANGES: dict[type[Goal.Event], Callable[[dict[str, Any], Any], None]] = {
    Goal.Revised: _revised,
    Goal.Agreed: _status("agreed"),
    Goal.Closed: _status("closed"),
    **dict.fromkeys((Goal.SignatureVoided, Goal.AgreementSigned, Goal.MilestoneProposed, Goal.MilestoneSet, Goal.KpiRecorded, Goal.RecalibrationProposed, Goal.RecalibrationRejected, Goal.Recalibrated), _unchanged),
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
