"""The alignment read model: which goal serves which objective or goal, per cycle (ADR 0023).

Fed in log order like the others; the progress roll-up is computed when read, from these links and each goal's
attainment in the review read model (projections/review/), so there is one formula for a goal's progress.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, insert, select, update

from application.events.serialization import EventRecord, UnknownEventError, type_name
from domain.goal import Goal
from domain.objective import Objective
from projections.tables import goal_alignment, objectives

Row = dict[str, Any]


class AlignmentProjection:
    name = "alignment"
    tables: tuple[Table, ...] = (goal_alignment, objectives)

    def apply(self, connection: Connection, batch: Sequence[EventRecord]) -> None:
        for record in batch:
            if record.type == type_name(Objective.Set):
                connection.execute(insert(objectives).values(_objective_row(record)))
            elif record.of_goal:
                _goal_change(connection, record)


def _goal_change(connection: Connection, record: EventRecord) -> None:
    if record.type == type_name(Goal.Drafted):
        connection.execute(insert(goal_alignment).values(_drafted_row(record)))
        return
    handle = CHANGES.get(record.type)
    if handle is None:
        raise UnknownEventError(record.type)
    values = handle(record)
    if values:
        connection.execute(update(goal_alignment).where(goal_alignment.c.goal_id == record.goal_id).values(values))


def _objective_row(record: EventRecord) -> Row:
    data = record.data
    return {"objective_id": record.goal_id, "cycle_id": data["cycle"], "title": data["title"],
            "org_unit": data["org_unit"], "owner_id": data["owner_id"], "set_position": record.position}


def _drafted_row(record: EventRecord) -> Row:
    data = record.data
    return {"goal_id": record.goal_id, "cycle_id": data["cycle"]["id"], "aligned_to": data["parent_goal_id"],
            "title": data["title"], "owner_id": data["owner_id"], "manager_id": data["manager_id"],
            "status": "draft", "outcome": None, "weight": str(data["weight"]), "drafted_position": record.position}


def _revised(record: EventRecord) -> Row:
    changes = record.data["changes"]
    names = {"parent_goal_id": "aligned_to", "title": "title", "weight": "weight"}
    return {column: (str(changes[field]) if field == "weight" else changes[field])
            for field, column in names.items() if field in changes}


def _closed(record: EventRecord) -> Row:
    return {"status": "closed", "outcome": record.data.get("outcome", "cancelled")}


def _nothing(_record: EventRecord) -> Row:
    return {}


CHANGES: dict[str, Callable[[EventRecord], Row]] = {
    type_name(Goal.Revised): _revised,
    type_name(Goal.Agreed): lambda _record: {"status": "agreed"},
    type_name(Goal.Closed): _closed,
    type_name(Goal.CarriedOver): _closed,
    type_name(Goal.Reassigned): lambda r: {"owner_id": r.data["owner_id"], "manager_id": r.data["manager_id"]},
    **{type_name(cls): _nothing for cls in (
        Goal.SignatureVoided, Goal.AgreementSigned, Goal.MilestoneProposed, Goal.MilestoneSet, Goal.KpiRecorded,
        Goal.RecalibrationProposed, Goal.RecalibrationRejected, Goal.Recalibrated, Goal.CarriedIn, Goal.CheckedIn)},
}


def load_cycle(connection: Connection, cycle_id: str) -> tuple[list[Row], list[Row]]:
    """The objectives and the goals of one cycle, each in the order they came."""
    found = select(objectives).where(objectives.c.cycle_id == cycle_id).order_by(objectives.c.set_position)
    goals = select(goal_alignment).where(goal_alignment.c.cycle_id == cycle_id).order_by(
        goal_alignment.c.drafted_position)
    return ([dict(r._mapping) for r in connection.execute(found)],
            [dict(r._mapping) for r in connection.execute(goals)])
